/**
 * `prometheus` (KEDA `pkg/scalers/prometheus_scaler.go`): one instant query against the Prometheus
 * HTTP API (`GET <serverAddress>/api/v1/query?query=...&time=...`), whose single sample is the
 * metric. The server is reached one of three ways (prometheus-server.ts): an in-cluster Service
 * through the Kubernetes API server's service proxy, Amazon Managed Service for Prometheus signed
 * with SigV4 (a TriggerAuthentication with `podIdentity.provider: aws`, as KEDA signs), or any
 * other URL directly. Equal queries of one pass are one call (the key holds the whole request).
 */
import { sourceKey } from './aws-common';
import { readHttpRequests } from './http-reads';
import { goParseFloat, goQueryEscape, parseKedaDuration, parseKeyValueList } from './go-values';
import { metadataReader, type MetadataReader } from './metadata-values';
import { describeServer, parseServerAddress, serviceProxyPath, type PrometheusServer } from './prometheus-server';
import { fromMilli, kedaMetricMilli } from '../engine/keda/metric-value';
import {
  TriggerError,
  type AwsSource,
  type HttpCall,
  type MetricOutcome,
  type ParsedTrigger,
  type Reading,
  type ReadContext,
  type ReadRequest,
  type TriggerDefinition,
  type TriggerParseInput,
  type TriggerParseResult,
} from './trigger-definition';

export interface PrometheusParams {
  server: PrometheusServer;
  query: string;
  /** `queryParameters`, in the order written (KEDA's Go map has none; any order is equal to the server). */
  queryParameters: [string, string][];
  /** `namespace`: sent as the `namespace` query parameter (Thanos Querier, Cortex tenants). */
  namespace?: string;
  customHeaders: [string, string][];
  ignoreNullValues: boolean;
  unsafeSsl: boolean;
  timeoutMs?: number;
  /** SigV4 signing (Amazon Managed Service for Prometheus): region and the credentials' source. */
  sigv4?: AwsSource;
}

/** The AMP query host: `aps-workspaces.<region>.amazonaws.com` (and .com.cn in China). */
const AMP_HOST = /^aps-workspaces\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/;
/** Headers the route sets itself; a custom one would be dropped or break the route. */
const ROUTE_HEADERS = new Set(['authorization', 'host', 'x-amz-date', 'x-amz-security-token', 'x-amz-content-sha256']);
// RFC 9110 token: what Node (and Go) accept as a header name.
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** KEDA's prometheus auth (`authentication.Config`) keys: all credentials, which the scaler never reads. */
const AUTH_KEYS = ['authModes', 'bearerToken', 'username', 'password', 'ca', 'cert', 'key', 'customAuthHeader', 'customAuthValue', 'keyPassword'];

