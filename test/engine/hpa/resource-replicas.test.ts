/**
 * The HPA's resource-metric replica calculation, row by row. Rows named `TestReplicaCalc...` take
 * their pods, requests, usage and expected count from the test of that name in upstream
 * `pkg/controller/podautoscaler/replica_calculator_test.go` (default tolerance 0.1); the other rows
 * exercise one branch of `replica_calculator.go` (GetResourceReplicas, calcPlainMetricReplicas,
 * groupPods, calculatePodRequests) named in the row.
 */
import { describe, expect, it } from 'vitest';
import { resourceReplicas, type PodUsage, type ResourcePod, type ResourceReplicasInput, type ResourceTarget } from '../../../lambdas/engine/hpa/resource-replicas';

const NOW = Date.parse('2026-12-02T06:00:00Z');
const LONG_AGO = NOW - 60 * 60_000;
const TOLERANCES = { scaleUp: 0.1, scaleDown: 0.1 };

interface PodRow {
  phase?: string;
  deleting?: boolean;
  ready?: 'True' | 'False';
  /** Ms before NOW the pod started; default an hour. */
  startedAgo?: number;
  /** Ms before NOW the Ready condition last changed; default an hour. */
  readySinceAgo?: number;
  requestMilli?: number | undefined;
  /** Usage in milli; undefined: no PodMetrics for the pod. */
  usage?: number;
}

function pods(rows: PodRow[]): { pods: ResourcePod[]; usage: Map<string, PodUsage> } {
  const usage = new Map<string, PodUsage>();
  const list = rows.map((row, index): ResourcePod => {
    const name = `web-${index}`;
    if (row.usage !== undefined) usage.set(name, { valueMilli: row.usage, timestamp: NOW, windowMs: 30_000 });
    return {
      name,
      phase: row.phase ?? 'Running',
      deleting: row.deleting ?? false,
      startTime: NOW - (row.startedAgo ?? 60 * 60_000),
      ready: { status: row.ready ?? 'True', lastTransitionTime: NOW - (row.readySinceAgo ?? 60 * 60_000) },
      containers: [{ name: 'app', ...('requestMilli' in row ? (row.requestMilli === undefined ? {} : { requestMilli: row.requestMilli }) : { requestMilli: 1000 }) }],
    };
  });
  return { pods: list, usage };
}

const utilization = (averageUtilization: number): ResourceTarget => ({ type: 'Utilization', averageUtilization });
const averageValue = (averageValueMilli: number): ResourceTarget => ({ type: 'AverageValue', averageValueMilli });
const used = (...levels: (number | undefined)[]): PodRow[] => levels.map((usage) => (usage === undefined ? {} : { usage }));

interface Row {
  name: string;
  resource?: 'cpu' | 'memory';
  current: number;
  target: ResourceTarget;
  pods: PodRow[];
  expected: number | { error: RegExp };
}

