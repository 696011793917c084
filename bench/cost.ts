/**
 * Benchmark 5, what a month costs in steady state at N = 10, 100, 1,000 and 10,000 ScaledObjects,
 * ours against KEDA + HPA without and with `useCachedMetrics`, at us-east-1 list prices
 * (bench/cost/prices.ts, dated). Our side is computed from what was MEASURED on the bench fleet:
 * benchmark 8's steady-state minutes (bench/steady-state.ts: PutItems and the write units their item
 * sizes bill, read units, GetMetricData queries, SQS calls, log bytes, the four-pass invocation) where
 * it ran, else benchmark 1's one pass with the coalescing applied by rule; nothing is assumed per
 * call except its price.
 *
 * Cadence: KEDA's default pollingInterval (30 s) and the HPA's 15 s sync, so the pod scaler makes a
 * pass every 15 s (4 a minute, every object in each) and KEDA + HPA read each AWS trigger every
 * 30 s (KEDA's loop) plus every 15 s (the HPA's metric request) unless `useCachedMetrics`. Every
 * object is taken to be above 0 replicas (the HPA asks nothing at 0: KEDA + HPA would read less).
 * N = 10,000 is ten shards of the N = 1,000 measurement: the pod scaler fans out at 1,000 objects
 * per invocation, and the fleet's mix repeats every 20 objects.
 *
 *   npx tsx bench/cost.ts [--steady a.json,b.json] [--steady-before c.json]
 *   (uses bench/out/tick-cost.json, or measures it first, and bench/out/steady-state.json if present)
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildFleet, CLOUDWATCH_PERIOD_SECONDS } from './tick-cost/fleet';
import { LAMBDA_MEMORY_MB, runTickCost, type TickCostRow } from './tick-cost';
import { DEFAULT_MAX_OBJECTS_PER_INVOCATION } from '../lambdas/pod-scaler/production-runtime';
import { customMetricsMonthly, GIB, HOURS_PER_MONTH, MINUTES_PER_MONTH, PRICE_TABLE } from './cost/prices';
import { OUT_DIR, isMain, writeResult } from './support/output';
import { flag } from './support/fresh-process';
import type { SteadyStateRow } from './steady-state';
import { measureKinesisRate, type KinesisRateRow } from './kinesis-rate';
import { formatNumber, formatTable } from './support/table';
import { EARLY_WAKE_MS } from '../lambdas/pod-scaler/parked-windows';

export const COST_SIZES = [10, 100, 1000, 10_000];
const PASSES_PER_MINUTE = 4;
export type PassHandoverMode = 'queue' | 'sleep';
/** A sleeping invocation runs its passes at 0, 15, 30 and 45 s and sleeps between them: Lambda bills it all. */
const LAST_PASS_OFFSET_S = 45;
/**
 * A parked window (passHandover 'queue', the default; lambdas/pod-scaler/parked-windows.ts) is
 * billed for its four passes and, before each of the three later ones, the early wake it sleeps
 * (counted whole: the queue's delivery latency, which shortens it, is not published).
 */
const HANDOVERS_PER_MINUTE = PASSES_PER_MINUTE - 1;
/**
 * SQS requests of the hand-over queue a minute: per hand-over a SendMessage, the mapping's
 * ReceiveMessage that returns it and its DeleteMessage; and the mapping's long polls of the idle
 * queue, which AWS does not publish: 5 pollers, each one 20 s poll at a time, assumed (15 a minute).
 */
const HANDOVER_SQS_REQUESTS_PER_MINUTE = HANDOVERS_PER_MINUTE * 3 + 15;
/**
 * A CloudWatch query is read once per metric period (lambdas/adapters/aws/read-plan.ts, proven in
 * test/adapters/aws/read-plan.test.ts); each bench pass is in a new minute, so a pass measures the
 * queries of one period.
 */