function parse(input: TriggerParseInput): TriggerParseResult {
  const reader = metadataReader(input, [], ['awsRegion']);
  const serverAddress = reader.string('serverAddress', { required: true });
  const query = reader.string('query', { required: true });
  const queryParameters = keyValues(reader, 'queryParameters');
  const threshold = reader.float('threshold', { required: true });
  const activationThreshold = reader.float('activationThreshold', { default: 0 });
  const namespace = reader.string('namespace');
  const customHeaders = keyValues(reader, 'customHeaders');
  const ignoreNullValues = reader.bool('ignoreNullValues', { default: true });
  const unsafeSsl = reader.bool('unsafeSsl', { default: false });
  const awsRegion = reader.string('awsRegion');
  const timeoutText = reader.string('timeout');
  const identityOwner = reader.string('identityOwner');

  let timeoutMs: number | undefined;
  if (timeoutText !== undefined) {
    const parsed = parseKedaDuration(timeoutText);
    if ('problem' in parsed) reader.error('timeout', parsed.problem, 'write the timeout as a duration such as "3s" or as milliseconds such as "3000"');
    else if (parsed.ms > 0) timeoutMs = parsed.ms;
  }
  if (threshold !== undefined && kedaMetricMilli(threshold) <= 0) {
    reader.error('threshold', `${threshold} rounds to a target of 0 (KEDA sends it in milli-units and the HPA rejects a target of 0 or less)`, 'set threshold to 0.001 or more');
  }
  for (const [name, value] of customHeaders ?? []) {
    if (!HEADER_NAME.test(name)) reader.error('customHeaders', `"${name}" is not a valid HTTP header name`, 'use letters, digits and -, e.g. "X-Scope-OrgID=tenant-a"');
    else if (ROUTE_HEADERS.has(name.toLowerCase())) reader.error('customHeaders', `header "${name}" is set by the scaler for the request's route (service proxy or SigV4), so a custom value could never reach the server`, `remove ${name} from customHeaders`);
    if (/[\r\n]/.test(value)) reader.error('customHeaders', `the value of header "${name}" contains a line break`, 'remove the line break');
  }
  const authKeys = AUTH_KEYS.filter((key) => input.metadata[key]?.trim() || input.authParams?.[key]);
  if (authKeys.length > 0) {
    reader.error(
      authKeys[0] as string,
      `Prometheus authentication (${authKeys.join(', ')}) is not supported: those are credentials from Secrets, which the scaler does not read for this trigger`,
      'reach the server through its in-cluster Service (the scaler\'s Kubernetes identity authenticates at the API server), sign with SigV4 (TriggerAuthentication podIdentity provider aws, for Amazon Managed Service for Prometheus), or remove authModes',
    );
  }
  if (identityOwner !== undefined && identityOwner !== 'pod' && identityOwner !== 'operator') {
    reader.warn('identityOwner', `"${identityOwner}" is not "pod" or "operator"; the scaler signs with the podIdentity role or its own IAM role`, 'set identityOwner to "pod" or "operator", or remove it');
  }

  const server = serverAddress === undefined ? undefined : parseServerAddress(serverAddress);
  if (server && 'problem' in server) reader.error('serverAddress', server.problem, server.fix);
  const resolved = server && 'server' in server ? server.server : undefined;
  const sigv4 = resolved ? signingSource(reader, input, resolved, awsRegion) : undefined;
  if (resolved?.kind === 'service' && unsafeSsl) {
    reader.warn('unsafeSsl', 'has no effect on an in-cluster Service: the API server makes the connection to the pod, and it does not verify pod certificates', 'remove unsafeSsl');
  }
  reader.finish(AUTH_KEYS);
  if (
    reader.errors.length > 0 ||
    !resolved ||
    query === undefined ||
    threshold === undefined ||
    activationThreshold === undefined ||
    ignoreNullValues === undefined ||
    unsafeSsl === undefined
  ) {
    return { errors: reader.errors, warnings: reader.warnings };
  }
  const params: PrometheusParams = {
    server: resolved,
    query,
    queryParameters: queryParameters ?? [],
    ...(namespace !== undefined ? { namespace } : {}),
    customHeaders: customHeaders ?? [],
    ignoreNullValues,
    unsafeSsl,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(sigv4 ? { sigv4 } : {}),
  };
  return {
    parsed: {
      metricName: `s${input.index}-prometheus`,
      // GetMetricTargetMili: the HPA target is the threshold rounded to milli-units; activation stays raw.
      target: fromMilli(kedaMetricMilli(threshold)),
      activationTarget: activationThreshold,
      params: params as unknown as Record<string, unknown>,
      ...(sigv4 ? { aws: sigv4 } : {}),
      envRefs: { ...reader.envRefs },
    },
    errors: reader.errors,
    warnings: reader.warnings,
  };
}

function keyValues(reader: MetadataReader, name: string): [string, string][] | undefined {
  const text = reader.string(name);
  if (text === undefined) return undefined;
  const parsed = parseKeyValueList(text);
  if ('problem' in parsed) {
    reader.error(name, parsed.problem, `write ${name} as comma-separated key=value pairs, e.g. "key1=value1,key2=value2"`);
    return undefined;
  }
  return parsed.entries;
}

/**
 * KEDA signs with SigV4 whenever AWS authorization resolves, which for the scaler means a
 * TriggerAuthentication with `podIdentity.provider: aws` (static keys are never read). The AMP host
 * without it can only answer 403, so that is an error here rather than at every poll.
 */
