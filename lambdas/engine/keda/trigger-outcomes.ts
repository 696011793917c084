/**
 * Turns this tick's trigger results into what KEDA works with: a value (with its activity), an
 * error, or a fallback. Failure counting happens here, one count per failing trigger per
 * evaluation (KEDA also counts the HPA's metric requests; see docs/scaling-semantics.md).
 */
import type { ScaledObject } from '../spec/scaled-object';
import type { ParsedTrigger } from '../../triggers/trigger-definition';
import { externalMetricType } from '../../triggers/trigger-definition';
import type { ResourceSample, TriggerResult } from '../evaluate-types';
import { isResourceTriggerType } from '../../triggers/cpu-memory';
import type { TriggerHealth } from '../scaling-state';
import { fallbackUnusableReason, isFallbackEnabled, isFallingBack, nextHealth } from './fallback';
import { kedaMetricMilli } from './metric-value';

export type TriggerOutcome =
  | { kind: 'value'; trigger: ParsedTrigger; value: number; valueMilli: number; active: boolean }
  | { kind: 'error'; trigger: ParsedTrigger; error: string; code?: string }
  /** Failed more than failureThreshold times: reports the fallback count and counts as active. */
  | { kind: 'fallback'; trigger: ParsedTrigger; error: string }
  /**
   * A cpu/memory trigger's pods and usage. KEDA never reads these (the HPA does, from
   * metrics-server), so they are never active, never in error for KEDA and never fall back.
   */
  | { kind: 'resource'; trigger: ParsedTrigger; sample: ResourceSample };

/** The ready pods a Value metric's fallback divides by (undefined when they were not counted). */
export type ReadyPods = number | undefined;

export interface ClassifiedTriggers {
  outcomes: TriggerOutcome[];
  health: Record<string, TriggerHealth>;
}

export function classifyTriggers(
  object: ScaledObject,
  results: readonly TriggerResult[],
  health: Readonly<Record<string, TriggerHealth>>,
  readyPods: ReadyPods,
): ClassifiedTriggers {
  const fallback = isFallbackEnabled(object.fallback, object.scalingModifiers) ? object.fallback : undefined;
  const nextHealthByMetric: Record<string, TriggerHealth> = { ...health };
  const outcomes = object.triggers.map((trigger): TriggerOutcome => {
    const result = results.find((candidate) => candidate.index === trigger.index);
    // No failure count either: KEDA's fallback covers external metrics only (CheckFallbackValid).
    if (isResourceTriggerType(trigger.type)) return resourceOutcome(trigger, result);
    const succeeded = result?.ok === true && 'value' in result;
    if (fallback) nextHealthByMetric[trigger.metricName] = nextHealth(health[trigger.metricName], succeeded);
    if (result?.ok && 'value' in result) {
      return { kind: 'value', trigger, value: result.value, valueMilli: kedaMetricMilli(result.value), active: result.active };
    }
    const error = !result ? 'no result was read for this trigger' : result.ok ? 'pod metrics were read for a trigger that is not cpu or memory' : result.error;
    if (fallback && isFallingBack(nextHealthByMetric[trigger.metricName]!, fallback)) {
      // KEDA's doFallback returns no metric for a Value trigger without a ready pod, and the
      // trigger stays an error: it neither activates the object nor refreshes lastActiveTime.
      // With scalingModifiers the composite carries the fallback (see composite-metric.ts).
      const unusable = object.scalingModifiers ? undefined : fallbackUnusableReason(externalMetricType(trigger.metricType), readyPods);
      return unusable === undefined ? { kind: 'fallback', trigger, error } : { kind: 'error', trigger, error: `${error}; fallback unusable: ${unusable}` };
    }
    return result && !result.ok && result.code ? { kind: 'error', trigger, error, code: result.code } : { kind: 'error', trigger, error };
  });
  return { outcomes, health: nextHealthByMetric };
}

function resourceOutcome(trigger: ParsedTrigger, result: TriggerResult | undefined): TriggerOutcome {
  if (result?.ok && 'resource' in result) return { kind: 'resource', trigger, sample: result.resource };
  if (result && !result.ok) return result.code ? { kind: 'error', trigger, error: result.error, code: result.code } : { kind: 'error', trigger, error: result.error };
  return { kind: 'error', trigger, error: `no pods or PodMetrics were read for this ${trigger.type} trigger` };
}

/** cpu/memory failures are the HPA's (FailedGetResourceMetric), not KEDA's: they never make the object an error for KEDA. */
export function isKedaError(outcome: TriggerOutcome): boolean {
  return outcome.kind === 'error' && !isResourceTriggerType(outcome.trigger.type);
}