const ROWS: Row[] = [
  { name: 'TestReplicaCalcScaleUp: 50% of requests against 30% → ceil(1.67 × 3)', current: 3, target: utilization(30), pods: used(300, 500, 700), expected: 5 },
  { name: 'TestReplicaCalcScaleDown: 28% against 50% → ceil(0.56 × 5)', current: 5, target: utilization(50), pods: used(100, 300, 500, 250, 250), expected: 3 },
  { name: 'TestReplicaCalcTolerance: 102% against 100% stays', current: 3, target: utilization(100), pods: [{ usage: 1010, requestMilli: 900 }, { usage: 1030 }, { usage: 1020, requestMilli: 1100 }], expected: 3 },
  {
    name: 'TestReplicaCalcScaleUpUnreadyLessScale: an unready pod counts as 0 on a scale-up',
    current: 3,
    target: utilization(30),
    pods: [{ usage: 300, ready: 'False', startedAgo: 60_000, readySinceAgo: 60_000 }, { usage: 500 }, { usage: 700 }],
    expected: 4,
  },
  {
    name: 'TestReplicaCalcScaleUpIgnoresFailedPods: Failed pods are ignored',
    current: 2,
    target: utilization(30),
    pods: [{ usage: 500 }, { usage: 700 }, { usage: 300, phase: 'Failed' }, { usage: 800, phase: 'Failed' }],
    expected: 4,
  },
  {
    name: 'TestReplicaCalcScaleUpIgnoresDeletionPods: deleting pods are ignored',
    current: 2,
    target: utilization(30),
    pods: [{ usage: 500 }, { usage: 700 }, { usage: 300, deleting: true }, { usage: 800, deleting: true }],
    expected: 4,
  },
  { name: 'TestReplicaCalcMissingMetrics: missing pods at 100% of request on a scale-down', current: 4, target: utilization(100), pods: used(400, 95, undefined, undefined), expected: 3 },
  { name: 'TestReplicaCalcMissingMetricsNoChangeEq: ratio exactly 1 with a missing pod keeps the count', current: 2, target: utilization(100), pods: used(1000, undefined), expected: 2 },
  { name: 'missing pods at 0% on a scale-up (GetResourceReplicas)', current: 3, target: utilization(50), pods: used(900, 900, undefined), expected: 4 },
  {
    name: 'a missing pod that would flip a scale-up into a scale-down keeps the count (GetResourceReplicas)',
    current: 3,
    target: utilization(50),
    pods: used(600, undefined, undefined),
    expected: 3,
  },
  { name: 'TestReplicaCalcSuperfluousMetrics: metrics of pods outside the selector are skipped', current: 4, target: utilization(100), pods: used(4000, 9500, 3000, 7000), expected: 24 },
  { name: 'TestReplicaCalcEmptyMetrics: no metrics at all is an error', current: 4, target: utilization(100), pods: used(undefined, undefined), expected: { error: /did not receive metrics/ } },
  {
    name: 'TestReplicaCalcEmptyCPURequest: a container without a request is an error',
    current: 1,
    target: utilization(100),
    pods: [{ usage: 200, requestMilli: undefined }],
    expected: { error: /missing request for cpu in container app of Pod web-0/ },
  },
  { name: 'no pods matched (GetResourceReplicas)', current: 1, target: utilization(50), pods: [], expected: { error: /no pods returned by selector/ } },
  {
    name: 'groupPods: Pending pods are unready and count 0 on a scale-up',
    current: 2,
    target: utilization(50),
    pods: [{ usage: 1000 }, { phase: 'Pending' }],
    expected: 2,
  },
  {
    name: 'groupPods: cpu within the initialization period, Ready but no full window since → unready',
    current: 2,
    target: utilization(50),
    pods: [{ usage: 900 }, { usage: 2000, startedAgo: 60_000, readySinceAgo: 10_000 }],
    expected: 2,
  },
  {
    name: 'groupPods: cpu after the initialization period, Ready → counted',
    current: 2,
    target: utilization(50),
    pods: [{ usage: 900 }, { usage: 2000, startedAgo: 6 * 60_000, readySinceAgo: 10_000 }],
    expected: 6,
  },
  {
    name: 'groupPods: cpu after the period, not Ready and never Ready (transition within 30 s of start) → unready',
    current: 2,
    target: utilization(50),
    pods: [{ usage: 900 }, { usage: 2000, ready: 'False', startedAgo: 10 * 60_000, readySinceAgo: 10 * 60_000 - 20_000 }],
    expected: 2,
  },
  {
    name: 'groupPods: cpu after the period, not Ready but was Ready once → counted',
    current: 2,
    target: utilization(50),
    pods: [{ usage: 900 }, { usage: 2000, ready: 'False', startedAgo: 10 * 60_000, readySinceAgo: 60_000 }],
    expected: 6,
  },
  {
    name: 'groupPods: memory ignores readiness (the rules are cpu only)',
    resource: 'memory',
    current: 2,
    target: utilization(50),
    pods: [{ usage: 900 }, { usage: 2000, startedAgo: 60_000, readySinceAgo: 10_000 }],
    expected: 6,
  },
  { name: 'calcPlainMetricReplicas (AverageValue): average 600m against 200m → ceil(3 × 3)', current: 3, target: averageValue(200), pods: used(300, 600, 900), expected: 9 },
  { name: 'calcPlainMetricReplicas (AverageValue): within tolerance stays', current: 3, target: averageValue(600), pods: used(600, 620, 610), expected: 3 },
  { name: 'GetResourceReplicas: with a target above 100%, missing pods count at the target on a scale-down', current: 3, target: utilization(200), pods: used(200, 200, undefined), expected: 2 },
  { name: 'calcPlainMetricReplicas (AverageValue): ratio exactly 1 leaves missing pods out and keeps the count', current: 2, target: averageValue(1000), pods: used(1000, undefined), expected: 2 },
  { name: 'calcPlainMetricReplicas (AverageValue): missing pods at the target on a scale-down', current: 4, target: averageValue(1000), pods: used(100, 100, undefined, undefined), expected: 3 },
];

