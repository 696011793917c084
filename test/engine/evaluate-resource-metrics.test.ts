/**
 * cpu and memory triggers inside one evaluation: KEDA's rules around them and the HPA's max over
 * metrics. Rows cite upstream:
 * - KEDA `pkg/scaling/scale_handler.go` getScaledObjectState (an object whose triggers are all
 *   cpu/memory is held active; their metric specs are not External, so getScalerState neither reads
 *   them, nor marks them active, nor counts them as errors);
 * - KEDA `pkg/scalers/cpu_memory_scaler.go` GetMetricsAndActivity (nil, true, nil: never read);
 * - KEDA `pkg/fallback/fallback.go` / `scaledobject_types.go` CheckFallbackValid (fallback covers
 *   external metrics only);
 * - KEDA `controllers/keda/hpa.go` getScaledObjectMetricSpecs (with scalingModifiers the cpu/memory
 *   metrics stay on the HPA beside composite-metric);
 * - kubernetes `pkg/controller/podautoscaler/horizontal.go` computeReplicasForMetrics (max over the
 *   metrics; a failed metric is skipped while another gives a proposal) and
 *   `replica_calculator.go` GetResourceReplicas.
 */
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../lambdas/engine/evaluate';
import type { ResourceSample, TriggerResult } from '../../lambdas/engine/evaluate-types';
import type { PodUsage, ResourcePod } from '../../lambdas/engine/hpa/resource-replicas';
import type { ParsedTrigger } from '../../lambdas/triggers/trigger-definition';
import { T0, failure, input, reading, scaledObject, scalingState, seconds, sqsTrigger } from './fixtures';

const HOUR_AGO = T0 - seconds(3600);

function cpuTrigger(index: number, percent: number): ParsedTrigger {
  return {
    index,
    type: 'cpu',
    metricName: `s${index}-cpu`,
    metricType: 'Utilization',
    target: percent,
    activationTarget: 0,
    params: { resource: 'cpu', target: { type: 'Utilization', averageUtilization: percent } },
    metadata: { value: String(percent) },
    envRefs: {},
    useCachedMetrics: false,
  };
}

function cronTrigger(index: number): ParsedTrigger {
  return { ...sqsTrigger(index), type: 'cron', metricName: `s${index}-cron-UTC-08xx-018xx`, target: 1, params: {}, metadata: {}, aws: undefined } as ParsedTrigger;
}

/** `count` Ready pods requesting 200m each, each using `usageMilli`. */
function sample(count: number, usageMilli: number): ResourceSample {
  const pods: ResourcePod[] = [];
  const usage = new Map<string, PodUsage>();
  for (let i = 0; i < count; i++) {
    const name = `web-${i}`;
    pods.push({ name, phase: 'Running', deleting: false, startTime: HOUR_AGO, ready: { status: 'True', lastTransitionTime: HOUR_AGO }, containers: [{ name: 'app', requestMilli: 200 }] });
    usage.set(name, { valueMilli: usageMilli, timestamp: T0 - seconds(10), windowMs: seconds(30) });
  }
  return { pods, usage };
}

