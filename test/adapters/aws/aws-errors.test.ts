/** AWS failures as a person reads them: a server error says it is retried, a foreign answer names what to check. */
import { beforeEach, describe, expect, it } from 'vitest';
import { STSClient } from '@aws-sdk/client-sts';
import { AssumeRoleCredentials } from '../../../lambdas/adapters/aws/assume-role-credentials';
import { awsTransport } from '../../../lambdas/adapters/aws/aws-transport';
import { toTriggerError } from '../../../lambdas/adapters/aws/aws-errors';
import { dynamoDbError } from '../../../lambdas/adapters/state/dynamodb-errors';
import { useMotoBehindProxy, type FaultProxy } from '../../support/fault-proxy';
import { MOTO_SKIP } from '../../support/moto-server';

const context = {
  operation: 'SQS GetQueueAttributes',
  iamAction: 'sqs:GetQueueAttributes',
  resource: 'arn:aws:sqs:eu-west-1:123456789012:orders',
  region: 'eu-west-1',
  target: 'queue https://sqs.eu-west-1.amazonaws.com/123456789012/orders',
  targetKeys: 'queueURL',
};
const named = (name: string, message: string, status?: number) => Object.assign(new Error(message), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });
const deserialization = () =>
  named('SyntaxError', 'Unexpected token \'<\', "<html><hea"... is not valid JSON\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.');

describe('toTriggerError', () => {
  it.each([
    { what: 'a 5xx by name', error: named('InternalServerError', 'Internal server error'), says: 'failed with a server error at AWS (InternalServerError: Internal server error): the read is retried next pass' },
    { what: 'a 5xx by status', error: named('UnknownError', 'oops', 503), says: 'failed with a server error at AWS (UnknownError: oops): the read is retried next pass' },
    { what: 'an HTML page instead of JSON', error: deserialization(), says: 'got an answer that is not from AWS' },
  ])('$what', ({ error, says }) => {
    const failure = toTriggerError(error, context);
    expect(failure.message).toContain(says);
    expect(failure.message).not.toMatch(/\$response|hidden field/);
  });
});

describe('dynamoDbError', () => {
  it.each([
    { what: 'a 5xx', error: named('InternalServerError', 'Internal server error', 500), says: 'DynamoDB PutItem on table state failed with a server error at AWS (InternalServerError: Internal server error): retried next pass' },
    { what: 'an HTML page', error: deserialization(), says: "DynamoDB PutItem on table state got an answer that is not DynamoDB's" },
    { what: 'access denied', error: named('AccessDeniedException', 'not authorized'), says: 'DynamoDB PutItem on table state failed (needs dynamodb:PutItem): AccessDeniedException: not authorized; grant the action' },
  ])('$what', ({ error, says }) => {
    expect(dynamoDbError(error, 'PutItem', 'state').message).toContain(says);
  });
});

/**
 * AssumeRole failures on the wire: moto's STS behind the wire-level proxy (test/support/fault-proxy.ts),
 * which answers each failure in STS's own query-protocol shape, so the SDK's parsing, error naming
 * and timeout run for real (these were client-mock rejections). The 5xx row quotes the proxy's
 * InternalFailure message, "An internal error occurred.", where the mock's was "oops"; the timeout
 * is a held request and the scaler's transport (awsTransport) with a 300 ms per-attempt timeout.
 * (A 300 ms budget for every row failed: moto's answers took longer than that at load 20.)
 */
describe.skipIf(MOTO_SKIP)('AssumeRole failures (moto STS behind the fault proxy)', () => {
  const served = useMotoBehindProxy('aws-query');
  let proxy: FaultProxy;
  beforeEach(() => ({ proxy } = served()));
  // The scaler's own transport (per-attempt timeout), one attempt: 10 s where moto answers (a loaded
  // machine), 300 ms where the proxy holds the request.
  const roles = (attemptTimeoutMs = 10_000) =>
    new AssumeRoleCredentials(
      new STSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, endpoint: proxy.url, ...awsTransport(attemptTimeoutMs, 1) }),
    );
  const role = 'arn:aws:iam::123456789012:role/reader';
  const withoutCredentials = { rewrite: (body: string) => body.replace(/<Credentials>[\s\S]*<\/Credentials>/, '') };

  it('moto answers AssumeRole through the proxy (the rows below change only the answer)', async () => {
    proxy.reset();
    await expect(roles().get(role)).resolves.toMatchObject({ accessKeyId: expect.any(String), sessionToken: expect.any(String) });
  });

  it.each([
    { what: 'an answer without credentials (not STS)', fault: withoutCredentials, says: "returned no credentials: the answer was not STS's; check the STS endpoint" },
    { what: 'a 5xx', fault: '5xx' as const, says: 'STS answered with a server error (InternalFailure: An internal error occurred.); retried next pass' },
    { what: 'access denied', fault: 'denied' as const, says: 'grant sts:AssumeRole on it' },
    { what: 'throttling', fault: 'throttle' as const, says: 'STS throttled AssumeRole for arn:aws:iam::123456789012:role/reader even after retries (Throttling): retried next pass' },
    { what: 'an attempt timeout', fault: 'hang' as const, says: 'STS AssumeRole for arn:aws:iam::123456789012:role/reader got no answer in time' },
  ])('$what', async ({ fault, says }) => {
    proxy.reset();
    proxy.inject({ match: (request) => request.operation === 'AssumeRole', fault });
    await expect(roles(fault === 'hang' ? 300 : undefined).get(role)).rejects.toThrow(says);
    expect(proxy.faulted).toHaveLength(1);
  });
});
