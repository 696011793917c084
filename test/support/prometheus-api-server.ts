/**
 * A small server speaking the Prometheus HTTP API's instant query (`GET <prefix>/api/v1/query`), as
 * the prometheus trigger's reads meet it: it answers each query with the sample the test set (an
 * instant vector of one series, an empty vector, or any raw status and body), records every request
 * (path, query parameters, headers), and can demand SigV4 signatures, which it verifies itself from
 * the request it received (its own canonical request, not the client library's) as Amazon Managed
 * Service for Prometheus does.
 *
 *   const prom = await startPrometheusApiServer();            // http://127.0.0.1:<port>
 *   prom.answer('sum(rate(x[1m]))', 42);                       // or prom.answer(q, { status, body })
 *   prom.requests                                              // what arrived
 */
import { createHash, createHmac } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

export interface RecordedPrometheusRequest {
  path: string;
  query: [string, string][];
  headers: Record<string, string | string[] | undefined>;
}

export type PrometheusAnswer = number | 'empty' | { status: number; body: string } | 'hang';

export interface SigV4Expectation {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
}

export interface PrometheusApiServer {
  url: string;
  port: number;
  requests: RecordedPrometheusRequest[];
  /** What a query (exact PromQL text) answers from now on; unknown queries answer an empty vector. */
  answer(query: string, answer: PrometheusAnswer): void;
  close(): Promise<void>;
}

export interface PrometheusApiServerOptions {
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Path the API sits under, e.g. `/workspaces/ws-1` (AMP) or `/prom`. */
  pathPrefix?: string;
  /** HTTPS with this certificate and key. */
  tls?: { cert: string; key: string };
  /** Refuse (403) any request whose SigV4 signature does not verify with these credentials. */
  sigv4?: SigV4Expectation;
}

export async function startPrometheusApiServer(options: PrometheusApiServerOptions = {}): Promise<PrometheusApiServer> {
  const answers = new Map<string, PrometheusAnswer>();
  const requests: RecordedPrometheusRequest[] = [];
  const prefix = options.pathPrefix ?? '';
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://server');
    requests.push({ path: url.pathname, query: [...url.searchParams], headers: request.headers });
    if (options.sigv4) {
      const problem = sigv4Problem(request, options.sigv4);
      if (problem) return reply(response, 403, JSON.stringify({ message: problem }));
    }
    if (request.method !== 'GET' || url.pathname !== `${prefix}/api/v1/query`) {
      return reply(response, 404, JSON.stringify({ status: 'error', errorType: 'not_found', error: `no route ${url.pathname}` }));
    }
    const query = url.searchParams.get('query') ?? '';
    const answer = answers.get(query) ?? 'empty';
    if (answer === 'hang') return; // never answers: the client's timeout must end the call
    if (typeof answer === 'object') return reply(response, answer.status, answer.body);
    const time = Number(new Date(url.searchParams.get('time') ?? 0)) / 1000;
    const result = answer === 'empty' ? [] : [{ metric: {}, value: [time, String(answer)] }];
    reply(response, 200, JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
  };
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle) : createHttpServer(handle);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? 'https' : 'http'}://${host}:${port}${prefix}`,
    port,
    requests,
    answer: (query, answer) => void answers.set(query, answer),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

function reply(response: ServerResponse, status: number, body: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(body);
}

const hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
const rfc3986 = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** Why the request's SigV4 signature does not verify, or undefined when it does (AWS's algorithm, from the received bytes). */
function sigv4Problem(request: IncomingMessage, expected: SigV4Expectation): string | undefined {
  const authorization = String(request.headers.authorization ?? '');
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(authorization);
  if (!match) return 'missing or malformed SigV4 Authorization header';
  const [, keyId, date, region, service, signedHeaders, signature] = match as unknown as string[];
  if (keyId !== expected.accessKeyId) return `unknown access key ${keyId}`;
  if (region !== expected.region || service !== expected.service) return `signed for ${service} in ${region}, expected ${expected.service} in ${expected.region}`;
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  if (!amzDate.startsWith(date as string)) return 'x-amz-date does not match the credential scope date';
  const raw = request.url ?? '/';
  const [path, rawQuery = ''] = raw.split('?', 2) as [string, string?];
  const canonicalQuery = rawQuery
    .split('&')
    .filter(Boolean)
    .map((pair) => pair.split('=', 2).map((part) => rfc3986(decodeURIComponent(part.replace(/\+/g, '%20')))) as [string, string])
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av! < bv! ? -1 : av! > bv! ? 1 : 0))
    .map(([key, value = '']) => `${key}=${value}`)
    .join('&');
  const names = (signedHeaders as string).split(';');
  if (!names.includes('host')) return 'the host header is not signed';
  const canonicalHeaders = names.map((name) => `${name}:${String(request.headers[name] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  const payloadHash = String(request.headers['x-amz-content-sha256'] ?? hex(''));
  const canonicalRequest = [request.method, path, canonicalQuery, canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${expected.secretAccessKey}`, date as string), region as string), service as string), 'aws4_request');
  const computed = createHmac('sha256', key).update(stringToSign).digest('hex');
  return computed === signature ? undefined : 'the signature does not match the request';
}
