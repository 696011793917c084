import { describe, expect, it } from 'vitest';
import {
  fallbackMetricMilli,
  fallbackReplicas,
  isFallbackEnabled,
  isFallingBack,
  nextHealth,
} from '../../../lambdas/engine/keda/fallback';
import type { FallbackSpec } from '../../../lambdas/engine/spec/scaled-object';

const spec = (overrides: Partial<FallbackSpec> = {}): FallbackSpec => ({ failureThreshold: 3, replicas: 6, behavior: 'static', ...overrides });

describe('fallback health', () => {
  it('falls back at the 4th consecutive failure with threshold 3', () => {
    let health = nextHealth(undefined, false);
    const fallingBack: boolean[] = [];
    for (let failure = 1; failure <= 5; failure += 1) {
      fallingBack.push(isFallingBack(health, spec()));
      health = nextHealth(health, false);
    }
    expect(fallingBack).toEqual([false, false, false, true, true]);
  });

  it('a success resets to 0/Happy', () => {
    expect(nextHealth({ numberOfFailures: 7, status: 'Failing' }, true)).toEqual({ numberOfFailures: 0, status: 'Happy' });
  });

  it('threshold 0 falls back at the first failure', () => {
    expect(isFallingBack(nextHealth(undefined, false), spec({ failureThreshold: 0 }))).toBe(true);
  });

  it.each([
    [undefined, false],
    [spec(), true],
    [spec({ failureThreshold: -1 }), false],
    [spec({ replicas: -1 }), false],
    [spec({ replicas: 0 }), true],
  ])('enabled for %j: %s', (fallback, enabled) => {
    expect(isFallbackEnabled(fallback)).toBe(enabled);
  });
});

describe('fallback replicas per behavior', () => {
  it.each([
    ['static', 3, 6],
    ['currentReplicas', 3, 3],
    ['currentReplicasIfHigher', 3, 6],
    ['currentReplicasIfHigher', 9, 9],
    ['currentReplicasIfLower', 3, 3],
    ['currentReplicasIfLower', 9, 6],
  ] as const)('%s at %s current → %s', (behavior, current, replicas) => {
    expect(fallbackReplicas(spec({ behavior }), current)).toBe(replicas);
  });
});

describe('fallback metric', () => {
  it('AverageValue: target × R', () => {
    expect(fallbackMetricMilli(5_000, 'AverageValue', 6, undefined)).toEqual({ ok: true, valueMilli: 30_000 });
  });

  it('Value: target × R / ready pods, truncated', () => {
    expect(fallbackMetricMilli(5_000, 'Value', 7, 3)).toEqual({ ok: true, valueMilli: 11_666 });
  });

  it('Value with 0 ready pods fails', () => {
    expect(fallbackMetricMilli(5_000, 'Value', 7, 0)).toMatchObject({ ok: false });
    expect(fallbackMetricMilli(5_000, 'Value', 7, undefined)).toMatchObject({ ok: false });
  });
});
