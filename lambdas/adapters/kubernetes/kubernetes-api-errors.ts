/**
 * Translates a failed Kubernetes API call into a KubernetesApiError whose message says what to do:
 * the missing RBAC rule on 403, the missing object on 404, when to retry on 429.
 */
import { ApiException } from './client-node-parts';
import { KubernetesApiError } from './scale-target-api';
import { isTimeout } from './request-timeout';

/** What the failing call was doing, in RBAC terms. */
export interface ApiCall {
  verb: 'get' | 'list' | 'patch' | 'create' | 'update' | 'delete';
  /** API group ('' for core). */
  group: string;
  /** Resource as RBAC names it, with subresource: `deployments/scale`, `pods`. */
  resource: string;
  namespace: string;
  /** The object, when the call addressed one (`Deployment web`). */
  object?: string;
}

interface StatusBody {
  message?: string;
  reason?: string;
}

function parseStatus(body: unknown): StatusBody {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return { message: body };
    }
  }
  return (body as StatusBody | undefined) ?? {};
}

/** Retry-After is seconds or an HTTP date. */
function retryAfterSeconds(headers: Record<string, string> | undefined, now: number): number | undefined {
  const value = headers?.['retry-after'] ?? headers?.['Retry-After'];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

export function rbacRule(call: ApiCall): string {
  return `{ apiGroups: ["${call.group}"], resources: ["${call.resource}"], verbs: ["${call.verb}"] }`;
}

export function describeCall(call: ApiCall): string {
  const on = call.object ? `${call.object} in namespace ${call.namespace}` : `in namespace ${call.namespace}`;
  return `${call.verb} ${call.resource}${call.group ? ` (API group ${call.group})` : ''} ${on}`;
}

/** What a TLS verification error code means, for a person. */
const TLS_PROBLEMS: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate is not signed by the cluster CA the scaler trusts",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the server's certificate is not signed by the cluster CA the scaler trusts",
  SELF_SIGNED_CERT_IN_CHAIN: "the server's certificate chain ends in a CA the scaler does not trust",
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the server presents a self-signed certificate that is not the cluster CA',
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet (clock skew?)",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate is not issued for this endpoint's host name",
};

/** The error and its causes, outermost first (undici hides the reason behind "fetch failed"). */
function causes(error: unknown): { code?: string; message?: string; name?: string }[] {
  const chain: { code?: string; message?: string; name?: string }[] = [];
  for (let current = error as { cause?: unknown } | undefined; current && chain.length < 5; current = current.cause as typeof current) {
    chain.push(current as { code?: string; message?: string; name?: string });
  }
  return chain;
}

/** Connection errors that mean the socket closed before an answer came: nothing was read back. */
const CLOSED_BEFORE_ANSWER = new Set(['UND_ERR_SOCKET', 'ECONNRESET']);

/** True when the request's connection closed before an answer (a keep-alive socket the server had closed), not a timeout. */
export function isConnectionClosedBeforeAnswer(error: unknown): boolean {
  const chain = causes(error);
  return !chain.some(isTimeout) && chain.some((link) => link.code !== undefined && CLOSED_BEFORE_ANSWER.has(link.code));
}

/**
 * A request that got no HTTP answer: timed out, refused by TLS verification, or unreachable. Names
 * the endpoint and what to check; never includes request headers (the bearer token).
 */
export function describeTransportFailure(error: unknown, what: string, endpoint?: string): string {
  const at = endpoint ? ` at ${endpoint}` : '';
  const chain = causes(error);
  if (chain.some(isTimeout)) {
    return (
      `the Kubernetes API${at} did not answer in time when the scaler tried to ${what}: check that the cluster endpoint is reachable ` +
      'from the Lambda (VPC, security groups, endpoint access) and that the API server is healthy'
    );
  }
  const tls = chain.find((link) => link.code !== undefined && TLS_PROBLEMS[link.code] !== undefined);
  if (tls?.code) {
    return (
      `TLS to the Kubernetes API${at} failed when the scaler tried to ${what}: ${TLS_PROBLEMS[tls.code]} (${tls.code}). ` +
      "The scaler trusts only the certificateAuthority that EKS DescribeCluster returns for the cluster: check that the endpoint is the cluster's own " +
      '(not a proxy that re-signs TLS) and that the cluster CA was not rotated since this Lambda container started'
    );
  }
  const detail = chain
    .map((link) => [link.code, link.message].filter(Boolean).join(' '))
    .filter((text) => text !== '' && text !== 'fetch failed')
    .join(': ');
  return (
    `could not reach the Kubernetes API${at} to ${what}: ${detail || String(error)}; ` +
    'check the cluster endpoint is reachable from the Lambda (VPC, security groups, endpoint access)'
  );
}

export function toKubernetesApiError(error: unknown, call: ApiCall, now: number = Date.now(), endpoint?: string): KubernetesApiError {
  if (error instanceof KubernetesApiError) return error;
  const resource = call.group ? `${call.resource}.${call.group}` : call.resource;
  const what = describeCall(call);
  if (!(error instanceof ApiException)) {
    return new KubernetesApiError(describeTransportFailure(error, what, endpoint), 0, call.verb, resource);
  }
  const status = parseStatus(error.body);
  const serverSays = status.message ? ` (server: ${status.message})` : '';
  switch (error.code) {
    case 401:
      return new KubernetesApiError(
        `the cluster rejected the scaler's credentials when trying to ${what}: give the scaler's IAM role an EKS access entry ` +
          '(aws eks create-access-entry --cluster-name <cluster> --principal-arn <role arn> --kubernetes-groups <group>, ' +
          'where the group is eks-lambda-scaler for the pod scaler and eks-lambda-scaler-nodes for the node scaler) ' +
          'bound to its ClusterRole in deploy/rbac.yaml',
        401,
        call.verb,
        resource,
      );
    case 403:
      return new KubernetesApiError(
        `forbidden: the scaler may not ${what}. Add this rule to its ClusterRole (see deploy/rbac.yaml) and re-apply it: ` +
          `${rbacRule(call)}${serverSays}`,
        403,
        call.verb,
        resource,
      );
    case 404:
      return new KubernetesApiError(
        call.object
          ? `${call.object} not found in namespace ${call.namespace}: the ScaledObject's spec.scaleTargetRef names a ` +
              `workload that does not exist (or has no scale subresource); create it or fix scaleTargetRef${serverSays}`
          : `cannot ${what}: not found (is the namespace or API group missing?)${serverSays}`,
        404,
        call.verb,
        resource,
      );
    case 409:
      return new KubernetesApiError(
        `conflict: ${call.object ?? resource} in namespace ${call.namespace} changed while the scaler tried to ${call.verb} it; ` +
          `it will be retried on the next pass${serverSays}`,
        409,
        call.verb,
        resource,
      );
    case 429: {
      const wait = retryAfterSeconds(error.headers, now);
      return new KubernetesApiError(
        `too many requests: the API server throttled the scaler's ${what}` +
          (wait !== undefined ? `; retry after ${wait} s` : '; retry later') +
          `${serverSays}`,
        429,
        call.verb,
        resource,
        wait,
      );
    }
    default:
      return new KubernetesApiError(
        `Kubernetes API error ${error.code} while trying to ${what}${serverSays || ` (${status.reason ?? 'no details'})`}` +
          (error.code >= 500 ? '; a server-side error: retried at the next pass (check the API server if it persists)' : ''),
        error.code,
        call.verb,
        resource,
      );
  }
}
