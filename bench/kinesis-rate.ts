/**
 * Benchmark 8, Kinesis DescribeStreamSummary calls a second account-wide (issue 13 goal 8: the
 * account's quota is 20 a second). The bench fleet's streams (two objects per stream, so N / 20
 * streams) are read through the real read plan, one reader per shard invocation (1,000 objects
 * each), every 15 s pass for ten minutes of virtual time (a pass that overruns delays the next, as in
 * the tick). The stream answers at once and each call is stamped with a discrete-event clock, on
 * which the shards' token waits overlap as they would in real time, without taking any.
 *
 * Rows: without the limit (every stream every pass, as before), and with it, in warm containers (each
 * shard keeps its reader for the whole run) and in cold ones (a fresh reader every minute: every
 * shard invocation may land on a container that has not read its streams), without and with the
 * readings stored in the state table (here in memory, with the table's rule; its writes and loads
 * are counted and priced).
 *
 * As the tick does, a shard's pass reads in read-plan calls of 100 objects, the next call going out
 * 300 ms after the one before (100 objects prepare in a few hundred ms: tick.ts); `--one-call` reads
 * each shard's pass in one call, as §12 of docs/performance.md measured first.
 *
 *   npx tsx bench/kinesis-rate.ts [--one-call]
 */
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

export type LimitMode = 'none' | 'warm' | 'cold' | 'cold-stored';
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
  /** Most calls in any one second (windows 100 ms apart). */
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

/** A client factory whose Kinesis client answers at once and stamps each call with the clock. */
function stampingFactory(clock: DiscreteClock, calls: number[]): AwsClientFactory {
  const kinesis = { send: async () => (calls.push(clock.now()), { StreamDescriptionSummary: { OpenShardCount: 2 } }) };
  return { forSource: () => ({ kinesis: () => kinesis }), waitingForSts: () => false } as unknown as AwsClientFactory;
}

export async function measureKinesisRate(size: number, mode: LimitMode, oneCall = false): Promise<KinesisRateRow> {
  const fleet = buildFleet(size);
  const parsed = parseManifests(fleetYaml(fleet, 30), { file: 'bench-fleet.yaml' });
  const items: TriggerReadItem[] = parsed.objects.flatMap((object) =>
    object.triggers.filter((trigger) => trigger.type === 'aws-kinesis-stream').map((trigger) => ({ id: `${object.namespace}/${object.name}#${trigger.index}`, trigger })),
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
  const calls: number[] = [];
  const store = new MemoryKinesisReadingStore();
  const limits: KinesisCallLimit[] = [];
  const newReader = (): TriggerReader => {
    const kinesisLimit = mode === 'none' ? undefined : new KinesisCallLimit(clock, undefined, mode === 'cold-stored' ? { store } : undefined);
    kinesisLimit?.shareAmong(shardItems.length);
    if (kinesisLimit) limits.push(kinesisLimit);
    return createTriggerReader({ clientFactory: stampingFactory(clock, calls), ...(kinesisLimit ? { kinesisLimit } : {}) });
  };
  let readers = shardItems.map(newReader);
  const passReadMs: number[] = [];
  for (let slot = START; slot < START + RUN_MS; slot += PASS_MS) {
    if ((mode === 'cold' || mode === 'cold-stored') && (slot - START) % 60_000 === 0) readers = shardItems.map(newReader);
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
  let peak = 0;
  for (let start = START; start < START + seconds * 1000; start += 100) peak = Math.max(peak, calls.filter((at) => at >= start && at < start + 1000).length);
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

const MODE_NAMES: Record<LimitMode, string> = { none: 'none (before)', warm: 'warm containers', cold: 'cold containers', 'cold-stored': 'cold, stored readings' };

export function kinesisRateTable(rows: readonly KinesisRateRow[], oneCall = false): string {
  return formatTable(
    `Kinesis DescribeStreamSummary account-wide (quota ${KINESIS_DESCRIBE_CALLS_PER_SECOND}/s), a pass every 15 s for 10 minutes, one reader per 1,000-object shard, ` +
      (oneCall ? 'one read-plan call a pass' : `read-plan calls of ${OBJECTS_PER_CALL} objects ${CALL_GAP_MS} ms apart`),
    ['N', 'streams', 'shards', 'limit', 'calls/s (average)', 'peak in 1 s', 'within quota', 'readings reused', 'first pass of Kinesis reads', 'slowest later pass', 'stored: writes/s, loads/s, $/month'],
    rows.map((row) => [
      row.size,
      row.streams,
      row.shards,
      MODE_NAMES[row.mode],
      formatNumber(Math.round(row.averagePerSecond * 10) / 10),
      row.peakPerSecond,
      row.peakPerSecond <= KINESIS_DESCRIBE_CALLS_PER_SECOND ? 'yes' : 'no',
      `${Math.round(row.reusedShare * 100)}%`,
      `${formatNumber(Math.round(row.firstPassReadMs / 100) / 10)} s`,
      `${formatNumber(Math.round(row.slowestPassReadMs / 100) / 10)} s`,
      row.mode === 'cold-stored' ? `${row.storeWritesPerSecond.toFixed(2)}, ${row.storeLoadsPerSecond.toFixed(2)}, $${row.storeMonthlyDollars.toFixed(2)}` : '',
    ]),
  );
}

if (isMain(import.meta.url)) {
  const oneCall = process.argv.includes('--one-call');
  const rows: KinesisRateRow[] = [];
  for (const size of [1000, 10_000]) for (const mode of ['none', 'warm', 'cold', 'cold-stored'] as const) rows.push(await measureKinesisRate(size, mode, oneCall));
  console.log(kinesisRateTable(rows, oneCall));
  await writeResult(oneCall ? 'kinesis-rate-one-call' : 'kinesis-rate', rows);
}
