/**
 * The direct path's SigV4 signer (lambdas/adapters/aws/json-rpc/sigv4-json-post.ts) against the
 * signer the AWS SDK itself uses, @smithy/signature-v4, on the same request at the same instant:
 * the Authorization header must be the same, byte for byte. moto verifies real signatures in
 * test/adapters/aws/direct-json-rpc.test.ts.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { SigV4JsonPostSigner, type JsonPostToSign, type SigningCredentials } from '../../../lambdas/adapters/aws/json-rpc/sigv4-json-post';

const LONG_TERM: SigningCredentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SESSION: SigningCredentials = { ...LONG_TERM, accessKeyId: 'ASIAEXAMPLE', sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJGMEQCIHw=' };

const PUT_ITEM: JsonPostToSign = {
  host: 'dynamodb.eu-west-1.amazonaws.com',
  path: '/',
  region: 'eu-west-1',
  service: 'dynamodb',
  contentType: 'application/x-amz-json-1.0',
  target: 'DynamoDB_20120810.PutItem',
  body: JSON.stringify({ TableName: 'eks-lambda-scaler', Item: { pk: { S: 'so#prod/orders' }, v: { N: '7' } }, ConditionExpression: 'v = :v' }),
};
const SQS_READ: JsonPostToSign = {
  host: '127.0.0.1:4566',
  path: '/',
  region: 'us-east-1',
  service: 'sqs',
  contentType: 'application/x-amz-json-1.0',
  target: 'AmazonSQS.GetQueueAttributes',
  extraHeaders: { 'x-amzn-query-mode': 'true' },
  body: '{"QueueUrl":"https://sqs.us-east-1.amazonaws.com/123456789012/orders","AttributeNames":["ApproximateNumberOfMessages"]}',
};

async function sdkSignature(request: JsonPostToSign, credentials: SigningCredentials, at: Date): Promise<Record<string, string>> {
  // applyChecksum off: the SDK also signs x-amz-content-sha256; the direct path signs the headers it sends.
  const signer = new SignatureV4({ credentials, region: request.region, service: request.service, sha256: Sha256, applyChecksum: false });
  const [hostname, port] = request.host.split(':');
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'https:',
      hostname: hostname!,
      ...(port ? { port: Number(port) } : {}),
      path: request.path,
      query: {},
      headers: { host: request.host, 'content-type': request.contentType, 'x-amz-target': request.target, ...request.extraHeaders },
      body: request.body,
    },
    { signingDate: at },
  );
  return signed.headers;
}

describe('SigV4 for a JSON-protocol POST, against the AWS SDK signer', () => {
  // One row per header set the direct path sends (lambdas/adapters/aws/json-rpc/*-json-rpc.ts).
  it.each([
    { name: 'DynamoDB PutItem, long-term keys', request: PUT_ITEM, credentials: LONG_TERM, at: new Date('2026-12-03T05:12:09.512Z') },
    { name: 'DynamoDB PutItem, a role session (X-Amz-Security-Token signed)', request: PUT_ITEM, credentials: SESSION, at: new Date('2026-12-31T23:59:59.999Z') },
    { name: 'SQS GetQueueAttributes on a port, with x-amzn-query-mode', request: SQS_READ, credentials: SESSION, at: new Date('2027-01-01T00:00:00.000Z') },
    { name: 'an empty body', request: { ...PUT_ITEM, body: '' }, credentials: LONG_TERM, at: new Date('2026-02-28T12:00:00.000Z') },
  ])('$name', async ({ request, credentials, at }) => {
    const ours = new SigV4JsonPostSigner().sign(request, credentials, at);
    const sdk = await sdkSignature(request, credentials, at);
    expect(ours.authorization).toBe(sdk.authorization);
    expect(ours['x-amz-date']).toBe(sdk['x-amz-date']);
    expect(ours['x-amz-security-token']).toBe(sdk['x-amz-security-token']);
    expect(ours).not.toHaveProperty('host');
  });

  it('derives a new signing key when the day, the region or the secret changes', async () => {
    const signer = new SigV4JsonPostSigner();
    const cases = [
      { request: PUT_ITEM, credentials: LONG_TERM, at: new Date('2026-12-03T23:59:59Z') },
      { request: PUT_ITEM, credentials: LONG_TERM, at: new Date('2026-12-04T00:00:00Z') },
      { request: { ...PUT_ITEM, region: 'us-west-2', host: 'dynamodb.us-west-2.amazonaws.com' }, credentials: LONG_TERM, at: new Date('2026-12-04T00:00:01Z') },
      { request: PUT_ITEM, credentials: { ...LONG_TERM, secretAccessKey: 'rotated-secret' }, at: new Date('2026-12-04T00:00:02Z') },
    ];
    for (const { request, credentials, at } of cases) {
      expect(signer.sign(request, credentials, at).authorization).toBe((await sdkSignature(request, credentials, at)).authorization);
    }
  });
});
