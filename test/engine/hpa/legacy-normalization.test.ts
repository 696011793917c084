import { describe, expect, it } from 'vitest';
import { legacyScaleUpLimit, normalizeLegacy } from '../../../lambdas/engine/hpa/legacy-normalization';
import { T0, seconds } from '../fixtures';

const base = { minReplicas: 1, maxReplicas: 100, recommendations: [], now: T0 };

describe('legacy scale-up cap max(2 × current, 4)', () => {
  it.each([
    [0, 4],
    [1, 4],
    [2, 4],
    [3, 6],
    [10, 20],
  ])('from %s the cap is %s', (current, cap) => {
    expect(legacyScaleUpLimit(current)).toBe(cap);
  });

  it.each([
    // current, desired, max, replicas, limit
    [1, 10, 100, 4, 'ScaleUpLimit'], // 4 total, not current + 4
    [3, 10, 100, 6, 'ScaleUpLimit'],
    [0, 10, 100, 4, 'ScaleUpLimit'],
    [3, 10, 5, 5, 'TooManyReplicas'],
    [3, 10, 6, 6, 'TooManyReplicas'], // max equal to the cap reports TooManyReplicas
    [3, 0, 100, 1, 'TooFewReplicas'],
    [3, 5, 100, 5, undefined],
  ])('current %s desired %s max %s → %s (%s)', (current, desired, maxReplicas, replicas, limit) => {
    const result = normalizeLegacy({ ...base, current, desired, maxReplicas });
    expect(result.replicas).toBe(replicas);
    expect(result.limit).toBe(limit);
  });
});

describe('legacy stabilization: max over the last 5 minutes, cutoff instant included', () => {
  it.each([
    ['recommendation exactly 300 s old still counts', seconds(300), 7],
    ['300.001 s old no longer counts', seconds(300) + 1, 3],
    ['a recent one counts', seconds(10), 7],
  ])('%s', (_name, age, replicas) => {
    const result = normalizeLegacy({ ...base, current: 5, desired: 3, recommendations: [{ replicas: 7, timestamp: T0 - age }] });
    expect(result.replicas).toBe(replicas);
  });

  it('can scale up: it is a max, not a clamp of the current count', () => {
    const result = normalizeLegacy({ ...base, current: 2, desired: 2, recommendations: [{ replicas: 4, timestamp: T0 - seconds(60) }] });
    expect(result.replicas).toBe(4);
  });

  it('stores the prenormalized value over the last entry older than the window, else appends', () => {
    const old1 = { replicas: 9, timestamp: T0 - seconds(900) };
    const old2 = { replicas: 8, timestamp: T0 - seconds(600) };
    const recent = { replicas: 2, timestamp: T0 - seconds(30) };
    const overwritten = normalizeLegacy({ ...base, current: 5, desired: 20, recommendations: [old1, old2, recent] });
    expect(overwritten.recommendations).toEqual([old1, { replicas: 20, timestamp: T0 }, recent]);
    const appended = normalizeLegacy({ ...base, current: 5, desired: 20, recommendations: [recent] });
    expect(appended.recommendations).toEqual([recent, { replicas: 20, timestamp: T0 }]);
  });
});
