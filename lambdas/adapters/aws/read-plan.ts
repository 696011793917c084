/**
 * The AWS read plan of one pass: every trigger says what it needs read, equal reads are merged,
 * merged reads are grouped by service, source and (CloudWatch) window and cut into API calls, and the
 * calls run concurrently under a bound, each under its own timeout. A failed read fails only the
 * triggers that share it. The number of calls is the number of distinct queues and streams (a
 * stream of more than 1,000 open shards takes a ListShards call per 1,000) plus
 * ceil(queries / 500) per CloudWatch window, plus one AssumeRole per role whose credentials are stale.
 *
 * A CloudWatch query is read at most once per metric period: its window is aligned to the period
 * (KEDA's computeQueryWindow), so the HPA syncs between KEDA's polls ask for the very window the
 * poll read, and GetMetricData bills each query. The reader keeps each successful CloudWatch
 * reading until a pass no longer asks for its window; a failed read is never kept. SQS and Kinesis
 * readings change at any moment and are read every pass, as KEDA + HPA read them. The scaler's own
 * role reads Kinesis with ListShards (a quota per stream); only streams read through an assumed
 * role use DescribeStreamSummary, and those stay under the account's quota (kinesis-call-limit.ts):
 * past it, such a stream reuses its previous pass's reading (in a cold container, the one stored in
 * the state table) or waits for its turn.
 *
 * The pod scaler reads each cluster's triggers separately (so a slow cluster holds back only its own
 * objects); reads of one pass (same `now`) are still shared across those calls: a read another
 * cluster already started is awaited, not repeated.
 */
import type { ReadPlanOutcome, TriggerReader, TriggerReadItem } from '../../pod-scaler/tick-types';
import { sourceKey } from '../../triggers/aws-common';
import { CLOUDWATCH_QUERIES_PER_CALL } from '../../triggers/aws-cloudwatch';
import { kinesisReadOperation, kinesisReadUsesAccountQuota } from '../../triggers/aws-kinesis-stream';
import { getTriggerDefinition } from '../../triggers/registry';
import { TriggerError, type AwsSource, type HttpCall, type HttpReadPort, type KafkaReadPort, type Reading, type ReadRequest, type TriggerDefinition } from '../../triggers/trigger-definition';
import { mapWithConcurrency } from '../../util/map-with-concurrency';
import type { AwsClientFactory } from './aws-client-factory';
import { DEFAULT_CALL_TIMEOUT_MS } from './aws-transport';
import { toTriggerError } from './aws-errors';
import { stsTimeout } from './assume-role-credentials';
import { countAwsCalls } from './call-counter';
import type { KinesisCallLimit, KinesisRead } from './kinesis-call-limit';
import { callDeadline } from '../../util/call-deadline';

export interface TriggerReaderOptions {
  clientFactory: AwsClientFactory;
  /** Calls in flight at once (default 16). */
  concurrency?: number;
  /** Longest one read may take, retries and credential refresh included, ms (default 5000). */
  callTimeoutMs?: number;
  /** HTTP for triggers that query servers over HTTP (prometheus): in-cluster, SigV4 or direct. */
  http?: HttpReadPort;
  /** Keeps Kinesis DescribeStreamSummary (streams read through an assumed role) under the account's quota; none: every stream is read every pass. */
  kinesisLimit?: KinesisCallLimit;
  /** Kafka offsets for kafka and apache-kafka triggers. */
  kafka?: KafkaReadPort;
}

export const DEFAULT_READ_CONCURRENCY = 16;

/** How many merged requests one API call carries. */
const REQUESTS_PER_CALL: Record<ReadRequest['service'], number> = { sqs: 1, kinesis: 1, cloudwatch: CLOUDWATCH_QUERIES_PER_CALL, dynamodb: 1, dynamodbstreams: 1, prometheus: 1, newrelic: 1, kafka: 1 };
/** The source of a read that needs no AWS credentials (a direct or in-cluster Prometheus query). */
const NO_AWS_SOURCE: AwsSource = { region: '' };
const sourceOf = (request: ReadRequest): AwsSource => request.source ?? NO_AWS_SOURCE;

/** One distinct read and the items waiting on it. */
interface SharedRead {
  request: ReadRequest;
  definition: TriggerDefinition;
  itemIds: string[];
}

/** Reads that go out in one `readBatch` (normally one API call). */
interface CallUnit {
  definition: TriggerDefinition;
  reads: SharedRead[];
}