const CLOUDWATCH_READS_PER_MINUTE = 60 / CLOUDWATCH_PERIOD_SECONDS;
const KEDA_POLLS_PER_MINUTE = 2;
const HPA_REQUESTS_PER_MINUTE = 4;
/** Per cluster: the pod scaler's 6 counts (ClusterMetricName in lambdas/util/scaler-metrics.ts). */
const AGGREGATE_METRICS_PER_CLUSTER = 6;
/** Before they became opt-in: 8 metrics per object (ObjectMetricName). */
const PER_OBJECT_METRICS = 8;
/** A busy object's item in format 1 (before issue 13's item trimming), as bench 1 measured it: 1.2-1.6 KB, 2 write units. */
const FORMAT_1_ITEM_BYTES = 1_300;
/** Pod scaler Errors and Throttles, the dead-letter queue; plus fallback and pinned-at-max per cluster. */
const SCALER_ALARMS = 3;
const ALARMS_PER_CLUSTER = 2;
const CONTRIBUTOR_RULES = 2;
const SCHEDULES = 1;
const CLUSTERS = 1;
/** KEDA's Helm chart defaults: operator, metrics API server, admission webhooks, 100m and 100Mi each. */
const KEDA_PODS = { count: 3, millicores: 100, mebibytes: 100 };

export interface OurCost {
  lambdaCompute: number;
  /** The pass hand-over queue's SQS requests (0 when the window sleeps). */
  passHandover: number;
  /** Kinesis readings stored for cold shards (DynamoDB writes and loads; bench/kinesis-rate.ts): only streams read through an assumed role use them. */
  kinesisReadingStore: number;
  lambdaRequests: number;
  dynamoDbWrites: number;
  dynamoDbReads: number;
  getMetricData: number;
  sqs: number;
  kinesis: number;
  customMetrics: number;
  alarms: number;
  contributorInsights: number;
  logs: number;
  scheduler: number;
}

export interface KedaCost {
  sqs: number;
  getMetricData: number;
  kinesis: number;
  nodeCapacity: number;
}

export interface CostRow {
  size: number;
  /** The measured row this size is computed from, and how many shards of it. */
  measuredSize: number;
  shards: number;
  ours: OurCost;
  oursTotal: number;
  /** Before this issue's changes: per-object metrics and alarms, CloudWatch re-read every pass. */
  oursBefore: { customMetrics: number; alarms: number; getMetricData: number; dynamoDbWrites: number; total: number; dynamoDbWritesCoalesced?: number; lambdaSleeping: number };
  /** How the windows waited between passes: parked (queue) unless sharded or asked to sleep. */
  passHandover: PassHandoverMode;
  keda: KedaCost;
  kedaTotal: number;
  kedaCached: KedaCost;
  kedaCachedTotal: number;
  /**
   * Kinesis calls per second, averaged. Ours is what bench/kinesis-rate.ts measured for this N: for
   * the bench fleet, read with the scaler's own role, ListShards (`api`; its quota is per stream);
   * given only assumed-role rows, DescribeStreamSummary under the account's limit of 20 (`limited`;
   * warm containers, `oursCold` a fresh container every minute). Unmeasured: the measured minute's
   * rate times the shards. KEDA + HPA read DescribeStreamSummary.
   */
  kinesisPerSecond: { ours: number; oursCold?: number; limited: boolean; api: 'ListShards' | 'DescribeStreamSummary'; keda: number; kedaCached: number };
  inputs: { source: OurMinute['source']; invocationSeconds: number; writeUnitsPerPut: number; putItemsPerMinute: number; logGbPerMonth: number; metricsPerMinute: number };
}

const total = (record: object) => Object.values(record).reduce((sum: number, value) => sum + (value as number), 0);

/**
 * A minute as our side bills it: from benchmark 8 (bench/steady-state.ts: four real passes a minute,
 * after the HPA windows filled) when it measured this shard size, else from benchmark 1's one pass
 * with the coalescing applied by rule (the minute's PutItems = the pass's plus the other three
 * passes' claims; GetMetricData once per period; SQS every pass).
 */
