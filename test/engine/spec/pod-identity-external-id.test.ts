/**
 * Issue 15 item 5: `podIdentity.externalID` reaches STS as `ExternalId` and is part of the
 * credential cache key. Rows cite KEDA v2.20:
 * - `pkg/scalers/aws/aws_common.go` `GetAwsAuthorization`: with provider aws and a roleArn, the
 *   externalID is copied into the authorization;
 * - `pkg/scalers/aws/aws_config_cache.go` `retrievePodIdentityCredentials`: AssumeRole gets it as
 *   `ExternalID`; `getCacheKey`: the key is roleArn-externalID-region;
 * - `apis/keda/v1alpha1/triggerauthentication_webhook.go` `validateSpec`: externalID needs roleArn.
 */
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../../lambdas/adapters/aws/aws-client-factory';
import { parseManifestObjects, resolveTriggerEnv } from '../../../lambdas/engine/spec/parse-manifests';
import { sourceKey } from '../../../lambdas/triggers/aws-common';

const ROLE = 'arn:aws:iam::123456789012:role/reader';
const SQS = { type: 'aws-sqs-queue', metadata: { queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', awsRegion: 'eu-west-1' }, authenticationRef: { name: 'aws-auth' } };
const object = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'worker', namespace: 'jobs' }, spec: { scaleTargetRef: { name: 'worker' }, triggers: [SQS] } };
const auth = (podIdentity: Record<string, unknown>) => ({ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'aws-auth', namespace: 'jobs' }, spec: { podIdentity } });

describe('podIdentity.externalID in the parsed trigger (aws_common.go GetAwsAuthorization)', () => {
  it.each([
    ['roleArn and externalID', { provider: 'aws', roleArn: ROLE, externalID: 'tenant-42' }, { region: 'eu-west-1', roleArn: ROLE, externalId: 'tenant-42' }],
    ['roleArn alone', { provider: 'aws', roleArn: ROLE }, { region: 'eu-west-1', roleArn: ROLE }],
    ['an empty externalID is none', { provider: 'aws', roleArn: ROLE, externalID: '' }, { region: 'eu-west-1', roleArn: ROLE }],
  ])('%s → %j', (_label, podIdentity, source) => {
    const result = parseManifestObjects([object, auth(podIdentity)]);
    expect(result.errors).toEqual([]);
    const trigger = result.objects[0]!.triggers[0]!;
    expect(trigger.aws).toEqual(source);
    // Kept when the trigger is re-parsed with its container env at tick time.
    expect(resolveTriggerEnv(result.objects[0]!, {}).object!.triggers[0]!.aws).toEqual(source);
  });

  it('externalID without roleArn is an error (triggerauthentication_webhook.go validateSpec)', () => {
    const result = parseManifestObjects([object, auth({ provider: 'aws', externalID: 'tenant-42' })]);
    expect(result.errors).toEqual([expect.objectContaining({ field: 'spec.podIdentity.externalID', message: expect.stringContaining('requires roleArn') })]);
  });
});

describe('ExternalId on AssumeRole and in the cache key (aws_config_cache.go retrievePodIdentityCredentials, getCacheKey)', () => {
  const sts = mockClient(STSClient);
  const base = async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' });
  let factory: AwsClientFactory;
  beforeEach(() => {
    sts.reset();
    let issued = 0;
    sts.on(AssumeRoleCommand).callsFake(() => {
      issued += 1;
      return { Credentials: { AccessKeyId: `ASIA${issued}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) } };
    });
    factory = new AwsClientFactory({ baseCredentials: base, stsClient: new STSClient({ region: 'eu-west-1', credentials: base }) });
  });
  afterAll(() => sts.restore());

  it.each([
    ['with externalID', 'tenant-42', { RoleArn: ROLE, RoleSessionName: 'eks-lambda-scaler', ExternalId: 'tenant-42' }],
    ['without externalID', undefined, { RoleArn: ROLE, RoleSessionName: 'eks-lambda-scaler' }],
  ])('%s: AssumeRole input %j', async (_label, externalId, input) => {
    await factory.credentialsFor({ region: 'eu-west-1', roleArn: ROLE, ...(externalId ? { externalId } : {}) })!();
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([input]);
  });

  it('one role with two external ids is two cache entries and two sources', async () => {
    const a = { region: 'eu-west-1', roleArn: ROLE, externalId: 'a' };
    const b = { region: 'eu-west-1', roleArn: ROLE, externalId: 'b' };
    const [first, second] = await Promise.all([factory.credentialsFor(a)!(), factory.credentialsFor(b)!()]);
    expect(first.accessKeyId).not.toBe(second.accessKeyId);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(2);
    expect(sourceKey(a)).not.toBe(sourceKey(b));
    expect(factory.forSource(a)).not.toBe(factory.forSource(b));
  });
});
