/**
 * `new-relic` (KEDA `pkg/scalers/newrelic_scaler.go`): one NRQL query through New Relic's NerdGraph
 * API, as KEDA's client makes it (`POST https://api.newrelic.com/graphql`, or `api.eu.newrelic.com`
 * for region EU, header `API-Key`, the `actor { account(id) { nrql(query) { results } } }` query).
 * The first numeric value of the first result row is the metric.
 *
 * The query key is a credential: from a TriggerAuthentication `secretTargetRef` it is read from
 * exactly that key of that Secret, and from its `awsSecretManager` with `GetSecretValue`, by the
 * HTTP adapter at call time, so it is never part of the trigger's parameters, a request key, a log
 * line or state. Equal queries of one pass (same account,
 * region, key source and NRQL) are one call.
 */
import { createHash } from 'node:crypto';
import { readHttpRequests } from './http-reads';
import { metadataReader, type MetadataReader } from './metadata-values';
import { fromMilli, kedaMetricMilli } from '../engine/keda/metric-value';
import {
  TriggerError,
  type AwsSecretRef,
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

/** NerdGraph endpoints by KEDA's `region` (newrelic-client-go `region.Parse`, case-insensitive). */
export const NERDGRAPH_URLS: Record<string, string> = { US: 'https://api.newrelic.com/graphql', EU: 'https://api.eu.newrelic.com/graphql' };

/** The NerdGraph query KEDA's client sends (results are all the scaler reads). */
const NRQL_QUERY = 'query($query: Nrql!, $accountId: Int!) { actor { account(id: $accountId) { nrql(query: $query) { results } } } }';

/** Where the query key comes from: a Secret's key (read at call time), or a value (metadata or container env). */
export type QueryKeySource =
  | { from: 'secret'; namespace: string; name: string; key: string }
  | ({ from: 'aws-secret' } & AwsSecretRef)
  | { from: 'value'; value: string };

export interface NewRelicParams {
  account: number;
  region: 'US' | 'EU';
  nrql: string;
  noDataError: boolean;
  queryKey: QueryKeySource;
}

function parse(input: TriggerParseInput): TriggerParseResult {
  const reader = metadataReader(input, [], ['account', 'region']);
  // KEDA: account and region are order=authParams;triggerMetadata (the TriggerAuthentication wins).
  const account = fromAuthFirst(reader, input, 'account', () => reader.int('account', { required: true }), (text) => intOf(reader, 'account', text));
  const regionText = fromAuthFirst(reader, input, 'region', () => reader.string('region', { default: 'US' }), (text) => text);
  const nrql = reader.string('nrql', { required: true });
  const threshold = reader.float('threshold', { required: true });
  const activationThreshold = reader.float('activationThreshold', { default: 0 });
  const noDataError = reader.bool('noDataError', { default: false });
  const queryKey = readQueryKey(reader, input);

  const region = regionText?.toUpperCase();
  if (region !== undefined && region !== 'US' && region !== 'EU') {
    reader.error('region', `"${regionText}" is not a New Relic region`, 'use "US" (the default) or "EU"');
  }
  if (threshold !== undefined && kedaMetricMilli(threshold) <= 0) {
    reader.error('threshold', `${threshold} rounds to a target of 0 (KEDA sends it in milli-units and the HPA rejects a target of 0 or less)`, 'set threshold to 0.001 or more');
  }
  reader.finish(['queryKey']);
  if (reader.errors.length > 0 || account === undefined || nrql === undefined || threshold === undefined || activationThreshold === undefined || noDataError === undefined || !queryKey || (region !== 'US' && region !== 'EU')) {
    return { errors: reader.errors, warnings: reader.warnings };
  }
  const params: NewRelicParams = { account, region, nrql, noDataError, queryKey };
  return {
    parsed: {
      metricName: `s${input.index}-new-relic`,
      target: fromMilli(kedaMetricMilli(threshold)),
      activationTarget: activationThreshold,
      params: params as unknown as Record<string, unknown>,
      envRefs: { ...reader.envRefs },
    },
    errors: reader.errors,
    warnings: reader.warnings,
  };
}

/** A parameter KEDA reads from the TriggerAuthentication first, then from metadata. */
function fromAuthFirst<T>(reader: MetadataReader, input: TriggerParseInput, name: string, fromMetadata: () => T | undefined, convert: (text: string) => T | undefined): T | undefined {
  if (!input.authParams?.[name]) return fromMetadata();
  reader.has(name); // consulted: a metadata value next to it is KEDA's second choice, not unknown
  const text = reader.authParam(name, `set metadata.${name} on the trigger`);
  return text === undefined ? undefined : convert(text);
}

function intOf(reader: MetadataReader, name: string, text: string): number | undefined {
  if (/^-?(0|[1-9]\d*)$/.test(text) && Number.isSafeInteger(Number(text))) return Number(text);
  reader.error(name, `"${text}" (from the TriggerAuthentication) is not a whole number`, `set ${name} to the New Relic account ID, e.g. "1234567"`);
  return undefined;
}

/**
 * `queryKey` (order=authParams;triggerMetadata): a TriggerAuthentication `secretTargetRef` names the
 * Secret key read at call time, and its `awsSecretManager` the secret read at call time; an `env` entry or a metadata value is used as given (a metadata value
 * is plain text in the manifest, so it gets a warning).
 */
function readQueryKey(reader: MetadataReader, input: TriggerParseInput): QueryKeySource | undefined {
  const source = input.authParams?.queryKey;
  const namespace = input.objectId.split('/')[0] ?? '';
  if (source?.from === 'secret') {
    reader.has('queryKey');
    if (input.authenticationKind === 'ClusterTriggerAuthentication') {
      reader.error('queryKey', `queryKey comes from Secret "${source.name}" of a ClusterTriggerAuthentication, whose Secrets live in KEDA's own namespace, which the scaler does not read`, `use a TriggerAuthentication in namespace ${namespace} whose secretTargetRef names a Secret there`);
      return undefined;
    }
    if (!source.name || !source.key) {
      reader.error('queryKey', 'the TriggerAuthentication\'s secretTargetRef for queryKey lacks name or key', 'set name (the Secret) and key (its data key) on the secretTargetRef entry');
      return undefined;
    }
    return { from: 'secret', namespace, name: source.name, key: source.key };
  }
  if (source?.from === 'awsSecretManager') {
    reader.has('queryKey');
    const { from: _from, ...secret } = source;
    return { from: 'aws-secret', ...secret };
  }
  if (source?.from === 'configMap') {
    reader.has('queryKey');
    reader.error('queryKey', `queryKey comes from ConfigMap "${source.name}", which is no place for a credential and which the scaler does not read`, 'put the key in a Secret and name it with secretTargetRef');
    return undefined;
  }
  const value = source ? reader.authParam('queryKey', 'name a Secret with secretTargetRef instead') : reader.string('queryKey', { required: true });
  if (value === undefined) return reader.hasDeferredEnv ? { from: 'value', value: '' } : undefined;
  if (!source) {
    reader.warn('queryKey', 'the query key is written in the ScaledObject in plain text', 'put it in a Secret and reference it from a TriggerAuthentication secretTargetRef (parameter: queryKey)');
  }
  return { from: 'value', value };
}

/** The NerdGraph request: the key's source, never its value, goes into the read's identity. */
function readRequest(trigger: ParsedTrigger, _now: number, context: ReadContext = {}): ReadRequest {
  const params = trigger.params as unknown as NewRelicParams;
  const { queryKey } = params;
  if (queryKey.from === 'value' && !queryKey.value) throw new TriggerError('queryKey comes from container env, which has not been resolved', 'UnresolvedEnv');
  const body = JSON.stringify({ query: NRQL_QUERY, variables: { accountId: params.account, query: params.nrql } });
  const headers: [string, string][] = [['Content-Type', 'application/json']];
  let secretHeader: HttpCall['secretHeader'];
  let keyIdentity: string;
  if (queryKey.from === 'secret') {
    if (!context.cluster) throw new TriggerError('queryKey comes from a Secret, but the read was not told which cluster the ScaledObject is in', 'NoCluster');
    secretHeader = { header: 'API-Key', secret: { cluster: context.cluster, namespace: queryKey.namespace, name: queryKey.name, key: queryKey.key } };
    keyIdentity = `secret:${context.cluster}/${queryKey.namespace}/${queryKey.name}/${queryKey.key}`;
  } else if (queryKey.from === 'aws-secret') {
    const { from: _from, ...awsSecret } = queryKey;
    secretHeader = { header: 'API-Key', awsSecret };
    keyIdentity = `aws-secret:${JSON.stringify([awsSecret.region, awsSecret.roleArn, awsSecret.secretId, awsSecret.versionId, awsSecret.versionStage, awsSecret.secretKey])}`;
  } else {
    headers.push(['API-Key', queryKey.value]);
    keyIdentity = `value:${createHash('sha256').update(queryKey.value).digest('hex')}`;
  }
  const call: HttpCall = { service: 'newrelic', route: { kind: 'direct' }, method: 'POST', url: NERDGRAPH_URLS[params.region] as string, body, headers, insecureTls: false, ...(secretHeader ? { secretHeader } : {}) };
  return { service: 'newrelic', key: `newrelic|${params.region}|${params.account}|${keyIdentity}|${params.nrql}`, call };
}

interface NerdGraphAnswer {
  data?: { actor?: { account?: { nrql?: { results?: unknown } | null } | null } | null } | null;
  errors?: { message?: unknown }[];
}

/** KEDA's `executeNewRelicQuery` on NerdGraph's answer. */
function toMetric(trigger: ParsedTrigger, reading: Reading | undefined): MetricOutcome {
  const params = trigger.params as unknown as NewRelicParams;
  const where = `NRQL ${JSON.stringify(params.nrql)} (account ${params.account}, region ${params.region})`;
  if (reading?.service !== 'newrelic') throw new TriggerError(`no New Relic reading for ${where}`, 'NoReading');
  if (reading.status === 401 || reading.status === 403) {
    throw new TriggerError(`New Relic refused the query key (${reading.status}) for ${where}: use a User key (NRAK-...) of a user with access to account ${params.account}`, `NewRelic${reading.status}`);
  }
  if (reading.status < 200 || reading.status > 299) throw new TriggerError(`New Relic answered ${reading.status} for ${where}`, `NewRelic${reading.status}`);
  let answer: NerdGraphAnswer;
  try {
    answer = JSON.parse(reading.body) as NerdGraphAnswer;
  } catch {
    throw new TriggerError(`New Relic answered ${where} with a body that is not JSON`, 'NewRelicBadAnswer');
  }
  const messages = (answer.errors ?? []).map((error) => String(error.message ?? 'unknown error'));
  if (messages.length > 0) throw new TriggerError(`error running ${where}: ${messages.join('; ')}`, 'NewRelicQueryError');
  const results = answer.data?.actor?.account?.nrql?.results;
  const rows = Array.isArray(results) ? results : [];
  const noData = (what: string): MetricOutcome => {
    if (params.noDataError) throw new TriggerError(`${where} ${what} and noDataError is true`, 'NewRelicNoData');
    return { value: 0, active: 0 > trigger.activationTarget };
  };
  if (rows.length === 0) return noData('returned no results');
  const first = rows[0];
  // KEDA takes "a" float of the first row (a Go map: any one when there are several); the first in
  // the row's own order is the deterministic reading of that.
  const value = first && typeof first === 'object' ? Object.values(first as Record<string, unknown>).find((v): v is number => typeof v === 'number') : undefined;
  if (value === undefined) return noData('returned no numeric result');
  return { value, active: value > trigger.activationTarget };
}

function transportError(request: Extract<ReadRequest, { service: 'newrelic' }>, error: unknown, signal: AbortSignal): TriggerError {
  const message = signal.aborted ? 'did not answer in time; check that the scaler can reach it (VPC, NAT, proxy)' : `failed: ${error instanceof Error ? error.message : String(error)}`;
  return new TriggerError(`New Relic NerdGraph (${request.call.url}) ${message}`, signal.aborted ? 'NewRelicTimeout' : 'NewRelicUnreachable');
}

export const newRelicTrigger: TriggerDefinition = {
  type: 'new-relic',
  parse,
  readRequest,
  toMetric,
  readBatch: (requests, _clients, options) => readHttpRequests(requests, 'newrelic', options, transportError),
};
