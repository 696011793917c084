/**
 * Benchmark 8, steady state: N ScaledObjects at KEDA's default cadence (pollingInterval 30 s and the
 * HPA's 15 s sync, so four passes a minute) through the pod scaler's real handler, for consecutive
 * scheduled invocations a minute apart, each starting from the state the one before stored. Unlike
 * benchmark 1 (one pass per invocation) it shows what a minute costs once the HPA windows are full:
 * the writes the coalescing and the carried-forward steady state save, the write units each one is
 * billed (item size), the CloudWatch queries read once per period, the log bytes.
 *
 * Every call goes to benchmark 1's servers (+latency each); the invocation's waits between passes
 * are virtual (the clock jumps), so a minute runs in the time of its four passes. The fleet's
 * traffic is benchmark 1's: a third of the queues and every CloudWatch metric change every minute,
 * the rest hold.
 *
 *   npx tsx bench/steady-state.ts [--sizes 10,100,1000] [--minutes 12] [--warmup 6] [--latency 20]
 */
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { InvocationSummary } from '../lambdas/pod-scaler/run-invocation';
import { lambdaEstimate, measureStateItems, startBenchScaler, timedInvocation, type BenchCadence } from './tick-cost';
import { itemBytes } from './support/dynamodb-item-size';
import { isMain, writeResult } from './support/output';
import { flag, MEASURE_ONE, measureInFreshProcess } from './support/fresh-process';
import { formatNumber, formatTable } from './support/table';

/** KEDA's default pollingInterval and the HPA controller's default sync. */
export const KEDA_DEFAULT_CADENCE: BenchCadence = { pollingIntervalSeconds: 30, hpaSyncPeriodSeconds: 15 };
const PASSES_PER_MINUTE = 4;

/** What one minute (one scheduled invocation) cost, averaged over the measured minutes. */
export interface MinuteCost {
  putItems: number;
  /** Write units billed: ceil(item KB) per PutItem. */
  writeUnits: number;
  bytesWritten: number;
  /** Objects scaled (each one is a claim PutItem, written at once). */
  scaled: number;
  batchGetItems: number;
  /** Read units billed: ceil(item / 4 KB) per item read consistently. */
  readUnits: number;
  getMetricDataQueries: number;
  sqsCalls: number;
  kinesisCalls: number;
  kubernetesCalls: number;
  lambdaInvokes: number;
  logBytes: number;
  /** Evaluations not started because a pass would have run past the deadline (an overloaded machine). */
  skippedForDeadline: number;
  /** The invocation's passes (its waits are virtual): wall and CPU. */
  wallMs: number;
  cpuMs: number;
}

export interface SteadyStateRow {
  size: number;
  latencyMs: number;
  minutes: number;
  warmup: number;
  perMinute: MinuteCost;
  /** PutItems per measured minute, in order (shows the cycle of the fleet's traffic). */
  putItemsByMinute: number[];
  /** One pass's time on a 512 MB Lambda: the invocation's wall plus CPU stretched to 512/1769 of a vCPU, over its passes. */
  lambdaPassEstimateMs: number;
  stateItemBytes: { mean: number; max: number };
}

/**
 * Counts PutItem write units and BatchGetItem read units at the client's transport, as DynamoDB
 * bills them: the JSON of each request and answer on the wire, whichever path sent it (the SDK's
 * middleware, or the direct JSON-protocol path, lambdas/adapters/aws/json-rpc/, which skips that
 * middleware: a meter there would see nothing, and middleware added to the client would send it
 * back to the SDK and measure the wrong path).
 */
function meterDynamoDb(client: DynamoDBClient): { reset(): { writeUnits: number; bytesWritten: number; readUnits: number } } {
  let writeUnits = 0;
  let bytesWritten = 0;
  let readUnits = 0;
  type Answer = { response: { body: unknown } };
  const transport = client.config.requestHandler as unknown as { handle(request: { headers: Record<string, string>; body?: unknown }, options?: unknown): Promise<Answer> };
  const handle = transport.handle.bind(transport);
  transport.handle = async (request, options) => {
    const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1];
    if (operation === 'PutItem' && typeof request.body === 'string') {
      const bytes = itemBytes((JSON.parse(request.body) as { Item: Record<string, AttributeValue> }).Item);
      bytesWritten += bytes;
      writeUnits += Math.max(1, Math.ceil(bytes / 1024));
    }
    const answer = await handle(request, options);
    if (operation !== 'BatchGetItem') return answer;
    // Read the answer here and hand the caller the same bytes.
    const chunks: Buffer[] = [];
    for await (const chunk of answer.response.body as AsyncIterable<Buffer>) chunks.push(chunk);
    const text = Buffer.concat(chunks);
    const responses = (JSON.parse(text.toString('utf8')) as { Responses?: Record<string, Record<string, AttributeValue>[]> }).Responses ?? {};
    for (const items of Object.values(responses)) for (const item of items) readUnits += Math.max(1, Math.ceil(itemBytes(item) / 4096));
    answer.response.body = Readable.from([text]);
    return answer;
  };
  return {
    reset: () => {
      const totals = { writeUnits, bytesWritten, readUnits };
      writeUnits = 0;
      bytesWritten = 0;
      readUnits = 0;
      return totals;
    },
  };
}

const mean = (values: number[]) => (values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length);
const sum = (record: Record<string, number>) => Object.values(record).reduce((total, value) => total + value, 0);

