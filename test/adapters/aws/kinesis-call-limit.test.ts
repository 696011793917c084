/**
 * The Kinesis DescribeStreamSummary limit, pure, on a virtual clock: the token bucket's bound, the
 * share among concurrent shard invocations, reuse of the previous pass's reading, and that a fleet
 * of 10,000 objects (500 streams over 10 shards) stays under the account's 20 calls a second.
 */
import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../cli/simulator/virtual-clock';
import { KinesisCallLimit, type KinesisRead } from '../../../lambdas/adapters/aws/kinesis-call-limit';
import { TokenBucket } from '../../../lambdas/util/token-bucket';

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
  it('reads every stream every pass while the fleet is under its share, as KEDA does', () => {
    const clock = new VirtualClock(0);
    const limit = new KinesisCallLimit(clock);
    for (let pass = 0; pass < 4; pass += 1) {
      const decision = limit.decide(streams(20), clock.now());
      expect(decision.readNow).toHaveLength(20);
      for (const key of decision.readNow) limit.record(key, clock.now(), reading(1));
      clock.advanceTo(clock.now() + 15_000);
    }
  });

  it('past its share, reuses a reading of the previous pass only, and makes the rest wait', () => {
    const clock = new VirtualClock(0);
    const limit = new KinesisCallLimit(clock);
    limit.shareAmong(10); // 2 calls a second, 2 tokens
    const first = limit.decide(streams(5), 0);
    expect(first.readNow).toEqual(['kinesis|us-east-1|stream-0', 'kinesis|us-east-1|stream-1']);
    expect(first.waitForToken).toHaveLength(3);
    for (const key of first.readNow) limit.record(key, 0, reading(4));

    // The next pass: stream-0 and -1 reuse their reading; the three never read come first for tokens.
    clock.advanceTo(15_000);
    const second = limit.decide(streams(5), 15_000);
    expect(second.readNow).toEqual(['kinesis|us-east-1|stream-2', 'kinesis|us-east-1|stream-3']);
    expect(second.waitForToken).toEqual(['kinesis|us-east-1|stream-4']);
    expect([...second.reused.keys()]).toEqual(['kinesis|us-east-1|stream-0', 'kinesis|us-east-1|stream-1']);
    expect(second.reused.get('kinesis|us-east-1|stream-0')).toEqual(reading(4));

    // Two passes later the pass-0 reading is too old to reuse, whatever the tokens.
    clock.advanceTo(30_000);
    const third = limit.decide(streams(2), 30_000);
    expect(third.reused.size).toBe(0);
  });

  it('does not reuse a previous pass from long ago (a container idle between invocations)', () => {
    const clock = new VirtualClock(0);
    const limit = new KinesisCallLimit(clock, 1);
    limit.decide(streams(1), 0);
    limit.record('kinesis|us-east-1|stream-0', 0, reading(2));
    clock.advanceTo(600_000);
    expect(limit.decide(streams(2), 600_000 - 1).waitForToken).toHaveLength(1);
  });

  it('waits for a token on its clock', async () => {
    const clock = new VirtualClock(0);
    const limit = new KinesisCallLimit(clock, 2);
    const source = { region: 'us-east-1' };
    for (let i = 0; i < 5; i += 1) await limit.waitForToken(source);
    // 2 at once, then one every 500 ms.
    expect(clock.now()).toBe(1_500);
  });

  it('keeps one bucket per account and region: another account and another region have their own quota', () => {
    const clock = new VirtualClock(0);
    const limit = new KinesisCallLimit(clock, 1);
    const decision = limit.decide(
      [
        { key: 'a', source: { region: 'us-east-1' } },
        { key: 'b', source: { region: 'us-east-1' } },
        { key: 'c', source: { region: 'eu-west-1' } },
        { key: 'd', source: { region: 'us-east-1', roleArn: 'arn:aws:iam::111122223333:role/reader' } },
        { key: 'e', source: { region: 'us-east-1', roleArn: 'arn:aws:iam::111122223333:role/other-reader' } },
      ],
      0,
    );
    expect(decision.readNow).toEqual(['a', 'c', 'd']);
    expect(decision.waitForToken).toEqual(['b', 'e']);
  });

  it('at 10,000 objects (500 streams, 10 shards of 50, a pass every 15 s) stays under 20 calls a second account-wide', async () => {
    const clock = new VirtualClock(0);
    const shards = Array.from({ length: 10 }, () => new KinesisCallLimit(clock));
    for (const shard of shards) shard.shareAmong(10);
    const calls: number[] = [];
    for (let pass = 0; pass < 40; pass += 1) {
      const passNow = pass * 15_000;
      clock.advanceTo(passNow);
      await Promise.all(
        shards.map(async (shard, s) => {
          const mine = streams(50).map((read) => ({ ...read, key: `${read.key}-shard-${s}` }));
          const decision = shard.decide(mine, passNow);
          const read = (key: string) => {
            calls.push(clock.now());
            shard.record(key, passNow, reading(2));
          };
          decision.readNow.forEach(read);
          for (const key of decision.waitForToken) {
            await shard.waitForToken({ region: 'us-east-1' });
            read(key);
          }
        }),
      );
    }
    const steady = calls.filter((t) => t >= 120_000);
    const seconds = (40 * 15_000 - 120_000) / 1000;
    // Every stream read every other pass: 500 / 30 s.
    expect(steady.length / seconds).toBeCloseTo(500 / 30, 0);
    for (let start = 0; start < 600_000; start += 250) {
      expect(calls.filter((t) => t >= start && t < start + 1_000).length).toBeLessThanOrEqual(2 * 20);
    }
  });
});
