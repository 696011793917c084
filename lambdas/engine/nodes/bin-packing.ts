/**
 * First-fit decreasing placement, as Cluster Autoscaler's binpacking estimator does it: the biggest
 * pods go first, each onto the first bin whose free capacity and predicates allow it. A placed pod
 * joins its bin, so the pods after it see it (host ports, anti-affinity, topology spread).
 */
import type { PodScheduling, Resources } from './node-model';
import { fitsWithin, subtractResources } from './node-model';
import { subtractExtended } from './predicates/extended-resources';
import type { SimulatedNode } from './predicates/placed-pod';
import { asPlacedPod, countAntiAffinity } from './predicates/placed-pod';
import type { CandidateNode } from './scheduling-predicates';
import { prepareConstraints } from './scheduling-predicates';

/** A node (real, upcoming or imagined) with the capacity still free on it and the pods on it. */
export interface Bin extends CandidateNode {
  free: Resources;
  /** false for a node that takes no new pod (cordoned, not Ready, being deleted): its pods still count for spread and affinity. */
  accepting?: boolean;
}

const GIB = 2 ** 30;

/** Bigger first; one core weighs like 4 GiB so neither resource dominates the order. */
export function podSizeScore(pod: PodScheduling): number {
  return pod.requests.cpuMilli / 1000 + pod.requests.memoryBytes / (4 * GIB);
}

export function sortLargestFirst<T extends { pod: PodScheduling; id: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => podSizeScore(b.pod) - podSizeScore(a.pod) || a.id.localeCompare(b.id));
}

export type HoldCheck = (bin: Bin) => string | undefined;

/**
 * Why a bin cannot take the pod, or undefined when it can, for many bins: `world` (every node of the
 * simulation) is scanned once. Use it before the world changes (a pod placed, a node added).
 */
export function prepareHold(pod: PodScheduling, world: readonly SimulatedNode[]): HoldCheck {
  let constraints: ReturnType<typeof prepareConstraints> | undefined;
  return (bin) => {
    if (bin.accepting === false) return 'the node takes no new pods';
    if (!fitsWithin(pod.requests, bin.free)) return 'not enough cpu, memory or pod slots free';
    // Prepared only when a bin has room: most full bins never need the cluster scan.
    constraints ??= prepareConstraints(pod, world);
    return constraints(bin);
  };
}

/** Why the bin cannot take the pod, or undefined when it can. `world` is every node of the simulation. */
export function holdBlocker(bin: Bin, pod: PodScheduling, world: readonly SimulatedNode[] = [bin]): string | undefined {
  return prepareHold(pod, world)(bin);
}

export function canHold(bin: Bin, pod: PodScheduling, world: readonly SimulatedNode[] = [bin]): boolean {
  return holdBlocker(bin, pod, world) === undefined;
}

/**
 * Takes the pod's requests from the bin and puts the pod on it. `ownsPodList`: the bin's pod list is
 * its own (a new node of a plan), so the pod is pushed rather than the list copied.
 */
export function placeOn(bin: Bin, pod: PodScheduling, ownsPodList = false): void {
  bin.free = subtractResources(bin.free, pod.requests);
  bin.extendedFree = subtractExtended(bin.extendedFree, pod.extendedRequests);
  // A new list, not a push: a drain simulation's bins share their pod lists with the cluster's.
  if (ownsPodList) bin.pods.push(asPlacedPod(pod));
  else bin.pods = [...bin.pods, asPlacedPod(pod)];
  if (pod.requiredPodAntiAffinity?.length) bin.antiAffinityPods = (bin.antiAffinityPods ?? countAntiAffinity(bin.pods.slice(0, -1))) + 1;
}

/** Places the pod on the first bin that holds it. `world` defaults to the bins themselves. */
export function placeFirstFit(bins: Bin[], pod: PodScheduling, world: readonly SimulatedNode[] = bins): Bin | undefined {
  const check = prepareHold(pod, world);
  const bin = bins.find((candidate) => check(candidate) === undefined);
  if (bin) placeOn(bin, pod);
  return bin;
}
