/**
 * Issue 13: what the tick writes and reads, chained over invocations on a fake clock.
 * - goal 3: an invocation's evaluations are written once, and only when they change what the next
 *   evaluation reads; the replica counts are exactly those of writing every evaluation, since each
 *   invocation starts cold from the stored state;
 * - goal 6: no HPA syncs for a target at 0 replicas (upstream: kubernetes
 *   pkg/controller/podautoscaler/horizontal.go, reconcileAutoscaler: spec.replicas 0 with
 *   minReplicas != 0 means "ScalingDisabled", nothing is computed); KEDA's polls still run;
 * - goal 4: a trigger with `useCachedMetrics` is read at KEDA polls only (upstream: kedacore/keda
 *   pkg/scaling/scale_handler.go, GetScaledObjectMetrics answers the HPA from the poll's cache).
 *
 * The cluster is in memory and the trigger reads are scripted: the subject is the tick's
 * scheduling and its writes, not the adapters (tested against real servers elsewhere).
 */
import { describe, expect, it } from 'vitest';
import { MemoryCluster } from './memory-cluster';
import { MemoryStateStore } from '../../lambdas/adapters/state/memory-state-store';
import type { StoredObjectState } from '../../lambdas/adapters/state/state-store';
import { runTick } from '../../lambdas/pod-scaler/tick';
import { flushReserveMs } from '../../lambdas/adapters/state/coalesced-state-writes';
import { carryForward } from '../../lambdas/adapters/state/carried-forward';
import { scheduledTimesAround } from '../../lambdas/pod-scaler/pass-schedule';
import type { TimestampedCount } from '../../lambdas/engine/scaling-state';
import type { TickDependencies, TickSummary, TriggerReadItem } from '../../lambdas/pod-scaler/tick-types';
import { CLUSTER, FakeClock, configFrom, sqsObject } from './harness';

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const KEY = `${CLUSTER}/shop/orders`;


/** The memory store, counting conditional writes and the keys each load reads. */
class CountingStore extends MemoryStateStore {
  writes = 0;
  /** Keys read per loadMany call, in order. */
  loads: number[] = [];
  override async save(item: StoredObjectState, expectedVersion: number) {
    this.writes += 1;
    return super.save(item, expectedVersion);
  }
  override async loadMany(keys: string[]) {
    this.loads.push(keys.length);
    return super.loadMany(keys);
  }
}

interface World {
  store: CountingStore;
  cluster: MemoryCluster;
  clock: FakeClock;
  /** Trigger item ids read, in order. */
  reads: string[];
  deps: TickDependencies;
}

function world(yaml: string, backlogAt: (now: number) => number, startReplicas = 0, settings: Parameters<typeof configFrom>[1] = {}): World {
  const store = new CountingStore();
  const cluster = new MemoryCluster();
  cluster.replicas.set('orders', startReplicas);
  const clock = new FakeClock(START);
  const reads: string[] = [];
  const readTriggers = async (items: TriggerReadItem[], now: number) => {
    reads.push(...items.map((item) => item.id));
    const attributes = { ApproximateNumberOfMessages: String(backlogAt(now)), ApproximateNumberOfMessagesNotVisible: '0' };
    return { readings: new Map(items.map((item) => [item.id, { service: 'sqs' as const, attributes }])), calls: { sqs: items.length } };
  };
  return { store, cluster, clock, reads, deps: { config: configFrom(yaml, settings), clock, stateStore: store, scaleTargets: async () => cluster, readTriggers } };
}

/** The EventBridge invocation of minute `index`; the tick starts cold from the store. */
async function invocation(w: World, index: number, options: { writeEveryEvaluation?: boolean } = {}): Promise<TickSummary> {
  const minute = START + index * 60_000;
  if (w.clock.now() < minute) w.clock.time = minute;
  return runTick(w.deps, { deadline: minute + 57_000, ...options });
}

/** One invocation per minute. */
async function invocations(w: World, count: number, options: { writeEveryEvaluation?: boolean } = {}): Promise<TickSummary[]> {
  const summaries: TickSummary[] = [];
  for (let i = 0; i < count; i += 1) summaries.push(await invocation(w, i, options));
  return summaries;
}

