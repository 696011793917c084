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
