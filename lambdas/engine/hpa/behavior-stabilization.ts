/**
 * Stabilization with a behavior block (`stabilizeRecommendationWithBehaviors`): the current count
 * is clamped between the lowest recommendation of the scale-up window and the highest of the
 * scale-down window, so the count only moves once a direction has held for its whole window.
 */
import type { TimestampedCount } from '../scaling-state';
import { storeRecommendation } from './recommendations';

export interface BehaviorStabilizationInput {
  current: number;
  desired: number;
  upWindowSeconds: number;
  downWindowSeconds: number;
  recommendations: readonly TimestampedCount[];
  now: number;
}

export interface BehaviorStabilizationResult {
  replicas: number;
  /** Min over the scale-up window (including the new value): the most scale-up may reach. */
  upRecommendation: number;
  /** Max over the scale-down window (including the new value): the least scale-down may reach. */
  downRecommendation: number;
  recommendations: TimestampedCount[];
}

export function stabilizeWithBehavior(input: BehaviorStabilizationInput): BehaviorStabilizationResult {
  const upCutoff = input.now - input.upWindowSeconds * 1000;
  const downCutoff = input.now - input.downWindowSeconds * 1000;
  let upRecommendation = input.desired;
  let downRecommendation = input.desired;
  let oldIndex: number | undefined;
  input.recommendations.forEach((recommendation, index) => {
    // Strict on both sides: an entry exactly at a cutoff neither counts nor gets overwritten.
    if (recommendation.timestamp > upCutoff) upRecommendation = Math.min(upRecommendation, recommendation.replicas);
    if (recommendation.timestamp > downCutoff) downRecommendation = Math.max(downRecommendation, recommendation.replicas);
    if (recommendation.timestamp < upCutoff && recommendation.timestamp < downCutoff) oldIndex = index;
  });
  let replicas = input.current;
  if (replicas < upRecommendation) replicas = upRecommendation;
  if (replicas > downRecommendation) replicas = downRecommendation;
  return {
    replicas,
    upRecommendation,
    downRecommendation,
    // The unstabilized value is stored, so the windows see what the metrics asked for.
    recommendations: storeRecommendation(input.recommendations, oldIndex, input.desired, input.now),
  };
}
