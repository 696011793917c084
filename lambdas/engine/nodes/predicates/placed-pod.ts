/**
 * The view of the cluster the pod-to-pod predicates (spread, inter-pod affinity, host ports) need:
 * every node with its labels and the pods on it, bound or placed by the simulation so far.
 */
import type { PodAffinityTerm, PodScheduling, Taint } from '../node-model';
import { labelSelectorMatches } from '../label-selectors';

/** A pod on a node as the pod-to-pod rules see it. */
export interface PlacedPod {
  namespace: string;
  labels: Record<string, string>;
  hostPorts?: PodScheduling['hostPorts'];
  requiredPodAntiAffinity?: PodAffinityTerm[];
  /** Terminating pods still hold ports and affinity, but PodTopologySpread does not count them. */
  terminating?: boolean;
}

/** A node in the simulation: real, upcoming or imagined. */
export interface SimulatedNode {
  id: string;
  labels: Record<string, string>;
  taints: readonly Taint[];
  pods: PlacedPod[];
  /** How many of `pods` carry required anti-affinity, kept so most checks need not look at every pod. */
  antiAffinityPods?: number;
}

/** Whether a pod on the node has required anti-affinity (which can keep other pods out). */
export function hasAntiAffinityPods(node: SimulatedNode): boolean {
  return node.antiAffinityPods !== undefined ? node.antiAffinityPods > 0 : node.pods.some((pod) => (pod.requiredPodAntiAffinity?.length ?? 0) > 0);
}

export function countAntiAffinity(pods: readonly PlacedPod[]): number {
  return pods.filter((pod) => (pod.requiredPodAntiAffinity?.length ?? 0) > 0).length;
}

/** The namespace an incoming pod is in, `default` when a template pod does not say. */
export function namespaceOf(pod: PodScheduling): string {
  return pod.namespace ?? 'default';
}

export function asPlacedPod(pod: PodScheduling): PlacedPod {
  return {
    namespace: namespaceOf(pod),
    labels: pod.labels ?? {},
    ...(pod.hostPorts?.length ? { hostPorts: pod.hostPorts } : {}),
    ...(pod.requiredPodAntiAffinity?.length ? { requiredPodAntiAffinity: pod.requiredPodAntiAffinity } : {}),
  };
}

/** Whether `candidate` is one of the pods a term of a pod in `ownerNamespace` selects (kube's PodMatchesTermsNamespaceAndSelector). */
export function termSelects(term: PodAffinityTerm, ownerNamespace: string, candidate: { namespace: string; labels: Record<string, string> }): boolean {
  if (!term.anyNamespace) {
    const namespaces = term.namespaces.length > 0 ? term.namespaces : [ownerNamespace];
    if (!namespaces.includes(candidate.namespace)) return false;
  }
  return labelSelectorMatches(term.selector, candidate.labels);
}
