/**
 * scalingModifiers in the engine: the triggers combine into KEDA's one `composite-metric`, and
 * activity, fallback and the HPA follow it. Each row names the KEDA v2.20 source it comes from:
 * `pkg/scaling/modifiers/formula.go` (calculateScalingModifiersFormula, scalingModifierTriggerValue,
 * scalingModifiersFallbackTarget), `pkg/scaling/scale_handler.go` getScaledObjectState (activity
 * recomputed from the composite), `pkg/fallback/fallback.go` (GetMetricsWithFallback placeholder,
 * HasValidFallback, doFallback with scalingModifiers.target).
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../lambdas/engine/evaluate';
import type { FallbackSpec, ScalingModifiersSpec } from '../../../lambdas/engine/spec/scaled-object';
import type { TriggerResult } from '../../../lambdas/engine/evaluate-types';
import { cloudwatchTrigger, failure, input, reading, scaledObject, scalingState, sqsTrigger } from '../fixtures';

const MODIFIERS: ScalingModifiersSpec = { formula: 'max(floor, queue)', target: 5, targetIsInteger: true, activationTarget: 0, metricType: 'AverageValue' };
const TRIGGERS = [cloudwatchTrigger(0, { name: 'floor' }), sqsTrigger(1, { name: 'queue' })];
const PAST_THRESHOLD = { numberOfFailures: 3, status: 'Failing' as const };

interface Row {
  name: string;
  modifiers?: Partial<ScalingModifiersSpec>;
  fallback?: FallbackSpec;
  triggers: TriggerResult[];
  health?: Record<string, typeof PAST_THRESHOLD>;
  specReplicas: number;
  readyPods?: number;
  desired: number;
  active: boolean;
  status: string;
  value?: number;
  inputs?: Record<string, number | null>;
  error?: RegExp;
  source: string;
}

const rows: Row[] = [
  { name: 'formula result over target', triggers: [reading(0, 10), reading(1, 47)], specReplicas: 2, desired: 4, active: true, status: 'active', value: 47, inputs: { floor: 10, queue: 47 }, source: 'formula.go calculateScalingModifiersFormula; HPA AverageValue ceil(47/5)=10, legacy scale-up limit max(2×2,4)=4' },
  { name: 'the floor wins when the queue is empty', triggers: [reading(0, 15), reading(1, 0)], specReplicas: 3, desired: 3, active: true, status: 'active', value: 15, source: 'formula.go; the per-trigger metrics are not given to the HPA' },
  { name: 'composite 0 is inactive: scale to zero after cooldown', triggers: [reading(0, 0), reading(1, 0)], specReplicas: 1, desired: 0, active: false, status: 'ready', value: 0, source: 'scale_handler.go: active ⇔ composite > activationTarget' },
  { name: 'activationTarget: composite 4 is not above 5', modifiers: { activationTarget: 5 }, triggers: [reading(0, 0), reading(1, 4)], specReplicas: 0, desired: 0, active: false, status: 'ready', value: 4, source: 'scale_handler.go: per-trigger activity discarded (queue 4 > 0 alone would activate)' },
  { name: 'activationTarget: composite 6 is above 5', modifiers: { activationTarget: 5 }, triggers: [reading(0, 0), reading(1, 6)], specReplicas: 0, desired: 2, active: true, status: 'active', value: 6, source: 'scale_handler.go getScaledObjectState; KEDA 0→1, then the HPA ceil(6/5)=2' },
  { name: 'negative result is not clamped (HPA then holds min)', modifiers: { formula: 'queue - 100' }, triggers: [reading(0, 0), reading(1, 10)], specReplicas: 3, desired: 0, active: false, status: 'ready', value: -90, source: 'formula.go: SetMilli(int64(out*1000)), no clamp' },
  { name: 'one trigger fails below the threshold: error, inactive, held', fallback: { failureThreshold: 3, replicas: 6, behavior: 'static' }, triggers: [reading(0, 10), failure(1)], specReplicas: 2, desired: 2, active: false, status: 'error', error: /trigger queue failed/, source: 'scale_handler.go: any scaler error makes it inactive; executor holds for fallback' },
  { name: 'trigger past threshold, static fallback: target × replicas, formula not run', fallback: { failureThreshold: 3, replicas: 6, behavior: 'static' }, triggers: [reading(0, 10), failure(1)], health: { 's1-aws-sqs-orders': PAST_THRESHOLD }, specReplicas: 2, desired: 4, active: true, status: 'fallback', value: 30, source: 'formula.go HandleScalingModifiers (fallbackActive → fallback metric); fallback.go doFallback; legacy scale-up limit max(2×2,4)=4' },
  { name: 'behavior scalingModifiers: the failing trigger is nil, ?? substitutes', modifiers: { formula: 'max(floor, queue ?? 20)' }, fallback: { failureThreshold: 3, replicas: 6, behavior: 'scalingModifiers' }, triggers: [reading(0, 10), failure(1)], health: { 's1-aws-sqs-orders': PAST_THRESHOLD }, specReplicas: 4, desired: 4, active: true, status: 'fallback', value: 20, inputs: { floor: 10, queue: null }, source: 'fallback.go placeholder metric; formula.go scalingModifierTriggerValue → nil' },
  { name: 'behavior scalingModifiers: a nil result takes fallback.replicas × target', modifiers: { formula: 'queue ?? nil' }, fallback: { failureThreshold: 3, replicas: 6, behavior: 'scalingModifiers' }, triggers: [reading(0, 10), failure(1)], health: { 's1-aws-sqs-orders': PAST_THRESHOLD }, specReplicas: 6, desired: 6, active: true, status: 'fallback', value: 30, source: 'formula.go scalingModifiersFallbackTarget' },
  { name: 'nil result without a fallback is an error', modifiers: { formula: 'nil ?? nil' }, triggers: [reading(0, 10), reading(1, 1)], specReplicas: 2, desired: 2, active: false, status: 'error', error: /evaluated to nil and no fallback/, source: 'formula.go scalingModifiersFallbackTarget error' },
  { name: 'a division by zero is an error, never a zero', modifiers: { formula: 'queue / floor' }, triggers: [reading(0, 0), reading(1, 3)], specReplicas: 2, desired: 2, active: false, status: 'error', error: /not a finite number/, source: 'our rule: a value that is not a number is an error' },
  { name: 'non-integer target disables fallback: the failure stays an error', modifiers: { target: 2.5, targetIsInteger: false }, fallback: { failureThreshold: 0, replicas: 6, behavior: 'static' }, triggers: [reading(0, 10), failure(1)], health: { 's1-aws-sqs-orders': PAST_THRESHOLD }, specReplicas: 2, desired: 2, active: false, status: 'error', error: /trigger queue failed/, source: 'fallback.go HasValidFallback (ParseInt target)' },
  { name: 'Value metricType: ceil(composite / target)', modifiers: { metricType: 'Value' }, triggers: [reading(0, 0), reading(1, 12)], specReplicas: 1, readyPods: 1, desired: 3, active: true, status: 'active', value: 12, source: 'hpa.go composite metric with Value target; HPA GetExternalMetricReplicas' },
];

describe('composite-metric (KEDA v2.20 modifiers/formula.go, scale_handler.go, fallback.go)', () => {
  it.each(rows)('$name ($source)', (row) => {
    const object = scaledObject({
      triggers: TRIGGERS,
      scalingModifiers: { ...MODIFIERS, ...row.modifiers },
      ...(row.fallback ? { fallback: row.fallback } : {}),
    });
    const out = evaluate(input({
      object,
      specReplicas: row.specReplicas,
      ...(row.readyPods === undefined ? {} : { readyPods: row.readyPods }),
      triggers: row.triggers,
      state: scalingState({ ...(row.health ? { health: row.health } : {}), lastActiveTime: Date.UTC(2024, 0, 1) }),
    }));
    expect(out.desiredReplicas).toBe(row.desired);
    expect(out.active).toBe(row.active);
    expect(out.status).toBe(row.status);
    const composite = out.explanation.composite!;
    expect(composite.formula).toBe(row.modifiers?.formula ?? MODIFIERS.formula);
    if (row.value !== undefined) expect(composite.value).toBe(row.value);
    if (row.inputs) expect(composite.inputs).toEqual(row.inputs);
    if (row.error) {
      expect(composite.error).toMatch(row.error);
      expect(out.statusReason).toMatch(row.error);
    }
    // The triggers' own metrics never reach the HPA: no per-trigger proposal.
    expect(out.explanation.triggers.every((trigger) => trigger.proposal === undefined)).toBe(true);
  });

  it('a trigger read as nil is reported as nil in the formula, not with a fallback count', () => {
    const object = scaledObject({ triggers: TRIGGERS, scalingModifiers: { ...MODIFIERS, formula: 'max(floor, queue ?? 20)' }, fallback: { failureThreshold: 3, replicas: 6, behavior: 'scalingModifiers' } });
    const out = evaluate(input({ object, specReplicas: 4, triggers: [reading(0, 10), failure(1)], state: scalingState({ health: { 's1-aws-sqs-orders': PAST_THRESHOLD } }) }));
    expect(out.statusReason).toBe('s1-aws-sqs-orders: AccessDenied: not authorized to perform sqs:GetQueueAttributes (failed 4 times, nil in the formula)');
  });

  it('the message shows the formula, its inputs and its result', () => {
    const object = scaledObject({ triggers: TRIGGERS, scalingModifiers: MODIFIERS });
    const out = evaluate(input({ object, specReplicas: 2, triggers: [reading(0, 10), reading(1, 47)] }));
    expect(out.explanation.message).toMatch(/^scaled 2 → 4: composite-metric max\(floor, queue\) = 47 \(floor=10, queue=47\) \/ 5 → 10 replicas/);
    expect(out.explanation.composite).toMatchObject({ inputs: { floor: 10, queue: 47 }, value: 47, target: 5, proposal: 10, source: 'formula', active: true });
  });
});
