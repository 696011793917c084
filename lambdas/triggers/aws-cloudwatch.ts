/**
 * `aws-cloudwatch` (KEDA `pkg/scalers/aws_cloudwatch_scaler.go`): the newest datapoint of one
 * CloudWatch metric or metric-math / Metrics Insights expression over a window aligned to the
 * metric period. Reads are packed many to one GetMetricData call (KEDA makes one call per trigger).
 */
import { appendAll } from '../util/append-all';
import { GetMetricDataCommand, StandardUnit, type CloudWatchClient, type MetricDataQuery } from '@aws-sdk/client-cloudwatch';
import { isInvalidQueryError, toTriggerError } from '../adapters/aws/aws-errors';
import { AWS_AUTH_PARAMS, AWS_STATIC_CREDENTIAL_KEYS, assertEnvResolved, fieldOf, readAwsSource, requireAwsSource, sourceKey, unresolvedEnvOf } from './aws-common';
import { metadataReader } from './metadata-values';
import { fromMilli, kedaMetricMilli } from '../engine/keda/metric-value';
import {
  TriggerError,
  type CloudWatchQuery,
  type MetricOutcome,
  type ParsedTrigger,
  type Reading,
  type ReadRequest,
  type TriggerDefinition,
  type TriggerParseInput,
  type TriggerParseResult,
} from './trigger-definition';

/** GetMetricData's limit of MetricDataQueries per call. */
export const CLOUDWATCH_QUERIES_PER_CALL = 500;
/** Go's zero time (0001-01-01T00:00:00Z) is this many ms before the Unix epoch. */
const GO_ZERO_TIME_BEFORE_EPOCH_MS = 62_135_596_800_000;
const STANDARD_UNITS: readonly string[] = Object.values(StandardUnit);
// A runaway NextToken must not hold the pass: real answers need a handful of pages at most.
const MAX_PAGES = 50;

export type CloudWatchParams = {
  query: CloudWatchQuery;
  metricCollectionTime: number;
  metricStatPeriod: number;
  metricEndTimeOffset: number;
  minMetricValue: number;
  ignoreNullValues: boolean;
};

type CloudWatchRequest = Extract<ReadRequest, { service: 'cloudwatch' }>;

/**
 * KEDA's `computeQueryWindow`: end = Go `Truncate(now - offset, period)`, start = end - collection.
 * Go truncates relative to year 1, which equals Unix alignment only when the period divides a day.
 */
export function queryWindow(now: number, periodSeconds: number, endTimeOffsetSeconds: number, collectionSeconds: number): { startTime: number; endTime: number } {
  const shifted = now - endTimeOffsetSeconds * 1000;
  const period = periodSeconds * 1000;
  const sinceGoZero = shifted + GO_ZERO_TIME_BEFORE_EPOCH_MS;
  const endTime = shifted - (((sinceGoZero % period) + period) % period);
  return { startTime: endTime - collectionSeconds * 1000, endTime };
}