export function createTriggerReader(options: TriggerReaderOptions): TriggerReader {
  const concurrency = options.concurrency ?? DEFAULT_READ_CONCURRENCY;
  const callTimeoutMs = options.callTimeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;
  const thisPass = { now: Number.NaN, reads: new Map<string, Promise<Reading | TriggerError>>() };
  /**
   * Successful CloudWatch readings by request key (which holds the period-aligned window): those this
   * pass asked for, and those the pass before asked for. A window no pass asks for drops out after
   * one pass, so the maps stay small; keeping the previous pass's lets every cluster's call reuse it.
   */
  const periodReadings = { previous: new Map<string, Reading>(), current: new Map<string, Reading>() };
  return async (items, now): Promise<ReadPlanOutcome> => {
    if (thisPass.now !== now) {
      Object.assign(thisPass, { now, reads: new Map() });
      Object.assign(periodReadings, { previous: periodReadings.current, current: new Map() });
    }
    const { result: readings, calls } = await countAwsCalls(async () => {
      const readings = new Map<string, Reading | TriggerError | undefined>();
      const planned = planReads(items, now, readings);
      const shared = planned.filter((read) => {
        if (read.request.service !== 'cloudwatch') return true;
        const known = periodReadings.current.get(read.request.key) ?? periodReadings.previous.get(read.request.key);
        if (!known) return true;
        periodReadings.current.set(read.request.key, known);
        for (const id of read.itemIds) readings.set(id, known);
        return false;
      });
      const started = shared.filter((read) => thisPass.reads.has(read.request.key));
      const fresh = shared.filter((read) => !thisPass.reads.has(read.request.key));
      const settle = new Map<string, (result: Reading | TriggerError) => void>();
      for (const read of fresh) thisPass.reads.set(read.request.key, new Promise((resolve) => settle.set(read.request.key, resolve)));
      // A cold container first loads its streams' stored readings, when it would otherwise wait for them.
      await options.kinesisLimit?.prepare(kinesisReads(fresh), now);
      const limited = limitKinesis(fresh, now, options.kinesisLimit);
      for (const read of limited.reused) {
        const reading = limited.reusedReadings.get(read.request.key)!;
        settle.get(read.request.key)?.(reading);
        for (const id of read.itemIds) readings.set(id, reading);
      }
      const runAndSettle = async (unit: CallUnit) => {
        const results = await runUnit(unit, options.clientFactory, callTimeoutMs, options.http, options.kafka);
        for (const [key, result] of results) settle.get(key)?.(result);
        for (const read of unit.reads) {
          const result = results.get(read.request.key)!;
          // A failed read is never kept: the next pass asks again.
          if (!(result instanceof TriggerError)) {
            if (read.request.service === 'cloudwatch') periodReadings.current.set(read.request.key, result);
            if (underKinesisQuota(read)) options.kinesisLimit?.record(read.request.key, now, result);
          }
          for (const id of read.itemIds) readings.set(id, result);
        }
      };
      await Promise.all([
        mapWithConcurrency(cutIntoCalls(limited.readNow), concurrency, runAndSettle),
        // Outside the concurrency bound: a read waiting for a Kinesis token must not hold the others' slots.
        ...cutIntoCalls(limited.waiting).map(async (unit) => {
          await options.kinesisLimit!.waitForToken(sourceOf((unit.reads[0] as SharedRead).request));
          await runAndSettle(unit);
        }),
        ...started.map(async (read) => {
          const result = await thisPass.reads.get(read.request.key)!;
          for (const id of read.itemIds) readings.set(id, result);
        }),
      ]);
      // Writes what the table lacks (a changed count, a refresh) before the batch goes on: bounded, never fails the reads.
      await options.kinesisLimit?.persist(now);
      return readings;
    });
    return { readings, calls };
  };
}

/** A Kinesis read that spends the account's DescribeStreamSummary quota (aws-kinesis-stream.ts). */
function underKinesisQuota(read: SharedRead): boolean {
  return read.request.service === 'kinesis' && kinesisReadUsesAccountQuota(read.request.source);
}

function kinesisReads(reads: SharedRead[]): KinesisRead[] {
  return reads.filter(underKinesisQuota).map((read) => ({ key: read.request.key, source: sourceOf(read.request) }));
}

