import { describe, expect, it } from 'vitest';
import type { HpaMetric, HpaReconcileInput } from '../../../lambdas/engine/hpa/reconcile';
import { reconcileHpa } from '../../../lambdas/engine/hpa/reconcile';
import type { TimestampedCount } from '../../../lambdas/engine/scaling-state';
import { T0, seconds } from '../fixtures';

const metric = (value: number, target = 5, metricType: HpaMetric['metricType'] = 'AverageValue'): HpaMetric => ({
  metricName: 's0-aws-sqs-orders',
  metricType,
  targetMilli: target * 1000,
  valueMilli: value * 1000,
});
const failed: HpaMetric = { metricName: 's1-aws-cloudwatch', metricType: 'AverageValue', targetMilli: 10_000, error: 'Throttling' };

function run(overrides: Partial<HpaReconcileInput>) {
  return reconcileHpa({
    current: 2,
    minReplicas: 1,
    maxReplicas: 100,
    metrics: [metric(10)],
    recommendations: [],
    history: { scaleUpEvents: [], scaleDownEvents: [] },
    now: T0,
    ...overrides,
  });
}

describe('reconcile shortcuts', () => {
  it.each([
    ['above max → max, no metrics read', { current: 12, maxReplicas: 10 }, 10, 'above-max'],
    ['below min → min', { current: 1, minReplicas: 3 }, 3, 'below-min'],
    ['at zero with min ≥ 1 → scaling disabled', { current: 0 }, 0, 'scaling-disabled'],
  ] as const)('%s', (_name, overrides, desired, rule) => {
    const result = run(overrides);
    expect(result.desired).toBe(desired);
    expect(result.rule).toBe(rule);
    expect(result.proposals.every((proposal) => proposal === undefined)).toBe(true);
  });
});

describe('history seeding (recordInitialRecommendation)', () => {
  it('seeds [{current, now}] when there is no history, which blocks scale-down', () => {
    const result = run({ current: 5, metrics: [metric(5)], recommendations: undefined, behavior: {} });
    expect(result.desired).toBe(5);
    expect(result.rule).toBe('stabilization');
    expect(result.recommendations).toEqual([
      { replicas: 5, timestamp: T0 },
      { replicas: 1, timestamp: T0 },
    ]);
  });

  it('does not re-seed an existing empty list', () => {
    const result = run({ current: 5, metrics: [metric(5)], recommendations: [], behavior: {} });
    expect(result.desired).toBe(1);
    expect(result.recommendations).toEqual([{ replicas: 1, timestamp: T0 }]);
  });

  it('seeds the legacy path too', () => {
    expect(run({ current: 5, metrics: [metric(5)], recommendations: undefined }).desired).toBe(5);
  });
});

describe('scale-down stabilization over the default 300 s window', () => {
  it('holds for 300 s and scales down at exactly 300 s', () => {
    let recommendations: TimestampedCount[] | undefined;
    const seen: [number, number][] = [];
    for (let t = 0; t <= 330; t += 30) {
      const result = run({ current: 5, metrics: [metric(5)], recommendations, behavior: {}, now: T0 + seconds(t) });
      recommendations = result.recommendations;
      seen.push([t, result.desired]);
    }
    expect(seen.filter(([, desired]) => desired === 5).map(([t]) => t)).toEqual([0, 30, 60, 90, 120, 150, 180, 210, 240, 270]);
    expect(seen.find(([t]) => t === 300)?.[1]).toBe(1);
  });

  it('one millisecond before the end it still holds', () => {
    const recommendations = [{ replicas: 5, timestamp: T0 }];
    expect(run({ current: 5, metrics: [metric(5)], recommendations, behavior: {}, now: T0 + seconds(300) - 1 }).desired).toBe(5);
    expect(run({ current: 5, metrics: [metric(5)], recommendations, behavior: {}, now: T0 + seconds(300) }).desired).toBe(1);
  });
});

describe('decision rules and limit notes', () => {
  it('rate limit: names the policy', () => {
    const result = run({ current: 1, metrics: [metric(47)], behavior: { scaleUp: { policies: [{ type: 'Pods', value: 3, periodSeconds: 60 }] } } });
    expect(result).toMatchObject({ desired: 4, rule: 'rate-limit', limitNote: 'capped to 4 by scaleUp policy Pods 3 per 60s', metricProposal: 10 });
  });

  it('default behavior from 1 → 5', () => {
    expect(run({ current: 1, metrics: [metric(47)], behavior: {} })).toMatchObject({ desired: 5, rule: 'rate-limit' });
  });

  it('legacy cap from 1 → 4', () => {
    expect(run({ current: 1, metrics: [metric(47)] })).toMatchObject({ desired: 4, rule: 'scale-up-limit' });
  });

  it('max replicas', () => {
    expect(run({ current: 8, maxReplicas: 10, metrics: [metric(100)] })).toMatchObject({ desired: 10, rule: 'max-replicas' });
    expect(run({ current: 8, maxReplicas: 10, metrics: [metric(100)], behavior: {} })).toMatchObject({ desired: 10, rule: 'max-replicas' });
  });

  it('min replicas', () => {
    expect(run({ current: 4, minReplicas: 3, metrics: [metric(0)] })).toMatchObject({ desired: 3, rule: 'min-replicas' });
  });

  it('selectPolicy Disabled holds the direction', () => {
    const result = run({ current: 2, metrics: [metric(50)], behavior: { scaleUp: { selectPolicy: 'Disabled' } } });
    expect(result).toMatchObject({ desired: 2, rule: 'selectpolicy-disabled' });
  });

  it('tolerance: every metric inside the band keeps the count', () => {
    expect(run({ current: 2, metrics: [metric(11)] })).toMatchObject({ desired: 2, rule: 'tolerance' });
  });

  it('plain HPA proposal', () => {
    expect(run({ current: 2, metrics: [metric(15)] })).toMatchObject({ desired: 3, rule: 'hpa' });
  });

  it('all metrics failed: no scaling', () => {
    expect(run({ current: 3, metrics: [failed] })).toMatchObject({ desired: 3, rule: 'error', error: 'Throttling' });
  });

  it('partial failure with a lower proposal: no scale-down', () => {
    expect(run({ current: 5, metrics: [metric(5), failed] })).toMatchObject({ desired: 5, rule: 'error' });
  });

  it('partial failure with a higher proposal: scales and reports', () => {
    expect(run({ current: 3, metrics: [metric(20), failed] })).toMatchObject({ desired: 4, error: 'Throttling' });
  });

  it('per-direction tolerance from behavior', () => {
    // ratio 1.04 with scaleUp tolerance 0.01 scales; the default 0.1 would not.
    expect(run({ current: 5, metrics: [metric(26)], behavior: { scaleUp: { tolerance: 0.01 } } }).desired).toBe(6);
    expect(run({ current: 5, metrics: [metric(26)], behavior: {} }).desired).toBe(5);
  });

  it('Value metric multiplies by ready pods', () => {
    expect(run({ current: 4, readyPods: 2, metrics: [metric(30, 10, 'Value')] }).desired).toBe(6);
  });
});
