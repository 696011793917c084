/**
 * HPA normalization with a behavior block (`normalizeDesiredReplicasWithBehaviors`): stabilization
 * first, then the rate limit of the direction of travel, with min/max enforced only in that
 * direction (the reconcile shortcuts already put the current count inside [min, max]).
 */
import type { TimestampedCount } from '../scaling-state';
import type { ResolvedBehavior } from './behavior-defaults';
import type { BehaviorStabilizationResult } from './behavior-stabilization';
import { stabilizeWithBehavior } from './behavior-stabilization';
import type { PolicyLimit, ScaleHistory } from './rate-limit';
import { scaleDownLimit, scaleUpLimit } from './rate-limit';

export type BehaviorLimit = 'ScaleUpLimit' | 'TooManyReplicas' | 'ScaleDownLimit' | 'TooFewReplicas';

export interface BehaviorNormalizationInput {
  current: number;
  desired: number;
  minReplicas: number;
  maxReplicas: number;
  behavior: ResolvedBehavior;
  recommendations: readonly TimestampedCount[];
  history: ScaleHistory;
  now: number;
}

export interface BehaviorNormalizationResult {
  replicas: number;
  stabilization: BehaviorStabilizationResult;
  direction?: 'up' | 'down';
  /** The policy evaluation of the direction of travel, when the stabilized value moved. */
  policyLimit?: PolicyLimit;
  /** Set when the rate limit or min/max changed the stabilized value. */
  limit?: BehaviorLimit;
  recommendations: TimestampedCount[];
}

export function normalizeWithBehavior(input: BehaviorNormalizationInput): BehaviorNormalizationResult {
  const { current, behavior } = input;
  const stabilization = stabilizeWithBehavior({
    current,
    desired: input.desired,
    upWindowSeconds: behavior.scaleUp.stabilizationWindowSeconds,
    downWindowSeconds: behavior.scaleDown.stabilizationWindowSeconds,
    recommendations: input.recommendations,
    now: input.now,
  });
  const stabilized = stabilization.replicas;
  const base = { stabilization, recommendations: stabilization.recommendations };

  if (stabilized > current) {
    const policyLimit = scaleUpLimit(current, behavior.scaleUp, input.history, input.now);
    // Events still inside their periods can push the limit below current: hold, never shrink.
    const limit = Math.max(policyLimit.limit, current);
    const rateBound = input.maxReplicas > limit;
    const maximumAllowed = rateBound ? limit : input.maxReplicas;
    if (stabilized > maximumAllowed) {
      return { ...base, replicas: maximumAllowed, direction: 'up', policyLimit, limit: rateBound ? 'ScaleUpLimit' : 'TooManyReplicas' };
    }
    return { ...base, replicas: stabilized, direction: 'up', policyLimit };
  }
  if (stabilized < current) {
    const policyLimit = scaleDownLimit(current, behavior.scaleDown, input.history, input.now);
    const limit = Math.min(policyLimit.limit, current);
    const rateBound = input.minReplicas < limit;
    const minimumAllowed = rateBound ? limit : input.minReplicas;
    if (stabilized < minimumAllowed) {
      return { ...base, replicas: minimumAllowed, direction: 'down', policyLimit, limit: rateBound ? 'ScaleDownLimit' : 'TooFewReplicas' };
    }
    return { ...base, replicas: stabilized, direction: 'down', policyLimit };
  }
  return { ...base, replicas: stabilized };
}
