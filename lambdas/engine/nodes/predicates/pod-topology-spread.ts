/**
 * kube-scheduler's PodTopologySpread filter for whenUnsatisfiable: DoNotSchedule constraints. For each
 * constraint the node must carry the topology key, and placing the pod there must keep
 * `matching pods in the node's domain + (1 if the pod matches itself) − the fewest in any domain`
 * within maxSkew. Domains come from nodes that carry every constraint's key and (nodeAffinityPolicy
 * Honor, the default) match the pod's nodeSelector and required node affinity, or (nodeTaintsPolicy
 * Honor) whose taints it tolerates. Fewer domains than minDomains make the minimum 0. Pods in other
 * namespaces and terminating pods do not count.
 */
import type { PodScheduling, TopologySpreadConstraint } from '../node-model';
import { labelSelectorMatches } from '../label-selectors';
import type { SimulatedNode } from './placed-pod';
import { namespaceOf } from './placed-pod';

export type NodeFilter = (pod: PodScheduling, node: SimulatedNode) => { affinityOk: boolean; taintsOk: boolean };

function countsAsDomain(pod: PodScheduling, constraints: readonly TopologySpreadConstraint[], constraint: TopologySpreadConstraint, node: SimulatedNode, filter: NodeFilter): boolean {
  if (!constraints.every((each) => node.labels[each.topologyKey] !== undefined)) return false;
  const verdict = filter(pod, node);
  if (constraint.nodeAffinityPolicy === 'Honor' && !verdict.affinityOk) return false;
  if (constraint.nodeTaintsPolicy === 'Honor' && !verdict.taintsOk) return false;
  return true;
}

/** Why a DoNotSchedule spread constraint keeps the pod off the node, or undefined when none does. */
export function topologySpreadBlocker(pod: PodScheduling, node: SimulatedNode, world: readonly SimulatedNode[], filter: NodeFilter): string | undefined {
  const constraints = pod.topologySpread ?? [];
  if (constraints.length === 0) return undefined;
  const namespace = namespaceOf(pod);
  for (const constraint of constraints) {
    const key = constraint.topologyKey;
    const domain = node.labels[key];
    if (domain === undefined) return `topology spread: the node has no ${key} label`;
    const counts = new Map<string, number>();
    for (const other of world) {
      if (!countsAsDomain(pod, constraints, constraint, other, filter)) continue;
      const value = other.labels[key]!;
      const matching = other.pods.filter((existing) => !existing.terminating && existing.namespace === namespace && labelSelectorMatches(constraint.selector, existing.labels)).length;
      counts.set(value, (counts.get(value) ?? 0) + matching);
    }
    let fewest = counts.size > 0 ? Math.min(...counts.values()) : 0;
    if (constraint.minDomains !== undefined && counts.size < constraint.minDomains) fewest = 0;
    const selfMatch = labelSelectorMatches(constraint.selector, pod.labels ?? {}) ? 1 : 0;
    const skew = (counts.get(domain) ?? 0) + selfMatch - fewest;
    if (skew > constraint.maxSkew) {
      return `topology spread on ${key}: placing it in ${domain} makes the skew ${skew}, above maxSkew ${constraint.maxSkew}`;
    }
  }
  return undefined;
}
