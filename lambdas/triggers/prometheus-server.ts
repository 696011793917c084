/**
 * Where a `prometheus` trigger's `serverAddress` points, decided from the address alone (pure).
 * A Lambda outside the cluster cannot resolve cluster DNS, so an address whose host names a
 * Service (`<svc>.<ns>.svc`, `<svc>.<ns>.svc.cluster.local` or `<svc>.<ns>`) is reached through the
 * Kubernetes API server's service proxy instead; every other address is an ordinary URL.
 */
import { kubernetesNameProblem } from '../engine/spec/kubernetes-names';

export type PrometheusServer =
  | {
      kind: 'service';
      scheme: 'http' | 'https';
      service: string;
      namespace: string;
      port: number;
      /** The address's path (e.g. `/prometheus` behind a path prefix), without a trailing slash. */
      pathPrefix: string;
    }
  | { kind: 'url'; baseUrl: string };

export type ServerParse = { server: PrometheusServer } | { problem: string; fix: string };

const CLUSTER_SUFFIXES = ['.svc.cluster.local', '.svc'];
// Service names are DNS-1035 labels: a DNS-1123 label that starts with a letter.
const STARTS_WITH_LETTER = /^[a-z]/;

export function parseServerAddress(address: string): ServerParse {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return { problem: `"${address}" is not a URL`, fix: 'write serverAddress as a full URL, e.g. "http://prometheus-operated.monitoring.svc:9090"' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { problem: `"${address}" is not an http(s) URL`, fix: 'use an http:// or https:// address' };
  }
  if (url.username || url.password) {
    return { problem: 'serverAddress carries a user name or password, which would end up in logs and state', fix: 'remove the credentials from the URL' };
  }
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const service = inClusterService(url.hostname);
  if (service === 'malformed') {
    return { problem: `host "${url.hostname}" ends in .svc but is not <service>.<namespace>.svc`, fix: 'write the host as <service>.<namespace>.svc (or .svc.cluster.local), e.g. "prometheus-operated.monitoring.svc"' };
  }
  if (!service) {
    if (!url.hostname.includes('.') && url.hostname !== 'localhost' && !/^\[/.test(url.host)) {
      return {
        problem: `host "${url.hostname}" is a bare name that only cluster DNS could resolve, relative to the namespace KEDA runs in; the scaler runs outside the cluster`,
        fix: `name the Service with its namespace, e.g. "${scheme}://${url.hostname}.<namespace>.svc${url.port ? `:${url.port}` : ''}"`,
      };
    }
    // KEDA appends "/api/v1/query?..." to the address as written; so do we.
    return { server: { kind: 'url', baseUrl: address } };
  }
  if (url.search || url.hash) {
    return { problem: `"${address}" has a query or fragment, which KEDA would mangle when it appends /api/v1/query`, fix: 'remove the "?..." or "#..." part' };
  }
  const nameProblem = kubernetesNameProblem(service.namespace, 'dns-1123-label');
  if (nameProblem) return { problem: `namespace ${nameProblem}`, fix: 'write the host as <service>.<namespace>.svc with the namespace the Service is in' };
  const serviceProblem = kubernetesNameProblem(service.service, 'dns-1123-label') ?? (STARTS_WITH_LETTER.test(service.service) ? undefined : `"${service.service}" does not start with a letter, as a Service name must`);
  if (serviceProblem) return { problem: `Service name ${serviceProblem}`, fix: 'write the host as <service>.<namespace>.svc with the Service\'s name' };
  const port = url.port ? Number(url.port) : scheme === 'https' ? 443 : 80;
  return {
    server: { kind: 'service', scheme, service: service.service, namespace: service.namespace, port, pathPrefix: url.pathname.replace(/\/+$/, '') },
  };
}

/**
 * `<svc>.<ns>.svc[.cluster.local]`, or exactly two labels `<svc>.<ns>`. A fully qualified host
 * (trailing dot) is never in-cluster: that is how a two-label public name such as `example.com.`
 * is written so that it goes to DNS.
 */
function inClusterService(hostname: string): { service: string; namespace: string } | 'malformed' | undefined {
  if (hostname.endsWith('.')) return undefined;
  const lower = hostname.toLowerCase();
  for (const suffix of CLUSTER_SUFFIXES) {
    if (!lower.endsWith(suffix)) continue;
    const labels = lower.slice(0, -suffix.length).split('.');
    if (labels.length === 2) return { service: labels[0] as string, namespace: labels[1] as string };
    return 'malformed';
  }
  const labels = lower.split('.');
  if (labels.length === 2 && !/^\d+$/.test(labels[1] as string)) return { service: labels[0] as string, namespace: labels[1] as string };
  return undefined;
}

/** The API-server path that proxies to `path` on the Service (kube-apiserver's `<scheme>:<name>:<port>` form). */
export function serviceProxyPath(server: Extract<PrometheusServer, { kind: 'service' }>, path: string): string {
  return `/api/v1/namespaces/${server.namespace}/services/${server.scheme}:${server.service}:${server.port}/proxy${server.pathPrefix}${path}`;
}

/** The address a person wrote, for messages. */
export function describeServer(server: PrometheusServer): string {
  return server.kind === 'url'
    ? server.baseUrl
    : `Service ${server.namespace}/${server.service} port ${server.port} (${server.scheme}, through the Kubernetes API server's service proxy)`;
}
