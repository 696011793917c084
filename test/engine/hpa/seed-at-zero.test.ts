/**
 * Issue 15 item 9: the HPA seeds its recommendation history before it checks for zero replicas.
 * Upstream `pkg/controller/podautoscaler/horizontal.go` `reconcileAutoscaler` calls
 * `recordInitialRecommendation(currentReplicas, key)` right after reading the scale, and only then
 * takes the `scale.Spec.Replicas == 0 && minReplicas != 0` "ScalingDisabled" shortcut. KEDA keeps
 * the HPA while the target sits at 0, so its first sync seeds {0, then}; that seed ages out of a
 * short `scaleUp.stabilizationWindowSeconds` (`stabilizeRecommendationWithBehaviors`) before the
 * first metric arrives, where a seed taken at activation time would hold the count at 1.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../lambdas/engine/evaluate';
import type { ScalingState } from '../../../lambdas/engine/scaling-state';
import { initialScalingState } from '../../../lambdas/engine/scaling-state';
import { T0, reading, scaledObject, seconds } from '../fixtures';

interface Tick {
  at: number;
  value: number;
  /** spec.replicas before this tick, or the previous tick's result when undefined. */
  expected: number;
}

function run(windowSeconds: number | undefined, ticks: readonly Tick[]): number[] {
  const behavior = windowSeconds === undefined ? {} : { scaleUp: { stabilizationWindowSeconds: windowSeconds } };
  const object = scaledObject({ behavior, maxReplicaCount: 50 });
  let state: ScalingState = initialScalingState(T0);
  let replicas = 0;
  const results: number[] = [];
  for (const tick of ticks) {
    const out = evaluate({ object, now: T0 + seconds(tick.at), target: { specReplicas: replicas }, triggers: [reading(0, tick.value)], state });
    state = out.state;
    replicas = out.desiredReplicas;
    results.push(replicas);
  }
  return results;
}

describe('history seeded at 0 replicas (horizontal.go reconcileAutoscaler: recordInitialRecommendation before the zero check)', () => {
  it.each([
    {
      label: '60 s window, 100 arrives 2 min after creation: 5 at once (the {0, T0} seed is out of the window)',
      window: 60,
      ticks: [{ at: 0, value: 0, expected: 0 }, { at: 120, value: 100, expected: 5 }],
    },
    {
      label: '60 s window, 100 arrives after 30 s: held at 1, then 5 once the seed leaves the window at 75 s',
      window: 60,
      ticks: [{ at: 0, value: 0, expected: 0 }, { at: 30, value: 100, expected: 1 }, { at: 75, value: 100, expected: 5 }],
    },
    {
      label: 'no scaleUp window (default 0): seeding changes nothing',
      window: undefined,
      ticks: [{ at: 0, value: 0, expected: 0 }, { at: 120, value: 100, expected: 5 }],
    },
  ])('$label', ({ window, ticks }) => {
    expect(run(window, ticks)).toEqual(ticks.map((tick) => tick.expected));
  });

  it('the seed is {0, first evaluation}, and an existing history is kept', () => {
    const object = scaledObject({ behavior: {} });
    const fresh = evaluate({ object, now: T0, target: { specReplicas: 0 }, triggers: [reading(0, 0)], state: initialScalingState(T0) });
    expect(fresh.state.recommendations).toEqual([{ replicas: 0, timestamp: T0 }]);
    const kept = [{ replicas: 3, timestamp: T0 - seconds(10) }];
    const again = evaluate({ object, now: T0, target: { specReplicas: 0 }, triggers: [reading(0, 0)], state: { ...initialScalingState(T0), recommendations: kept } });
    expect(again.state.recommendations).toEqual(kept);
  });
});