/**
 * Traffic in plateaus: a level that holds 5 to 15 minutes (idle stretches included), optionally with
 * noise of up to 2 messages every 15 s (enough to move the HPA's recommendation by one now and then).
 */
function plateaus(now: number, noisy: boolean): number {
  const minute = Math.floor((now - START) / 60_000);
  const levels = [40, 40, 40, 120, 120, 90, 90, 90, 0, 0, 0, 35, 35, 200, 200, 200, 60, 60];
  const level = levels[Math.floor(minute / 5) % levels.length]!;
  const step = Math.floor((now - START) / 15_000);
  const noise = noisy && level > 0 ? ((step * 7919) % 5) - 2 : 0;
  return Math.max(0, level + noise);
}

/** A backlog that rises, holds, falls to zero and comes back: scale-ups, stabilization, cooldown to 0, activation. */
function backlogScript(now: number): number {
  const minute = Math.floor((now - START) / 60_000);
  const second = Math.floor(((now - START) % 60_000) / 1000);
  if (minute < 2) return 10 + minute * 40 + second;
  if (minute < 5) return 120;
  if (minute < 7) return 35;
  if (minute < 15) return 0;
  return 60;
}

const behavior = `  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleDown: {stabilizationWindowSeconds: 120, policies: [{type: Pods, value: 2, periodSeconds: 60}]}
        scaleUp: {stabilizationWindowSeconds: 30, policies: [{type: Percent, value: 100, periodSeconds: 15}]}`;

/**
 * What the next evaluation, at `at`, reads of a stored state: the state as the next invocation
 * loads it (a steady state carried forward, carried-forward.ts), less the times no decision reads,
 * and of the HPA's history only the entries a window ending at `at` or later can still take a max or
 * min of: those inside the longest window that no other entry dominates (newer and at least as
 * high, or newer and at least as low). Two histories with the same such entries give the same
 * stabilized counts for every future evaluation (upstream: kubernetes
 * pkg/controller/podautoscaler/horizontal.go, stabilizeRecommendation and
 * stabilizeRecommendationWithBehaviors take a max / min over the window and nothing else).
 */
function decisionInputs(state: StoredObjectState | undefined, yaml: string, at: number, hpaSyncPeriodSeconds?: number) {
  if (!state) return undefined;
  const pollingSeconds = Number(/pollingInterval: (\d+)/.exec(yaml)![1]);
  // The legacy HPA's downscale window (300 s), or the longest window of the behavior block here.
  const longestWindowMs = yaml.includes('stabilizationWindowSeconds: 120') ? 120_000 : 300_000;
  const loaded = carryForward(state, scheduledTimesAround(pollingSeconds, at, 60_000, hpaSyncPeriodSeconds).previous);
  const { evaluatedAt: _evaluatedAt, version: _version, polledAt: _polledAt, ...rest } = loaded;
  const recommendations = rest.scaling.recommendations;
  return { ...rest, scaling: { ...rest.scaling, ...(recommendations ? { recommendations: decisiveEntries(recommendations, at, longestWindowMs) } : {}) } };
}

function decisiveEntries(entries: readonly TimestampedCount[], at: number, longestWindowMs: number): TimestampedCount[] {
  const live = [...new Map(entries.filter((entry) => entry.timestamp >= at - longestWindowMs).map((entry) => [`${entry.replicas}@${entry.timestamp}`, entry])).values()];
  const newerAnd = (entry: TimestampedCount, holds: (other: TimestampedCount) => boolean) =>
    live.some((other) => other !== entry && other.timestamp >= entry.timestamp && holds(other));
  return live
    .filter((entry) => !newerAnd(entry, (other) => other.replicas >= entry.replicas) || !newerAnd(entry, (other) => other.replicas <= entry.replicas))
    .sort((a, b) => a.timestamp - b.timestamp || a.replicas - b.replicas);
}