describe('resourceReplicas (replica_calculator.go)', () => {
  it.each(ROWS)('$name', (row) => {
    const world = pods(row.pods);
    const input: ResourceReplicasInput = {
      resource: row.resource ?? 'cpu',
      target: row.target,
      currentReplicas: row.current,
      pods: world.pods,
      usage: world.usage,
      tolerances: TOLERANCES,
      now: NOW,
    };
    if (row.name.startsWith('TestReplicaCalcSuperfluousMetrics')) {
      for (const [index, level] of [3200, 2000].entries()) world.usage.set(`elsewhere-${index}`, { valueMilli: level, timestamp: NOW, windowMs: 30_000 });
    }
    const proposal = resourceReplicas(input);
    if (typeof row.expected === 'number') {
      expect(proposal).toMatchObject({ ok: true, replicas: row.expected });
    } else {
      expect(proposal.ok).toBe(false);
      expect(proposal.ok ? '' : proposal.error).toMatch(row.expected.error);
    }
  });

  it('only the named container counts (ContainerResource)', () => {
    const pod: ResourcePod = {
      name: 'web-0',
      phase: 'Running',
      deleting: false,
      startTime: LONG_AGO,
      ready: { status: 'True', lastTransitionTime: LONG_AGO },
      containers: [{ name: 'app', requestMilli: 500 }, { name: 'sidecar' }],
    };
    const proposal = resourceReplicas({
      resource: 'cpu',
      containerName: 'app',
      target: utilization(50),
      currentReplicas: 1,
      pods: [pod],
      usage: new Map([['web-0', { valueMilli: 500, timestamp: NOW, windowMs: 30_000 }]]),
      tolerances: TOLERANCES,
      now: NOW,
    });
    expect(proposal).toMatchObject({ ok: true, replicas: 2, current: 100 });
  });

  it('sums memory in milli-bytes past 2^53 without losing the ratio', () => {
    const gib = 64 * 2 ** 30 * 1000;
    const many = Array.from({ length: 300 }, (_, index): ResourcePod => ({
      name: `web-${index}`,
      phase: 'Running',
      deleting: false,
      startTime: LONG_AGO,
      ready: { status: 'True', lastTransitionTime: LONG_AGO },
      containers: [{ name: 'app', requestMilli: gib }],
    }));
    const usage = new Map(many.map((pod) => [pod.name, { valueMilli: gib, timestamp: NOW, windowMs: 30_000 }]));
    const proposal = resourceReplicas({ resource: 'memory', target: utilization(50), currentReplicas: 300, pods: many, usage, tolerances: TOLERANCES, now: NOW });
    expect(proposal).toMatchObject({ ok: true, replicas: 600, current: 100 });
  });
});
