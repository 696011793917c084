import { describe, expect, it } from 'vitest';
import { changeInPeriod, longestPolicyPeriodSeconds, storeScaleEvent } from '../../../lambdas/engine/hpa/scale-events';
import { resolveBehavior } from '../../../lambdas/engine/hpa/behavior-defaults';
import { T0, seconds } from '../fixtures';

const rules = resolveBehavior({
  scaleUp: {
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 120 },
    ],
  },
}).scaleUp;

describe('scale events', () => {
  it('uses the longest period of the direction', () => {
    expect(longestPolicyPeriodSeconds(rules)).toBe(120);
  });

  it('prunes events older than the longest period and appends the new one', () => {
    const outdated = { replicas: 2, timestamp: T0 - seconds(121) };
    const atCutoff = { replicas: 3, timestamp: T0 - seconds(120) }; // not strictly older: kept
    const recent = { replicas: 1, timestamp: T0 - seconds(10) };
    expect(storeScaleEvent([outdated, atCutoff, recent], 5, rules, T0)).toEqual([atCutoff, recent, { replicas: 5, timestamp: T0 }]);
  });

  it('sums only the events strictly inside the period', () => {
    const events = [
      { replicas: 2, timestamp: T0 - seconds(15) },
      { replicas: 3, timestamp: T0 - seconds(14) },
    ];
    expect(changeInPeriod(events, 15, T0)).toBe(3);
  });
});