describe('state writes (goal 3)', () => {
  it.each([
    ['legacy (no behavior), polling 30 s', sqsObject({ polling: 30 })],
    ['with behavior, polling 15 s', sqsObject({ polling: 15, behavior })],
    ['with behavior, polling 120 s', sqsObject({ polling: 120, behavior })],
  ])('%s: chained invocations patch the same replica counts as writing every evaluation, with fewer writes', async (_name, yaml) => {
    const coalesced = world(yaml, backlogScript);
    const everyEvaluation = world(yaml, backlogScript);
    await invocations(coalesced, 24);
    await invocations(everyEvaluation, 24, { writeEveryEvaluation: true });

    expect(coalesced.cluster.patches.length).toBeGreaterThan(2);
    expect(coalesced.cluster.patches).toEqual(everyEvaluation.cluster.patches);
    const next = START + 24 * 60_000;
    const [a, b] = [coalesced, everyEvaluation].map(async (w) => decisionInputs((await w.store.loadMany([KEY])).states.get(KEY), yaml, next));
    expect(await a).toEqual(await b);
    expect(coalesced.store.writes).toBeLessThan(everyEvaluation.store.writes / 2);
  });

  // Writes beyond the claims (one per patch) in 90 quiet minutes: a minute whose evaluations did
  // more than repeat the stored run (a new recommendation, activation, cooldown) and, at polling
  // 120 s, every minute with a poll (its polledAt decides the next one). Measured: 3, 6, 43, 3, 3.
  const replays = [
    ['legacy (no behavior), polling 30 s', sqsObject({ polling: 30 }), {}, 5],
    ['with behavior, polling 15 s', sqsObject({ polling: 15, behavior }), {}, 8],
    ['with behavior, polling 120 s', sqsObject({ polling: 120, behavior }), {}, 47],
    ['legacy, polling 30 s, no HPA syncs between polls', sqsObject({ polling: 30 }), { hpaSyncPeriodSeconds: 0 }, 5],
    ['legacy, polling 60 s, useCachedMetrics', sqsObject({ polling: 60 }).replace('    - type: aws-sqs-queue\n', '    - type: aws-sqs-queue\n      useCachedMetrics: true\n'), {}, 5],
  ] as const;
  it.each(replays.flatMap(([name, yaml, settings, quietWrites]) => [true, false].map((noisy) => [name, noisy ? 'with' : 'without', yaml, settings, noisy, quietWrites] as const)))(
    '%s: 90 minutes of plateaus %s noise, minute by minute the same patches and the same decision inputs as writing every evaluation',
    async (_name, _noise, yaml, settings, noisy, quietWrites) => {
    const traffic = (now: number) => plateaus(now, noisy);
    const coalesced = world(yaml, traffic, 0, settings);
    const everyEvaluation = world(yaml, traffic, 0, settings);
    for (let minute = 0; minute < 90; minute += 1) {
      await invocation(coalesced, minute);
      await invocation(everyEvaluation, minute, { writeEveryEvaluation: true });
      expect(coalesced.cluster.patches).toEqual(everyEvaluation.cluster.patches);
      const next = START + (minute + 1) * 60_000;
      const [a, b] = await Promise.all([coalesced, everyEvaluation].map(async (w) => decisionInputs((await w.store.loadMany([KEY])).states.get(KEY), yaml, next, (settings as { hpaSyncPeriodSeconds?: number }).hpaSyncPeriodSeconds)));
      expect(a, `minute ${minute}`).toEqual(b);
    }
    const patches = coalesced.cluster.patches.length;
    expect(patches).toBeGreaterThan(5);
    // Noise moves the recommendation most minutes: those minutes are written (once), as before.
    if (noisy) expect(coalesced.store.writes).toBeLessThanOrEqual(90 + patches);
    else expect(coalesced.store.writes - patches).toBeLessThanOrEqual(quietWrites);
  });

  it('an object idle at 0 replicas costs no write once its state is stored', async () => {
    const w = world(sqsObject({ polling: 30 }), () => 0);
    await invocations(w, 1);
    const first = w.store.writes;
    expect(first).toBe(1);
    await invocations(w, 5);
    expect(w.store.writes).toBe(first);
  });

  it('a claim is written at once and carries the evaluations deferred before it', async () => {
    // Quiet at 0 s and 15 s (syncs at 1 replica record recommendations), a backlog from 30 s.
    const w = world(sqsObject({ polling: 15 }), (now) => (now - START >= 30_000 ? 50 : 2), 1);
    const [summary] = await invocations(w, 1);
    expect(w.cluster.patches.length).toBeGreaterThan(0);
    expect(summary!.scaled).toBe(w.cluster.patches.length);
    const stored = (await w.store.loadMany([KEY])).states.get(KEY)!;
    // The 0 s and 15 s evaluations (backlog 2 → 1 replica) are in the stored history.
    expect(stored.scaling.recommendations?.filter((entry) => entry.replicas === 1).map((entry) => entry.timestamp - START)).toEqual(
      expect.arrayContaining([0, 15_000]),
    );
  });

  /** Makes `write` the other writer's (an overlapping invocation's) write just before this invocation's 30 s pass. */
  function otherWriterBefore30sPass(w: World, minute: number): () => StoredObjectState | undefined {
    let theirs: StoredObjectState | undefined;
    const sleep = w.clock.sleep;
    w.clock.sleep = async (ms: number) => {
      await sleep(ms);
      if (w.clock.now() === minute + 30_000 && !theirs) {
        const current = (await w.store.loadMany([KEY])).states.get(KEY)!;
        w.store.loads.pop(); // theirs, not this invocation's
        theirs = { ...current, scaling: { ...current.scaling, lastActiveTime: minute + 29_000 } };
        expect(await w.store.save(theirs, current.version)).toBe('saved');
      }
    };
    return () => theirs;
  }

  it('reads each object once per invocation: later passes start from what the invocation loaded and deferred', async () => {
    const w = world(sqsObject({ polling: 30 }), () => 10, 2);
    const [summary] = await invocations(w, 1);
    expect(summary!.evaluated).toBe(4);
    expect(w.store.loads).toEqual([1]); // before: [1, 1, 1, 1], a read every pass
  });

  it('another writer between two passes wins: the deferred state is dropped at the flush, never written over it', async () => {
    const w = world(sqsObject({ polling: 30 }), () => 10, 2);
    await invocations(w, 1);
    const minute = START + 60_000;
    const theirs = otherWriterBefore30sPass(w, minute);
    w.clock.time = minute;
    w.store.loads = [];
    const summary = await runTick(w.deps, { deadline: minute + 57_000 });
    expect(w.store.loads).toEqual([1]);
    const stored = (await w.store.loadMany([KEY])).states.get(KEY)!;
    expect(theirs()?.version).toBe(1);
    // Theirs is version 2. Our passes ran on the state we loaded at 0 s (version 1) and applied
    // nothing; a flush write, conditional on version 1, would lose, so theirs stands.
    expect(stored).toEqual({ ...theirs(), version: 2 });
    expect(summary.stateWrites).toMatchObject({ failures: [] });
    expect(w.cluster.patches).toEqual([]);
  });

  it('a claim that meets another writer is not applied, and the next pass reads the object again', async () => {
    // 10 messages (2 replicas) until the 30 s pass, then 50: the 30 s pass decides to scale up.
    const minute = START + 60_000;
    const w = world(sqsObject({ polling: 30 }), (now) => (now >= minute + 30_000 ? 50 : 10), 2);
    await invocations(w, 1);
    const theirs = otherWriterBefore30sPass(w, minute);
    w.clock.time = minute;
    w.store.loads = [];
    const summary = await runTick(w.deps, { deadline: minute + 57_000 });
    expect(theirs()).toBeDefined();
    // Loads of our key: 0 s (read), 15 s and 30 s (from memory), the claim at 30 s conflicts with
    // theirs, so 45 s reads it again and claims on their version. One patch, not two.
    expect(w.store.loads).toEqual([1, 1]);
    expect(w.cluster.patches).toHaveLength(1);
    expect(summary.overlapped).toBeGreaterThanOrEqual(1);
    const stored = (await w.store.loadMany([KEY])).states.get(KEY)!;
    expect(stored.version).toBeGreaterThan(2);
    expect(stored.scaling.lastActiveTime).toBeGreaterThanOrEqual(minute + 29_000);
  });
});

