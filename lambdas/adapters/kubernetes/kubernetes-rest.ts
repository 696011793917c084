/**
 * The few Kubernetes REST calls the pod scaler makes (get, list, merge patch, create, replace, delete), sent through
 * client-node's own request path: the Configuration `KubeConfig.makeApiClient` builds (cluster URL,
 * TLS agent with the cluster CA, the EKS token, the request timeout and connection reuse armed on
 * the KubeConfig, the user agent middleware). What it leaves out are the generated API classes:
 * CoreV1Api, AppsV1Api and the rest are about 900 KB of the Lambda bundle and a quarter of its
 * start-up for a handful of endpoints (docs/performance.md §3); and the WHATWG fetch of its HTTP
 * library, for undici's `request` on the same connection pool (`sendThroughDispatcher`, §25).
 *
 * Answers are the server's JSON as sent: no model classes, so timestamps stay strings (the scaler
 * reads none). A status outside 2xx throws client-node's ApiException with the body text, as the
 * generated classes do, so `toKubernetesApiError` reads both alike.
 */
import type { Configuration, KubeConfig, RequestContext } from '@kubernetes/client-node';
import type { Dispatcher } from '@kubernetes/client-node/node_modules/undici';
import { ApiException, ResponseContext } from './client-node-parts';
import { isConnectionClosedBeforeAnswer } from './kubernetes-api-errors';
import { requestTimeoutOf } from './request-timeout';
import { callDeadline } from '../../util/call-deadline';

/**
 * One resource (or collection) of the API: `/api[s]/<group>/<version>[/namespaces/<ns>]/<resource>[/<name>[/<subresource>]]`.
 * Without a namespace the path is cluster-wide: a cluster-scoped kind, or a namespaced kind listed across all namespaces.
 */
export interface ResourcePath {
  /** '' for the core group. */
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

export const MERGE_PATCH_CONTENT_TYPE = 'application/merge-patch+json';

/** Receives the Configuration `makeApiClient` builds; the client is this file's own. */
class ConfigurationOnly {
  constructor(readonly configuration: Configuration) {}
}

export class KubernetesRest {
  private readonly configuration: Configuration;

  constructor(private readonly kubeConfig: KubeConfig) {
    this.configuration = kubeConfig.makeApiClient(ConfigurationOnly).configuration;
  }

  get<T>(path: ResourcePath, query: Record<string, string> = {}): Promise<T> {
    return this.send<T>('GET', path, query);
  }

  mergePatch<T>(path: ResourcePath, body: unknown, query: Record<string, string> = {}): Promise<T> {
    return this.send<T>('PATCH', path, query, { body, contentType: MERGE_PATCH_CONTENT_TYPE });
  }

  create<T>(path: ResourcePath, body: unknown): Promise<T> {
    return this.send<T>('POST', path, {}, { body, contentType: 'application/json' });
  }

  /** PUT: replaces the object (or subresource) whole; the body's resourceVersion makes a stale write answer 409. */
  replace<T>(path: ResourcePath, body: unknown): Promise<T> {
    return this.send<T>('PUT', path, {}, { body, contentType: 'application/json' });
  }

  /** DELETE with DeleteOptions (e.g. the propagation policy) in the body, as kubectl sends them. */
  delete<T>(path: ResourcePath, options: Record<string, unknown>): Promise<T> {
    return this.send<T>('DELETE', path, {}, { body: { apiVersion: 'v1', kind: 'DeleteOptions', ...options }, contentType: 'application/json' });
  }

  /**
   * A GET (and a LIST, which is a GET) is sent once more, on a new connection, when the connection
   * closed before the answer: the API server (or a load balancer in front of it) closes keep-alive
   * connections it found idle, and a request sent on one as it closes fails with undici's
   * `UND_ERR_SOCKET other side closed`, though the server never read it. Reading twice is harmless;
   * a write is never resent, since the server may have applied it.
   */
  private async send<T>(method: string, path: ResourcePath, query: Record<string, string>, content?: { body: unknown; contentType: string }): Promise<T> {
    try {
      return await this.sendOnce<T>(method, path, query, content);
    } catch (error) {
      if (method !== 'GET' || !isConnectionClosedBeforeAnswer(error)) throw error;
      return this.sendOnce<T>(method, path, query, content);
    }
  }