interface OurMinute {
  source: 'steady-state' | 'one-pass';
  /** The sleeping invocation: 45 s of passes and sleeps, then the last pass. */
  invocationSeconds: number;
  /** One pass's estimate at 512 MB. */
  passSeconds: number;
  writeUnits: number;
  putItems: number;
  readUnits: number;
  getMetricDataQueries: number;
  sqsCalls: number;
  kinesisCalls: number;
  lambdaInvokes: number;
  logBytes: number;
}

function ourMinute(measured: TickCostRow, steady: SteadyStateRow | undefined): OurMinute {
  // Lambda bills the whole invocation: passes at 0, 15, 30 and 45 s, the sleeps between, the last pass.
  if (steady) {
    const minute = steady.perMinute;
    return {
      source: 'steady-state',
      invocationSeconds: LAST_PASS_OFFSET_S + steady.lambdaPassEstimateMs / 1000,
      passSeconds: steady.lambdaPassEstimateMs / 1000,
      writeUnits: minute.writeUnits,
      putItems: minute.putItems,
      readUnits: minute.readUnits,
      getMetricDataQueries: minute.getMetricDataQueries,
      sqsCalls: minute.sqsCalls,
      kinesisCalls: minute.kinesisCalls,
      lambdaInvokes: minute.lambdaInvokes,
      logBytes: minute.logBytes,
    };
  }
  const putItems = (measured.dynamodbByOperation.PutItem ?? 0) + measured.scaledPerTick * (PASSES_PER_MINUTE - 1);
  return {
    source: 'one-pass',
    invocationSeconds: LAST_PASS_OFFSET_S + measured.lambdaEstimateMs / 1000,
    passSeconds: measured.lambdaEstimateMs / 1000,
    writeUnits: putItems * Math.ceil(measured.stateItemBytes.max / 1024),
    putItems,
    // Every pass loads every object's item (BatchGetItem, consistent: 1 RRU per 4 KB).
    readUnits: measured.size * PASSES_PER_MINUTE * Math.ceil(measured.stateItemBytes.max / 4096),
    getMetricDataQueries: measured.cloudwatchMetrics * CLOUDWATCH_READS_PER_MINUTE,
    sqsCalls: measured.calls.sqs * PASSES_PER_MINUTE,
    kinesisCalls: measured.calls.kinesis * PASSES_PER_MINUTE,
    lambdaInvokes: measured.calls.lambda * PASSES_PER_MINUTE,
    logBytes: measured.logBytes * PASSES_PER_MINUTE,
  };
}

/**
 * @param steady benchmark 8's row for this shard size, if measured.
 * @param steadyBefore the same measured on the code before item format 2 and carried-forward
 *   steady states, to show what they saved.
 */