describe('no HPA syncs at 0 replicas (goal 6)', () => {
  it('a target at 0 gets its KEDA polls only', async () => {
    const w = world(sqsObject({ polling: 30 }), () => 0);
    const [idle] = await invocations(w, 1);
    expect(idle).toMatchObject({ evaluated: 2, syncsSkippedAtZero: 2 }); // polls at 0 and 30 s; syncs at 15 and 45 s skipped
    expect(w.reads).toHaveLength(2);
  });

  it('syncs resume from the pass after the activating poll', async () => {
    const w = world(sqsObject({ polling: 30 }), () => 20);
    const [summary] = await invocations(w, 1);
    expect(w.cluster.patches[0]).toBe(4);
    expect(summary!.evaluated).toBe(4);
    expect(summary!.syncsSkippedAtZero ?? 0).toBe(0);
  });
});

describe('useCachedMetrics (goal 4)', () => {
  const cached = (on: boolean) =>
    sqsObject({ polling: 30 }).replace('    - type: aws-sqs-queue\n', `    - type: aws-sqs-queue\n      useCachedMetrics: ${on}\n`);

  it.each([
    [true, 2, 'polls at 0 and 30 s read; the syncs at 15 and 45 s reuse the poll'],
    [false, 4, 'every pass reads'],
  ])('useCachedMetrics: %s reads the queue %i times a minute (%s)', async (on, expectedReads) => {
    const w = world(cached(on), () => 20, 2);
    await invocations(w, 1);
    expect(w.reads).toHaveLength(expectedReads);
  });

  it('the syncs between polls scale on the poll’s reading, not a newer one', async () => {
    // The backlog jumps at 10 s: a cached sync at 15 s still sees the 0 s reading (20 → 4 replicas).
    const w = world(cached(true), (now) => (now - START >= 10_000 ? 200 : 20), 4);
    const [summary] = await invocations(w, 1);
    const at15 = summary!.results[1]!;
    expect(at15.desiredReplicas).toBe(4);
  });
});

