/**
 * The scheduler's hard predicates that decide whether a pod may land on a node, ignoring resources:
 * nodeSelector, required node affinity, and NoSchedule/NoExecute taints against tolerations.
 * Preferred (soft) constraints are ignored, as Cluster Autoscaler ignores them.
 */
import type { LabelSelector, NodeSelectorTerm, PodScheduling, SelectorRequirement, Taint, Toleration } from './node-model';

export function requirementHolds(labels: Record<string, string>, requirement: SelectorRequirement): boolean {
  const value = labels[requirement.key];
  const values = requirement.values ?? [];
  switch (requirement.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const actual = Number(value);
      const bound = Number(values[0]);
      if (!Number.isInteger(actual) || !Number.isInteger(bound)) return false;
      return requirement.operator === 'Gt' ? actual > bound : actual < bound;
    }
  }
}

export function labelSelectorMatches(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every((requirement) => requirementHolds(labels, requirement));
}

function nodeSelectorTermHolds(term: NodeSelectorTerm, labels: Record<string, string>): boolean {
  // A metadata.name field requirement cannot be checked against a node not yet launched, so such a
  // term is treated as not matching: the planner never adds a node the pod could not use.
  if ((term.matchFields ?? []).length > 0) return false;
  // An empty term selects nothing (Kubernetes semantics), not everything.
  if (term.matchExpressions.length === 0) return false;
  return term.matchExpressions.every((requirement) => requirementHolds(labels, requirement));
}

export function toleratesTaint(tolerations: readonly Toleration[], taint: Taint): boolean {
  return tolerations.some((toleration) => {
    if (toleration.effect && toleration.effect !== taint.effect) return false;
    if (toleration.operator === 'Exists') return toleration.key === undefined || toleration.key === '' || toleration.key === taint.key;
    return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
  });
}

/** Why the pod may not go on a node with these labels and taints, or undefined when it may. */
export function placementBlocker(
  pod: PodScheduling,
  node: { labels: Record<string, string>; taints: readonly Taint[] },
): string | undefined {
  for (const [key, value] of Object.entries(pod.nodeSelector ?? {})) {
    if (node.labels[key] !== value) return `nodeSelector ${key}=${value} does not match`;
  }
  if (pod.requiredNodeAffinity && !pod.requiredNodeAffinity.some((term) => nodeSelectorTermHolds(term, node.labels))) {
    return 'required node affinity does not match';
  }
  for (const taint of node.taints) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!toleratesTaint(pod.tolerations ?? [], taint)) return `untolerated taint ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
  }
  return undefined;
}
