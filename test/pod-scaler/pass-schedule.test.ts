import { describe, expect, it } from 'vitest';
import { lastScheduledTimes, planPasses, scheduledTimesAround } from '../../lambdas/pod-scaler/pass-schedule';

const NOW = Date.UTC(2026, 11, 22, 12, 0, 0);
const one = (interval: number, extra: { lastPolledAt?: number } = {}) => [{ key: 'k', pollingIntervalSeconds: interval, ...extra }];
const offsets = (passes: ReturnType<typeof planPasses>) => passes.map((pass) => pass.offsetMs / 1000);
const polls = (passes: ReturnType<typeof planPasses>) => passes.filter((pass) => pass.kedaPolls.includes('k')).map((pass) => pass.offsetMs / 1000);

describe('planPasses: KEDA polls and HPA syncs within one EventBridge minute', () => {
  it.each([
    // pollingInterval, evaluation offsets (s), of which KEDA polls
    { interval: 15, passes: [0, 15, 30, 45], polls: [0, 15, 30, 45] },
    { interval: 30, passes: [0, 15, 30, 45], polls: [0, 30] },
    { interval: 20, passes: [0, 15, 20, 30, 40, 45], polls: [0, 20, 40] },
    { interval: 5, passes: [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55], polls: [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55] },
    { interval: 60, passes: [0, 15, 30, 45], polls: [0] },
  ])('pollingInterval $interval s: evaluations at $passes s, KEDA polls at $polls s', ({ interval, passes, polls: expected }) => {
    const planned = planPasses(one(interval), NOW, 60_000);
    expect(offsets(planned)).toEqual(passes);
    expect(polls(planned)).toEqual(expected);
  });

  it('with the HPA sync switched off (0), evaluates only at each pollingInterval', () => {
    const planned = planPasses(one(30), NOW, 60_000, 0);
    expect(offsets(planned)).toEqual([0, 30]);
    expect(polls(planned)).toEqual([0, 30]);
  });

  it('groups objects that share an offset into one pass (one batched read)', () => {
    const planned = planPasses(
      [
        { key: 'a', pollingIntervalSeconds: 15 },
        { key: 'b', pollingIntervalSeconds: 30 },
      ],
      NOW,
      60_000,
    );
    expect(planned).toEqual([
      { offsetMs: 0, keys: ['a', 'b'], kedaPolls: ['a', 'b'] },
      { offsetMs: 15_000, keys: ['a', 'b'], kedaPolls: ['a'] },
      { offsetMs: 30_000, keys: ['a', 'b'], kedaPolls: ['a', 'b'] },
      { offsetMs: 45_000, keys: ['a', 'b'], kedaPolls: ['a'] },
    ]);
  });

  it.each([
    { what: 'never polled', last: undefined, polled: true },
    { what: 'interval elapsed', last: NOW - 120_000, polled: true },
    { what: 'within EventBridge jitter of due', last: NOW - 117_000, polled: true },
    { what: 'polled a minute ago', last: NOW - 60_000, polled: false },
  ])('an object polled every 120 s is polled when due ($what) and HPA-synced every 15 s', ({ last, polled }) => {
    const planned = planPasses(one(120, last === undefined ? {} : { lastPolledAt: last }), NOW, 60_000);
    expect(offsets(planned)).toEqual([0, 15, 30, 45]);
    expect(polls(planned)).toEqual(polled ? [0] : []);
  });

  it('a zero window (alarm-driven evaluation) polls every object once, now', () => {
    const planned = planPasses(
      [
        { key: 'a', pollingIntervalSeconds: 15 },
        { key: 'b', pollingIntervalSeconds: 300, lastPolledAt: NOW - 1_000 },
      ],
      NOW,
      0,
    );
    expect(planned).toEqual([{ offsetMs: 0, keys: ['a', 'b'], kedaPolls: ['a', 'b'] }]);
  });
});

describe('lastScheduledTimes: the times a steady state is carried forward to (carried-forward.ts)', () => {
  it.each([
    // pollingInterval, HPA sync, last evaluation and last poll in the minute (s from its start)
    { interval: 30, sync: 15, evaluation: 45, poll: 30 },
    { interval: 15, sync: 15, evaluation: 45, poll: 45 },
    { interval: 20, sync: 15, evaluation: 45, poll: 40 },
    { interval: 60, sync: 15, evaluation: 45, poll: 0 },
    { interval: 30, sync: 0, evaluation: 30, poll: 30 },
    { interval: 60, sync: 0, evaluation: 0, poll: 0 },
    // Polled when due, which its written polledAt decides: no poll time; synced every 15 s.
    { interval: 120, sync: 15, evaluation: 45, poll: undefined },
  ])('pollingInterval $interval s, sync $sync s: last evaluation at $evaluation s, last poll at $poll s', ({ interval, sync, evaluation, poll }) => {
    expect(lastScheduledTimes(interval, NOW, 60_000, sync)).toEqual({ evaluationAt: NOW + evaluation * 1000, ...(poll === undefined ? {} : { pollAt: NOW + poll * 1000 }) });
  });

  it('nothing for an object evaluated only at polls whose time is written (pollingInterval over the window, no sync)', () => {
    expect(lastScheduledTimes(120, NOW, 60_000, 0)).toBeUndefined();
  });

  it('a scheduled invocation: the previous minute and this one', () => {
    expect(scheduledTimesAround(30, NOW, 60_000)).toEqual({
      previous: { evaluationAt: NOW - 15_000, pollAt: NOW - 30_000 },
      current: { evaluationAt: NOW + 45_000, pollAt: NOW + 30_000 },
    });
  });

  it('an evaluation on demand (alarm, window 0) takes the previous evaluation to be just before it, and carries nothing of its own', () => {
    expect(scheduledTimesAround(30, NOW, 0)).toEqual({ previous: { evaluationAt: NOW - 1, pollAt: NOW - 1 } });
    expect(scheduledTimesAround(120, NOW, 0)).toEqual({ previous: { evaluationAt: NOW - 1 } });
  });
});