  private async sendOnce<T>(method: string, path: ResourcePath, query: Record<string, string>, content?: { body: unknown; contentType: string }): Promise<T> {
    // The KubeConfig's request timeout (request-timeout.ts), on a timer cleared once the answer is
    // read: the authentication hook sees the signal set and arms none of its own.
    const timeoutMs = requestTimeoutOf(this.kubeConfig);
    const deadline = timeoutMs === undefined ? undefined : callDeadline(timeoutMs);
    try {
      const { baseServer, authMethods, middleware, httpApi } = this.configuration;
      // The same steps, in the same order, as a generated request factory and its Observable wrapper.
      let request = baseServer.makeRequestContext(urlPath(path), method as never);
      if (deadline) request.setSignal(deadline.signal);
      request.setHeaderParam('Accept', 'application/json');
      for (const [name, value] of Object.entries(query)) request.setQueryParam(name, value);
      if (content) {
        request.setHeaderParam('Content-Type', content.contentType);
        request.setBody(JSON.stringify(content.body));
      }
      await authMethods.default?.applySecurityAuthentication(request);
      for (const step of middleware) request = await step.pre(request).toPromise();
      const dispatcher = (request as unknown as { getDispatcher(): Dispatcher | undefined }).getDispatcher();
      let response = dispatcher ? await sendThroughDispatcher(dispatcher, request) : await httpApi.send(request).toPromise();
      for (const step of [...middleware].reverse()) response = await step.post(response).toPromise();
      const status = response.httpStatusCode;
      // Read whatever the status: with the deadline cleared, nothing else would release an unread body.
      const text = await response.body.text();
      if (status === 401) throw new ApiException(status, 'Unauthorized', undefined, response.headers);
      if (status < 200 || status > 299) throw new ApiException(status, 'Unknown API Status Code!', text, response.headers);
      return parseAnswer<T>(text, response.headers['content-type'], status);
    } finally {
      deadline?.clear();
    }
  }
}

/**
 * Sends the request on the KubeConfig's own connection pool (the undici Agent with the cluster CA
 * it made for the request) with undici's `request` instead of its `fetch`, which client-node's
 * HTTP library uses. Same socket, TLS, headers, body and abort signal (the request timeout); what
 * it skips is fetch's WHATWG machinery (Request/Response/Headers objects, web streams, abort
 * controllers per request), which was most of a Kubernetes call's CPU: docs/performance.md §25.
 * Without a dispatcher (a cluster with no CA and no client certificate, never an EKS cluster),
 * client-node's own library sends it.
 */
async function sendThroughDispatcher(dispatcher: Dispatcher, request: RequestContext): Promise<ResponseContext> {
  const url = new URL(request.getUrl());
  const body = request.getBody() as string | undefined;
  const answer = await dispatcher.request({
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    method: request.getHttpMethod() as Dispatcher.HttpMethod,
    headers: request.getHeaders(),
    ...(body === undefined ? {} : { body }),
    signal: request.getSignal() ?? null,
  });
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  // Read whole before returning, whatever the status: an unread body would hold the connection.
  const text = await answer.body.text();
  return new ResponseContext(answer.statusCode, headers, {
    text: () => Promise.resolve(text),
    binary: () => Promise.resolve(Buffer.from(text)),
    // Already read: nothing is left to stream (the scaler reads every answer as text).
    stream: () => null,
  });
}

/** A 2xx answer that is not JSON (an HTML page from a proxy or load balancer) is an error, never an empty object. */
function parseAnswer<T>(text: string, contentType: string | undefined, status: number): T {
  try {
    if (contentType === undefined || /json/i.test(contentType)) return JSON.parse(text) as T;
  } catch {
    // Reported below.
  }
  throw new Error(
    `the answer (HTTP ${status}, ${contentType ?? 'no content-type'}) is not JSON, so not Kubernetes's: a proxy or load balancer page? ` +
      'Check that the cluster endpoint is the API server itself',
  );
}

export function urlPath(path: ResourcePath): string {
  const segments = [
    ...(path.group === '' ? ['api'] : ['apis', path.group]),
    path.version,
    ...(path.namespace === undefined ? [] : ['namespaces', path.namespace]),
    path.resource,
    ...(path.name === undefined ? [] : [path.name]),
    ...(path.subresource === undefined ? [] : [path.subresource]),
  ];
  return `/${segments.map((segment) => encodeURIComponent(segment)).join('/')}`;
}