/** Splits a pass's fresh reads by the Kinesis limit: read now, reuse an earlier reading, or wait for a token. */
function limitKinesis(reads: SharedRead[], now: number, limit: KinesisCallLimit | undefined) {
  const kinesis = limit ? reads.filter(underKinesisQuota) : [];
  if (!limit || kinesis.length === 0) return { readNow: reads, reused: [], reusedReadings: new Map<string, Reading>(), waiting: [] };
  const decision = limit.decide(kinesisReads(kinesis), now);
  const waiting = new Set(decision.waitForToken);
  return {
    readNow: reads.filter((read) => !decision.reused.has(read.request.key) && !waiting.has(read.request.key)),
    reused: kinesis.filter((read) => decision.reused.has(read.request.key)),
    reusedReadings: decision.reused,
    waiting: kinesis.filter((read) => waiting.has(read.request.key)),
  };
}

/** Asks every trigger for its read; merges equal reads; settles items that need none or failed to plan. */
function planReads(items: TriggerReadItem[], now: number, readings: Map<string, Reading | TriggerError | undefined>): SharedRead[] {
  const byKey = new Map<string, SharedRead>();
  for (const item of items) {
    const definition = getTriggerDefinition(item.trigger.type);
    if (!definition) {
      readings.set(item.id, new TriggerError(`unsupported trigger type "${item.trigger.type}"`, 'UnsupportedTrigger'));
      continue;
    }
    let request: ReadRequest | undefined;
    try {
      request = definition.readRequest(item.trigger, now, item.cluster !== undefined ? { cluster: item.cluster } : {});
    } catch (error) {
      readings.set(item.id, error instanceof TriggerError ? error : new TriggerError(error instanceof Error ? error.message : String(error), 'ReadRequestFailed'));
      continue;
    }
    if (!request) {
      readings.set(item.id, undefined);
      continue;
    }
    const known = byKey.get(request.key);
    if (!known) {
      byKey.set(request.key, { request, definition, itemIds: [item.id] });
      continue;
    }
    known.itemIds.push(item.id);
    // Triggers on one queue may want different attributes: read their union once.
    if (known.request.service === 'sqs' && request.service === 'sqs') {
      const attributes = [...new Set([...known.request.attributes, ...request.attributes])];
      known.request = { ...known.request, attributes };
    }
  }
  return [...byKey.values()];
}

/** Groups reads by service, source and window, then cuts each group into calls. */
function cutIntoCalls(reads: SharedRead[]): CallUnit[] {
  const groups = new Map<string, SharedRead[]>();
  for (const read of reads) {
    const { request } = read;
    const window = request.service === 'cloudwatch' ? `|${request.startTime}|${request.endTime}` : '';
    const group = `${request.service}|${read.definition.type}|${sourceKey(sourceOf(request))}${window}`;
    groups.set(group, [...(groups.get(group) ?? []), read]);
  }
  const units: CallUnit[] = [];
  for (const group of groups.values()) {
    const first = group[0] as SharedRead;
    const size = REQUESTS_PER_CALL[first.request.service];
    for (let i = 0; i < group.length; i += size) units.push({ definition: first.definition, reads: group.slice(i, i + size) });
  }
  return units;
}

/** What a read needs, for the rare failure a trigger's own reader did not already explain. */
const READ_ACTION: Record<ReadRequest['service'], { action: string; resource: string }> = {
  sqs: { action: 'sqs:GetQueueAttributes', resource: 'the queues these triggers name' },
  // The action depends on the read's source (kinesisReadOperation): runUnit names it from there.
  kinesis: { action: 'kinesis:ListShards', resource: 'the streams these triggers name' },
  cloudwatch: { action: 'cloudwatch:GetMetricData', resource: '*' },
  dynamodb: { action: 'dynamodb:Query', resource: 'the tables (and indexes) these triggers name' },
  dynamodbstreams: { action: 'dynamodb:DescribeTable and dynamodb:DescribeStream', resource: 'the tables these triggers name and their streams' },
  prometheus: { action: 'aps:QueryMetrics (SigV4 only)', resource: 'the workspaces these triggers name' },
  newrelic: { action: 'none (New Relic NerdGraph)', resource: 'the New Relic accounts these triggers name' },
  kafka: { action: 'kafka-cluster:Connect, DescribeTopic, DescribeGroup (Amazon MSK IAM only)', resource: 'the MSK clusters these triggers name' },
};

