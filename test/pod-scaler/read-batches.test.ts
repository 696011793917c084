/**
 * ReadBatches: objects of a cluster pass read their triggers in shared batches, and none waits for
 * the whole pass (issue 13 goal 7). Preparations are promises the test settles; time is fake.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReadBatches } from '../../lambdas/pod-scaler/read-batches';
import type { ReadPlanOutcome, TriggerReadItem } from '../../lambdas/pod-scaler/tick-types';
import type { ParsedTrigger } from '../../lambdas/triggers/trigger-definition';

const item = (id: string): TriggerReadItem => ({ id, trigger: { type: 'aws-sqs-queue' } as ParsedTrigger });

/** A read plan that records each call's item ids and answers each item with its own id's length. */
function recordingReader() {
  const calls: string[][] = [];
  const read = async (items: TriggerReadItem[]): Promise<ReadPlanOutcome> => {
    calls.push(items.map((i) => i.id));
    return { readings: new Map(items.map((i) => [i.id, { service: 'kinesis', openShardCount: i.id.length }] as const)), calls: { sqs: 1 } };
  };
  return { calls, read };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ReadBatches', () => {
  it('reads objects prepared together in one call, reports its calls once, and gives each object its own readings', async () => {
    const { calls, read } = recordingReader();
    const batches = new ReadBatches(read, 16, 100);
    const outcomes = await Promise.all(['a', 'bb', 'ccc'].map((name) => batches.prepareThenRead(async () => name, (prepared) => [item(prepared)])));
    expect(calls).toEqual([['a', 'bb', 'ccc']]);
    expect(outcomes.map((outcome) => outcome.outcome.calls)).toEqual([{ sqs: 1 }, {}, {}]);
    expect([...outcomes[1]!.outcome.readings]).toEqual([['bb', { service: 'kinesis', openShardCount: 2 }]]);
  });

  it('an object waits for the others still preparing, then reads with them; one with nothing to read does not wait', async () => {
    const { calls, read } = recordingReader();
    const batches = new ReadBatches(read, 16, 100);
    const slow = deferred<string>();
    const first = batches.prepareThenRead(async () => 'a', (name) => [item(name)]);
    const paused = batches.prepareThenRead(async () => 'paused', () => []);
    const second = batches.prepareThenRead(() => slow.promise, (name) => [item(name)]);
    expect((await paused).outcome.readings.size).toBe(0);
    await vi.advanceTimersByTimeAsync(50);
    expect(calls).toEqual([]);
    slow.resolve('b');
    await Promise.all([first, second]);
    expect(calls).toEqual([['a', 'b']]);
  });

  it('a hung preparation delays the others by maxWaitMs only, and a failed one by nothing', async () => {
    const { calls, read } = recordingReader();
    const batches = new ReadBatches(read, 16, 100);
    const hung = new Promise<string>(() => undefined);
    const failing = deferred<string>();
    let done = false;
    void batches.prepareThenRead(() => hung, (name) => [item(name)]);
    const waiting = batches.prepareThenRead(async () => 'a', (name) => [item(name)]).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(calls).toEqual([['a']]);

    const failed = batches.prepareThenRead(() => failing.promise, (name) => [item(name)]).catch((error: Error) => error.message);
    failing.reject(new Error('boom'));
    expect(await failed).toBe('boom');
  });

  it('sends a batch once maxObjects wait, while others still prepare', async () => {
    const { calls, read } = recordingReader();
    const batches = new ReadBatches(read, 2, 100);
    const slow = deferred<string>();
    void batches.prepareThenRead(() => slow.promise, (name) => [item(name)]);
    await Promise.all(['a', 'b'].map((name) => batches.prepareThenRead(async () => name, (prepared) => [item(prepared)])));
    expect(calls).toEqual([['a', 'b']]);
  });
});
