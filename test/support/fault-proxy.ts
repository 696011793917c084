/**
 * A wire-level fault proxy for tests: an HTTP (or HTTPS) server on loopback that forwards every
 * request to a local server (dynalite, kinesalite, the Kubernetes API test server, the Auto Scaling
 * query emulator) and, for requests matching an injected rule, answers with a fault instead, in
 * the shape the real service uses, so the real SDK's retries, error parsing and timeouts are part
 * of the test:
 *
 *   const proxy = await startFaultProxy({ target: dynalite.endpoint, protocol: 'aws-json' });
 *   proxy.inject({ match: (request) => request.body.includes('nodegroup/prod/a'), fault: 'throttle' });
 *   new DynamoDBClient({ endpoint: proxy.url, ... });
 *   proxy.faulted  // the requests answered with a fault
 *
 * Faults (see faultResponse for each protocol's body):
 *  - `5xx`: the service's internal error (500 / Kubernetes 503);
 *  - `throttle`: AWS JSON `ThrottlingException` (or `throttleCode`, e.g.
 *    `ProvisionedThroughputExceededException`) as 400 JSON, AWS query `Throttling` as 400 XML,
 *    REST JSON (Lambda) 429 `TooManyRequestsException`, Kubernetes 429 with Retry-After;
 *  - `hang`: the request is read and never answered (the socket is held until close);
 *  - `denied`: AccessDenied(Exception) / Kubernetes 403 Forbidden;
 *  - `malformed`: 200 with a body that is not the protocol's (an HTML error page);
 *  - `{ rewrite }`: forwarded, and the upstream's answer body rewritten (an unexpected answer:
 *    a missing field, a wrong type);
 *  - `{ respond }`: answered by the test without forwarding, as an aggregated API server would
 *    answer for its group behind a real apiserver (e.g. metrics.k8s.io, served by metrics-server);
 *  - `{ forwardAfter }`: held until the promise the test returns settles, then forwarded (a barrier
 *    that keeps requests in flight together, e.g. to make a client open one connection for each).
 */
import { Agent as HttpAgent, createServer as createHttpServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders, Server, ServerResponse } from 'node:http';
import { Agent as HttpsAgent, createServer as createHttpsServer, request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { listenOnLoopback } from '../../lambdas/util/listen-on-loopback';
import { MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from './moto-server';

export type WireProtocol = 'aws-json' | 'aws-query' | 'aws-rest-json' | 'kubernetes';
export type FaultKind = '5xx' | 'throttle' | 'hang' | 'denied' | 'malformed';
export const FAULT_KINDS: readonly FaultKind[] = ['5xx', 'throttle', 'hang', 'denied', 'malformed'];

export interface ProxiedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** AWS operation (`x-amz-target` suffix, or the query `Action`); for Kubernetes `<METHOD> <path>`. */
  operation: string;
  /** The query string's parameters. */
  query: URLSearchParams;
}

/** An answer a `respond` rule makes itself, or a fault's canned answer. */
export interface CannedResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface FaultRule {
  match(request: ProxiedRequest): boolean;
  fault: FaultKind | { rewrite(body: string): string } | { respond(request: ProxiedRequest): CannedResponse } | { forwardAfter(request: ProxiedRequest): Promise<void> };
  /** How many matching requests get the fault (default: all). */
  times?: number;
  /** AWS JSON throttling error code (default ThrottlingException). */
  throttleCode?: string;
}

export interface FaultProxyOptions {
  /** The real (local) server, `http(s)://127.0.0.1:<port>`. */
  target: string;
  protocol: WireProtocol;
  /** Serve HTTPS with this certificate (the Kubernetes client only speaks TLS to a CA it trusts). */
  tls?: { cert: string; key: string };
  /** CA of an HTTPS target. */
  targetCa?: string;
}

export interface FaultProxy {
  url: string;
  inject(rule: FaultRule): void;
  /** Drops the injected rules (the logs stay). */
  clear(): void;
  /** Drops the rules and empties both logs: a test's fresh start. */
  reset(): void;
  /** Every request seen, in order. */
  readonly requests: ProxiedRequest[];
  /** The requests that were answered with a fault. */
  readonly faulted: ProxiedRequest[];
  /** Client connections accepted so far (for an HTTPS proxy, one TLS handshake each): shows keep-alive reuse. */
  connectionCount(): number;
  close(): Promise<void>;
}

function operationOf(protocol: WireProtocol, method: string, path: string, headers: IncomingMessage['headers'], body: string): string {
  if (protocol === 'kubernetes') return `${method} ${path}`;
  if (protocol === 'aws-query') return new URLSearchParams(body).get('Action') ?? '';
  if (protocol === 'aws-rest-json') return `${method} ${path}`;
  const target = String(headers['x-amz-target'] ?? '');
  return target.slice(target.lastIndexOf('.') + 1);
}

const HTML_ERROR_PAGE = '<html><head><title>502 Bad Gateway</title></head><body>upstream connect error</body></html>';

function queryError(status: number, type: 'Sender' | 'Receiver', code: string, message: string): CannedResponse {
  return {
    status,
    headers: { 'content-type': 'text/xml' },
    body: `<ErrorResponse xmlns="https://autoscaling.amazonaws.com/doc/2011-01-01/"><Error><Type>${type}</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`,
  };
}

function jsonError(status: number, code: string, message: string): CannedResponse {
  return { status, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'fault-proxy' }, body: JSON.stringify({ __type: `com.amazonaws.fault#${code}`, message }) };
}