export function costFor(
  size: number,
  measured: TickCostRow,
  steady?: SteadyStateRow,
  steadyBefore?: SteadyStateRow,
  kinesisRates: readonly KinesisRateRow[] = [],
  handoverMode: PassHandoverMode = 'queue',
): CostRow {
  const shards = Math.max(1, Math.ceil(size / DEFAULT_MAX_OBJECTS_PER_INVOCATION));
  if (measured.size * shards !== size) throw new Error(`N=${size} needs a measured row of ${size / shards} objects, got ${measured.size}`);
  if (steady && steady.size !== measured.size) throw new Error(`N=${size}: the steady-state row is for ${steady.size} objects, not ${measured.size}`);
  const passesPerMonth = MINUTES_PER_MONTH * PASSES_PER_MINUTE;
  const invocationsPerMonth = MINUTES_PER_MONTH * shards;
  const minute = ourMinute(measured, steady);
  // Shards sleep whatever the setting (run-invocation.ts): their hand-overs would cross containers.
  const passHandover: PassHandoverMode = shards > 1 ? 'sleep' : handoverMode;
  const parkedSeconds = PASSES_PER_MINUTE * minute.passSeconds + HANDOVERS_PER_MINUTE * (EARLY_WAKE_MS / 1000);
  const invocationSeconds = passHandover === 'queue' ? parkedSeconds : minute.invocationSeconds;
  const handoverInvocations = passHandover === 'queue' ? HANDOVERS_PER_MINUTE * MINUTES_PER_MONTH : 0;
  const writeUnitsPerPut = minute.putItems > 0 ? minute.writeUnits / minute.putItems : 0;
  const perMonth = (perPass: number) => perPass * shards * passesPerMonth;
  const monthly = (perMinute: number) => perMinute * shards * MINUTES_PER_MONTH;
  const logGbPerMonth = monthly(minute.logBytes) / GIB;

  const ours: OurCost = {
    lambdaCompute: invocationsPerMonth * invocationSeconds * (LAMBDA_MEMORY_MB / 1024) * PRICE_TABLE.lambdaGbSecond,
    passHandover: passHandover === 'queue' ? HANDOVER_SQS_REQUESTS_PER_MINUTE * MINUTES_PER_MONTH * PRICE_TABLE.sqsPerRequest : 0,
    lambdaRequests: (invocationsPerMonth + handoverInvocations + monthly(minute.lambdaInvokes)) * PRICE_TABLE.lambdaPerRequest,
    dynamoDbWrites: monthly(minute.writeUnits) * PRICE_TABLE.dynamoDbPerWriteUnit,
    dynamoDbReads: monthly(minute.readUnits) * PRICE_TABLE.dynamoDbPerReadUnit,
    getMetricData: monthly(minute.getMetricDataQueries) * PRICE_TABLE.getMetricDataPerMetric,
    sqs: monthly(minute.sqsCalls) * PRICE_TABLE.sqsPerRequest,
    kinesis: 0,
    kinesisReadingStore: kinesisRates.find((rate) => rate.size === size && (rate.mode === 'own-role' || rate.mode === 'cold-stored'))?.storeMonthlyDollars ?? 0,
    customMetrics: customMetricsMonthly(AGGREGATE_METRICS_PER_CLUSTER * CLUSTERS),
    alarms: (SCALER_ALARMS + ALARMS_PER_CLUSTER * CLUSTERS) * PRICE_TABLE.alarmMetricMonth,
    // Steady state: no object in fallback or at max, so no attention line is matched.
    contributorInsights: CONTRIBUTOR_RULES * PRICE_TABLE.contributorInsightsRuleMonth,
    logs: logGbPerMonth * PRICE_TABLE.logsPerGb,
    scheduler: Math.max(0, SCHEDULES * MINUTES_PER_MONTH - PRICE_TABLE.schedulerFreeInvocationsPerMonth) * PRICE_TABLE.schedulerPerInvocation,
  };
  const oursTotal = total(ours);
  const beforeMetrics = customMetricsMonthly(PER_OBJECT_METRICS * size);
  const beforeAlarms = (SCALER_ALARMS + 2 * size) * PRICE_TABLE.alarmMetricMonth;
  const beforeReads = perMonth(measured.cloudwatchMetrics) * PRICE_TABLE.getMetricDataPerMetric;
  // Before coalescing, every evaluation wrote its object's item (format 1: 2 write units at these
  // sizes): one PutItem per object per pass.
  const beforeWrites = perMonth(measured.size) * Math.ceil(FORMAT_1_ITEM_BYTES / 1024) * PRICE_TABLE.dynamoDbPerWriteUnit;
  const lambdaSleeping = invocationsPerMonth * minute.invocationSeconds * (LAMBDA_MEMORY_MB / 1024) * PRICE_TABLE.lambdaGbSecond;
  const oursBefore = {
    customMetrics: beforeMetrics,
    alarms: beforeAlarms,
    getMetricData: beforeReads,
    dynamoDbWrites: beforeWrites,
    ...(steadyBefore ? { dynamoDbWritesCoalesced: monthly(steadyBefore.perMinute.writeUnits) * PRICE_TABLE.dynamoDbPerWriteUnit } : {}),
    lambdaSleeping,
    total:
      oursTotal - ours.customMetrics - ours.alarms - ours.contributorInsights - ours.getMetricData - ours.dynamoDbWrites +
      beforeMetrics + beforeAlarms + beforeReads + beforeWrites +
      // Before the hand-over: one invocation a minute, sleeping between its passes.
      (lambdaSleeping - ours.lambdaCompute) - ours.passHandover - handoverInvocations * PRICE_TABLE.lambdaPerRequest,
  };

  const fleet = buildFleet(size);
  const triggersOf = (type: string) => fleet.objects.reduce((count, object) => count + object.triggers.filter((trigger) => trigger.type === type).length, 0);
  const kedaFor = (readsPerMinute: number): KedaCost => ({
    sqs: triggersOf('aws-sqs-queue') * readsPerMinute * MINUTES_PER_MONTH * PRICE_TABLE.sqsPerRequest,
    getMetricData: triggersOf('aws-cloudwatch') * readsPerMinute * MINUTES_PER_MONTH * PRICE_TABLE.getMetricDataPerMetric,
    kinesis: 0,
    nodeCapacity: kedaNodeShare() * PRICE_TABLE.nodeHour * HOURS_PER_MONTH,
  });
  const keda = kedaFor(KEDA_POLLS_PER_MINUTE + HPA_REQUESTS_PER_MINUTE);
  const kedaCached = kedaFor(KEDA_POLLS_PER_MINUTE);
  const kinesisTriggers = triggersOf('aws-kinesis-stream');
  const limitedRate = (mode: KinesisRateRow['mode']) => kinesisRates.find((rate) => rate.size === size && rate.mode === mode)?.averagePerSecond;
  const ownRoleRate = limitedRate('own-role');
  const warmRate = ownRoleRate === undefined ? limitedRate('warm') : undefined;
  const coldRate = ownRoleRate === undefined ? limitedRate('cold') : undefined;
  return {
    size,
    measuredSize: measured.size,
    shards,
    ours,
    oursTotal,
    oursBefore,
    passHandover,
    keda,
    kedaTotal: total(keda),
    kedaCached,
    kedaCachedTotal: total(kedaCached),
    kinesisPerSecond: {
      ours: ownRoleRate ?? warmRate ?? (minute.kinesisCalls * shards) / 60,
      ...(coldRate === undefined ? {} : { oursCold: coldRate }),
      limited: warmRate !== undefined,
      api: warmRate === undefined ? 'ListShards' : 'DescribeStreamSummary',
      keda: (kinesisTriggers * (KEDA_POLLS_PER_MINUTE + HPA_REQUESTS_PER_MINUTE)) / 60,
      kedaCached: (kinesisTriggers * KEDA_POLLS_PER_MINUTE) / 60,
    },
    inputs: { source: minute.source, invocationSeconds, writeUnitsPerPut, putItemsPerMinute: minute.putItems * shards, logGbPerMonth, metricsPerMinute: minute.getMetricDataQueries * shards },
  };
}