export async function measureSteadyState(size: number, latencyMs: number, minutes: number, warmup: number): Promise<SteadyStateRow> {
  const scaler = await startBenchScaler(size, latencyMs, { cadence: KEDA_DEFAULT_CADENCE, virtualSleep: true });
  const { handler, servers, dynamoDb, clock, lambda } = scaler;
  const meter = meterDynamoDb(dynamoDb);
  const measured: MinuteCost[] = [];
  const firstMinute = Date.now();
  let stateItemBytes: { mean: number; max: number };
  try {
    for (let minute = 0; minute < minutes; minute++) {
      // Each invocation starts exactly a minute after the one before, as EventBridge schedules it.
      clock.offset = firstMinute + minute * 60_000 - Date.now();
      await servers.startTick(minute);
      lambda.resetHistory();
      meter.reset();
      const { summary, bytes, wallMs, cpuMs } = await timedInvocation(handler, { source: 'aws.scheduler' });
      check(summary, size, minute);
      const counts = await servers.counts();
      const units = meter.reset();
      if (minute < warmup) continue;
      measured.push({
        putItems: counts.dynamodb.PutItem ?? 0,
        writeUnits: units.writeUnits,
        bytesWritten: units.bytesWritten,
        scaled: summary.scaled,
        batchGetItems: counts.dynamodb.BatchGetItem ?? 0,
        readUnits: units.readUnits,
        getMetricDataQueries: counts.cloudwatchMetrics,
        sqsCalls: sum(counts.sqs),
        kinesisCalls: sum(counts.kinesis),
        kubernetesCalls: sum(counts.kubernetes),
        lambdaInvokes: lambda.commandCalls(InvokeCommand).length,
        logBytes: bytes,
        skippedForDeadline: summary.skippedForDeadline,
        wallMs,
        cpuMs,
      });
    }
    stateItemBytes = await measureStateItems(dynamoDb);
  } finally {
    await scaler.close();
  }
  const perMinute = Object.fromEntries(
    (Object.keys(measured[0]!) as (keyof MinuteCost)[]).map((key) => [key, mean(measured.map((minute) => minute[key]))]),
  ) as unknown as MinuteCost;
  return {
    size,
    latencyMs,
    minutes,
    warmup,
    perMinute,
    putItemsByMinute: measured.map((minute) => minute.putItems),
    lambdaPassEstimateMs: lambdaEstimate(perMinute.wallMs, perMinute.cpuMs) / PASSES_PER_MINUTE,
    stateItemBytes,
  };
}

function check(summary: InvocationSummary, size: number, minute: number): void {
  if (summary.errors > 0) throw new Error(`minute ${minute} at N=${size}: ${summary.errors} objects failed`);
  const failures = summary.stateWrites?.failures ?? [];
  if (failures.length > 0) throw new Error(`minute ${minute} at N=${size}: state writes failed: ${failures[0]}`);
}

const ms = (value: number) => (value >= 10_000 ? `${formatNumber(Math.round(value / 100) / 10)} s` : `${formatNumber(Math.round(value))} ms`);
const per = (value: number) => formatNumber(Math.round(value * 10) / 10);

export function steadyStateTable(rows: readonly SteadyStateRow[], title?: string): string {
  return formatTable(
    title ??
      `Steady state: consecutive scheduled invocations at pollingInterval 30 s + HPA sync 15 s (4 passes a minute), every call +${rows[0]?.latencyMs ?? 0} ms; per minute, mean over the minutes after the warm-up`,
    ['N', 'minutes (warm-up)', 'PutItem', 'of which claims', 'WRU', 'bytes/PutItem', 'item max', 'BatchGetItem', 'RRU', 'GetMetricData queries', 'SQS', 'log bytes', 'skipped', 'wall (4 passes)', 'CPU', '512 MB est./pass'],
    rows.map((row) => [
      row.size,
      `${row.minutes} (${row.warmup})`,
      per(row.perMinute.putItems),
      per(row.perMinute.scaled),
      per(row.perMinute.writeUnits),
      row.perMinute.putItems > 0 ? formatNumber(Math.round(row.perMinute.bytesWritten / row.perMinute.putItems)) : '-',
      `${formatNumber(row.stateItemBytes.max)} B`,
      per(row.perMinute.batchGetItems),
      per(row.perMinute.readUnits),
      per(row.perMinute.getMetricDataQueries),
      per(row.perMinute.sqsCalls),
      formatNumber(Math.round(row.perMinute.logBytes)),
      per(row.perMinute.skippedForDeadline),
      ms(row.perMinute.wallMs),
      ms(row.perMinute.cpuMs),
      ms(row.lambdaPassEstimateMs),
    ]),
  );
}

/** Each size in a fresh process, like a fresh Lambda container (and so RSS and caches start clean). */
export async function runSteadyState(options: { sizes: number[]; latencyMs: number; minutes: number; warmup: number }): Promise<SteadyStateRow[]> {
  const rows: SteadyStateRow[] = [];
  for (const size of options.sizes) {
    const args = [String(size), String(options.latencyMs), String(options.minutes), String(options.warmup)];
    rows.push(await measureInFreshProcess<SteadyStateRow>(import.meta.url, args, `steady-state N=${size}`));
  }
  return rows;
}


if (isMain(import.meta.url) && process.argv[2] === MEASURE_ONE) {
  const [size, latency, minutes, warmup] = process.argv.slice(3).map(Number);
  process.send?.(await measureSteadyState(size!, latency!, minutes!, warmup!));
  process.disconnect?.();
} else if (isMain(import.meta.url)) {
  const began = performance.now();
  const rows = await runSteadyState({
    sizes: (flag('sizes') ?? '10,100,1000').split(',').map(Number),
    latencyMs: Number(flag('latency') ?? 20),
    minutes: Number(flag('minutes') ?? 12),
    warmup: Number(flag('warmup') ?? 6),
  });
  console.log(steadyStateTable(rows));
  console.log(`in ${((performance.now() - began) / 1000).toFixed(0)} s`);
  await writeResult(flag('out') ?? 'steady-state', rows);
}
