/**
 * First-fit decreasing placement, as Cluster Autoscaler's binpacking estimator does it: the biggest
 * pods go first, each onto the first bin whose free capacity and predicates allow it.
 */
import type { PodScheduling, Resources, Taint } from './node-model';
import { fitsWithin, subtractResources } from './node-model';
import { placementBlocker } from './scheduling-predicates';

/** A node (real, upcoming or imagined) with the capacity still free on it. */
export interface Bin {
  id: string;
  labels: Record<string, string>;
  taints: readonly Taint[];
  free: Resources;
}

const GIB = 2 ** 30;

/** Bigger first; one core weighs like 4 GiB so neither resource dominates the order. */
export function podSizeScore(pod: PodScheduling): number {
  return pod.requests.cpuMilli / 1000 + pod.requests.memoryBytes / (4 * GIB);
}

export function sortLargestFirst<T extends { pod: PodScheduling; id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => podSizeScore(b.pod) - podSizeScore(a.pod) || a.id.localeCompare(b.id));
}

export function canHold(bin: Bin, pod: PodScheduling): boolean {
  return fitsWithin(pod.requests, bin.free) && placementBlocker(pod, bin) === undefined;
}

/** Places the pod on the first bin that holds it, taking its requests from that bin. */
export function placeFirstFit(bins: Bin[], pod: PodScheduling): Bin | undefined {
  const bin = bins.find((candidate) => canHold(candidate, pod));
  if (bin) bin.free = subtractResources(bin.free, pod.requests);
  return bin;
}