/** The share of a node KEDA's pods hold: their requests against its allocatable, by the scarcer resource. */
function kedaNodeShare(): number {
  const cpu = (KEDA_PODS.count * KEDA_PODS.millicores) / PRICE_TABLE.nodeAllocatableMillicores;
  const memory = (KEDA_PODS.count * KEDA_PODS.mebibytes) / PRICE_TABLE.nodeAllocatableMiB;
  return Math.max(cpu, memory);
}

/** The measured row each size is computed from: itself, or above one invocation's share, one shard's. */
function measuredRowFor(size: number, rows: readonly TickCostRow[]): TickCostRow | undefined {
  const shardSize = Math.min(size, DEFAULT_MAX_OBJECTS_PER_INVOCATION);
  return rows.find((row) => row.connections === 'pooled' && row.size === shardSize && row.stateItemBytes !== undefined);
}

export function costRowsFrom(tick: readonly TickCostRow[], steady: readonly SteadyStateRow[] = [], steadyBefore: readonly SteadyStateRow[] = [], kinesisRates: readonly KinesisRateRow[] = []): CostRow[] {
  return COST_SIZES.flatMap((size) => {
    const measured = measuredRowFor(size, tick);
    if (!measured) return [];
    const bySize = (rows: readonly SteadyStateRow[]) => rows.find((row) => row.size === measured.size);
    return [costFor(size, measured, bySize(steady), bySize(steadyBefore), kinesisRates)];
  });
}

