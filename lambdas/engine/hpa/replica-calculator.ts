/**
 * The HPA's per-metric replica calculation for external metrics (`replica_calculator.go`). All
 * values are integer milli-units; ratios are doubles, as upstream.
 */
import type { Tolerances } from './tolerance';
import { isWithinTolerance } from './tolerance';
import { MAX_INT32, toInt32 } from './int32';

export type MetricProposal =
  | { ok: true; replicas: number; withinTolerance: boolean; ratio: number }
  | { ok: false; error: string };

function ceilToReplicas(value: number): number {
  // A +Inf or huge proposal saturates at MaxInt32, as the HPA's overflow cap does.
  return value >= MAX_INT32 ? MAX_INT32 : toInt32(Math.ceil(value));
}

/**
 * `AverageValue` target (`GetExternalPerPodMetricReplicas`): wants `ceil(usage / target)`, unless the
 * ratio against the current count is within tolerance. `statusReplicas` is the count the tolerance
 * is measured against (upstream: status.replicas; we pass spec.replicas, see docs).
 */
export function averageValueReplicas(
  usageMilli: number,
  targetMilli: number,
  statusReplicas: number,
  tolerances: Tolerances,
): MetricProposal {
  if (!(targetMilli > 0)) return { ok: false, error: 'the metric target must be greater than 0' };
  // statusReplicas 0 gives +Inf or NaN, never within tolerance, as upstream.
  const ratio = usageMilli / (targetMilli * statusReplicas);
  if (isWithinTolerance(ratio, tolerances)) {
    return { ok: true, replicas: statusReplicas, withinTolerance: true, ratio };
  }
  return { ok: true, replicas: ceilToReplicas(usageMilli / targetMilli), withinTolerance: false, ratio };
}

/**
 * `Value` target (`GetExternalMetricReplicas`): from zero, `ceil(ratio)`; otherwise
 * `ceil(ratio × readyPods)` (ready pods, not replicas) unless within tolerance.
 */
export function valueReplicas(
  usageMilli: number,
  targetMilli: number,
  currentReplicas: number,
  readyPods: number | undefined,
  tolerances: Tolerances,
): MetricProposal {
  if (!(targetMilli > 0)) return { ok: false, error: 'the metric target must be greater than 0' };
  const ratio = usageMilli / targetMilli;
  if (currentReplicas === 0) {
    return { ok: true, replicas: ceilToReplicas(ratio), withinTolerance: false, ratio };
  }
  if (isWithinTolerance(ratio, tolerances)) {
    return { ok: true, replicas: currentReplicas, withinTolerance: true, ratio };
  }
  if (readyPods === undefined) {
    return { ok: false, error: 'a Value metric needs the count of ready pods, which is unknown' };
  }
  return { ok: true, replicas: ceilToReplicas(ratio * readyPods), withinTolerance: false, ratio };
}