function parse(input: TriggerParseInput): TriggerParseResult {
  const reader = metadataReader(input, [], AWS_AUTH_PARAMS);
  const namespace = reader.string('namespace');
  const metricName = reader.string('metricName');
  const dimensionName = reader.list('dimensionName', ';');
  const dimensionValue = reader.list('dimensionValue', ';');
  const expression = reader.string('expression');
  const targetMetricValue = reader.float('targetMetricValue', { required: true });
  const activationTargetMetricValue = reader.float('activationTargetMetricValue', { default: 0 });
  const minMetricValue = reader.float('minMetricValue', { required: true });
  const ignoreNullValues = reader.bool('ignoreNullValues', { default: true });
  const metricCollectionTime = reader.int('metricCollectionTime', { default: 300 });
  const metricStat = reader.string('metricStat', { default: 'Average' });
  const metricUnit = reader.string('metricUnit');
  const metricStatPeriod = reader.int('metricStatPeriod', { default: 300 });
  const metricEndTimeOffset = reader.int('metricEndTimeOffset', { default: 0 });
  const accountId = reader.string('awsAccountId');
  const aws = readAwsSource(reader, input);

  // KEDA's Validate(), in its order; checks that depend on a value that failed to parse are skipped.
  const deferred = reader.hasDeferredEnv;
  if (expression === undefined && !(deferred && reader.envRefs.expression)) {
    const needs = 'required unless expression is set';
    if (namespace === undefined && !reader.envRefs.namespace) reader.error('namespace', `missing required parameter "namespace" (${needs})`, 'set namespace, e.g. "AWS/SQS", or set expression');
    if (metricName === undefined && !reader.envRefs.metricName) reader.error('metricName', `missing required parameter "metricName" (${needs})`, 'set metricName, e.g. "ApproximateNumberOfMessagesVisible", or set expression');
    if (dimensionName === undefined && !reader.envRefs.dimensionName) reader.error('dimensionName', `missing required parameter "dimensionName" (${needs})`, 'set dimensionName, e.g. "QueueName" (";"-separated for several)');
    if (dimensionValue === undefined && !reader.envRefs.dimensionValue) reader.error('dimensionValue', `missing required parameter "dimensionValue" (${needs})`, 'set dimensionValue, e.g. "orders" (";"-separated for several)');
    if (dimensionName && dimensionValue && dimensionName.length !== dimensionValue.length) {
      reader.error('dimensionValue', `dimensionName has ${dimensionName.length} entries but dimensionValue has ${dimensionValue.length}`, 'give one dimensionValue per dimensionName, both ";"-separated');
    }
    if (metricUnit !== undefined && !STANDARD_UNITS.includes(metricUnit)) {
      reader.error(fieldOf(input, 'metricUnit'), `"${metricUnit}" is not a CloudWatch unit`, `use one of ${STANDARD_UNITS.join(', ')}`);
    }
  }
  let periodValid = metricStatPeriod !== undefined;
  if (metricStatPeriod !== undefined) {
    const problem = periodProblem(metricStatPeriod);
    if (problem) {
      periodValid = false;
      reader.error(fieldOf(input, 'metricStatPeriod'), problem, 'use 1, 5, 10, 30 or 60, or a multiple of 60 such as 300');
    }
  }
  if (periodValid && metricStatPeriod !== undefined && metricCollectionTime !== undefined && (metricCollectionTime < 0 || metricCollectionTime % metricStatPeriod !== 0)) {
    reader.error(fieldOf(input, 'metricCollectionTime'), `${metricCollectionTime} is not a non-negative multiple of metricStatPeriod (${metricStatPeriod})`, `set metricCollectionTime to a multiple of ${metricStatPeriod}, e.g. ${metricStatPeriod * 2}`);
  }
  if (targetMetricValue !== undefined && kedaMetricMilli(targetMetricValue) <= 0) {
    reader.error(fieldOf(input, 'targetMetricValue'), `${targetMetricValue} rounds to a target of 0 (KEDA sends it in milli-units and the HPA rejects a target of 0 or less)`, 'set targetMetricValue to 0.001 or more');
  }
  reader.finish(AWS_STATIC_CREDENTIAL_KEYS);
  if (
    reader.errors.length > 0 ||
    targetMetricValue === undefined ||
    activationTargetMetricValue === undefined ||
    minMetricValue === undefined ||
    ignoreNullValues === undefined ||
    metricCollectionTime === undefined ||
    metricStatPeriod === undefined ||
    metricEndTimeOffset === undefined
  ) {
    return { errors: reader.errors, warnings: reader.warnings };
  }

  const query: CloudWatchQuery = expression
    ? { expression, stat: metricStat ?? 'Average', period: metricStatPeriod, ...(accountId ? { accountId } : {}) }
    : {
        namespace: namespace ?? '',
        metricName: metricName ?? '',
        dimensions: (dimensionName ?? []).map((name, i) => ({ name, value: dimensionValue?.[i] ?? '' })),
        stat: metricStat ?? 'Average',
        ...(metricUnit ? { unit: metricUnit } : {}),
        period: metricStatPeriod,
        ...(accountId ? { accountId } : {}),
      };
  const unresolvedEnv = unresolvedEnvOf(reader);
  const params = { query, metricCollectionTime, metricStatPeriod, metricEndTimeOffset, minMetricValue, ignoreNullValues, ...(unresolvedEnv ? { unresolvedEnv } : {}) };
  const parsed = {
    metricName: `s${input.index}-aws-cloudwatch`,
    // KEDA ≥ 2.20 hands the HPA the target as "%.3f" (GetMetricTargetMili): rounded, not truncated.
    // Activation stays the raw float: GetMetricsAndActivity compares it unconverted.
    target: fromMilli(kedaMetricMilli(targetMetricValue)),
    activationTarget: activationTargetMetricValue,
    params,
    aws,
    envRefs: { ...reader.envRefs },
  };
  return { parsed, errors: reader.errors, warnings: reader.warnings };
}

