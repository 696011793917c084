import { describe, expect, it } from 'vitest';
import { averageValueReplicas, valueReplicas } from '../../../lambdas/engine/hpa/replica-calculator';
import { isWithinTolerance, tolerancesFor } from '../../../lambdas/engine/hpa/tolerance';

const DEFAULT = { scaleDown: 0.1, scaleUp: 0.1 };

describe('tolerance', () => {
  it.each([
    [1.1, true],
    [0.9, true],
    [1.1001, false],
    [0.8999, false],
    [1, true],
  ])('ratio %s within the default band: %s', (ratio, within) => {
    expect(isWithinTolerance(ratio, DEFAULT)).toBe(within);
  });

  it('takes each direction from behavior on its own, 0.1 otherwise', () => {
    expect(tolerancesFor(undefined)).toEqual(DEFAULT);
    expect(tolerancesFor({ scaleUp: { tolerance: 0.05 } })).toEqual({ scaleDown: 0.1, scaleUp: 0.05 });
    expect(tolerancesFor({ scaleDown: { tolerance: 0 } })).toEqual({ scaleDown: 0, scaleUp: 0.1 });
  });
});

describe('AverageValue: ceil(usage / target) unless within tolerance of the current count', () => {
  it.each([
    // usage milli, target milli, current, replicas, within
    [47_000, 5_000, 2, 10, false],
    [11_000, 5_000, 2, 2, true], // ratio exactly 1.1
    [9_000, 5_000, 2, 2, true], // ratio exactly 0.9
    [11_001, 5_000, 2, 3, false], // ratio 1.1001
    [8_999, 5_000, 2, 2, false], // ratio 0.8999: ceil(1.7998) = 2, not within
    [0, 5_000, 3, 0, false],
    [1, 5_000, 3, 1, false],
    [12_000, 5_000, 0, 3, false], // from zero: +Inf ratio, never within
    [0, 5_000, 0, 0, false], // NaN ratio
  ])('usage %s target %s current %s → %s', (usage, target, current, replicas, within) => {
    expect(averageValueReplicas(usage, target, current, DEFAULT)).toMatchObject({ ok: true, replicas, withinTolerance: within });
  });

  it('caps at MaxInt32', () => {
    expect(averageValueReplicas(Number.MAX_SAFE_INTEGER, 1, 1, DEFAULT)).toMatchObject({ replicas: 2_147_483_647 });
  });

  it('rejects a zero target', () => {
    expect(averageValueReplicas(5_000, 0, 1, DEFAULT)).toMatchObject({ ok: false });
  });
});

describe('Value: ceil(ratio × ready pods), ceil(ratio) from zero', () => {
  it.each([
    // usage, target, current, ready, replicas, within
    [20_000, 10_000, 4, 3, 6, false], // ready pods multiply, not the replica count
    [11_000, 10_000, 4, 3, 4, true], // ratio 1.1 keeps current
    [11_001, 10_000, 4, 3, 4, false], // ceil(1.1001 × 3) = 4
    [25_000, 10_000, 0, undefined, 3, false], // from zero: ceil(2.5), pods ignored
    [5_000, 10_000, 2, 0, 0, false], // no ready pods: ceil(ratio × 0)
  ])('usage %s target %s current %s ready %s → %s', (usage, target, current, ready, replicas, within) => {
    expect(valueReplicas(usage, target, current, ready, DEFAULT)).toMatchObject({ ok: true, replicas, withinTolerance: within });
  });

  it('errors when ready pods are needed but unknown', () => {
    expect(valueReplicas(20_000, 10_000, 4, undefined, DEFAULT)).toEqual({
      ok: false,
      error: 'a Value metric needs the count of ready pods, which is unknown',
    });
  });

  it('does not need ready pods when within tolerance', () => {
    expect(valueReplicas(10_000, 10_000, 4, undefined, DEFAULT)).toMatchObject({ ok: true, replicas: 4 });
  });
});
