/**
 * The AWS read plan of one pass: every trigger says what it needs read, equal reads are merged,
 * merged reads are grouped by service, source and (CloudWatch) window and cut into API calls, and the
 * calls run concurrently under a bound, each under its own timeout. A failed read fails only the
 * triggers that share it. The number of calls is the number of distinct queues and streams plus
 * ceil(queries / 500) per CloudWatch window, plus one AssumeRole per role whose credentials are stale.
 */
import type { ReadPlanOutcome, TriggerReader, TriggerReadItem } from '../../pod-scaler/tick-types';
import { sourceKey } from '../../triggers/aws-common';
import { CLOUDWATCH_QUERIES_PER_CALL } from '../../triggers/aws-cloudwatch';
import { getTriggerDefinition } from '../../triggers/registry';
import { TriggerError, type Reading, type ReadRequest, type TriggerDefinition } from '../../triggers/trigger-definition';
import { mapWithConcurrency } from '../../util/map-with-concurrency';
import { DEFAULT_CALL_TIMEOUT_MS, type AwsClientFactory } from './aws-client-factory';
import { toTriggerError } from './aws-errors';
import { countAwsCalls } from './call-counter';

export interface TriggerReaderOptions {
  clientFactory: AwsClientFactory;
  /** Calls in flight at once (default 16). */
  concurrency?: number;
  /** Longest one read may take, retries and credential refresh included, ms (default 5000). */
  callTimeoutMs?: number;
}

export const DEFAULT_READ_CONCURRENCY = 16;

/** How many merged requests one API call carries. */
const REQUESTS_PER_CALL: Record<ReadRequest['service'], number> = { sqs: 1, kinesis: 1, cloudwatch: CLOUDWATCH_QUERIES_PER_CALL, dynamodb: 1, dynamodbstreams: 1 };

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
  return async (items, now): Promise<ReadPlanOutcome> => {
    const { result: readings, calls } = await countAwsCalls(async () => {
      const readings = new Map<string, Reading | TriggerError | undefined>();
      const shared = planReads(items, now, readings);
      const units = cutIntoCalls(shared);
      await mapWithConcurrency(units, concurrency, (unit) => runUnit(unit, options.clientFactory, callTimeoutMs, readings));
      return readings;
    });
    return { readings, calls };
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
      request = definition.readRequest(item.trigger, now);
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
    const group = `${request.service}|${read.definition.type}|${sourceKey(request.source)}${window}`;
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
  kinesis: { action: 'kinesis:DescribeStreamSummary', resource: 'the streams these triggers name' },
  cloudwatch: { action: 'cloudwatch:GetMetricData', resource: '*' },
  dynamodb: { action: 'dynamodb:Query', resource: 'the tables (and indexes) these triggers name' },
  dynamodbstreams: { action: 'dynamodb:DescribeTable and dynamodb:DescribeStream', resource: 'the tables these triggers name and their streams' },
};

async function runUnit(unit: CallUnit, factory: AwsClientFactory, timeoutMs: number, readings: Map<string, Reading | TriggerError | undefined>): Promise<void> {
  const first = (unit.reads[0] as SharedRead).request;
  const signal = AbortSignal.timeout(timeoutMs);
  let results: Map<string, Reading | TriggerError>;
  try {
    if (!unit.definition.readBatch) throw new TriggerError(`trigger type ${unit.definition.type} cannot read from AWS`, 'NoReader');
    const batch = unit.definition.readBatch(
      unit.reads.map((read) => read.request),
      factory.forSource(first.source),
      { signal },
    );
    results = await untilAborted(batch, signal);
  } catch (error) {
    const failure = toTriggerError(error, {
      operation: `${first.service} read`,
      iamAction: READ_ACTION[first.service].action,
      resource: READ_ACTION[first.service].resource,
      region: first.source.region,
      target: `${unit.reads.length} ${first.service} read(s)`,
      targetKeys: 'the trigger metadata',
      ...(first.source.roleArn ? { roleArn: first.source.roleArn } : {}),
      signal,
    });
    results = new Map(unit.reads.map((read) => [read.request.key, failure]));
  }
  for (const read of unit.reads) {
    const result = results.get(read.request.key) ?? new TriggerError(`no answer for ${read.request.key}`, 'NoReading');
    for (const id of read.itemIds) readings.set(id, result);
  }
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
