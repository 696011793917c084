/**
 * Issue 15 item 1: a trigger past its failure threshold counts as active only when KEDA's fallback
 * produced a metric. Every row comes from KEDA v2.20 `pkg/fallback/fallback.go`
 * (`GetMetricsWithFallback` → `doFallback`, which returns nil for a Value metric with no ready
 * pod, and `GetMetricsWithFallback` then returns "error performing fallback") read together with
 * `pkg/scaling/scale_handler.go` `getScalerState` (active = fallbackActive || isMetricActive,
 * set only when err is nil) and `pkg/scaling/executor/scale_scaledobjects.go` `RequestScale`
 * (inactive with an error and fallback.replicas != 0: no change).
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../lambdas/engine/evaluate';
import type { FallbackBehavior } from '../../../lambdas/engine/spec/scaled-object';
import type { MetricType } from '../../../lambdas/triggers/trigger-definition';
import { failure, input, scaledObject, scalingState, sqsTrigger } from '../fixtures';

const PAST_THRESHOLD = { 's0-aws-sqs-orders': { numberOfFailures: 3, status: 'Failing' as const } };
const BEHAVIORS: FallbackBehavior[] = ['static', 'currentReplicas', 'currentReplicasIfHigher', 'currentReplicasIfLower'];

interface Row {
  behavior: FallbackBehavior;
  metricType: MetricType;
  readyPods: number | undefined;
  active: boolean;
  desired: number;
  source: string;
}

const rows: Row[] = BEHAVIORS.flatMap((behavior): Row[] => [
  // AverageValue never needs ready pods: doFallback returns target × R, fallbackActive is true.
  { behavior, metricType: 'AverageValue', readyPods: 0, active: true, desired: 1, source: 'fallback.go doFallback (AverageValue branch)' },
  { behavior, metricType: 'AverageValue', readyPods: undefined, active: true, desired: 1, source: 'fallback.go doFallback (AverageValue branch)' },
  // Value with no ready pod: doFallback returns nil, the trigger is an error, not activity.
  { behavior, metricType: 'Value', readyPods: 0, active: false, desired: 0, source: 'fallback.go doFallback (readyReplicas == 0 → nil); GetMetricsWithFallback ("error performing fallback")' },
  { behavior, metricType: 'Value', readyPods: undefined, active: false, desired: 0, source: 'fallback.go getReadyReplicasCount error → doFallback nil' },
  // Value with ready pods (a terminating pod still ready at spec 0): the fallback is a metric, so active.
  { behavior, metricType: 'Value', readyPods: 2, active: true, desired: 1, source: 'fallback.go doFallback (Value branch divides by ready pods)' },
]);

describe('a trigger in fallback at 0 replicas (KEDA v2.20 fallback.go × scale_handler.go getScalerState)', () => {
  it.each(rows)('$behavior, $metricType, ready pods $readyPods → active $active, $desired replicas ($source)', (row) => {
    const object = scaledObject({
      fallback: { failureThreshold: 3, replicas: 1, behavior: row.behavior },
      triggers: [sqsTrigger(0, { metricType: row.metricType })],
    });
    const out = evaluate(input({
      object,
      specReplicas: 0,
      ...(row.readyPods === undefined ? {} : { readyPods: row.readyPods }),
      triggers: [failure(0)],
      state: scalingState({ health: PAST_THRESHOLD }),
    }));
    expect(out.active).toBe(row.active);
    expect(out.desiredReplicas).toBe(row.desired);
    if (row.active) {
      expect(out.state.lastActiveTime).toBeDefined();
    } else {
      // RequestScale: inactive, isError, fallback.replicas != 0 → no change and no lastActiveTime.
      expect(out.state.lastActiveTime).toBeUndefined();
      expect(out.status).toBe('error');
      expect(out.statusReason).toContain('needs at least one ready pod');
      expect(out.state.health['s0-aws-sqs-orders']).toEqual({ numberOfFailures: 4, status: 'Failing' });
    }
  });
});
