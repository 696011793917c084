/**
 * The HPA's recommendation history (one list per HPA, unstabilized desired counts).
 */
import type { TimestampedCount } from '../scaling-state';

/**
 * `recordInitialRecommendation`: a history that was never started begins with the current count, so
 * after a first evaluation or a state loss the default 300 s window blocks scale-down for about
 * five minutes. An existing empty list is left alone, as upstream.
 */
export function recordInitialRecommendation(
  recommendations: readonly TimestampedCount[] | undefined,
  current: number,
  now: number,
): TimestampedCount[] {
  return recommendations === undefined ? [{ replicas: current, timestamp: now }] : [...recommendations];
}

/** Stores `replicas` in place of the entry at `replaceIndex`, or appends it when there is none. */
export function storeRecommendation(
  recommendations: readonly TimestampedCount[],
  replaceIndex: number | undefined,
  replicas: number,
  now: number,
): TimestampedCount[] {
  const entry = { replicas, timestamp: now };
  if (replaceIndex === undefined) return [...recommendations, entry];
  return recommendations.map((existing, index) => (index === replaceIndex ? entry : existing));
}
