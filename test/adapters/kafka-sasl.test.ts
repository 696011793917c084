/**
 * The Kafka SASL messages no local broker can check: Amazon MSK IAM (AWS_MSK_IAM), on a fixed clock
 * and fixed credentials, its signature recomputed here from the SigV4 specification (canonical
 * request, string to sign, derived key) with node:crypto alone; and SCRAM's client messages against
 * RFC 7677's published SCRAM-SHA-256 exchange. PLAIN and SCRAM logins are tested against a real
 * broker in kafka-broker.test.ts.
 */
import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mskIamPayload, scramSession } from '../../lambdas/adapters/kafka/kafka-sasl';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-example' };
const HOST = 'b-1.payments.a1b2c3.c2.kafka.eu-west-1.amazonaws.com';
const NOW = new Date(Date.UTC(2026, 11, 2, 10, 30, 0));

const hmac = (key: Buffer | string, text: string) => createHmac('sha256', key).update(text).digest();
const rfc3986 = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** SigV4 presigned GET of kafka://<host>/?Action=kafka-cluster:Connect, from the specification. */
function expectedSignature(payload: Record<string, string>): string {
  const query: Record<string, string> = {
    Action: 'kafka-cluster:Connect',
    'X-Amz-Algorithm': payload['x-amz-algorithm'] as string,
    'X-Amz-Credential': payload['x-amz-credential'] as string,
    'X-Amz-Date': payload['x-amz-date'] as string,
    'X-Amz-Expires': payload['x-amz-expires'] as string,
    'X-Amz-Security-Token': payload['x-amz-security-token'] as string,
    'X-Amz-SignedHeaders': payload['x-amz-signedheaders'] as string,
  };
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((key) => `${rfc3986(key)}=${rfc3986(query[key] as string)}`)
    .join('&');
  // kafka-go sasl/aws_msk_iam_v2/msk_iam.go `signPayload`: the SHA-256 of an empty payload.
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${HOST}\n`, 'host', createHash('sha256').update('').digest('hex')].join('\n');
  const scope = '20261202/eu-west-1/kafka-cluster/aws4_request';
  const stringToSign = ['AWS4-HMAC-SHA256', '20261202T103000Z', scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${CREDENTIALS.secretAccessKey}`, '20261202'), 'eu-west-1'), 'kafka-cluster'), 'aws4_request');
  return hmac(key, stringToSign).toString('hex');
}

describe('Amazon MSK IAM (AWS_MSK_IAM) payload', () => {
  it('is the presigned kafka-cluster:Connect for the broker host, with a signature SigV4 itself gives', async () => {
    const payload = JSON.parse((await mskIamPayload(HOST, 'eu-west-1', async () => CREDENTIALS, NOW)).toString('utf8')) as Record<string, string>;
    expect(payload).toMatchObject({
      version: '2020_10_22',
      host: HOST,
      action: 'kafka-cluster:Connect',
      'x-amz-algorithm': 'AWS4-HMAC-SHA256',
      'x-amz-credential': 'AKIDEXAMPLE/20261202/eu-west-1/kafka-cluster/aws4_request',
      'x-amz-date': '20261202T103000Z',
      'x-amz-expires': '300',
      'x-amz-signedheaders': 'host',
      'x-amz-security-token': 'session-token-example',
    });
    expect(payload['x-amz-signature']).toBe(expectedSignature(payload));
    expect(JSON.stringify(payload)).not.toContain(CREDENTIALS.secretAccessKey);
  });
});

describe('SCRAM-SHA-256 client messages', () => {
  // RFC 7677 section 3: user "user", password "pencil", client nonce "rOprNGfwEbeRWgbNEkqO".
  it('produces RFC 7677\'s client-first and client-final messages and verifies its server signature', async () => {
    const session = scramSession('sha256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
    expect((await session.next(Buffer.alloc(0)))?.toString()).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    const serverFirst = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
    expect((await session.next(Buffer.from(serverFirst)))?.toString()).toBe('c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=');
    expect(await session.next(Buffer.from('v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4='))).toBeNull();
  });

  it('refuses a server signature that does not verify', async () => {
    const session = scramSession('sha256', 'user', 'pencil', 'rOprNGfwEbeRWgbNEkqO');
    await session.next(Buffer.alloc(0));
    await session.next(Buffer.from('r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096'));
    await expect(session.next(Buffer.from('v=AAAA'))).rejects.toThrow(/does not verify/);
  });
});
