/**
 * HPA normalization without a behavior block (`normalizeDesiredReplicas`): a max over the
 * downscale stabilization window, then the historic scale-up cap max(2 × current, 4) and min/max.
 */
import type { TimestampedCount } from '../scaling-state';
import { storeRecommendation } from './recommendations';
import { toInt32 } from './int32';

/** `--horizontal-pod-autoscaler-downscale-stabilization` default. */
export const LEGACY_DOWNSCALE_STABILIZATION_MS = 5 * 60 * 1000;

export type LegacyLimit = 'TooFewReplicas' | 'ScaleUpLimit' | 'TooManyReplicas';

export interface LegacyNormalizationInput {
  current: number;
  /** The metrics' proposal (prenormalized). */
  desired: number;
  minReplicas: number;
  maxReplicas: number;
  recommendations: readonly TimestampedCount[];
  now: number;
  windowMs?: number;
}

export interface LegacyNormalizationResult {
  replicas: number;
  /** The value after stabilization, before the cap and clamp. */
  stabilized: number;
  limit?: LegacyLimit;
  /** The cap that applied when `limit` is set. */
  limitValue?: number;
  recommendations: TimestampedCount[];
}

/**
 * `stabilizeRecommendation`: unlike the behavior path, this is a plain max (not a clamp of the
 * current count), and the cutoff instant itself is inside the window.
 */
function stabilize(input: LegacyNormalizationInput): { stabilized: number; recommendations: TimestampedCount[] } {
  const cutoff = input.now - (input.windowMs ?? LEGACY_DOWNSCALE_STABILIZATION_MS);
  let stabilized = input.desired;
  let oldIndex: number | undefined;
  input.recommendations.forEach((recommendation, index) => {
    if (recommendation.timestamp < cutoff) oldIndex = index;
    else if (recommendation.replicas > stabilized) stabilized = recommendation.replicas;
  });
  return {
    stabilized,
    recommendations: storeRecommendation(input.recommendations, oldIndex, input.desired, input.now),
  };
}

/** `calculateScaleUpLimit`: a guard against bogus metric spikes from the early HPA days. */
export function legacyScaleUpLimit(current: number): number {
  return toInt32(Math.max(2 * current, 4));
}

export function normalizeLegacy(input: LegacyNormalizationInput): LegacyNormalizationResult {
  const { stabilized, recommendations } = stabilize(input);
  const scaleUpLimit = legacyScaleUpLimit(input.current);
  const capIsRate = input.maxReplicas > scaleUpLimit;
  const maximumAllowed = capIsRate ? scaleUpLimit : input.maxReplicas;
  if (stabilized < input.minReplicas) {
    return { replicas: input.minReplicas, stabilized, limit: 'TooFewReplicas', limitValue: input.minReplicas, recommendations };
  }
  if (stabilized > maximumAllowed) {
    const limit: LegacyLimit = capIsRate ? 'ScaleUpLimit' : 'TooManyReplicas';
    return { replicas: maximumAllowed, stabilized, limit, limitValue: maximumAllowed, recommendations };
  }
  return { replicas: stabilized, stabilized, recommendations };
}
