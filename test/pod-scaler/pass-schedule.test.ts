import { describe, expect, it } from 'vitest';
import { planPasses } from '../../lambdas/pod-scaler/pass-schedule';

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
