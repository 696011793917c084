import { describe, expect, it } from 'vitest';
import { kedaMetricMilli } from '../../../lambdas/engine/keda/metric-value';

describe('kedaMetricMilli (KEDA %.3f, then the HPA milli value)', () => {
  it.each([
    [47, 47_000],
    [0, 0],
    [1.5, 1_500],
    [0.0004, 0],
    [0.0006, 1],
    [1.2345, 1_234], // binary 1.2345 is just below the half
    [2.0005, 2_001], // binary 2.0005 is just above the half
    [0.0625, 62], // an exact half rounds to even, as Go does
    [0.1875, 188],
    [1.0625, 1_062],
    [-3, 0],
    [Number.NaN, 0],
    [Number.POSITIVE_INFINITY, 0],
    [Number.NEGATIVE_INFINITY, 0],
    [-0, 0],
  ])('%s → %s milli', (value, milli) => {
    expect(kedaMetricMilli(value)).toBe(milli);
  });

  it('stays an exact integer for huge values', () => {
    expect(Number.isSafeInteger(kedaMetricMilli(1e20))).toBe(true);
    expect(kedaMetricMilli(123_456_789_012.3456)).toBe(123_456_789_012_346);
  });
});
