/**
 * The HPA's replica calculation for `Resource` metrics (cpu, memory), as kube-controller-manager runs
 * it for the `cpu` and `memory` triggers KEDA turns into HPA resource metrics
 * (`pkg/controller/podautoscaler/replica_calculator.go`: GetResourceReplicas for Utilization,
 * GetRawResourceReplicas / calcPlainMetricReplicas for AverageValue, groupPods, calculatePodRequests;
 * `metrics/utilization.go`: GetResourceUtilizationRatio, GetMetricUsageRatio).
 *
 * Pure: pods, their usage and `now` come in; a proposal goes out. Usage and requests are integer
 * milli-units (millicores, milli-bytes) as upstream's `MilliValue()`. Totals are summed as BigInt:
 * upstream sums int64, and a few hundred pods of gigabytes in milli-bytes pass 2^53.
 */
import type { MetricProposal } from './replica-calculator';
import type { Tolerances } from './tolerance';
import { isWithinTolerance } from './tolerance';
import { MAX_INT32, toInt32 } from './int32';

export type ResourceName = 'cpu' | 'memory';

/** kube-controller-manager's `--horizontal-pod-autoscaler-cpu-initialization-period` default. */
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
/** `--horizontal-pod-autoscaler-initial-readiness-delay` default. */
export const INITIAL_READINESS_DELAY_MS = 30_000;

/** A container of the pod spec, reduced to what the request sum needs. */
export interface ContainerRequests {
  name: string;
  /** Request of the resource in milli-units; undefined when the container sets none. */
  requestMilli?: number;
}

/** A pod matching the target's selector, reduced to what the calculation reads. */
export interface ResourcePod {
  name: string;
  /** `status.phase`: Pending, Running, Succeeded, Failed, Unknown. */
  phase: string;
  /** `metadata.deletionTimestamp` is set. */
  deleting: boolean;
  /** `status.startTime`, epoch ms. */
  startTime?: number;
  /** The Ready condition, if the pod has one. */
  ready?: { status: 'True' | 'False' | 'Unknown'; lastTransitionTime: number };
  /** `spec.containers` plus restartable (sidecar) init containers, as calculatePodRequests counts. */
  containers: readonly ContainerRequests[];
}

/** One pod's usage from metrics.k8s.io PodMetrics (summed over containers, or the named one). */
export interface PodUsage {
  valueMilli: number;
  /** PodMetrics `timestamp` (end of the window), epoch ms. */
  timestamp: number;
  /** PodMetrics `window`, ms. */
  windowMs: number;
}

export type ResourceTarget =
  | { type: 'Utilization'; averageUtilization: number }
  | { type: 'AverageValue'; averageValueMilli: number };

export interface ResourceReplicasInput {
  resource: ResourceName;
  /** Only this container's requests and usage count when set (ContainerResource). */
  containerName?: string;
  target: ResourceTarget;
  currentReplicas: number;
  pods: readonly ResourcePod[];
  /** Usage by pod name; a pod absent here has missing metrics. */
  usage: ReadonlyMap<string, PodUsage>;
  tolerances: Tolerances;
  now: number;
  cpuInitializationPeriodMs?: number;
  initialReadinessDelayMs?: number;
}

export type ResourceProposal = MetricProposal & {
  /** Current utilization in percent of requests (Utilization) or average usage in milli (AverageValue). */
  current?: number;
  readyPods?: number;
  unreadyPods?: number;
  missingPods?: number;
  ignoredPods?: number;
};

interface PodGroups {
  readyPodCount: number;
  unready: string[];
  missing: string[];
  ignored: string[];
}

/**
 * groupPods: deleted and Failed pods are ignored; Pending pods are unready; pods without metrics
 * are missing; for CPU only, a pod counts as unready while its metrics may still show start-up
 * usage (inside the initialization period: not Ready, or no full metric window since it turned
 * Ready; after it: not Ready and never Ready since the start, within the readiness delay).
 */
function groupPods(input: ResourceReplicasInput): PodGroups {
  const initPeriod = input.cpuInitializationPeriodMs ?? CPU_INITIALIZATION_PERIOD_MS;
  const readinessDelay = input.initialReadinessDelayMs ?? INITIAL_READINESS_DELAY_MS;
  const groups: PodGroups = { readyPodCount: 0, unready: [], missing: [], ignored: [] };
  for (const pod of input.pods) {
    if (pod.deleting || pod.phase === 'Failed') {
      groups.ignored.push(pod.name);
      continue;
    }
    if (pod.phase === 'Pending') {
      groups.unready.push(pod.name);
      continue;
    }
    const metric = input.usage.get(pod.name);
    if (!metric) {
      groups.missing.push(pod.name);
      continue;
    }
    if (input.resource === 'cpu' && cpuSampleUnready(pod, metric, input.now, initPeriod, readinessDelay)) {
      groups.unready.push(pod.name);
      continue;
    }
    groups.readyPodCount += 1;
  }
  return groups;
}

function cpuSampleUnready(pod: ResourcePod, metric: PodUsage, now: number, initPeriod: number, readinessDelay: number): boolean {
  const condition = pod.ready;
  if (!condition || pod.startTime === undefined) return true;
  if (pod.startTime + initPeriod > now) {
    return condition.status === 'False' || metric.timestamp < condition.lastTransitionTime + metric.windowMs;
  }
  return condition.status === 'False' && pod.startTime + readinessDelay > condition.lastTransitionTime;
}

