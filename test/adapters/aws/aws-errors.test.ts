/** AWS failures as a person reads them: a server error says it is retried, a foreign answer names what to check. */
import { afterAll, describe, expect, it } from 'vitest';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AssumeRoleCredentials } from '../../../lambdas/adapters/aws/assume-role-credentials';
import { toTriggerError } from '../../../lambdas/adapters/aws/aws-errors';
import { dynamoDbError } from '../../../lambdas/adapters/state/dynamodb-errors';

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

describe('AssumeRole failures', () => {
  const sts = mockClient(STSClient);
  afterAll(() => sts.restore());
  const roles = () => new AssumeRoleCredentials(new STSClient({ region: 'eu-west-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }));
  const role = 'arn:aws:iam::123456789012:role/reader';

  it.each([
    { what: 'an answer without credentials (not STS)', setup: () => sts.on(AssumeRoleCommand).resolves({}), says: "returned no credentials: the answer was not STS's; check the STS endpoint" },
    { what: 'a 5xx', setup: () => sts.on(AssumeRoleCommand).rejects(named('InternalFailure', 'oops', 500)), says: 'STS answered with a server error (InternalFailure: oops); retried next pass' },
    { what: 'access denied', setup: () => sts.on(AssumeRoleCommand).rejects(named('AccessDenied', 'no')), says: 'grant sts:AssumeRole on it' },
    { what: 'throttling', setup: () => sts.on(AssumeRoleCommand).rejects(named('Throttling', 'Rate exceeded')), says: 'STS throttled AssumeRole for arn:aws:iam::123456789012:role/reader even after retries (Throttling): retried next pass' },
    { what: 'an attempt timeout', setup: () => sts.on(AssumeRoleCommand).rejects(named('TimeoutError', 'a request has exceeded the configured 1000 ms requestTimeout')), says: 'STS AssumeRole for arn:aws:iam::123456789012:role/reader got no answer in time' },
  ])('$what', async ({ setup, says }) => {
    sts.reset();
    setup();
    await expect(roles().get(role)).rejects.toThrow(says);
  });
});
