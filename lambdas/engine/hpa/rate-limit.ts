/**
 * Scaling policies (`calculateScaleUpLimitWithScalingRules`, `calculateScaleDownLimitWithBehaviors`):
 * how far the count may move given the changes already made inside each policy's period.
 */
import type { HpaScalingPolicy } from '../spec/scaled-object';
import type { TimestampedCount } from '../scaling-state';
import type { ResolvedScalingRules } from './behavior-defaults';
import { changeInPeriod } from './scale-events';
import { MAX_INT32, MIN_INT32, addInt32, toInt32 } from './int32';

export interface ScaleHistory {
  scaleUpEvents: readonly TimestampedCount[];
  scaleDownEvents: readonly TimestampedCount[];
}

export interface PolicyProposal {
  policy: HpaScalingPolicy;
  /** The count the period started from: current minus additions plus removals inside the period. */
  periodStart: number;
  proposed: number;
}

export interface PolicyLimit {
  /** The allowed bound; `current` when the direction is disabled. */
  limit: number;
  disabled: boolean;
  proposals: PolicyProposal[];
  /** The policy whose proposal became the limit (first one on ties). */
  selected?: HpaScalingPolicy;
}

function periodStart(current: number, policy: HpaScalingPolicy, history: ScaleHistory, now: number): number {
  const added = changeInPeriod(history.scaleUpEvents, policy.periodSeconds, now);
  const deleted = changeInPeriod(history.scaleDownEvents, policy.periodSeconds, now);
  // Crossing directions on purpose: a recent scale-down raises the scale-up budget, and back.
  return addInt32(current - added, deleted);
}

function scaleUpProposal(start: number, policy: HpaScalingPolicy): number {
  if (policy.type === 'Pods') return addInt32(start, policy.value);
  // Same operation order as upstream's float64 math, rounded up so a small percent still moves.
  return toInt32(Math.ceil(start * (1 + policy.value / 100)));
}

function scaleDownProposal(start: number, policy: HpaScalingPolicy): number {
  if (policy.type === 'Pods') return addInt32(start, -policy.value);
  // int32() truncates toward zero: 10 replicas at 15% gives 8, i.e. at least the percent goes.
  return toInt32(start * (1 - policy.value / 100));
}

function select(
  rules: ResolvedScalingRules,
  current: number,
  history: ScaleHistory,
  now: number,
  propose: (start: number, policy: HpaScalingPolicy) => number,
  preferHigher: boolean,
): PolicyLimit {
  if (rules.selectPolicy === 'Disabled') return { limit: current, disabled: true, proposals: [] };
  let limit = preferHigher ? MIN_INT32 : MAX_INT32;
  let selected: HpaScalingPolicy | undefined;
  const proposals: PolicyProposal[] = [];
  for (const policy of rules.policies) {
    const start = periodStart(current, policy, history, now);
    const proposed = propose(start, policy);
    proposals.push({ policy, periodStart: start, proposed });
    if (preferHigher ? proposed > limit : proposed < limit) {
      limit = proposed;
      selected = policy;
    }
  }
  return selected ? { limit, disabled: false, proposals, selected } : { limit, disabled: false, proposals };
}

/** `Max` picks the largest allowed count, `Min` the smallest. */
export function scaleUpLimit(current: number, rules: ResolvedScalingRules, history: ScaleHistory, now: number): PolicyLimit {
  return select(rules, current, history, now, scaleUpProposal, rules.selectPolicy !== 'Min');
}

/** Inverted for scale-down: `Max` (the biggest change) picks the smallest count, `Min` the largest. */
export function scaleDownLimit(current: number, rules: ResolvedScalingRules, history: ScaleHistory, now: number): PolicyLimit {
  return select(rules, current, history, now, scaleDownProposal, rules.selectPolicy === 'Min');
}