function periodProblem(period: number): string | undefined {
  if (period < 1) return `${period} is smaller than 1`;
  if (period <= 60) return [1, 5, 10, 30, 60].includes(period) ? undefined : `${period} is not one of 1, 5, 10, 30, 60 (required up to 60 seconds)`;
  return period % 60 === 0 ? undefined : `${period} is not a multiple of 60 (required above 60 seconds)`;
}

function readRequest(trigger: ParsedTrigger, now: number): ReadRequest {
  assertEnvResolved(trigger);
  const params = trigger.params as CloudWatchParams;
  const source = requireAwsSource(trigger);
  const { startTime, endTime } = queryWindow(now, params.metricStatPeriod, params.metricEndTimeOffset, params.metricCollectionTime);
  return { service: 'cloudwatch', key: `cloudwatch|${sourceKey(source)}|${startTime}|${endTime}|${queryKey(params.query)}`, source, query: params.query, startTime, endTime };
}

/** Equal for equal queries, whatever order the object's keys were built in. */
function queryKey(query: CloudWatchQuery): string {
  const dimensions = (query.dimensions ?? []).map((d) => [d.name, d.value]);
  return JSON.stringify([query.expression ?? null, query.namespace ?? null, query.metricName ?? null, dimensions, query.stat, query.unit ?? null, query.period, query.accountId ?? null]);
}

function toMetric(trigger: ParsedTrigger, reading: Reading | undefined): MetricOutcome {
  const params = trigger.params as CloudWatchParams;
  if (reading?.service !== 'cloudwatch') throw new TriggerError(`no CloudWatch reading for ${describeQuery(params.query)}`, 'NoReading');
  if (reading.hasResult && reading.values.length === 0 && !params.ignoreNullValues) {
    throw new TriggerError(`CloudWatch returned no datapoints for ${describeQuery(params.query)} and ignoreNullValues is false`, 'EmptyMetricData');
  }
  const value = reading.hasResult && reading.values.length > 0 ? (reading.values[0] as number) : params.minMetricValue;
  const outcome: MetricOutcome = { value, active: value > trigger.activationTarget };
  // KEDA hands NaN and ±Inf to the HPA as 0 (quantityFromFloat64), and so do we (kedaMetricMilli);
  // that silently scales down, so it must at least be loud.
  if (!Number.isFinite(value)) {
    outcome.warning =
      `CloudWatch returned ${value} for ${describeQuery(params.query)}; as in KEDA the trigger reads it as 0, ` +
      'which can scale the target down: check the metric or expression (e.g. a division by zero in metric math)';
  }
  return outcome;
}

function describeQuery(query: CloudWatchQuery): string {
  if (query.expression) return `expression "${query.expression}"`;
  const dimensions = (query.dimensions ?? []).map((d) => `${d.name}=${d.value}`).join(',');
  return `metric ${query.namespace}/${query.metricName}${dimensions ? ` {${dimensions}}` : ''} (${query.stat}, ${query.period}s)`;
}

const isInsightsQuery = (request: CloudWatchRequest): boolean => /^\s*select\s/i.test(request.query.expression ?? '');

/**
 * Splits requests of one window into calls: at most 500 queries each, and at most one Metrics
 * Insights (SELECT) query per call, as the API allows.
 */
export function packCalls(requests: CloudWatchRequest[]): CloudWatchRequest[][] {
  const calls: CloudWatchRequest[][] = [];
  let current: CloudWatchRequest[] = [];
  let hasInsights = false;
  for (const request of requests) {
    const insights = isInsightsQuery(request);
    if (current.length === CLOUDWATCH_QUERIES_PER_CALL || (insights && hasInsights)) {
      calls.push(current);
      current = [];
      hasInsights = false;
    }
    current.push(request);
    hasInsights ||= insights;
  }
  if (current.length > 0) calls.push(current);
  return calls;
}

