/**
 * The Kinesis DescribeStreamSummary limit, pure, on a discrete-event clock: the token bucket's
 * bound, the share among concurrent shard invocations, reuse of the previous pass's reading, and
 * that a fleet of 10,000 objects (500 streams over 10 shards) stays under the account's 20 calls in
 * every second.
 */
import { describe, expect, it } from 'vitest';
import { KinesisCallLimit, type KinesisRead } from '../../../lambdas/adapters/aws/kinesis-call-limit';
import { TokenBucket } from '../../../lambdas/util/token-bucket';
import { DiscreteClock } from '../../support/discrete-clock';
import { MemoryKinesisReadingStore } from '../../../lambdas/adapters/state/kinesis-reading-store';

const reading = (openShardCount: number) => ({ service: 'kinesis' as const, openShardCount });
const streams = (count: number, region = 'us-east-1'): KinesisRead[] =>
  Array.from({ length: count }, (_, i) => ({ key: `kinesis|${region}|stream-${i}`, source: { region } }));

describe('TokenBucket', () => {
  it('starts full, refills at its rate, and never holds more than its capacity', () => {
    const bucket = new TokenBucket(2, 2, 0);
    expect([bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0)]).toEqual([true, true, false]);
    expect(bucket.msUntilToken(0)).toBe(500);
    expect(bucket.tryTake(499)).toBe(false);
    expect(bucket.tryTake(500)).toBe(true);
    // An hour idle still leaves only 2 tokens.
    expect([bucket.tryTake(3_600_000), bucket.tryTake(3_600_000), bucket.tryTake(3_600_000)]).toEqual([true, true, false]);
  });

  it('bounds the calls of any window to capacity + rate x window', () => {
    const bucket = new TokenBucket(5, 5, 0);
    const taken: number[] = [];
    for (let t = 0; t <= 10_000; t += 10) while (bucket.tryTake(t)) taken.push(t);
    for (let start = 0; start <= 9_000; start += 10) {
      expect(taken.filter((t) => t >= start && t < start + 1_000).length).toBeLessThanOrEqual(5 + 5);
    }
    expect(taken.length).toBe(5 + 50);
  });

  it('reshapes to a lower rate and drops tokens above the new capacity', () => {
    const bucket = new TokenBucket(20, 20, 0);
    bucket.reshape(2, 2, 0);
    expect([bucket.tryTake(0), bucket.tryTake(0), bucket.tryTake(0)]).toEqual([true, true, false]);
  });

  it('refuses a rate of 0 or a capacity under one token', () => {
    expect(() => new TokenBucket(0, 1, 0)).toThrow(/rate above 0/);
    expect(() => new TokenBucket(1, 0.5, 0)).toThrow(/at least 1 token/);
  });
});