const usd = (value: number) => (value >= 100 ? `$${formatNumber(Math.round(value))}` : `$${value.toFixed(2)}`);
const perSecond = (value: number) => `$0 (${value.toFixed(1)}/s)`;

export function costTable(rows: readonly CostRow[]): string {
  const lines: string[][] = [];
  const item = (label: string, pick: (row: CostRow) => string) => lines.push([label, ...rows.map(pick)]);
  item('ours: Lambda GB-s (512 MB; parked: passes + early wakes; sharded: whole minute)', (row) => `${usd(row.ours.lambdaCompute)}${row.passHandover === 'sleep' ? ' (sleeps)' : ''}`);
  item('ours: SQS pass hand-over (sends, mapping polls, deletes)', (row) => usd(row.ours.passHandover));
  item('ours: Lambda requests', (row) => usd(row.ours.lambdaRequests));
  item('ours: DynamoDB writes (changed state once a minute + claims)', (row) => usd(row.ours.dynamoDbWrites));
  item('ours: DynamoDB reads', (row) => usd(row.ours.dynamoDbReads));
  item('ours: GetMetricData metrics (once per 60 s period)', (row) => usd(row.ours.getMetricData));
  item('ours: SQS requests', (row) => usd(row.ours.sqs));
  item('ours: Kinesis (free; calls/s: ListShards per stream, or DescribeStreamSummary under 20/s warm; cold)', (row) =>
    row.kinesisPerSecond.limited
      ? `${perSecond(row.kinesisPerSecond.ours)}${row.kinesisPerSecond.oursCold === undefined ? '' : `; ${row.kinesisPerSecond.oursCold.toFixed(1)}/s`}`
      : `${perSecond(row.kinesisPerSecond.ours)} ${row.kinesisPerSecond.api}`,
  );
  item('ours: stored Kinesis readings for cold shards (DynamoDB)', (row) => usd(row.ours.kinesisReadingStore));
  item('ours: custom metrics (per cluster)', (row) => usd(row.ours.customMetrics));
  item('ours: alarms (per cluster)', (row) => usd(row.ours.alarms));
  item('ours: Contributor Insights rules', (row) => usd(row.ours.contributorInsights));
  item('ours: logs', (row) => usd(row.ours.logs));
  item('ours: Scheduler (within free tier)', (row) => usd(row.ours.scheduler));
  item('OURS TOTAL', (row) => usd(row.oursTotal));
  item('  before: per-object metrics + alarms', (row) => usd(row.oursBefore.customMetrics + row.oursBefore.alarms));
  item('  before: GetMetricData every 15 s pass', (row) => usd(row.oursBefore.getMetricData));
  item('  before: a PutItem per object per pass', (row) => usd(row.oursBefore.dynamoDbWrites));
  item('  before: Lambda sleeping between passes (passHandover: sleep)', (row) => usd(row.oursBefore.lambdaSleeping));
  if (rows.some((row) => row.oursBefore.dynamoDbWritesCoalesced !== undefined)) {
    item('  before: coalesced, format 1, no carried state', (row) => (row.oursBefore.dynamoDbWritesCoalesced === undefined ? '-' : usd(row.oursBefore.dynamoDbWritesCoalesced)));
  }
  item('  before: total', (row) => usd(row.oursBefore.total));
  item('KEDA+HPA: SQS requests', (row) => usd(row.keda.sqs));
  item('KEDA+HPA: GetMetricData metrics', (row) => usd(row.keda.getMetricData));
  item('KEDA+HPA: Kinesis (free; calls/s, limit 20/s)', (row) => perSecond(row.kinesisPerSecond.keda));
  item('KEDA+HPA: node share of KEDA pods', (row) => usd(row.keda.nodeCapacity));
  item('KEDA+HPA TOTAL', (row) => usd(row.kedaTotal));
  item('KEDA+HPA cached: SQS requests', (row) => usd(row.kedaCached.sqs));
  item('KEDA+HPA cached: GetMetricData metrics', (row) => usd(row.kedaCached.getMetricData));
  item('KEDA+HPA cached: Kinesis (calls/s)', (row) => perSecond(row.kinesisPerSecond.kedaCached));
  item('KEDA+HPA cached: node share of KEDA pods', (row) => usd(row.kedaCached.nodeCapacity));
  item('KEDA+HPA useCachedMetrics TOTAL', (row) => usd(row.kedaCachedTotal));
  item('ours / KEDA+HPA useCachedMetrics (goal at 1,000: <= 0.5)', (row) => `${(row.oursTotal / row.kedaCachedTotal).toFixed(2)}x`);
  item('ours the lowest of the three?', (row) => (row.oursTotal < Math.min(row.kedaTotal, row.kedaCachedTotal) ? 'yes' : 'no'));
  item('inputs: minute from', (row) => row.inputs.source);
  item('inputs: invocation s, PutItem/min, WRU per PutItem, log GB/month', (row) =>
    `${row.inputs.invocationSeconds.toFixed(1)} s, ${formatNumber(Math.round(row.inputs.putItemsPerMinute))}, ${row.inputs.writeUnitsPerPut.toFixed(2)}, ${row.inputs.logGbPerMonth.toFixed(2)}`,
  );
  item('measured N x shards', (row) => `${formatNumber(row.measuredSize)} x ${row.shards}`);
  return formatTable(
    `Monthly cost in steady state, ${PRICE_TABLE.region} list prices of ${PRICE_TABLE.date} (pollingInterval 30 s, HPA sync 15 s; ours from measured counts)`,
    ['line item', ...rows.map((row) => `N = ${formatNumber(row.size)}`)],
    lines,
  );
}

