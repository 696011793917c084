/**
 * Issue 15 item 5, the STS side: `podIdentity.externalID` reaches STS as `ExternalId` and is part of
 * the credential cache key, against moto's STS over the real SDK (the request as serialized, read
 * from moto's request log). Rows cite KEDA v2.20 `pkg/scalers/aws/aws_config_cache.go`:
 * `retrievePodIdentityCredentials` (AssumeRole gets it as `ExternalID`) and `getCacheKey` (the key is
 * roleArn-externalID-region). The parsing side is test/engine/spec/pod-identity-external-id.test.ts.
 * Moved from a client mock: moto issues a fresh key per AssumeRole, as STS does.
 */
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../../lambdas/adapters/aws/aws-client-factory';
import { sourceKey } from '../../../lambdas/triggers/aws-common';
import { MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../../support/moto-server';

const ROLE = 'arn:aws:iam::123456789012:role/reader';

describe.skipIf(MOTO_SKIP)('ExternalId on AssumeRole and in the cache key (aws_config_cache.go retrievePodIdentityCredentials, getCacheKey; moto STS)', () => {
  let moto: MotoServer;
  let factory: AwsClientFactory;
  const base = async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' });
  const assumeRoleInputs = () => moto.recordedQueryParams('AssumeRole');

  beforeAll(async () => {
    moto = await startMoto();
  }, MOTO_START_TIMEOUT_MS);
  afterAll(() => moto?.stop());
  beforeEach(async () => {
    await moto.recordRequests();
    factory = new AwsClientFactory({ baseCredentials: base, stsClient: new STSClient({ ...moto.clientConfig('eu-west-1'), credentials: base }) });
  });

  it.each([
    ['with externalID', 'tenant-42', { RoleArn: ROLE, RoleSessionName: 'eks-lambda-scaler', ExternalId: 'tenant-42' }],
    ['without externalID', undefined, { RoleArn: ROLE, RoleSessionName: 'eks-lambda-scaler' }],
  ])('%s: AssumeRole input %j', async (_label, externalId, input) => {
    await factory.credentialsFor({ region: 'eu-west-1', roleArn: ROLE, ...(externalId ? { externalId } : {}) })!();
    expect(await assumeRoleInputs()).toEqual([input]);
  });

  it('one role with two external ids is two cache entries and two sources', async () => {
    const a = { region: 'eu-west-1', roleArn: ROLE, externalId: 'a' };
    const b = { region: 'eu-west-1', roleArn: ROLE, externalId: 'b' };
    const [first, second] = await Promise.all([factory.credentialsFor(a)!(), factory.credentialsFor(b)!()]);
    expect(first.accessKeyId).not.toBe(second.accessKeyId);
    expect(await assumeRoleInputs()).toHaveLength(2);
    expect(sourceKey(a)).not.toBe(sourceKey(b));
    expect(factory.forSource(a)).not.toBe(factory.forSource(b));
  });
});