describe('KinesisCallLimit', () => {
  it('reads every stream every pass while its share lets it within the pass, as KEDA does', () => {
    const clock = new DiscreteClock(0);
    const limit = new KinesisCallLimit(clock); // alone: 20 calls a second
    for (let pass = 0; pass < 4; pass += 1) {
      const decision = limit.decide(streams(20), clock.now());
      // Read at once or waiting their turn (the last one's is about a second away), none reused.
      expect(decision.readNow.length + decision.waitForToken.length).toBe(20);
      expect(decision.reused.size).toBe(0);
      for (const key of [...decision.readNow, ...decision.waitForToken]) limit.record(key, clock.now(), reading(1));
      clock.advanceTo(clock.now() + 15_000);
    }
  });

  it('past its share, reuses a reading of the previous pass when its turn is over 12 s away, and never an older one', () => {
    const clock = new DiscreteClock(0);
    const limit = new KinesisCallLimit(clock, 0.5); // a turn every 2 s
    const key = (i: number) => `kinesis|us-east-1|stream-${i}`;
    const first = limit.decide(streams(8), 0);
    expect(first.readNow).toEqual([]); // the bucket starts empty: shards start together
    expect(first.waitForToken).toHaveLength(8); // nothing to reuse: every stream waits its turn
    for (let i = 0; i < 8; i += 1) limit.record(key(i), 0, reading(4));

    clock.advanceTo(15_000);
    const second = limit.decide(streams(8), 15_000);
    expect(second.readNow).toEqual([key(0)]);
    expect(second.waitForToken).toEqual([1, 2, 3, 4, 5, 6].map(key)); // turns 2 to 12 s away: still in the pass
    expect([...second.reused.entries()]).toEqual([[key(7), reading(4)]]);
    for (let i = 0; i < 7; i += 1) limit.record(key(i), 15_000, reading(5));

    // Stream 7 was last read two passes ago: it goes first, and stream 6 reuses this time.
    clock.advanceTo(30_000);
    const third = limit.decide(streams(8), 30_000);
    expect(third.readNow).toEqual([key(7)]);
    expect(third.waitForToken).toEqual([0, 1, 2, 3, 4, 5].map(key));
    expect([...third.reused.keys()]).toEqual([key(6)]);
  });

  it('does not reuse a previous pass from long ago (a container idle between invocations)', () => {
    const clock = new DiscreteClock(0);
    const limit = new KinesisCallLimit(clock, 0.1);
    limit.decide(streams(1), 0);
    limit.record('kinesis|us-east-1|stream-0', 0, reading(2));
    clock.advanceTo(600_000);
    // Stream-0's turn would be 30 s away, past the 12 s a fresh reading is worth: it would be reused if it could.
    expect(limit.decide(streams(4), 600_000).reused.size).toBe(0);
  });

  it('waits for a token on its clock: one every 1/share seconds, no burst', async () => {
    const clock = new DiscreteClock(0);
    const limit = new KinesisCallLimit(clock, 2);
    const source = { region: 'us-east-1' };
    await clock.run((async () => {
      for (let i = 0; i < 5; i += 1) await limit.waitForToken(source);
    })());
    expect(clock.now()).toBe(2_500); // empty at first, then a token every 500 ms
  });

  it('keeps one bucket per account and region: another account and another region have their own quota', () => {
    const clock = new DiscreteClock(0);
    const limit = new KinesisCallLimit(clock, 1);
    const reads = () =>
      [
        { key: 'a', source: { region: 'us-east-1' } },
        { key: 'b', source: { region: 'us-east-1' } },
        { key: 'c', source: { region: 'eu-west-1' } },
        { key: 'd', source: { region: 'us-east-1', roleArn: 'arn:aws:iam::111122223333:role/reader' } },
        { key: 'e', source: { region: 'us-east-1', roleArn: 'arn:aws:iam::111122223333:role/other-reader' } },
      ];
    limit.decide(reads(), 0);
    clock.advanceTo(1_000); // each bucket has its token now
    const decision = limit.decide(reads(), 1_000);
    expect(decision.readNow).toEqual(['a', 'c', 'd']);
    expect(decision.waitForToken).toEqual(['b', 'e']);
  });

  it('at 10,000 objects (500 streams, 10 shards of 50, a pass every 15 s) stays under 20 calls in every second account-wide', async () => {
    const clock = new DiscreteClock(0);
    const shards = Array.from({ length: 10 }, () => new KinesisCallLimit(clock));
    for (const shard of shards) shard.shareAmong(10);
    const calls: number[] = [];
    const passEnds: number[] = [];
    for (let pass = 0; pass < 40; pass += 1) {
      // As the tick: a pass starts on its slot, or when the one before ends if that is later.
      clock.advanceTo(pass * 15_000);
      const passNow = clock.now();
      const passes = shards.map(async (shard, s) => {
        const mine = streams(50).map((read) => ({ ...read, key: `${read.key}-shard-${s}` }));
        const decision = shard.decide(mine, passNow);
        const read = (key: string) => {
          calls.push(clock.now());
          shard.record(key, passNow, reading(2));
        };
        decision.readNow.forEach(read);
        await Promise.all(decision.waitForToken.map(async (key) => {
          await shard.waitForToken({ region: 'us-east-1' });
          read(key);
        }));
      });
      await clock.run(Promise.all(passes));
      passEnds.push(clock.now() - passNow);
    }
    // Cold, with nothing to reuse, a shard's 50 streams take 25 s at its 2 calls a second; from then
    // on about half are read each pass, spread over 12-13 s, and the rest reuse the pass before's.
    expect(passEnds[0]).toBe(25_000);
    expect(Math.max(...passEnds.slice(1))).toBeLessThanOrEqual(13_000);
    const steady = calls.filter((t) => t >= 120_000);
    const perSecond = steady.length / ((40 * 15_000 - 120_000) / 1000);
    // Every stream read about every other pass: 500 / 30 s, under the quota.
    expect(perSecond).toBeGreaterThan(15);
    expect(perSecond).toBeLessThanOrEqual(20);
    for (let start = 0; start < 600_000; start += 100) {
      expect(calls.filter((t) => t >= start && t < start + 1_000).length).toBeLessThanOrEqual(20);
    }
  });
});

