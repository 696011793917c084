/**
 * The AWS Secrets Manager reader behind a TriggerAuthentication's `awsSecretManager` (issue 20
 * item 3), against moto's Secrets Manager over the real SDK. Rows cite KEDA v2.20
 * `pkg/scaling/resolver/aws_secretmanager_handler.go` `Read`: GetSecretValue with VersionId and
 * VersionStage when set; with `secretKey`, the secret string parsed as JSON and that key's value,
 * which must be a string ("SecretKey Not Found", "SecretKey value is not a string").
 * Time runs on a fake clock (the cache).
 */
import { CreateSecretCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../../lambdas/adapters/aws/aws-client-factory';
import { AWS_SECRET_CACHE_MS, createAwsSecretReader } from '../../../lambdas/adapters/aws/secrets-manager-reader';
import { TriggerError } from '../../../lambdas/triggers/trigger-definition';
import { startFaultProxy } from '../../support/fault-proxy';
import { MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../../support/moto-server';

const REGION = 'eu-west-1';

describe.skipIf(MOTO_SKIP)('Secrets Manager reads for awsSecretManager (aws_secretmanager_handler.go Read; moto)', () => {
  let moto: MotoServer;
  let admin: SecretsManagerClient;
  let clock = 0;
  let previousVersion: string;
  const readerAs = (factory: AwsClientFactory) =>
    createAwsSecretReader({ clientFor: (region, roleArn) => factory.secretsManager(region, roleArn), defaultRegion: REGION, account: '123456789012', now: () => clock });

  beforeAll(async () => {
    moto = await startMoto();
    admin = new SecretsManagerClient(moto.clientConfig(REGION));
    await admin.send(new CreateSecretCommand({ Name: 'newrelic/key', SecretString: 'NRAK-FIRST' }));
    previousVersion = 'v-second';
    await admin.send(new PutSecretValueCommand({ SecretId: 'newrelic/key', SecretString: 'NRAK-SECOND', ClientRequestToken: previousVersion.padEnd(32, '0') }));
    await admin.send(new CreateSecretCommand({ Name: 'newrelic/json', SecretString: JSON.stringify({ queryKey: 'NRAK-JSON', count: 3 }) }));
    await admin.send(new CreateSecretCommand({ Name: 'newrelic/plain', SecretString: 'not json' }));
    await admin.send(new CreateSecretCommand({ Name: 'newrelic/binary', SecretBinary: new Uint8Array([1, 2, 3]) }));
  }, MOTO_START_TIMEOUT_MS);
  afterAll(() => moto?.stop());

  const factory = () => new AwsClientFactory(moto.awsClientFactoryOptions());

  it.each([
    ['the current version (AWSCURRENT)', { secretId: 'newrelic/key' }, 'NRAK-SECOND'],
    ['versionStage AWSPREVIOUS', { secretId: 'newrelic/key', versionStage: 'AWSPREVIOUS' }, 'NRAK-FIRST'],
    ['versionId', { secretId: 'newrelic/key', versionId: 'v-second'.padEnd(32, '0') }, 'NRAK-SECOND'],
    ['secretKey of a JSON secret', { secretId: 'newrelic/json', secretKey: 'queryKey' }, 'NRAK-JSON'],
  ])('reads %s', async (_label, ref, expected) => {
    expect(await readerAs(factory())(ref)).toBe(expected);
  });

  it.each([
    ['a secret that does not exist', { secretId: 'newrelic/missing' }, 'ResourceNotFoundException', 'AWS Secrets Manager secret newrelic/missing does not exist in eu-west-1'],
    ['a secretKey the JSON lacks (SecretKey Not Found)', { secretId: 'newrelic/json', secretKey: 'apiKey' }, 'SecretKeyNotFound', 'has no key "apiKey" (its keys: queryKey, count)'],
    ['a secretKey whose value is not a string', { secretId: 'newrelic/json', secretKey: 'count' }, 'SecretKeyNotString', 'is a number, not a string'],
    ['a secretKey on a secret that is not JSON', { secretId: 'newrelic/plain', secretKey: 'queryKey' }, 'SecretNotJson', 'is not a JSON object'],
    ['a binary secret', { secretId: 'newrelic/binary' }, 'SecretNotString', 'holds a binary value'],
  ])('%s: a TriggerError naming the secret and the fix, never its value', async (_label, ref, code, message) => {
    const failure = await readerAs(factory())(ref).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TriggerError);
    expect(failure).toMatchObject({ code, message: expect.stringContaining(message) });
    expect((failure as Error).message).not.toContain('NRAK-');
  });

  it('AccessDenied names the action and the exact secret ARN to grant', async () => {
    // moto's IAM enforcement answers Secrets Manager in a body the SDK cannot read, so the denial is
    // Secrets Manager's own JSON AccessDeniedException from the wire-level proxy in front of moto.
    const proxy = await startFaultProxy({ target: moto.endpoint, protocol: 'aws-json' });
    try {
      proxy.inject({ match: (request) => request.operation === 'GetSecretValue', fault: 'denied' });
      const denied = new AwsClientFactory(moto.awsClientFactoryOptions({ endpoints: { secretsmanager: proxy.url } }));
      const failure = await readerAs(denied)({ secretId: 'newrelic/key' }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(TriggerError);
      expect(failure).toMatchObject({ code: 'AccessDeniedException' });
      expect((failure as TriggerError).message).toContain("grant secretsmanager:GetSecretValue (and kms:Decrypt on its key if it is a customer-managed key) on arn:aws:secretsmanager:eu-west-1:123456789012:secret:newrelic/key-?????? to the scaler's IAM role");
    } finally {
      await proxy.close();
    }
  });

  it('keeps a value five minutes, then reads the rotated one (one GetSecretValue per secret per five minutes)', async () => {
    await admin.send(new CreateSecretCommand({ Name: 'newrelic/rotating', SecretString: 'NRAK-OLD' }));
    const read = readerAs(factory());
    await moto.recordRequests();
    clock = 1_000;
    expect(await read({ secretId: 'newrelic/rotating' })).toBe('NRAK-OLD');
    await admin.send(new PutSecretValueCommand({ SecretId: 'newrelic/rotating', SecretString: 'NRAK-NEW' }));
    clock += AWS_SECRET_CACHE_MS - 1;
    expect(await read({ secretId: 'newrelic/rotating' })).toBe('NRAK-OLD');
    clock += 1;
    expect(await read({ secretId: 'newrelic/rotating' })).toBe('NRAK-NEW');
    expect(await moto.recordedRequests('GetSecretValue')).toHaveLength(2);
  });
});
