/**
 * Label and node selectors as the API server and scheduler evaluate them: LabelSelector (PDBs, pod
 * affinity, topology spread) and NodeSelectorTerm (node affinity, PV node affinity).
 */
import type { LabelSelector, NodeSelectorTerm, SelectorRequirement } from './node-model';

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

export function nodeSelectorTermHolds(term: NodeSelectorTerm, labels: Record<string, string>): boolean {
  // A metadata.name field requirement cannot be checked against a node not yet launched, so such a
  // term is treated as not matching: the planner never adds a node the pod could not use.
  if ((term.matchFields ?? []).length > 0) return false;
  // An empty term selects nothing (Kubernetes semantics), not everything.
  if (term.matchExpressions.length === 0) return false;
  return term.matchExpressions.every((requirement) => requirementHolds(labels, requirement));
}