/** Benchmark 8's rows from bench/out (`steady-state*.json`, or the files named), none if not measured. */
async function steadyStateRows(files: string[]): Promise<SteadyStateRow[]> {
  const rows: SteadyStateRow[] = [];
  for (const file of files) {
    try {
      rows.push(...(JSON.parse(await readFile(file, 'utf8')) as { data: SteadyStateRow[] }).data);
    } catch {
      // not measured: the one-pass rule stands in
    }
  }
  return rows;
}

/** The read plan's Kinesis calls a second for the bench fleet at each N: its triggers read with the scaler's own role (virtual time: about a second each). */
export async function kinesisRatesFor(sizes: readonly number[]): Promise<KinesisRateRow[]> {
  const rows: KinesisRateRow[] = [];
  for (const size of sizes) rows.push(await measureKinesisRate(size, 'own-role'));
  return rows;
}

async function tickCostRows(): Promise<TickCostRow[]> {
  try {
    const saved = JSON.parse(await readFile(join(OUT_DIR, 'tick-cost.json'), 'utf8')) as { data: TickCostRow[] };
    if (saved.data.some((row) => row.size === DEFAULT_MAX_OBJECTS_PER_INVOCATION && row.stateItemBytes !== undefined)) return saved.data;
  } catch {
    // not measured yet: measured below
  }
  return runTickCost({ sizes: [10, 100, 1000], latencyMs: 20, repeatsFor: () => 2 });
}

if (isMain(import.meta.url)) {
  const files = (list: string | undefined, fallback: string[]) => (list ? list.split(',') : fallback);
  const steady = await steadyStateRows(files(flag('steady'), [join(OUT_DIR, 'steady-state.json')]));
  const steadyBefore = await steadyStateRows(files(flag('steady-before'), []));
  const rows = costRowsFrom(await tickCostRows(), steady, steadyBefore, await kinesisRatesFor(COST_SIZES));
  console.log(costTable(rows));
  await writeResult('cost', rows);
}
