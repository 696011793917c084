/**
 * kube-scheduler's PodTopologySpread filter for whenUnsatisfiable: DoNotSchedule constraints. For each
 * constraint the node must carry the topology key, and placing the pod there must keep
 * `matching pods in the node's domain + (1 if the pod matches itself) − the fewest in any domain`
 * within maxSkew. Domains come from nodes that carry every constraint's key and (nodeAffinityPolicy
 * Honor, the default) match the pod's nodeSelector and required node affinity, or (nodeTaintsPolicy
 * Honor) whose taints it tolerates. Fewer domains than minDomains make the minimum 0. Pods in other
 * namespaces and terminating pods do not count. As the plugin's PreFilter, the counts are made once
 * per pod (`prepareTopologySpread`); a node not yet counted (a candidate new node) adds its domain.
 */
import type { PodScheduling, TopologySpreadConstraint } from '../node-model';
import { labelSelectorMatches } from '../label-selectors';
import type { SimulatedNode } from './placed-pod';
import { namespaceOf } from './placed-pod';
import type { NodeCheck } from './inter-pod-affinity';

export type NodeFilter = (pod: PodScheduling, node: SimulatedNode) => { affinityOk: boolean; taintsOk: boolean };

interface Counted {
  constraint: TopologySpreadConstraint;
  counts: Map<string, number>;
  /** The fewest matching pods in any domain (0 when there is none). */
  fewest: number;
}

const minimum = (counts: ReadonlyMap<string, number>) => (counts.size > 0 ? Math.min(...counts.values()) : 0);

export function prepareTopologySpread(pod: PodScheduling, world: readonly SimulatedNode[], filter: NodeFilter): NodeCheck {
  const constraints = pod.topologySpread ?? [];
  if (constraints.length === 0) return () => undefined;
  const namespace = namespaceOf(pod);
  const eligible = (node: SimulatedNode, constraint: TopologySpreadConstraint) => {
    if (!constraints.every((each) => node.labels[each.topologyKey] !== undefined)) return false;
    const verdict = filter(pod, node);
    return !(constraint.nodeAffinityPolicy === 'Honor' && !verdict.affinityOk) && !(constraint.nodeTaintsPolicy === 'Honor' && !verdict.taintsOk);
  };
  const matching = (node: SimulatedNode, constraint: TopologySpreadConstraint) =>
    node.pods.filter((existing) => !existing.terminating && existing.namespace === namespace && labelSelectorMatches(constraint.selector, existing.labels)).length;
  const counted: Counted[] = constraints.map((constraint) => {
    const counts = new Map<string, number>();
    for (const node of world) {
      if (!eligible(node, constraint)) continue;
      const value = node.labels[constraint.topologyKey]!;
      counts.set(value, (counts.get(value) ?? 0) + matching(node, constraint));
    }
    return { constraint, counts, fewest: minimum(counts) };
  });
  const worldIds = new Set(world.map((node) => node.id));

  return (node) => {
    for (const { constraint, counts, fewest: fewestCounted } of counted) {
      const key = constraint.topologyKey;
      const domain = node.labels[key];
      if (domain === undefined) return `topology spread: the node has no ${key} label`;
      let domainCounts = counts;
      let fewest = fewestCounted;
      if (!worldIds.has(node.id) && eligible(node, constraint)) {
        // A candidate new node: its domain joins (or grows by its DaemonSet pods) before the check.
        domainCounts = new Map(counts);
        domainCounts.set(domain, (domainCounts.get(domain) ?? 0) + matching(node, constraint));
        fewest = minimum(domainCounts);
      }
      if (constraint.minDomains !== undefined && domainCounts.size < constraint.minDomains) fewest = 0;
      const selfMatch = labelSelectorMatches(constraint.selector, pod.labels ?? {}) ? 1 : 0;
      const skew = (domainCounts.get(domain) ?? 0) + selfMatch - fewest;
      if (skew > constraint.maxSkew) {
        return `topology spread on ${key}: placing it in ${domain} makes the skew ${skew}, above maxSkew ${constraint.maxSkew}`;
      }
    }
    return undefined;
  };
}

/** Why a DoNotSchedule spread constraint keeps the pod off the node, or undefined when none does. */
export function topologySpreadBlocker(pod: PodScheduling, node: SimulatedNode, world: readonly SimulatedNode[], filter: NodeFilter): string | undefined {
  return prepareTopologySpread(pod, world, filter)(node);
}
