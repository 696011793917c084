/**
 * Issue 15 item 10: the HPA's raise to minReplicas is a scale-up event. Upstream
 * `pkg/controller/podautoscaler/horizontal.go` `reconcileAutoscaler` takes the
 * `currentReplicas < minReplicas` branch ("Current number of replicas below Spec.MinReplicas"),
 * rescales, and calls `storeScaleEvent(behavior, key, currentReplicas, desiredReplicas)` like any
 * other rescale; `convertDesiredReplicasWithBehaviorRate` → `calculateScaleUpLimitWithScalingRules`
 * then counts it (`getReplicasChangePerPeriod`) against the next policy period. KEDA's own steps
 * (`pkg/scaling/executor/scale_scaledobjects.go` `RequestScale`: activation from 0, the inactive
 * raise to minReplicaCount) are not HPA rescales and record nothing.
 */
import { describe, expect, it } from 'vitest';
import { evaluate, recordScaleEvent } from '../../../lambdas/engine/evaluate';
import type { ScalingState } from '../../../lambdas/engine/scaling-state';
import { T0, reading, scaledObject, scalingState, seconds } from '../fixtures';

// One pod per minute: the period makes a recorded event visible in the next evaluation.
const object = scaledObject({ minReplicaCount: 3, behavior: { scaleUp: { policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } } });

function step(state: ScalingState, at: number, specReplicas: number, value: number) {
  const out = evaluate({ object, now: T0 + seconds(at), target: { specReplicas }, triggers: [reading(0, value)], state });
  const next = out.scale ? recordScaleEvent(out.state, object, specReplicas, out.desiredReplicas, T0 + seconds(at), out.hpaFrom) : out.state;
  return { out, state: next };
}

describe('the raise to minReplicas and the next policy period (horizontal.go reconcileAutoscaler → storeScaleEvent)', () => {
  it.each([
    {
      label: 'active at 1 below min 3: the HPA raises 1 → 3 and that +2 uses up the Pods 1/60s budget',
      start: 1,
      value: 100,
      first: { desired: 3, rule: 'below-min', events: [{ replicas: 2, timestamp: T0 }] },
      at30: 3,
      at61: 4,
    },
    {
      label: 'inactive at 1 below min 3: KEDA raises 1 → 3 (RequestScale), not an HPA event',
      start: 1,
      value: 0,
      first: { desired: 3, rule: 'below-min', events: [] },
      at30: 4,
      at61: 4,
    },
    {
      label: 'activation 0 → 3 is KEDA\'s (scaleFromZeroOrIdle), not an HPA event',
      start: 0,
      value: 3,
      first: { desired: 3, rule: 'activation', events: [] },
      at30: 4,
      at61: 4,
    },
  ])('$label', ({ start, value, first, at30, at61 }) => {
    const initial = scalingState({ recommendations: [] });
    const one = step(initial, 0, start, value);
    expect(one.out).toMatchObject({ desiredReplicas: first.desired, explanation: { rule: first.rule } });
    expect(one.state.scaleUpEvents).toEqual(first.events);
    // The queue then wants 20 replicas; the policy allows 1 pod per 60 s from the count at the period start.
    expect(step(one.state, 30, first.desired, 100).out.desiredReplicas).toBe(at30);
    expect(step(one.state, 61, first.desired, 100).out.desiredReplicas).toBe(at61);
  });
});
