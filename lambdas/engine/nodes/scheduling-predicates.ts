/**
 * The scheduler's hard predicates that decide whether a pod may land on a node, ignoring cpu, memory
 * and pod slots (the bin-packing compares those): nodeSelector, required node affinity, NoSchedule/
 * NoExecute taints against tolerations, and, one file each under predicates/, extended resources,
 * zonal volumes, host ports, inter-pod (anti-)affinity and topology spread, as the kube-scheduler
 * plugins Cluster Autoscaler's simulation runs. Preferred (soft) constraints are ignored, as CA ignores them.
 */
import type { ExtendedResources, NodeTemplate, PodScheduling, Taint, Toleration } from './node-model';
import { nodeSelectorTermHolds } from './label-selectors';
import { extendedResourcesBlocker } from './predicates/extended-resources';
import type { NodeCheck } from './predicates/inter-pod-affinity';
import { prepareInterPodAffinity } from './predicates/inter-pod-affinity';
import { hostPortBlocker } from './predicates/node-ports';
import type { SimulatedNode } from './predicates/placed-pod';
import { hasAntiAffinityPods } from './predicates/placed-pod';
import { prepareTopologySpread } from './predicates/pod-topology-spread';
import { volumeTopologyBlocker } from './predicates/volume-topology';

export { labelSelectorMatches, nodeSelectorTermHolds, requirementHolds } from './label-selectors';

export function toleratesTaint(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((toleration) => {
    if (toleration.effect && toleration.effect !== taint.effect) return false;
    if (toleration.operator === 'Exists') return toleration.key === undefined || toleration.key === '' || toleration.key === taint.key;
    return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
  });
}

function nodeAffinityBlocker(pod: PodScheduling, labels: Record<string, string>): string | undefined {
  for (const [key, value] of Object.entries(pod.nodeSelector ?? {})) {
    if (labels[key] !== value) return `nodeSelector ${key}=${value} does not match`;
  }
  if (pod.requiredNodeAffinity && !pod.requiredNodeAffinity.some((term) => nodeSelectorTermHolds(term, labels))) {
    return 'required node affinity does not match';
  }
  return undefined;
}

function taintBlocker(pod: PodScheduling, taints: readonly Taint[]): string | undefined {
  for (const taint of taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!toleratesTaint(pod.tolerations ?? [], taint)) return `untolerated taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
  }
  return undefined;
}

/** Why the pod may not go on a node with these labels and taints, or undefined when it may. */
export function placementBlocker(
  pod: PodScheduling,
  node: { labels: Record<string, string>; taints: readonly Taint[] },
): string | undefined {
  return nodeAffinityBlocker(pod, node.labels) ?? taintBlocker(pod, node.taints);
}

/**
 * Why no node of this shape could ever take the pod, whatever runs on it: the node-level predicates
 * plus extended resources (a group without GPUs never helps a GPU pod) and zonal volumes.
 */
export function nodeShapeBlocker(pod: PodScheduling, template: NodeTemplate): string | undefined {
  return (
    placementBlocker(pod, template) ??
    extendedResourcesBlocker(pod.extendedRequests, template.extendedAllocatable) ??
    volumeTopologyBlocker(pod, template.labels)
  );
}

/** A node in the simulation with the extended resources still free on it. */
export interface CandidateNode extends SimulatedNode {
  extendedFree?: ExtendedResources;
}

/**
 * Every hard predicate except cpu/memory/pods for the pod, as a check of one node at a time. `world`
 * is every node of the simulation with the pods on it; it is scanned once here (the plugins' PreFilter)
 * and must not change while the check is used. A node not in `world` (a candidate new node) may be
 * checked too: its own pods and domain are counted then.
 */
export function prepareConstraints(pod: PodScheduling, world: readonly SimulatedNode[]): (node: CandidateNode) => string | undefined {
  // Only when some rule can apply: a scan of every pod for each pod to place is the planner's largest cost.
  const podToPod = pod.requiredPodAffinity?.length || pod.requiredPodAntiAffinity?.length || world.some(hasAntiAffinityPods);
  const affinity: NodeCheck = podToPod ? prepareInterPodAffinity(pod, world) : () => undefined;
  const spread = prepareTopologySpread(pod, world, (incoming, other) => ({
    affinityOk: nodeAffinityBlocker(incoming, other.labels) === undefined,
    taintsOk: taintBlocker(incoming, other.taints) === undefined,
  }));
  // Cheap node-level rules first, so a node they refuse costs no pod-to-pod lookups.
  return (node) =>
    placementBlocker(pod, node) ??
    extendedResourcesBlocker(pod.extendedRequests, node.extendedFree) ??
    volumeTopologyBlocker(pod, node.labels) ??
    hostPortBlocker(pod.hostPorts, node.pods) ??
    affinity(node) ??
    spread(node);
}

/** Every hard predicate except cpu/memory/pods for the pod on one node (see prepareConstraints). */
export function constraintBlocker(pod: PodScheduling, node: CandidateNode, world: readonly SimulatedNode[]): string | undefined {
  return prepareConstraints(pod, world)(node);
}