/** REST JSON services (Lambda, EKS): the error type in `x-amzn-errortype`, the message in the body. */
function restJsonError(status: number, code: string, message: string): CannedResponse {
  return { status, headers: { 'content-type': 'application/json', 'x-amzn-errortype': code, 'x-amzn-requestid': 'fault-proxy' }, body: JSON.stringify({ Type: 'User', message }) };
}

function kubeStatus(status: number, reason: string, message: string, headers: Record<string, string> = {}): CannedResponse {
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code: status }),
  };
}

/** What each protocol's service answers for a fault (shapes as the real services send them). */
export function faultResponse(protocol: WireProtocol, fault: Exclude<FaultKind, 'hang'>, request: ProxiedRequest, throttleCode = 'ThrottlingException'): CannedResponse {
  if (fault === 'malformed') return { status: 200, headers: { 'content-type': 'text/html' }, body: HTML_ERROR_PAGE };
  switch (protocol) {
    case 'aws-json':
      if (fault === '5xx') return jsonError(500, 'InternalServerError', 'Internal server error');
      if (fault === 'throttle') return jsonError(400, throttleCode, 'Rate of requests exceeds the allowed throughput.');
      return jsonError(400, 'AccessDeniedException', `User: arn:aws:sts::123456789012:assumed-role/scaler/fn is not authorized to perform: ${request.operation} because no identity-based policy allows the action`);
    case 'aws-query':
      if (fault === '5xx') return queryError(500, 'Receiver', 'InternalFailure', 'An internal error occurred.');
      if (fault === 'throttle') return queryError(400, 'Sender', 'Throttling', 'Rate exceeded');
      return queryError(403, 'Sender', 'AccessDenied', `User: arn:aws:sts::123456789012:assumed-role/scaler/fn is not authorized to perform: ${request.operation}`);
    case 'aws-rest-json':
      if (fault === '5xx') return restJsonError(500, 'ServiceException', 'An internal error occurred.');
      if (fault === 'throttle') return restJsonError(429, 'TooManyRequestsException', 'Rate Exceeded.');
      return restJsonError(403, 'AccessDeniedException', `User: arn:aws:sts::123456789012:assumed-role/scaler/fn is not authorized to perform: ${request.operation}`);
    case 'kubernetes':
      if (fault === '5xx') return kubeStatus(503, 'ServiceUnavailable', 'the server is currently unable to handle the request');
      if (fault === 'throttle') return kubeStatus(429, 'TooManyRequests', 'Too many requests, please try again later.', { 'retry-after': '1' });
      return kubeStatus(403, 'Forbidden', `forbidden: User "scaler" cannot ${request.method.toLowerCase()} ${request.path}`);
  }
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  // Upstream connections are kept alive and reused, as the client's own are: a new TLS handshake to
  // the apiserver per forwarded request added latency that a loaded machine turned into timeouts.
  const agent = target.protocol === 'https:' ? new HttpsAgent({ keepAlive: true, ...(options.targetCa ? { ca: options.targetCa } : {}) }) : new HttpAgent({ keepAlive: true });
  const rules: Array<FaultRule & { remaining: number }> = [];
  const requests: ProxiedRequest[] = [];
  const faulted: ProxiedRequest[] = [];
  const held = new Set<ServerResponse>();

  const forward = (req: IncomingMessage, body: Buffer, res: ServerResponse, rewrite?: (body: string) => string) => {
    const headers: OutgoingHttpHeaders = { ...req.headers, host: target.host };
    const upstream = send(
      { hostname: target.hostname, port: target.port, path: req.url, method: req.method, headers, agent, ...(options.targetCa ? { ca: options.targetCa } : {}) },
      async (answer) => {
        const chunks: Buffer[] = [];
        for await (const chunk of answer) chunks.push(chunk as Buffer);
        let payload = Buffer.concat(chunks);
        const answerHeaders = { ...answer.headers };
        if (rewrite) {
          payload = Buffer.from(rewrite(payload.toString('utf8')));
          delete answerHeaders['content-encoding'];
        }
        delete answerHeaders['transfer-encoding'];
        answerHeaders['content-length'] = String(payload.length);
        res.writeHead(answer.statusCode ?? 502, answerHeaders);
        res.end(payload);
      },
    );
    upstream.on('error', (error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fault proxy: upstream failed: ${error.message}`);
    });
    upstream.end(body);
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://proxy');
    const text = body.toString('utf8');
    const method = req.method ?? 'GET';
    const proxied: ProxiedRequest = { method, path: url.pathname, headers: req.headers, body: text, operation: operationOf(options.protocol, method, url.pathname, req.headers, text), query: url.searchParams };
    requests.push(proxied);
    const rule = rules.find((candidate) => candidate.remaining > 0 && candidate.match(proxied));
    if (!rule) return forward(req, body, res);
    rule.remaining -= 1;
    faulted.push(proxied);
    if (rule.fault === 'hang') {
      held.add(res);
      res.on('close', () => held.delete(res));
      return;
    }
    if (typeof rule.fault === 'object' && 'rewrite' in rule.fault) return forward(req, body, res, rule.fault.rewrite);
    if (typeof rule.fault === 'object' && 'forwardAfter' in rule.fault) {
      await rule.fault.forwardAfter(proxied);
      return forward(req, body, res);
    }
    const canned = typeof rule.fault === 'object' ? rule.fault.respond(proxied) : faultResponse(options.protocol, rule.fault, proxied, rule.throttleCode);
    res.writeHead(canned.status, { ...canned.headers, 'content-length': String(Buffer.byteLength(canned.body)) });
    res.end(canned.body);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => void onRequest(req, res);
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handle) : createHttpServer(handle);
  const sockets = new Set<Socket>();
  let connections = 0;
  server.on('connection', (socket: Socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const port = await listenOnLoopback(server);
  return {
    url: `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    inject(rule) {
      rules.push({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
    },
    clear() {
      rules.length = 0;
    },
    reset() {
      rules.length = 0;
      requests.length = 0;
      faulted.length = 0;
    },
    requests,
    faulted,
    connectionCount: () => connections,
    async close() {
      for (const socket of sockets) socket.destroy();
      held.clear();
      agent.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/**
 * Inside a describe: moto (test/support/moto-server.ts) with a fault proxy in front of it, started in
 * beforeAll and stopped in afterAll. The returned getter gives both once started.
 */
export function useMotoBehindProxy(protocol: WireProtocol): () => { moto: MotoServer; proxy: FaultProxy } {
  let served: { moto: MotoServer; proxy: FaultProxy } | undefined;
  beforeAll(async () => {
    const moto = await startMoto();
    served = { moto, proxy: await startFaultProxy({ target: moto.endpoint, protocol }) };
  }, MOTO_START_TIMEOUT_MS);
  afterAll(async () => {
    await served?.proxy.close();
    await served?.moto.stop();
  });
  return () => {
    if (!served) throw new Error('moto behind the fault proxy is not started (the tier is skipped, or beforeAll failed)');
    return served;
  };
}
