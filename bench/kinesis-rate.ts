/**
 * Benchmark 8, Kinesis reads against their quotas (issue 13 goal 8). The bench fleet's streams (two
 * objects per stream, so N / 20 streams) are read through the real read plan, one reader per shard
 * invocation (1,000 objects each), every 15 s pass for ten minutes of virtual time (a pass that
 * overruns delays the next, as in the tick). The stream answers at once and each call is stamped
 * with a discrete-event clock, on which the shards' token waits overlap as they would in real time,
 * without taking any.
 *
 * Rows:
 * - `own role`: the fleet as the bench writes it, read with the scaler's own role: ListShards, whose
 *   quota is 1,000 calls a second per stream (aws-kinesis-stream.ts). The limit and the store are
 *   wired as in production, in cold containers, and stay unused.
 * - The same streams read through a role each trigger assumes: DescribeStreamSummary, whose quota is
 *   20 calls a second per account. Without the limit (every stream every pass, as before), and with
 *   it, in warm containers (each shard keeps its reader for the whole run) and in cold ones (a fresh
 *   reader every minute: every shard invocation may land on a container that has not read its
 *   streams), without and with the readings stored in the state table (here in memory, with the
 *   table's rule; its writes and loads are counted and priced).
 *
 * As the tick does, a shard's pass reads in read-plan calls of 100 objects, the next call going out
 * 300 ms after the one before (100 objects prepare in a few hundred ms: tick.ts); `--one-call` reads
 * each shard's pass in one call, as §12 of docs/performance.md measured first.
 *
 *   npx tsx bench/kinesis-rate.ts [--one-call]
 */
import { ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { AwsClientFactory } from '../lambdas/adapters/aws/aws-client-factory';
import { KinesisCallLimit, KINESIS_DESCRIBE_CALLS_PER_SECOND } from '../lambdas/adapters/aws/kinesis-call-limit';
import { createTriggerReader } from '../lambdas/adapters/aws/read-plan';
import { parseManifests } from '../lambdas/engine/spec/parse-manifests';
import type { TriggerReadItem, TriggerReader } from '../lambdas/pod-scaler/tick-types';
import { DEFAULT_MAX_OBJECTS_PER_INVOCATION, planShards } from '../lambdas/pod-scaler/shards';
import { MemoryKinesisReadingStore } from '../lambdas/adapters/state/kinesis-reading-store';
import { DiscreteClock } from '../test/support/discrete-clock';
import { HOURS_PER_MONTH, PRICE_TABLE } from './cost/prices';
import { buildFleet, fleetYaml } from './tick-cost/fleet';
import { isMain, writeResult } from './support/output';
import { formatNumber, formatTable } from './support/table';

const PASS_MS = 15_000;
const RUN_MS = 10 * 60_000;
const START = Date.UTC(2026, 11, 2, 12, 0, 0);

/** `own-role`: the scaler's own role (ListShards); the others read through an assumed role (DescribeStreamSummary). */
export type LimitMode = 'own-role' | 'none' | 'warm' | 'cold' | 'cold-stored';
/** The role the assumed-role rows give every Kinesis trigger (the bench account's). */
const ASSUMED_ROLE = 'arn:aws:iam::111122223333:role/stream-reader';
/** ListShards' quota, calls a second per stream. */
export const KINESIS_LIST_SHARDS_CALLS_PER_STREAM_SECOND = 1_000;
/** Objects per read-plan call, as the tick batches them (tick.ts READ_BATCH_OBJECTS). */
const OBJECTS_PER_CALL = 100;
/** Between two read-plan calls of a shard's pass. */
const CALL_GAP_MS = 300;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

export interface KinesisRateRow {
  size: number;
  streams: number;
  shards: number;
  mode: LimitMode;
  /** Calls a second over the run. */
  averagePerSecond: number;
  /** Most calls in any one second (windows 100 ms apart): account-wide, or for `own-role` per stream, as each quota counts. */
  peakPerSecond: number;
  /** Longest the first pass's Kinesis reads took (waiting for tokens included), ms of virtual time. */
  firstPassReadMs: number;
  /** Longest any later pass's took. */
  slowestPassReadMs: number;
  /** Readings used that were read one pass earlier, as a share of all Kinesis readings used. */
  reusedShare: number;
  /** Stored readings: PutItems a second (one write unit each) and items loaded a second (half a read unit each). */
  storeWritesPerSecond: number;
  storeLoadsPerSecond: number;
  /** What those cost a month at the prices of bench/cost/prices.ts, in dollars. */
  storeMonthlyDollars: number;
}

interface StampedCall {
  at: number;
  stream: string;
}

/** A client factory whose Kinesis client answers at once (either read) and stamps each call with the clock. */
function stampingFactory(clock: DiscreteClock, calls: StampedCall[]): AwsClientFactory {
  const kinesis = {
    send: async (command: { input: { StreamName?: string } }) => {
      calls.push({ at: clock.now(), stream: command.input.StreamName ?? '' });
      return command instanceof ListShardsCommand ? { Shards: [{}, {}] } : { StreamDescriptionSummary: { OpenShardCount: 2 } };
    },
  };
  return { forSource: () => ({ kinesis: () => kinesis }), waitingForSts: () => false } as unknown as AwsClientFactory;
}

export async function measureKinesisRate(size: number, mode: LimitMode, oneCall = false): Promise<KinesisRateRow> {
  const fleet = buildFleet(size);
  const parsed = parseManifests(fleetYaml(fleet, 30), { file: 'bench-fleet.yaml' });
  const items: TriggerReadItem[] = parsed.objects.flatMap((object) =>
    object.triggers
      .filter((trigger) => trigger.type === 'aws-kinesis-stream')
      .map((trigger) => ({ id: `${object.namespace}/${object.name}#${trigger.index}`, trigger: mode === 'own-role' ? trigger : { ...trigger, aws: { ...trigger.aws!, roleArn: ASSUMED_ROLE } } })),
  );
  const objectOf = (item: TriggerReadItem) => item.id.slice(0, item.id.lastIndexOf('#'));
  // Each shard's Kinesis items, cut into the read-plan calls of its pass (by the objects' position).
  const shardCalls = planShards(parsed.objects.map((object) => `${object.namespace}/${object.name}`), DEFAULT_MAX_OBJECTS_PER_INVOCATION).map((keys) => {
    const position = new Map(keys.map((key, index) => [key, index]));
    const calls: TriggerReadItem[][] = [];
    for (const item of items) {
      const index = position.get(objectOf(item));
      if (index === undefined) continue;
      const call = oneCall ? 0 : Math.floor(index / OBJECTS_PER_CALL);
      (calls[call] ??= []).push(item);
    }
    return calls.filter((call) => call !== undefined);
  });
  const shardItems = shardCalls.map((calls) => calls.flat());
  const clock = new DiscreteClock(START);
  const calls: StampedCall[] = [];
  const store = new MemoryKinesisReadingStore();
  const limits: KinesisCallLimit[] = [];
  const newReader = (): TriggerReader => {
    const kinesisLimit = mode === 'none' ? undefined : new KinesisCallLimit(clock, undefined, mode === 'cold-stored' || mode === 'own-role' ? { store } : undefined);
    kinesisLimit?.shareAmong(shardItems.length);
    if (kinesisLimit) limits.push(kinesisLimit);
    return createTriggerReader({ clientFactory: stampingFactory(clock, calls), ...(kinesisLimit ? { kinesisLimit } : {}) });
  };
  let readers = shardItems.map(newReader);
  const passReadMs: number[] = [];
  for (let slot = START; slot < START + RUN_MS; slot += PASS_MS) {
    if ((mode === 'cold' || mode === 'cold-stored' || mode === 'own-role') && (slot - START) % 60_000 === 0) readers = shardItems.map(newReader);
    clock.advanceTo(slot);
    const passStart = clock.now();
    const shardPass = async (read: TriggerReader, shard: number) =>
      Promise.all(
        shardCalls[shard]!.map(async (call, index) => {
          if (index > 0) await clock.sleep(index * CALL_GAP_MS);
          return read(call, passStart);
        }),
      );
    await clock.run(Promise.all(readers.map(shardPass)));
    passReadMs.push(clock.now() - passStart);
  }
  const passes = passReadMs.length;
  // Each shard needs each of its streams once a pass: read, or reused from the pass before.
  const readingsUsed = passes * shardItems.reduce((total, shard) => total + new Set(shard.map((item) => (item.trigger.params as { streamName: string }).streamName)).size, 0);
  // Passes that overran pushed the later ones back: the run lasted until the last pass ended.
  const seconds = (Math.max(clock.now(), START + RUN_MS) - START) / 1000;
  // As each quota counts: ListShards per stream, DescribeStreamSummary per account.
  const quotaKey = (call: StampedCall) => (mode === 'own-role' ? call.stream : 'account');
  let peak = 0;
  for (let start = START; start < START + seconds * 1000; start += 100) {
    const inWindow = new Map<string, number>();
    for (const call of calls) if (call.at >= start && call.at < start + 1000) inWindow.set(quotaKey(call), (inWindow.get(quotaKey(call)) ?? 0) + 1);
    peak = Math.max(peak, ...inWindow.values());
  }
  const stored = limits.reduce((total, limit) => ({ writes: total.writes + limit.storeCounts.writes + limit.storeCounts.staleWrites, loaded: total.loaded + limit.storeCounts.keysLoaded }), { writes: 0, loaded: 0 });
  const storeWritesPerSecond = stored.writes / seconds;
  const storeLoadsPerSecond = stored.loaded / seconds;
  return {
    size,
    streams: fleet.streams.length,
    shards: shardItems.length,
    mode,
    averagePerSecond: calls.length / seconds,
    peakPerSecond: peak,
    firstPassReadMs: passReadMs[0] ?? 0,
    slowestPassReadMs: Math.max(0, ...passReadMs.slice(1)),
    reusedShare: readingsUsed === 0 ? 0 : Math.max(0, 1 - calls.length / readingsUsed),
    storeWritesPerSecond,
    storeLoadsPerSecond,
    // Each item is under 1 KB: a PutItem is one write unit, an eventually consistent load half a read unit.
    storeMonthlyDollars: SECONDS_PER_MONTH * (storeWritesPerSecond * PRICE_TABLE.dynamoDbPerWriteUnit + storeLoadsPerSecond * 0.5 * PRICE_TABLE.dynamoDbPerReadUnit),
  };
}

const MODE_NAMES: Record<LimitMode, string> = {
  'own-role': 'own role: ListShards',
  none: 'assumed role, no limit',
  warm: 'assumed role, warm',
  cold: 'assumed role, cold',
  'cold-stored': 'assumed role, cold, stored',
};
/** Every row of the table, in order. */
export const LIMIT_MODES: readonly LimitMode[] = ['own-role', 'none', 'warm', 'cold', 'cold-stored'];
const quotaOf = (mode: LimitMode) => (mode === 'own-role' ? KINESIS_LIST_SHARDS_CALLS_PER_STREAM_SECOND : KINESIS_DESCRIBE_CALLS_PER_SECOND);

export function kinesisRateTable(rows: readonly KinesisRateRow[], oneCall = false): string {
  return formatTable(
    `Kinesis reads: ListShards with the scaler's own role (quota ${formatNumber(KINESIS_LIST_SHARDS_CALLS_PER_STREAM_SECOND)}/s per stream), DescribeStreamSummary through an assumed role (quota ${KINESIS_DESCRIBE_CALLS_PER_SECOND}/s per account); a pass every 15 s for 10 minutes, one reader per 1,000-object shard, ` +
      (oneCall ? 'one read-plan call a pass' : `read-plan calls of ${OBJECTS_PER_CALL} objects ${CALL_GAP_MS} ms apart`),
    ['N', 'streams', 'shards', 'read, limit', 'calls/s (average)', 'peak in 1 s (per quota)', 'within quota', 'readings reused', 'first pass of Kinesis reads', 'slowest later pass', 'stored: writes/s, loads/s, $/month'],
    rows.map((row) => [
      row.size,
      row.streams,
      row.shards,
      MODE_NAMES[row.mode],
      formatNumber(Math.round(row.averagePerSecond * 10) / 10),
      row.peakPerSecond,
      row.peakPerSecond <= quotaOf(row.mode) ? 'yes' : 'no',
      `${Math.round(row.reusedShare * 100)}%`,
      `${formatNumber(Math.round(row.firstPassReadMs / 100) / 10)} s`,
      `${formatNumber(Math.round(row.slowestPassReadMs / 100) / 10)} s`,
      row.mode === 'cold-stored' || row.mode === 'own-role' ? `${row.storeWritesPerSecond.toFixed(2)}, ${row.storeLoadsPerSecond.toFixed(2)}, $${row.storeMonthlyDollars.toFixed(2)}` : '',
    ]),
  );
}

if (isMain(import.meta.url)) {
  const oneCall = process.argv.includes('--one-call');
  const rows: KinesisRateRow[] = [];
  for (const size of [1000, 10_000]) for (const mode of LIMIT_MODES) rows.push(await measureKinesisRate(size, mode, oneCall));
  console.log(kinesisRateTable(rows, oneCall));
  await writeResult(oneCall ? 'kinesis-rate-one-call' : 'kinesis-rate', rows);
}