/** No stabilization and no rate limit, so each row shows the metrics' max itself. */
const FREE = { scaleUp: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent' as const, value: 1000, periodSeconds: 15 }] }, scaleDown: { stabilizationWindowSeconds: 0, policies: [{ type: 'Percent' as const, value: 100, periodSeconds: 15 }] } };

const pods = (index: number, count: number, usageMilli: number): TriggerResult => ({ index, ok: true, resource: sample(count, usageMilli) });
const metricsServerMissing = (index: number): TriggerResult => ({ index, ok: false, error: 'the metrics.k8s.io API is not served in this cluster', code: 'Kubernetes404' });

describe('cpu/memory in an evaluation', () => {
  it.each([
    // [row, triggers, results, spec replicas, min, desired, active]
    ['only cpu: held active; 2 pods at 100% of a 50% target → 4 (GetResourceReplicas, getScaledObjectState)', [cpuTrigger(0, 50)], [pods(0, 2, 200)], 2, 1, 4, true],
    ['only cpu, within tolerance: 2 pods at 52% of 50% → kept', [cpuTrigger(0, 50)], [pods(0, 2, 104)], 2, 1, 2, true],
    ['only cpu, PodMetrics missing: the HPA holds, the object stays active (not a KEDA error)', [cpuTrigger(0, 50)], [metricsServerMissing(0)], 3, 1, 3, true],
    ['cron outside its window + cpu: cron 0 is inactive, cpu proposes 4, the max wins (computeReplicasForMetrics)', [cronTrigger(0), cpuTrigger(1, 50)], [reading(0, 0, false), pods(1, 2, 200)], 2, 1, 4, false],
    ['cron inside its window (10 replicas) + cpu proposing 4: the max is 10', [cronTrigger(0), cpuTrigger(1, 50)], [reading(0, 10, true), pods(1, 2, 200)], 2, 1, 10, true],
    ['cron active + cpu failing: cron alone scales (the failed metric is skipped)', [cronTrigger(0), cpuTrigger(1, 50)], [reading(0, 6, true), metricsServerMissing(1)], 2, 1, 6, true],
    ['at 0, cron activates: KEDA takes it to 1, cpu has no pods yet, cron proposes 5', [cronTrigger(0), cpuTrigger(1, 50)], [reading(0, 5, true), pods(1, 0, 0)], 0, 0, 5, true],
    ['cpu scales down: 4 pods at 25% of a 50% target → 2', [cpuTrigger(0, 50)], [pods(0, 4, 50)], 4, 1, 2, true],
  ] as const)('%s', (_row, triggers, results, specReplicas, min, desired, active) => {
    const output = evaluate(input({
      object: scaledObject({ triggers: [...triggers], minReplicaCount: min, maxReplicaCount: 20, behavior: FREE }),
      triggers: [...results],
      specReplicas,
    }));
    expect(output.desiredReplicas).toBe(desired);
    expect(output.active).toBe(active);
  });

  it('explains the cpu trigger with its measured utilization and proposal', () => {
    const output = evaluate(input({ object: scaledObject({ triggers: [cpuTrigger(0, 50)], minReplicaCount: 1 }), triggers: [pods(0, 2, 200)], specReplicas: 2 }));
    expect(output.explanation.triggers[0]).toMatchObject({ type: 'cpu', metricName: 's0-cpu', metricType: 'Utilization', target: 50, value: 100, active: false, proposal: 4 });
    expect(output.explanation.message).toBe('scaled 2 → 4: s0-cpu 100 / 50% → 4 replicas');
  });

  it('a cpu failure is in the status reason but never makes the object a KEDA error (lastActiveTime still moves)', () => {
    const state = scalingState({ lastActiveTime: T0 - seconds(100) });
    const output = evaluate(input({ object: scaledObject({ triggers: [cronTrigger(0), cpuTrigger(1, 50)], minReplicaCount: 1 }), triggers: [reading(0, 3, true), metricsServerMissing(1)], specReplicas: 3, state }));
    expect(output.state.lastActiveTime).toBe(T0);
    expect(output.status).toBe('error');
    expect(output.statusReason).toContain('s1-cpu: the metrics.k8s.io API is not served');
  });

  it('fallback never covers a cpu trigger: its failures are not counted (CheckFallbackValid)', () => {
    const object = scaledObject({ triggers: [sqsTrigger(0), cpuTrigger(1, 50)], minReplicaCount: 1, fallback: { failureThreshold: 0, replicas: 9, behavior: 'static' } });
    const output = evaluate(input({ object, triggers: [reading(0, 5), metricsServerMissing(1)], specReplicas: 2 }));
    expect(output.state.health['s1-cpu']).toBeUndefined();
    expect(output.state.health['s0-aws-sqs-orders']).toEqual({ numberOfFailures: 0, status: 'Happy' });
    expect(output.status).not.toBe('fallback');
    expect(output.explanation.triggers[1]).toMatchObject({ error: expect.stringContaining('metrics.k8s.io') });
    expect(output.explanation.triggers[1]!.fallback).toBeUndefined();
  });

  it('with scalingModifiers the cpu metric stays on the HPA beside the composite (hpa.go)', () => {
    const queue = sqsTrigger(0, { name: 'queue' });
    const object = scaledObject({
      triggers: [queue, cpuTrigger(1, 50)],
      minReplicaCount: 1,
      maxReplicaCount: 20,
      behavior: FREE,
      scalingModifiers: { formula: 'queue', target: 5, targetIsInteger: true, activationTarget: 0, metricType: 'AverageValue' },
    });
    const output = evaluate(input({ object, triggers: [reading(0, 10), pods(1, 2, 300)], specReplicas: 2 }));
    // composite 10 / 5 → 2; cpu 150% of 50% → 6; the HPA takes the max.
    expect(output.desiredReplicas).toBe(6);
    expect(output.explanation.composite).toMatchObject({ proposal: 2 });
    expect(output.explanation.triggers[1]).toMatchObject({ proposal: 6 });
  });

  it('a failing sqs trigger in error still stops the formula, a failing cpu trigger does not', () => {
    const object = scaledObject({
      triggers: [sqsTrigger(0, { name: 'queue' }), cpuTrigger(1, 50)],
      minReplicaCount: 1,
      scalingModifiers: { formula: 'queue', target: 5, targetIsInteger: true, activationTarget: 0, metricType: 'AverageValue' },
    });
    const output = evaluate(input({ object, triggers: [reading(0, 20), metricsServerMissing(1)], specReplicas: 2 }));
    expect(output.explanation.composite).toMatchObject({ value: 20, proposal: 4 });
    expect(output.desiredReplicas).toBe(4);
    const failed = evaluate(input({ object, triggers: [failure(0), pods(1, 2, 200)], specReplicas: 2 }));
    expect(failed.explanation.composite?.error).toContain('trigger queue failed');
    expect(failed.desiredReplicas).toBe(4); // the cpu metric alone: 100% of 50% → 4
  });
});
