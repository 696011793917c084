/**
 * KEDA's fallback (`pkg/fallback`): per-metric failure counting, and the replica count a failing
 * trigger reports once it has failed more than `failureThreshold` times in a row.
 */
import type { FallbackSpec, ScalingModifiersSpec } from '../spec/scaled-object';
import type { TriggerHealth } from '../scaling-state';
import type { MetricType } from '../../triggers/trigger-definition';

/**
 * Health is only tracked, and fallback only applies, when the spec is set and valid; with
 * scalingModifiers, KEDA's `HasValidFallback` also wants an integer target (ParseInt).
 */
export function isFallbackEnabled(fallback: FallbackSpec | undefined, modifiers?: ScalingModifiersSpec): fallback is FallbackSpec {
  const modifiersOk = modifiers === undefined || (modifiers.targetIsInteger && modifiers.target > 0);
  return fallback !== undefined && fallback.failureThreshold >= 0 && fallback.replicas >= 0 && modifiersOk;
}

/** A success resets the counter; a failure increments it before the threshold is compared. */
export function nextHealth(previous: TriggerHealth | undefined, succeeded: boolean): TriggerHealth {
  if (succeeded) return { numberOfFailures: 0, status: 'Happy' };
  return { numberOfFailures: (previous?.numberOfFailures ?? 0) + 1, status: 'Failing' };
}

/** Strictly greater: with threshold 3, failures 1–3 surface the error and the 4th falls back. */
export function isFallingBack(health: TriggerHealth, fallback: FallbackSpec): boolean {
  return health.numberOfFailures > fallback.failureThreshold;
}

/** `doFallback`'s replica count, from the target's current spec.replicas where the behavior asks. */
export function fallbackReplicas(fallback: FallbackSpec, currentReplicas: number): number {
  switch (fallback.behavior) {
    case 'currentReplicas':
      return currentReplicas;
    case 'currentReplicasIfHigher':
      return Math.max(currentReplicas, fallback.replicas);
    case 'currentReplicasIfLower':
      return Math.min(currentReplicas, fallback.replicas);
    default:
      return fallback.replicas;
  }
}

const NO_READY_POD = 'fallback for a Value metric needs at least one ready pod, and there is none';

/** Why `doFallback` would produce no metric: a Value metric with no ready pod to divide by. */
export function fallbackUnusableReason(metricType: MetricType, readyPods: number | undefined): string | undefined {
  if (metricType === 'AverageValue') return undefined;
  return readyPods === undefined || readyPods <= 0 ? NO_READY_POD : undefined;
}

export type FallbackMetric = { ok: true; valueMilli: number } | { ok: false; error: string };

/**
 * The metric that makes the HPA land on `replicas`: target × R for AverageValue; for Value the
 * HPA multiplies by ready pods, so R is divided by them first (none ready: fallback fails).
 */
export function fallbackMetricMilli(
  targetMilli: number,
  metricType: MetricType,
  replicas: number,
  readyPods: number | undefined,
): FallbackMetric {
  if (metricType === 'AverageValue') return { ok: true, valueMilli: Math.min(targetMilli * replicas, Number.MAX_SAFE_INTEGER) };
  if (readyPods === undefined || readyPods <= 0) return { ok: false, error: NO_READY_POD };
  // Truncated like Go's int64() of the milli value, which keeps ceil(ratio × ready) at R.
  return { ok: true, valueMilli: Math.min(Math.trunc((targetMilli * replicas) / readyPods), Number.MAX_SAFE_INTEGER) };
}