describe('time kept for the end-of-invocation write', () => {
  /** Trigger reads that take `ms` of the fake clock each, so every pass lasts that long. */
  function slowReads(w: World, ms: number): void {
    const read = w.deps.readTriggers;
    w.deps.readTriggers = async (items, now) => {
      w.clock.advance(ms);
      return read(items, now);
    };
  }
  /** Fake-clock times of the store's writes. */
  function writeTimes(w: World): number[] {
    const times: number[] = [];
    const save = w.store.save.bind(w.store);
    w.store.save = async (item, version) => {
      times.push(w.clock.now());
      return save(item, version);
    };
    return times;
  }

  it.each([
    // Passes of 11.5 s at 0, 15, 30: the 45 s pass would end at 56.5 s, inside the 57 s deadline but
    // inside the flush's reserve (1.05 s for one object), so it is not started.
    [11_500, 1, 41_500],
    // Passes of 10 s: the 45 s pass ends at 55 s, which leaves the reserve; it runs.
    [10_000, 0, 55_000],
  ])('passes of %i ms: %i skipped, the flush starts at %i ms, before the deadline less its reserve', async (passMs, skipped, flushAt) => {
    const w = world(sqsObject({ polling: 15 }), () => 10, 2);
    slowReads(w, passMs);
    const times = writeTimes(w);
    const deadline = START + 57_000;
    const summary = await runTick(w.deps, { deadline });
    expect(summary.skippedForDeadline).toBe(skipped);
    expect(summary.stateWrites).toMatchObject({ written: 1, failures: [] });
    expect(times.map((time) => time - START)).toEqual([flushAt]);
    expect(times[0]!).toBeLessThanOrEqual(deadline - flushReserveMs(1));
  });

  it('the reserve grows with the objects to write: 1.05 s for one, 2.6 s for 1,000', () => {
    expect([flushReserveMs(1), flushReserveMs(32), flushReserveMs(1_000)]).toEqual([1_050, 1_050, 2_600]);
  });
});
