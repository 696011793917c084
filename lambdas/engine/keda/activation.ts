/**
 * Whether a ScaledObject is active (`getScaledObjectState`): any trigger that read without error
 * and is above its activation threshold, or any trigger in fallback, or the force-activation
 * annotation. A trigger that errors never counts as active.
 */
import type { ScaledObject } from '../spec/scaled-object';
import type { TriggerOutcome } from './trigger-outcomes';
import { isKedaError } from './trigger-outcomes';
import { isResourceTriggerType } from '../../triggers/cpu-memory';

export interface Activity {
  active: boolean;
  /** Some trigger failed without a fallback (KEDA's `isError`). */
  isError: boolean;
  /** Metric names of the triggers that made the object active. */
  activeTriggers: string[];
}

export function activityOf(object: ScaledObject, outcomes: readonly TriggerOutcome[]): Activity {
  const activeTriggers = outcomes
    .filter((outcome) => (outcome.kind === 'value' && outcome.active) || outcome.kind === 'fallback')
    .map((outcome) => outcome.trigger.metricName);
  const isError = outcomes.some(isKedaError);
  // getScaledObjectState: an object whose triggers are all cpu/memory could never activate from 0,
  // so KEDA holds it active (and min >= 1 is enforced at validation).
  const resourceOnly = outcomes.length > 0 && outcomes.every((outcome) => isResourceTriggerType(outcome.trigger.type));
  return {
    active: object.pause.forceActivation || activeTriggers.length > 0 || (resourceOnly && !isError),
    isError,
    activeTriggers,
  };
}

/**
 * With scalingModifiers the triggers' own activity is discarded: the object is active when the
 * composite value is above activationTarget, and never while the composite is in error.
 */
export function compositeActivity(object: ScaledObject, composite: { active: boolean; error?: string }): Activity {
  const active = composite.error === undefined && composite.active;
  return {
    active: object.pause.forceActivation || active,
    isError: composite.error !== undefined,
    activeTriggers: active ? ['composite-metric'] : [],
  };
}
