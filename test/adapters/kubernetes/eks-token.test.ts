import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EksTokenSource, createEksToken } from '../../../lambdas/adapters/kubernetes/eks-token';

const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const SIGNED_AT = Date.UTC(2025, 4, 6, 7, 8, 9);

function decode(token: string): URL {
  expect(token.startsWith('k8s-aws-v1.')).toBe(true);
  const encoded = token.slice('k8s-aws-v1.'.length);
  expect(encoded).not.toMatch(/[=+/]/); // unpadded base64url
  return new URL(Buffer.from(encoded, 'base64url').toString('utf8'));
}

// RFC 3986 encoding as SigV4 wants it (encodeURIComponent leaves !'()* alone).
const rfc3986 = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
const sha256 = (data: string) => createHash('sha256').update(data).digest('hex');

/** SigV4 query-presign signature computed from scratch, independently of @smithy/signature-v4. */
function expectedSignature(url: URL, clusterName: string, secret: string): string {
  const params = [...url.searchParams.entries()].filter(([k]) => k !== 'X-Amz-Signature');
  const canonicalQuery = params
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${url.host}`, `x-k8s-aws-id:${clusterName}`, '', 'host;x-k8s-aws-id', sha256('')].join('\n');
  const amzDate = url.searchParams.get('X-Amz-Date')!;
  const [, date, region, service] = /^[^/]+\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request$/.exec(url.searchParams.get('X-Amz-Credential')!)!;
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date!), region!), service!), 'aws4_request');
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}

describe('createEksToken', () => {
  it('is a presigned STS GetCallerIdentity URL that signs the cluster name', async () => {
    const { token, expiresAt } = await createEksToken('prod-cluster', 'eu-west-1', credentials, SIGNED_AT);
    const url = decode(token);
    expect(url.origin).toBe('https://sts.eu-west-1.amazonaws.com');
    expect(url.pathname).toBe('/');
    const q = url.searchParams;
    expect(q.get('Action')).toBe('GetCallerIdentity');
    expect(q.get('Version')).toBe('2011-06-15');
    expect(q.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(q.get('X-Amz-Credential')).toBe('AKIDEXAMPLE/20250506/eu-west-1/sts/aws4_request');
    expect(q.get('X-Amz-Date')).toBe('20250506T070809Z');
    expect(q.get('X-Amz-Expires')).toBe('60');
    expect(q.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(q.get('X-Amz-Signature')).toBe(expectedSignature(url, 'prod-cluster', credentials.secretAccessKey));
    expect(expiresAt).toBe(SIGNED_AT + 14 * 60_000);
  });

  it('carries a session token and never outlives temporary credentials', async () => {
    const expiration = new Date(SIGNED_AT + 5 * 60_000);
    const { token, expiresAt } = await createEksToken('c', 'us-east-1', async () => ({ ...credentials, sessionToken: 'SESSION', expiration }), SIGNED_AT);
    const url = decode(token);
    expect(url.searchParams.get('X-Amz-Security-Token')).toBe('SESSION');
    expect(url.searchParams.get('X-Amz-Signature')).toBe(expectedSignature(url, 'c', credentials.secretAccessKey));
    expect(expiresAt).toBe(expiration.getTime());
  });

  it('gives a different signature for a different cluster name', async () => {
    const a = decode((await createEksToken('a', 'us-east-1', credentials, SIGNED_AT)).token);
    const b = decode((await createEksToken('b', 'us-east-1', credentials, SIGNED_AT)).token);
    expect(a.searchParams.get('X-Amz-Signature')).not.toBe(b.searchParams.get('X-Amz-Signature'));
  });
});

describe('EksTokenSource', () => {
  it('reuses a token while it is fresh and re-signs before its 14 minutes end', async () => {
    let now = SIGNED_AT;
    let resolved = 0;
    const source = new EksTokenSource('c', 'us-east-1', async () => (resolved++, credentials), () => now);
    const first = await source.token();
    now += 11 * 60_000;
    expect(await source.token()).toBe(first);
    now += 60_001; // 12 min: inside the refresh margin
    const second = await source.token();
    expect(second).not.toBe(first);
    expect(decode(second).searchParams.get('X-Amz-Date')).toBe('20250506T072009Z');
    expect(resolved).toBe(2);
  });

  it('signs once for concurrent callers', async () => {
    let resolved = 0;
    const source = new EksTokenSource('c', 'us-east-1', async () => (resolved++, credentials), () => SIGNED_AT);
    const tokens = await Promise.all([source.token(), source.token(), source.token()]);
    expect(new Set(tokens).size).toBe(1);
    expect(resolved).toBe(1);
  });
});