describe('KinesisCallLimit across read-plan calls and containers', () => {
  const source = { region: 'us-east-1' };

  /**
   * One pass of one container, as the read plan drives it for the tick's batches: each call is
   * prepared and decided after the one before (batches go out one after another), then its reads
   * are made or wait their turn, are recorded, and the call persists.
   */
  async function pass(limit: KinesisCallLimit, clock: DiscreteClock, calls: readonly KinesisRead[][], count = () => 2, onCall?: () => void, interleaved = false) {
    const passNow = clock.now();
    const reused = new Map<string, number>();
    const work = (async () => {
      const running: Promise<void>[] = [];
      // Interleaved: every call is prepared before any is decided (batches that go out together).
      const prepared = interleaved ? calls.map((reads) => limit.prepare(reads, passNow)) : [];
      for (const [index, reads] of calls.entries()) {
        await (interleaved ? prepared[index] : limit.prepare(reads, passNow));
        const decision = limit.decide(reads, passNow);
        for (const [k, r] of decision.reused) reused.set(k, (r as { openShardCount: number }).openShardCount);
        const read = (k: string) => {
          onCall?.();
          limit.record(k, passNow, reading(count()));
        };
        decision.readNow.forEach(read);
        running.push((async () => {
          await Promise.all(decision.waitForToken.map(async (k) => {
            await limit.waitForToken(source);
            read(k);
          }));
          await limit.persist(passNow);
        })());
      }
      await Promise.all(running);
    })();
    await clock.run(work);
    return { reused, tookMs: clock.now() - passNow };
  }

  it("counts the reads other read-plan calls of the pass left waiting: a late batch's streams reuse, they do not queue past the pass", () => {
    const clock = new DiscreteClock(0);
    const limit = new KinesisCallLimit(clock, 2); // a turn every 500 ms
    const all = streams(40);
    limit.decide(all, 0);
    for (const read of all) limit.record(read.key, 0, reading(2));
    clock.advanceTo(15_000);
    // Four batches of ten streams, decided one after the other before any token comes.
    const batches = [0, 1, 2, 3].map((b) => limit.decide(all.slice(b * 10, b * 10 + 10), 15_000));
    // The token the bucket holds goes at once; then 24 turns 500 ms apart fit in 12 s.
    expect(batches.map((decision) => decision.readNow.length)).toEqual([1, 0, 0, 0]);
    expect(batches.map((decision) => decision.waitForToken.length)).toEqual([9, 10, 5, 0]);
    expect(batches.map((decision) => decision.reused.size)).toEqual([0, 0, 5, 10]);
  });

  it('a cold container reuses the readings a container before it stored, instead of waiting 25 s for its 50 streams', async () => {
    const clock = new DiscreteClock(0);
    const store = new MemoryKinesisReadingStore();
    const calls = [0, 1, 2, 3, 4].map((b) => streams(50).slice(b * 10, b * 10 + 10)); // five read-plan calls of a pass
    const first = new KinesisCallLimit(clock, 2, { store });
    const before = await pass(first, clock, calls);
    expect(before.tookMs).toBe(25_000); // nothing stored yet: every stream waits its turn
    expect(store.items.size).toBe(50); // the container was constrained: it stored what it read

    clock.advanceTo(60_000); // the next tick lands on a fresh container
    const cold = new KinesisCallLimit(clock, 2, { store });
    const after = await pass(cold, clock, calls);
    expect(after.tookMs).toBeLessThanOrEqual(12_500);
    expect(after.reused.size).toBe(26);
    // Each stream looked up once: by the calls whose streams would have waited past 12 s, in three loads.
    expect(cold.storeCounts).toMatchObject({ keysLoaded: 50, failures: 0 });
    expect(cold.storeCounts.loads).toBeLessThanOrEqual(calls.length);
    // Read 24 fresh, same counts a minute later: nothing is written again.
    expect(cold.storeCounts.writes).toBe(0);

    // Its next pass reads what it reused (never two passes in a row), and reuses its own readings.
    clock.advanceTo(75_000);
    const next = await pass(cold, clock, calls);
    expect([...next.reused.keys()].filter((k) => after.reused.has(k))).toEqual([]);
    expect(next.tookMs).toBeLessThanOrEqual(13_000);
  });

  it('also when the batches of a pass are all prepared before any is decided', async () => {
    const clock = new DiscreteClock(0);
    const store = new MemoryKinesisReadingStore();
    const calls = [0, 1, 2, 3, 4].map((b) => streams(50).slice(b * 10, b * 10 + 10));
    await pass(new KinesisCallLimit(clock, 2, { store }), clock, calls, () => 2, undefined, true);
    const times: number[] = [];
    const cold = new KinesisCallLimit(clock, 2, { store });
    for (const at of [60_000, 75_000, 90_000, 105_000]) {
      clock.advanceTo(at);
      times.push((await pass(cold, clock, calls, () => 2, undefined, true)).tookMs);
    }
    expect(Math.max(...times)).toBeLessThanOrEqual(13_000);
  });

  it('writes a reading only when its count changed or the stored one is due for a refresh', async () => {
    const clock = new DiscreteClock(0);
    const store = new MemoryKinesisReadingStore();
    let shardCount = 2;
    const limit = new KinesisCallLimit(clock, 0.5, { store }); // 8 streams at a turn every 2 s: constrained
    const calls = [streams(8)];
    await pass(limit, clock, calls, () => shardCount);
    expect(limit.storeCounts.writes).toBe(8);
    for (let t = 15_000; t < 150_000; t += 15_000) {
      clock.advanceTo(t);
      await pass(limit, clock, calls, () => shardCount);
    }
    expect(limit.storeCounts.writes).toBe(8); // two minutes of unchanged counts: no write
    clock.advanceTo(150_000);
    shardCount = 4; // a reshard
    const resharded = await pass(limit, clock, calls, () => shardCount);
    const readThisPass = 8 - resharded.reused.size;
    expect(limit.storeCounts.writes).toBe(8 + readThisPass);
    for (let t = 165_000; t <= 240_000; t += 15_000) {
      clock.advanceTo(t);
      await pass(limit, clock, calls, () => shardCount);
    }
    // By 240 s every stream was read again: each written once more for its new count, no more.
    expect(limit.storeCounts.writes).toBe(16);
    expect([...store.items.values()].every((item) => item.openShardCount === 4)).toBe(true);
  });

  it('does not touch the store while its streams fit within the pass (1,000 objects: 50 streams at 20 a second)', async () => {
    const clock = new DiscreteClock(0);
    const store = new MemoryKinesisReadingStore();
    const limit = new KinesisCallLimit(clock, 20, { store });
    for (let t = 0; t < 60_000; t += 15_000) {
      clock.advanceTo(t);
      await pass(limit, clock, [streams(50)]);
    }
    expect(limit.storeCounts).toEqual({ loads: 0, keysLoaded: 0, writes: 0, staleWrites: 0, failures: 0 });
  });

  it('falls back to waiting when the store fails or hangs, says why, and never fails the pass', async () => {
    for (const broken of [
      { load: () => Promise.reject(new Error('DynamoDB BatchGetItem on table state failed: ThrottlingException')), save: () => Promise.reject(new Error('PutItem failed')) },
      { load: () => new Promise<never>(() => {}), save: () => new Promise<never>(() => {}) },
    ]) {
      const clock = new DiscreteClock(0);
      const problems: string[] = [];
      const limit = new KinesisCallLimit(clock, 2, { store: broken, budgetMs: 1, onProblem: (problem) => problems.push(problem) });
      const result = await pass(limit, clock, [streams(50)]);
      expect(result.tookMs).toBe(25_000); // as without a store
      expect(result.reused.size).toBe(0);
      expect(problems[0]).toMatch(/stored Kinesis readings of 50 stream\(s\) not loaded .*: streams without a reading of their own wait for their turn this pass, as without the store/);
      expect(limit.storeCounts.failures).toBeGreaterThanOrEqual(1);
    }
  });

  it('tries a failed load again in the next pass, and then reuses what it finds', async () => {
    const clock = new DiscreteClock(0);
    const store = new MemoryKinesisReadingStore();
    await pass(new KinesisCallLimit(clock, 2, { store }), clock, [streams(50)]);
    let failing = true;
    const flaky = { load: (keys: readonly string[]) => (failing ? Promise.reject(new Error('ThrottlingException')) : store.load(keys)), save: store.save.bind(store) };
    const cold = new KinesisCallLimit(clock, 2, { store: flaky, onProblem: () => {} });
    clock.advanceTo(60_000);
    expect((await pass(cold, clock, [streams(50)])).reused.size).toBe(0);
    failing = false;
    clock.advanceTo(85_000);
    // Its own readings of the pass before cover the streams it read; the load brings the others back.
    const next = await pass(cold, clock, [streams(50)]);
    expect(cold.storeCounts.keysLoaded).toBe(50);
    expect(next.tookMs).toBeLessThanOrEqual(12_500);
  });

  it('at 10,000 objects with a fresh container for every shard every minute, stays under 20 calls a second and keeps a pass of reads within 13 s', async () => {
    const clock = new DiscreteClock(0);
    const store = new MemoryKinesisReadingStore();
    const mine = (s: number) => streams(50).map((read) => ({ ...read, key: `${read.key}-shard-${s}` }));
    const calls: number[] = [];
    const passTimes: number[] = [];
    let shards: KinesisCallLimit[] = [];
    for (let p = 0; p < 40; p += 1) {
      if (p % 4 === 0) {
        shards = Array.from({ length: 10 }, () => new KinesisCallLimit(clock, undefined, { store }));
        for (const shard of shards) shard.shareAmong(10);
      }
      clock.advanceTo(p * 15_000);
      const passStart = clock.now();
      await Promise.all(shards.map((shard, s) => pass(shard, clock, [0, 1, 2, 3, 4].map((b) => mine(s).slice(b * 10, b * 10 + 10)), () => 2, () => calls.push(clock.now()))));
      passTimes.push(clock.now() - passStart);
    }
    expect(passTimes[0]).toBe(25_000); // the very first pass: nothing stored anywhere
    expect(Math.max(...passTimes.slice(1))).toBeLessThanOrEqual(13_000);
    for (let start = 0; start < clock.now(); start += 100) {
      expect(calls.filter((t) => t >= start && t < start + 1_000).length).toBeLessThanOrEqual(20);
    }
  });
});
