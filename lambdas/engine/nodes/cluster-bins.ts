/**
 * The cluster as the placement simulation starts from it: one bin per node with its free capacity
 * and the pods bound there. Every node is a bin, because pods on a cordoned or draining node still
 * count for topology spread and (anti-)affinity; only nodes the scheduler can use take new pods.
 */
import type { Bin } from './bin-packing';
import { isBeingDeleted } from './group-view';
import type { ExtendedResources, NodeInfo, NodeTemplate, PodInfo, PodScheduling, Resources } from './node-model';
import { holdsCapacity, subtractResources } from './node-model';
import { extendedFreeOn } from './predicates/extended-resources';
import { asPlacedPod, countAntiAffinity } from './predicates/placed-pod';

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** Every node except `exclude` (the node a drain simulation removes), with the pods bound to it. */
export function clusterBins(nodes: readonly NodeInfo[], pods: readonly PodInfo[], exclude?: string): Bin[] {
  const byNode = new Map<string, PodInfo[]>();
  for (const pod of pods) {
    if (!pod.nodeName || !holdsCapacity(pod)) continue;
    const list = byNode.get(pod.nodeName) ?? [];
    list.push(pod);
    byNode.set(pod.nodeName, list);
  }
  return nodes
    .filter((node) => node.name !== exclude)
    .map((node) => {
      const onNode = byNode.get(node.name) ?? [];
      const placed = onNode.map((pod) => ({ ...asPlacedPod(pod), ...(pod.deletingSince !== undefined ? { terminating: true } : {}) }));
      const used = onNode.reduce<Resources>(
        (sum, pod) => ({ cpuMilli: sum.cpuMilli + pod.requests.cpuMilli, memoryBytes: sum.memoryBytes + pod.requests.memoryBytes, pods: sum.pods + 1 }),
        { cpuMilli: 0, memoryBytes: 0, pods: 0 },
      );
      const extendedFree = extendedFreeOn(node.extendedAllocatable, onNode.map((pod) => pod.extendedRequests));
      return {
        id: node.name,
        labels: node.labels,
        taints: node.taints,
        free: subtractResources(node.allocatable, used),
        ...(extendedFree ? { extendedFree } : {}),
        pods: placed,
        antiAffinityPods: countAntiAffinity(placed),
        accepting: node.ready && !node.unschedulable && !isBeingDeleted(node),
      };
    });
}

/**
 * A node of the template that does not exist yet, named `id`: its own hostname (as CA gives each
 * template node one), the DaemonSet pods that will land first, and what they leave free.
 */
export function templateBin(id: string, template: NodeTemplate, emptyFree: Resources, daemonPods: readonly PodScheduling[]): Bin {
  const extendedFree: ExtendedResources | undefined = extendedFreeOn(template.extendedAllocatable, daemonPods.map((pod) => pod.extendedRequests));
  return {
    id,
    labels: { ...template.labels, [HOSTNAME_LABEL]: id },
    taints: template.taints,
    free: { ...emptyFree },
    ...(extendedFree ? { extendedFree } : {}),
    pods: daemonPods.map(asPlacedPod),
    antiAffinityPods: daemonPods.filter((pod) => pod.requiredPodAntiAffinity?.length).length,
  };
}