/** calculatePodRequests: per pod, the sum over its (selected) containers; a container without a request is an error. */
export function podRequests(pods: readonly ResourcePod[], resource: ResourceName, containerName?: string): Map<string, number> | { error: string } {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const container of pod.containers) {
      if (containerName !== undefined && container.name !== containerName) continue;
      if (container.requestMilli === undefined) {
        return { error: `missing request for ${resource} in container ${container.name} of Pod ${pod.name}` };
      }
      sum += container.requestMilli;
    }
    requests.set(pod.name, sum);
  }
  return requests;
}

/** GetResourceUtilizationRatio: percent of requests over pods that have both a metric and a request. */
function utilizationRatio(metrics: ReadonlyMap<string, number>, requests: ReadonlyMap<string, number>, targetUtilization: number): { ratio: number; current: number } | { error: string } {
  let metricsTotal = 0n;
  let requestsTotal = 0n;
  for (const [podName, value] of metrics) {
    const request = requests.get(podName);
    if (request === undefined) continue; // extraneous metric: upstream skips it
    metricsTotal += BigInt(value);
    requestsTotal += BigInt(request);
  }
  if (requestsTotal === 0n) return { error: 'no metrics returned matched known pods' };
  // int32((metricsTotal*100)/requestsTotal): integer division, then float against the target.
  const current = toInt32(Number((metricsTotal * 100n) / requestsTotal));
  return { ratio: current / targetUtilization, current };
}

/** GetMetricUsageRatio: integer average over the pods with metrics, against the target. */
function averageValueRatio(metrics: ReadonlyMap<string, number>, targetMilli: number): { ratio: number; current: number } {
  let total = 0n;
  for (const value of metrics.values()) total += BigInt(value);
  const current = Number(total / BigInt(metrics.size));
  return { ratio: current / targetMilli, current };
}

/** `requests[pod] * max(100, targetUtilization) / 100`, in int64 integer division as upstream. */
function missingPodFallbackMilli(requestMilli: number, targetUtilization: number): number {
  return Number((BigInt(requestMilli) * BigInt(Math.max(100, targetUtilization))) / 100n);
}

function ceilToReplicas(value: number): number {
  return value >= MAX_INT32 ? MAX_INT32 : toInt32(Math.ceil(value));
}

/** GetResourceReplicas (Utilization) and GetRawResourceReplicas (AverageValue), in one. */
export function resourceReplicas(input: ResourceReplicasInput): ResourceProposal {
  const { target, currentReplicas, tolerances } = input;
  const targetValue = target.type === 'Utilization' ? target.averageUtilization : target.averageValueMilli;
  if (!(targetValue > 0)) return { ok: false, error: `the ${input.resource} target must be greater than 0` };
  if (input.pods.length === 0) return { ok: false, error: 'no pods returned by selector while calculating replica count' };

  const groups = groupPods(input);
  const metrics = new Map<string, number>();
  const dropped = new Set([...groups.ignored, ...groups.unready]);
  for (const [podName, usage] of input.usage) {
    if (!dropped.has(podName)) metrics.set(podName, usage.valueMilli);
  }
  // Upstream checks that metrics are left before it computes the requests, so that error wins.
  if (metrics.size === 0) return { ok: false, error: 'did not receive metrics for targeted pods (pods might be unready)' };
  let requests: Map<string, number> | undefined;
  if (target.type === 'Utilization') {
    const computed = podRequests(input.pods, input.resource, input.containerName);
    if ('error' in computed) return { ok: false, error: computed.error };
    requests = computed;
  }

  const ratioOf = (values: ReadonlyMap<string, number>) =>
    requests ? utilizationRatio(values, requests, targetValue) : averageValueRatio(values, targetValue);

  const first = ratioOf(metrics);
  if ('error' in first) return { ok: false, error: first.error };
  const counts = {
    current: first.current,
    readyPods: groups.readyPodCount,
    unreadyPods: groups.unready.length,
    missingPods: groups.missing.length,
    ignoredPods: groups.ignored.length,
  };
  const usageRatio = first.ratio;
  const scaleUpWithUnready = groups.unready.length > 0 && usageRatio > 1;

  if (!scaleUpWithUnready && groups.missing.length === 0) {
    if (isWithinTolerance(usageRatio, tolerances)) return { ok: true, replicas: currentReplicas, withinTolerance: true, ratio: usageRatio, ...counts };
    return { ok: true, replicas: ceilToReplicas(usageRatio * groups.readyPodCount), withinTolerance: false, ratio: usageRatio, ...counts };
  }

  if (groups.missing.length > 0) {
    // Scaling down: a pod without metrics is assumed at 100% of its request, or at the target
    // when the target is above 100% (for AverageValue: at the target). Scaling up: at 0. At a
    // ratio of exactly 1 they are left out.
    for (const podName of groups.missing) {
      if (usageRatio < 1) metrics.set(podName, requests ? missingPodFallbackMilli(requests.get(podName) ?? 0, targetValue) : targetValue);
      else if (usageRatio > 1) metrics.set(podName, 0);
    }
  }
  if (scaleUpWithUnready) {
    for (const podName of groups.unready) metrics.set(podName, 0);
  }

  const second = ratioOf(metrics);
  if ('error' in second) return { ok: false, error: second.error };
  const newRatio = second.ratio;
  const keep = { ok: true as const, replicas: currentReplicas, withinTolerance: true, ratio: newRatio, ...counts };
  if (isWithinTolerance(newRatio, tolerances) || (usageRatio < 1 && newRatio > 1) || (usageRatio > 1 && newRatio < 1)) return keep;
  const newReplicas = ceilToReplicas(newRatio * metrics.size);
  if ((newRatio < 1 && newReplicas > currentReplicas) || (newRatio > 1 && newReplicas < currentReplicas)) return keep;
  return { ok: true, replicas: newReplicas, withinTolerance: false, ratio: newRatio, ...counts };
}
