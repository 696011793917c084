/**
 * KEDA's `composite-metric` (`pkg/scaling/modifiers/formula.go`, `scale_handler.go`
 * `getScaledObjectState`): with scalingModifiers the triggers' own metrics never reach the HPA;
 * the formula combines the named triggers' values into one metric, and activity is that value
 * against `activationTarget`.
 *
 * - Any trigger in error (below its fallback threshold): the object is in error and inactive.
 * - Any trigger in fallback (behavior other than `scalingModifiers`): the formula is not run; the
 *   composite is `target × R`, R being the fallback replica count.
 * - Behavior `scalingModifiers`: a trigger past its threshold is nil in the formula; a formula
 *   that gives nil (only possible through `??`) yields `fallback.replicas × target`.
 * - The result goes to the HPA as `int64(out × 1000)` milli, not clamped (it may be negative).
 *
 * One deliberate difference: where KEDA logs a formula run error and serves no metric (the object
 * then reads as inactive and may scale to zero), we report an error, which holds the count.
 */
import type { ScaledObject, ScalingModifiersSpec } from '../spec/scaled-object';
import type { HpaMetric } from '../hpa/reconcile';
import { FormulaError, parseFormula } from './formula-syntax';
import { describeValue, evaluateFormula } from './formula-evaluate';
import { fallbackMetricMilli, fallbackReplicas } from './fallback';
import { kedaMetricMilli } from './metric-value';
import type { TriggerOutcome } from './trigger-outcomes';
import { isKedaError } from './trigger-outcomes';

export const COMPOSITE_METRIC_NAME = 'composite-metric';

export interface CompositeMetric {
  /** Each named trigger's value as the formula saw it; null is nil (trigger past its threshold). */
  inputs: Record<string, number | null>;
  /** How the value came about. */
  source: 'formula' | 'fallback' | 'nil-fallback';
  /** Integer milli-units, as the HPA receives them; undefined when `error` is set. */
  valueMilli?: number;
  /** The fallback replica count, when `source` is not `formula`. */
  fallbackReplicas?: number;
  error?: string;
  active: boolean;
}

/**
 * The composite for one evaluation. `hpaCurrent` is the target's spec.replicas the fallback
 * behaviors read; `readyPods` is what a Value metric's fallback divides by.
 */
export function compositeMetric(object: ScaledObject, modifiers: ScalingModifiersSpec, outcomes: readonly TriggerOutcome[], hpaCurrent: number, readyPods: number | undefined): CompositeMetric {
  const inputs: Record<string, number | null> = {};
  for (const outcome of outcomes) {
    const { name } = outcome.trigger;
    if (name === undefined) continue;
    // The formula reads the value the metric carries: milli-rounded and clamped at 0, as GenerateMetricInMili.
    if (outcome.kind === 'value') inputs[name] = outcome.valueMilli / 1000;
    else if (outcome.kind === 'fallback' && object.fallback?.behavior === 'scalingModifiers') inputs[name] = null;
  }
  // cpu/memory are not formula inputs (KEDA leaves them on the HPA), so their failures do not stop it.
  const failed = outcomes.filter(isKedaError);
  if (failed.length > 0) {
    const names = failed.map((outcome) => outcome.trigger.name ?? outcome.trigger.metricName).join(', ');
    return { inputs, source: 'formula', error: `the formula is not evaluated: trigger ${names} failed`, active: false };
  }
  const targetMilli = kedaMetricMilli(modifiers.target);
  if (object.fallback && object.fallback.behavior !== 'scalingModifiers' && outcomes.some((outcome) => outcome.kind === 'fallback')) {
    const replicas = fallbackReplicas(object.fallback, hpaCurrent);
    const value = fallbackMetricMilli(targetMilli, modifiers.metricType, replicas, readyPods);
    if (!value.ok) return { inputs, source: 'fallback', fallbackReplicas: replicas, error: value.error, active: false };
    return withActivity({ inputs, source: 'fallback', fallbackReplicas: replicas, valueMilli: value.valueMilli, active: false }, modifiers);
  }
  const result = runFormula(modifiers.formula, inputs);
  if (typeof result === 'string') return { inputs, source: 'formula', error: result, active: false };
  if (result === null) {
    if (!object.fallback) return { inputs, source: 'nil-fallback', error: 'the formula evaluated to nil and no fallback is configured', active: false };
    const replicas = object.fallback.replicas;
    return withActivity({ inputs, source: 'nil-fallback', fallbackReplicas: replicas, valueMilli: toMilli(replicas * modifiers.target), active: false }, modifiers);
  }
  return withActivity({ inputs, source: 'formula', valueMilli: toMilli(result), active: false }, modifiers);
}

/** The one metric the HPA is given instead of the triggers' own. */
export function compositeHpaMetric(modifiers: ScalingModifiersSpec, composite: CompositeMetric): HpaMetric {
  const base = { metricName: COMPOSITE_METRIC_NAME, metricType: modifiers.metricType, targetMilli: kedaMetricMilli(modifiers.target) };
  return composite.valueMilli === undefined ? { ...base, error: composite.error ?? 'no composite value' } : { ...base, valueMilli: composite.valueMilli };
}

/** Active is strictly above activationTarget, read back from the metric quantity as KEDA does. */
function withActivity(composite: CompositeMetric, modifiers: ScalingModifiersSpec): CompositeMetric {
  return { ...composite, active: composite.valueMilli! / 1000 > modifiers.activationTarget };
}

/** A number, null for nil (only reachable through `??`), or the reason it failed. */
function runFormula(formula: string, inputs: Record<string, number | null>): number | null | string {
  try {
    const value = evaluateFormula(parseFormula(formula), inputs);
    if (value.type === 'nil') return formula.includes('??') ? null : 'the formula evaluated to nil (float(nil) fails in KEDA); use "?? <default>"';
    if (value.type !== 'int' && value.type !== 'float') return `the formula must give a number, got ${describeValue(value)}`;
    if (!Number.isFinite(value.value)) return `the formula gave ${value.value}, which is not a finite number (a division by zero?)`;
    return value.value;
  } catch (error) {
    return `the formula failed: ${error instanceof FormulaError ? error.message : String(error)}`;
  }
}

/** `int64(out × 1000)`: truncated toward zero, kept within the exact integer range. */
function toMilli(value: number): number {
  const milli = Math.trunc(value * 1000);
  return Math.max(-Number.MAX_SAFE_INTEGER, Math.min(Number.MAX_SAFE_INTEGER, milli));
}
