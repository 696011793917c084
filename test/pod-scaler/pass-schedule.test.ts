import { describe, expect, it } from 'vitest';
import { planPasses } from '../../lambdas/pod-scaler/pass-schedule';

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);

describe('planPasses: pollingInterval within one EventBridge minute', () => {
  it.each([
    { interval: 15, offsets: [0, 15_000, 30_000, 45_000] },
    { interval: 30, offsets: [0, 30_000] },
    { interval: 20, offsets: [0, 20_000, 40_000] },
    { interval: 1, offsetsCount: 60 },
  ])('pollingInterval $interval s', ({ interval, offsets, offsetsCount }) => {
    const passes = planPasses([{ key: 'c/ns/a', pollingIntervalSeconds: interval }], NOW, 60_000);
    if (offsets) expect(passes.map((pass) => pass.offsetMs)).toEqual(offsets);
    if (offsetsCount) expect(passes).toHaveLength(offsetsCount);
    expect(passes.every((pass) => pass.keys.includes('c/ns/a'))).toBe(true);
  });

  it('groups objects that share an offset into one pass (one batched read)', () => {
    const passes = planPasses(
      [
        { key: 'a', pollingIntervalSeconds: 15 },
        { key: 'b', pollingIntervalSeconds: 30 },
      ],
      NOW,
      60_000,
    );
    expect(passes).toEqual([
      { offsetMs: 0, keys: ['a', 'b'] },
      { offsetMs: 15_000, keys: ['a'] },
      { offsetMs: 30_000, keys: ['a', 'b'] },
      { offsetMs: 45_000, keys: ['a'] },
    ]);
  });

  it.each([
    { what: 'never evaluated', last: undefined, due: true },
    { what: 'interval elapsed', last: NOW - 120_000, due: true },
    { what: 'within EventBridge jitter of due', last: NOW - 117_000, due: true },
    { what: 'evaluated a minute ago', last: NOW - 60_000, due: false },
  ])('an object polled every 120 s is evaluated when due: $what', ({ last, due }) => {
    const passes = planPasses(
      [{ key: 'slow', pollingIntervalSeconds: 120, ...(last === undefined ? {} : { lastEvaluatedAt: last }) }],
      NOW,
      60_000,
    );
    expect(passes.flatMap((pass) => pass.keys)).toEqual(due ? ['slow'] : []);
  });

  it('a zero window (alarm-driven evaluation) evaluates every object once, now', () => {
    const passes = planPasses(
      [
        { key: 'a', pollingIntervalSeconds: 15 },
        { key: 'b', pollingIntervalSeconds: 300, lastEvaluatedAt: NOW - 1_000 },
      ],
      NOW,
      0,
    );
    expect(passes).toEqual([{ offsetMs: 0, keys: ['a', 'b'] }]);
  });
});