async function readBatch(requests: ReadRequest[], clients: { cloudwatch(): CloudWatchClient }, options: { signal?: AbortSignal }): Promise<Map<string, Reading | TriggerError>> {
  const out = new Map<string, Reading | TriggerError>();
  const client = clients.cloudwatch();
  // Queries share a call only when their StartTime and EndTime match.
  const windows = new Map<string, CloudWatchRequest[]>();
  for (const request of requests) {
    if (request.service !== 'cloudwatch') continue;
    const window = `${request.startTime}|${request.endTime}`;
    windows.set(window, [...(windows.get(window) ?? []), request]);
  }
  const calls = [...windows.values()].flatMap(packCalls);
  await Promise.all(calls.map((call) => readCall(client, call, out, options.signal)));
  return out;
}

async function readCall(client: CloudWatchClient, call: CloudWatchRequest[], out: Map<string, Reading | TriggerError>, signal?: AbortSignal): Promise<void> {
  try {
    const results = await getMetricData(client, call, signal);
    call.forEach((request, i) => out.set(request.key, results.get(queryId(i)) ?? { service: 'cloudwatch', hasResult: false, values: [] }));
  } catch (error) {
    // One invalid query fails the whole call: halve until it is isolated, so the others still read.
    if (isInvalidQueryError(error) && call.length > 1 && !signal?.aborted) {
      const half = Math.ceil(call.length / 2);
      await Promise.all([readCall(client, call.slice(0, half), out, signal), readCall(client, call.slice(half), out, signal)]);
      return;
    }
    for (const request of call) {
      const { region, roleArn } = request.source;
      out.set(
        request.key,
        toTriggerError(error, {
          operation: 'CloudWatch GetMetricData',
          iamAction: 'cloudwatch:GetMetricData',
          resource: '*',
          region,
          target: describeQuery(request.query),
          targetKeys: request.query.expression ? 'expression' : 'namespace, metricName, dimensionName, dimensionValue, metricStat and metricUnit',
          ...(roleArn ? { roleArn } : {}),
          ...(signal ? { signal } : {}),
        }),
      );
    }
  }
}

const queryId = (index: number): string => `els_${index}`;

function toQuery(query: CloudWatchQuery, id: string): MetricDataQuery {
  const account = query.accountId ? { AccountId: query.accountId } : {};
  if (query.expression) return { Id: id, Expression: query.expression, Period: query.period, ...account };
  return {
    Id: id,
    MetricStat: {
      Metric: { Namespace: query.namespace, MetricName: query.metricName, Dimensions: (query.dimensions ?? []).map((d) => ({ Name: d.name, Value: d.value })) },
      Period: query.period,
      Stat: query.stat,
      ...(query.unit ? { Unit: query.unit as StandardUnit } : {}),
    },
    ReturnData: true,
    ...account,
  };
}

/** One GetMetricData call (all pages), results by query Id: the first series of each, newest first. */
async function getMetricData(client: CloudWatchClient, call: CloudWatchRequest[], signal?: AbortSignal): Promise<Map<string, Reading>> {
  const first = call[0] as CloudWatchRequest;
  const queries = call.map((request, i) => toQuery(request.query, queryId(i)));
  const series = new Map<string, { label: string | undefined; values: number[] }>();
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await client.send(
      new GetMetricDataCommand({
        MetricDataQueries: queries,
        StartTime: new Date(first.startTime),
        EndTime: new Date(first.endTime),
        ScanBy: 'TimestampDescending',
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
      signal ? { abortSignal: signal } : {},
    );
    for (const result of page.MetricDataResults ?? []) {
      if (!result.Id) continue;
      const known = series.get(result.Id);
      // KEDA reads MetricDataResults[0]: later pages extend that same series (same Id and label).
      if (!known) series.set(result.Id, { label: result.Label, values: [...(result.Values ?? [])] });
      else if (known.label === result.Label) appendAll(known.values, result.Values ?? []);
    }
    nextToken = page.NextToken;
    pages += 1;
  } while (nextToken && pages < MAX_PAGES);
  return new Map([...series].map(([id, { values }]) => [id, { service: 'cloudwatch', hasResult: true, values }]));
}

export const awsCloudwatchTrigger: TriggerDefinition = {
  type: 'aws-cloudwatch',
  parse,
  readRequest,
  toMetric,
  readBatch,
};