function signingSource(reader: MetadataReader, input: TriggerParseInput, server: PrometheusServer, awsRegion: string | undefined): AwsSource | undefined {
  const awsIdentity = input.podIdentityProvider === 'aws';
  const ampRegion = server.kind === 'url' ? AMP_HOST.exec(hostOf(server.baseUrl))?.[1] : undefined;
  if (!awsIdentity) {
    if (ampRegion !== undefined) {
      reader.error(
        'serverAddress',
        'is an Amazon Managed Service for Prometheus workspace, which answers only SigV4-signed requests, and the trigger has no TriggerAuthentication with podIdentity provider aws to sign with',
        'add authenticationRef to a TriggerAuthentication with spec.podIdentity.provider: aws (roleArn optional: without it the scaler signs with its own role), and set awsRegion',
      );
    }
    return undefined;
  }
  if (server.kind === 'service') {
    reader.error('serverAddress', 'is an in-cluster Service, reached through the Kubernetes API server, so a SigV4 signature (podIdentity provider aws) cannot be sent to it', 'drop the authenticationRef, or point serverAddress at the Amazon Managed Service for Prometheus workspace URL');
    return undefined;
  }
  if (awsRegion === undefined) {
    const example = ampRegion ?? 'eu-west-1';
    reader.error('awsRegion', 'is required to sign requests with SigV4 (podIdentity provider aws)', `set metadata.awsRegion to the workspace's region, e.g. "${example}"`);
    return undefined;
  }
  if (ampRegion !== undefined && ampRegion !== awsRegion) {
    reader.error('awsRegion', `"${awsRegion}" is not the workspace's region "${ampRegion}" (from serverAddress): the signature would not verify`, `set awsRegion to "${ampRegion}"`);
    return undefined;
  }
  return {
    region: awsRegion,
    ...(input.podIdentityRoleArn ? { roleArn: input.podIdentityRoleArn } : {}),
    ...(input.podIdentityRoleArn && input.podIdentityExternalId ? { externalId: input.podIdentityExternalId } : {}),
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}

/** Go's `time.Now().UTC().Format(time.RFC3339)`: whole seconds, `Z`. */
export function rfc3339Seconds(now: number): string {
  return new Date(Math.floor(now / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** The query string KEDA builds: query, time, then namespace (unescaped, as KEDA sends it), then queryParameters. */
export function queryString(params: PrometheusParams, now: number): string {
  let text = `query=${goQueryEscape(params.query)}&time=${rfc3339Seconds(now)}`;
  if (params.namespace !== undefined) text += `&namespace=${params.namespace}`;
  for (const [key, value] of params.queryParameters) text += `&${goQueryEscape(key)}=${goQueryEscape(value)}`;
  return text;
}

export function httpCall(params: PrometheusParams, now: number, context: ReadContext = {}): HttpCall {
  const path = `/api/v1/query?${queryString(params, now)}`;
  const common = { service: 'prometheus' as const, headers: params.customHeaders, ...(params.timeoutMs !== undefined ? { timeoutMs: params.timeoutMs } : {}) };
  if (params.server.kind === 'service') {
    if (!context.cluster) throw new TriggerError(`${describeServer(params.server)} is in-cluster, but the read was not told which cluster the ScaledObject is in`, 'NoCluster');
    return { route: { kind: 'service-proxy', cluster: context.cluster }, url: serviceProxyPath(params.server, path), insecureTls: false, ...common };
  }
  const url = `${params.server.baseUrl}${path}`;
  if (params.sigv4) return { route: { kind: 'sigv4', service: 'aps', region: params.sigv4.region }, url, insecureTls: params.unsafeSsl, ...common };
  return { route: { kind: 'direct' }, url, insecureTls: params.unsafeSsl, ...common };
}

function readRequest(trigger: ParsedTrigger, now: number, context?: ReadContext): ReadRequest {
  const params = trigger.params as unknown as PrometheusParams;
  const call = httpCall(params, now, context);
  const route = call.route.kind === 'service-proxy' ? `proxy:${call.route.cluster}` : call.route.kind;
  const key = `prometheus|${route}|${params.sigv4 ? sourceKey(params.sigv4) : ''}|${call.insecureTls}|${call.timeoutMs ?? ''}|${JSON.stringify(call.headers)}|${call.url}`;
  return { service: 'prometheus', key, call, ...(params.sigv4 ? { source: params.sigv4 } : {}) };
}

interface PromQueryResult {
  data?: { resultType?: unknown; result?: unknown };
}

/** KEDA's `ExecutePromQuery` after the HTTP call, on the raw answer. */
function toMetric(trigger: ParsedTrigger, reading: Reading | undefined): MetricOutcome {
  const params = trigger.params as unknown as PrometheusParams;
  const where = `query ${JSON.stringify(params.query)} on ${describeServer(params.server)}`;
  if (reading?.service !== 'prometheus') throw new TriggerError(`no Prometheus reading for ${where}`, 'NoReading');
  if (reading.status < 200 || reading.status > 299) throw statusError(params, where, reading);
  let result: PromQueryResult;
  try {
    result = JSON.parse(reading.body) as PromQueryResult;
  } catch {
    throw new TriggerError(`${where} answered ${reading.status} with a body that is not JSON (${snippet(reading.body)}); is serverAddress a Prometheus HTTP API?`, 'PrometheusBadAnswer');
  }
  const series = result?.data?.result ?? [];
  // Go decodes each element into a struct: a scalar or string result ([time, "value"]) fails there.
  if (!Array.isArray(series) || series.some((element) => element !== null && (typeof element !== 'object' || Array.isArray(element)))) {
    throw new TriggerError(`${where} returned a ${String(result.data?.resultType)} result; KEDA reads only an instant vector`, 'PrometheusBadAnswer');
  }
  const empty = (what: string): MetricOutcome => {
    if (params.ignoreNullValues) return { value: 0, active: 0 > trigger.activationTarget };
    throw new TriggerError(`${where} ${what} and ignoreNullValues is false (the target may be lost)`, 'PrometheusEmptyResult');
  };
  if (series.length === 0) return empty('returned an empty result');
  if (series.length > 1) throw new TriggerError(`${where} returned ${series.length} series; it must return exactly one (aggregate it, e.g. with sum(...))`, 'PrometheusMultipleSeries');
  const sample = (series[0] as { value?: unknown } | null)?.value;
  const values = Array.isArray(sample) ? sample : [];
  if (values.length === 0) return empty('returned a series with no value');
  if (values.length < 2) throw new TriggerError(`${where} didn't return enough values (a sample is [time, "value"])`, 'PrometheusBadAnswer');
  const text = values[1];
  const value = typeof text === 'string' ? goParseFloat(text) : undefined;
  if (value === undefined) throw new TriggerError(`${where} returned ${JSON.stringify(text)}, which is not a number`, 'PrometheusNotANumber');
  if (!Number.isFinite(value)) {
    // KEDA reads NaN and ±Inf as 0 when ignoreNullValues is true; 0 scales the target down on what is
    // usually a division by zero, so here it is an error either way (docs/scaledobject-reference.md).
    throw new TriggerError(`${where} returned ${text}; a value that is not a finite number is an error (KEDA would read it as 0): guard the query, e.g. "(... ) or vector(0)" or a "> 0" filter on the divisor`, 'PrometheusNotANumber');
  }
  return { value, active: value > trigger.activationTarget };
}

/** A non-2xx answer, explained: the API server's own Status (RBAC, no endpoints) reads differently from Prometheus's. */
function statusError(params: PrometheusParams, where: string, reading: { status: number; body: string }): TriggerError {
  const apiServer = params.server.kind === 'service' ? apiServerStatus(reading.body) : undefined;
  if (apiServer && params.server.kind === 'service') {
    const { namespace, service, scheme, port } = params.server;
    const fix =
      reading.status === 403
        ? `grant the pod scaler's Kubernetes group get on services/proxy in namespace ${namespace} for ${scheme}:${service}:${port}: eks-lambda-scaler rbac <your ScaledObjects> | kubectl apply -f - (docs/scaledobject-reference.md)`
        : reading.status === 404
          ? `check that Service ${namespace}/${service} exists and has port ${port}`
          : reading.status === 503
            ? `check that Service ${namespace}/${service} has ready endpoints on port ${port}`
            : `check that Service ${namespace}/${service} serves ${scheme} on port ${port}`;
    return new TriggerError(`the Kubernetes API server refused to proxy ${where}: ${reading.status} ${apiServer}; ${fix}`, `ServiceProxy${reading.status}`);
  }
  return new TriggerError(`prometheus query api returned error. status: ${reading.status} for ${where} (${snippet(reading.body)})`, `Prometheus${reading.status}`);
}

function apiServerStatus(body: string): string | undefined {
  try {
    const status = JSON.parse(body) as { kind?: unknown; message?: unknown };
    return status.kind === 'Status' && typeof status.message === 'string' ? status.message : undefined;
  } catch {
    return undefined;
  }
}

function snippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat || 'empty body';
}

function transportError(request: Extract<ReadRequest, { service: 'prometheus' }>, error: unknown, signal: AbortSignal): TriggerError {
  const target = request.call.route.kind === 'service-proxy' ? `the Kubernetes API server of cluster ${request.call.route.cluster} (service proxy ${request.call.url.split('?')[0]})` : request.call.url.split('?')[0];
  if (signal.aborted) {
    const limit = request.call.timeoutMs !== undefined ? ` (timeout ${request.call.timeoutMs} ms)` : '';
    return new TriggerError(`Prometheus query to ${target} did not answer in time${limit}; check that the scaler can reach it (VPC, security groups)`, 'PrometheusTimeout');
  }
  const message = error instanceof Error ? error.message : String(error);
  return new TriggerError(`Prometheus query to ${target} failed: ${message}`, 'PrometheusUnreachable');
}

export const prometheusTrigger: TriggerDefinition = {
  type: 'prometheus',
  parse,
  readRequest,
  toMetric,
  readBatch: (requests, _clients, options) => readHttpRequests(requests, 'prometheus', options, transportError),
};
