import { describe, expect, it } from 'vitest';
import { scaleDownLimit, scaleUpLimit } from '../../../lambdas/engine/hpa/rate-limit';
import type { ResolvedScalingRules } from '../../../lambdas/engine/hpa/behavior-defaults';
import { resolveBehavior } from '../../../lambdas/engine/hpa/behavior-defaults';
import type { HpaScalingPolicy, SelectPolicy } from '../../../lambdas/engine/spec/scaled-object';
import { T0, seconds } from '../fixtures';

const NO_EVENTS = { scaleUpEvents: [], scaleDownEvents: [] };
const DEFAULTS = resolveBehavior({});
const rules = (selectPolicy: SelectPolicy, ...policies: HpaScalingPolicy[]): ResolvedScalingRules => ({
  stabilizationWindowSeconds: 0,
  selectPolicy,
  policies,
});
const pods = (value: number, periodSeconds = 60): HpaScalingPolicy => ({ type: 'Pods', value, periodSeconds });
const percent = (value: number, periodSeconds = 60): HpaScalingPolicy => ({ type: 'Percent', value, periodSeconds });

describe('scale-up limit', () => {
  it.each([
    ['default behavior from 1: Pods 4 wins → 5', 1, DEFAULTS.scaleUp, 5],
    ['default behavior from 0: Pods 4 → 4 (Percent gives 0)', 0, DEFAULTS.scaleUp, 4],
    ['default behavior from 10: Percent 100 → 20', 10, DEFAULTS.scaleUp, 20],
    ['Percent rounds up: 3 at 10% → ceil(3.3) = 4', 3, rules('Max', percent(10)), 4],
    ['Percent alone never leaves 0', 0, rules('Max', percent(100)), 0],
    ['selectPolicy Min picks the smaller proposal', 10, rules('Min', pods(4), percent(100)), 14],
    ['selectPolicy Max picks the larger proposal', 10, rules('Max', pods(4), percent(100)), 20],
    ['selectPolicy Disabled returns current', 10, rules('Disabled', pods(4)), 10],
  ])('%s', (_name, current, scalingRules, limit) => {
    expect(scaleUpLimit(current, scalingRules, NO_EVENTS, T0).limit).toBe(limit);
  });

  it('counts additions inside each policy period (period start = current - added + deleted)', () => {
    const history = { scaleUpEvents: [{ replicas: 3, timestamp: T0 - seconds(30) }], scaleDownEvents: [] };
    // 8 now, 3 added 30 s ago: the 60 s period started at 5, Pods 3 allows 8 at most.
    expect(scaleUpLimit(8, rules('Max', pods(3, 60)), history, T0).limit).toBe(8);
    // A 15 s period no longer sees that event.
    expect(scaleUpLimit(8, rules('Max', pods(3, 15)), history, T0).limit).toBe(11);
  });

  it('an event exactly one period old is outside the period', () => {
    const history = { scaleUpEvents: [{ replicas: 3, timestamp: T0 - seconds(60) }], scaleDownEvents: [] };
    expect(scaleUpLimit(8, rules('Max', pods(3, 60)), history, T0).limit).toBe(11);
  });

  it('crossing directions: a recent scale-down raises the scale-up budget', () => {
    const history = { scaleUpEvents: [], scaleDownEvents: [{ replicas: 4, timestamp: T0 - seconds(20) }] };
    expect(scaleUpLimit(6, rules('Max', pods(2, 60)), history, T0).limit).toBe(12);
  });

  it('names the policy that set the limit', () => {
    expect(scaleUpLimit(1, DEFAULTS.scaleUp, NO_EVENTS, T0).selected).toEqual({ type: 'Pods', value: 4, periodSeconds: 15 });
  });

  it('an empty list means no movement under Max but no limit under Min', () => {
    expect(scaleUpLimit(5, rules('Max'), NO_EVENTS, T0).limit).toBeLessThan(5);
    expect(scaleUpLimit(5, rules('Min'), NO_EVENTS, T0).limit).toBe(2_147_483_647);
  });
});

describe('scale-down limit', () => {
  it.each([
    ['Percent truncates: 10 at 15% → trunc(8.5) = 8', 10, rules('Max', percent(15)), 8],
    ['Percent 50 of 5 → trunc(2.5) = 2', 5, rules('Max', percent(50)), 2],
    ['Pods 2 from 10 → 8', 10, rules('Max', pods(2)), 8],
    ['selectPolicy Max = the biggest decrease', 10, rules('Max', pods(1), percent(50)), 5],
    ['selectPolicy Min = the smallest decrease', 10, rules('Min', pods(1), percent(50)), 9],
    ['selectPolicy Disabled returns current', 10, rules('Disabled', percent(100)), 10],
    ['default: Percent 100 → 0', 10, DEFAULTS.scaleDown, 0],
  ])('%s', (_name, current, scalingRules, limit) => {
    expect(scaleDownLimit(current, scalingRules, NO_EVENTS, T0).limit).toBe(limit);
  });

  it('crossing directions: a recent scale-up allows a bigger scale-down', () => {
    const history = { scaleUpEvents: [{ replicas: 4, timestamp: T0 - seconds(20) }], scaleDownEvents: [] };
    // The 60 s period started at 10 - 4 = 6; Pods 1 allows down to 5.
    expect(scaleDownLimit(10, rules('Max', pods(1, 60)), history, T0).limit).toBe(5);
  });

  it('counts removals inside the period', () => {
    const history = { scaleUpEvents: [], scaleDownEvents: [{ replicas: 2, timestamp: T0 - seconds(10) }] };
    // Started at 10 + 2 = 12; Pods 2 allows 10, which is current: no further step.
    expect(scaleDownLimit(10, rules('Max', pods(2, 60)), history, T0).limit).toBe(10);
  });
});