/** One result per read of the unit, keyed by request key: a reading or why there is none. */
async function runUnit(unit: CallUnit, factory: AwsClientFactory, timeoutMs: number, http: HttpReadPort | undefined, kafka: KafkaReadPort | undefined): Promise<Map<string, Reading | TriggerError>> {
  const firstRequest = (unit.reads[0] as SharedRead).request;
  const first = { service: firstRequest.service, source: sourceOf(firstRequest) };
  // Cleared once the batch has resolved (util/call-deadline.ts): most reads answer long before it.
  const deadline = callDeadline(timeoutMs);
  const signal = deadline.signal;
  let results: Map<string, Reading | TriggerError>;
  try {
    if (!unit.definition.readBatch) throw new TriggerError(`trigger type ${unit.definition.type} cannot read from AWS`, 'NoReader');
    const batch = unit.definition.readBatch(
      unit.reads.map((read) => read.request),
      factory.forSource(first.source),
      { signal, ...(http ? { http } : {}), ...(kafka ? { kafka } : {}) },
    );
    results = await untilAborted(batch, signal);
    // A batch resolves once each of its reads has settled, so nothing is left for the deadline to cut.
    // Not Kafka's: a broker connection still opening is shared with later reads and bounded only by
    // the signal of the read that opened it (kafka-offset-reader.ts), which may have failed already.
    if (first.service !== 'kafka') deadline.clear();
  } catch (error) {
    // The deadline stays armed: a batch that failed part-way may still have calls running, and it
    // cuts them as AbortSignal.timeout did.
    // A read waiting for its role's credentials is waiting for STS, not for the service it reads.
    const failure = signal.aborted && factory.waitingForSts(first.source) ? stsTimeout(first.source.roleArn) : 'call' in firstRequest ? httpTimeout(firstRequest.call, timeoutMs, error) : firstRequest.service === 'kafka' ? kafkaFailure(firstRequest, timeoutMs, error) : toTriggerError(error, {
      operation: `${first.service} read`,
      iamAction: first.service === 'kinesis' ? `kinesis:${kinesisReadOperation(first.source)}` : READ_ACTION[first.service].action,
      resource: READ_ACTION[first.service].resource,
      region: first.source.region,
      target: `${unit.reads.length} ${first.service} read(s)`,
      targetKeys: 'the trigger metadata',
      ...(first.source.roleArn ? { roleArn: first.source.roleArn } : {}),
      signal,
    });
    results = new Map(unit.reads.map((read) => [read.request.key, failure]));
  }
  return new Map(
    unit.reads.map((read) => [read.request.key, results.get(read.request.key) ?? new TriggerError(`no answer for ${read.request.key}`, 'NoReading')]),
  );
}

/** An HTTP trigger's read (prometheus, new-relic) cut off by the read's timeout: where it was going, not an AWS endpoint. */
function httpTimeout(call: HttpCall, timeoutMs: number, error: unknown): TriggerError {
  const where = call.route.kind === 'service-proxy' ? `the Kubernetes API server of cluster ${call.route.cluster} (service proxy ${call.url.split('?')[0]})` : call.url.split('?')[0];
  if (!(error instanceof Error) || (error.name !== 'TimeoutError' && error.name !== 'AbortError')) {
    return new TriggerError(`${call.service} query to ${where} failed: ${error instanceof Error ? error.message : String(error)}`, 'ReadFailed');
  }
  return new TriggerError(`${call.service} query to ${where} did not answer within ${timeoutMs} ms; check that the scaler can reach it (VPC and security groups, or for an in-cluster Service the API server and the Service's pods)`, 'HttpTimeout');
}

/** A Kafka read cut off by the read's timeout (or failed outside the trigger): which brokers, not an AWS endpoint. */
function kafkaFailure(request: Extract<ReadRequest, { service: 'kafka' }>, timeoutMs: number, error: unknown): TriggerError {
  const where = `consumer group ${request.group} at ${request.connection.brokers.join(',')}`;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new TriggerError(`Kafka read for ${where} did not answer within ${timeoutMs} ms; check that the scaler can reach the brokers (VPC subnets and security groups)`, 'KafkaTimeout');
  }
  return new TriggerError(`Kafka read for ${where} failed: ${error instanceof Error ? error.message : String(error)}`, 'KafkaUnreachable');
}

/** Settles with the batch, or rejects when the read's timeout fires first (a stuck socket must not hold the pass). */
function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
