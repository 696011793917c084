/**
 * kube-scheduler's InterPodAffinity filter, required terms only (preferred ones are scores, which
 * Cluster Autoscaler ignores):
 * - the incoming pod's anti-affinity: no selected pod in the node's domain of the term's topology key;
 * - existing pods' anti-affinity (symmetry): no pod whose term selects the incoming pod in that domain;
 * - the incoming pod's affinity: the node has every term's key, and pods matching all terms are in its
 *   domains; or, when no pod anywhere matches them, the pod matches its own terms (first of a series).
 */
import type { PodAffinityTerm, PodScheduling } from '../node-model';
import type { SimulatedNode } from './placed-pod';
import { namespaceOf, termSelects } from './placed-pod';

function sameDomain(key: string, a: SimulatedNode, b: SimulatedNode): boolean {
  const value = a.labels[key];
  return value !== undefined && b.labels[key] === value;
}

function describe(term: PodAffinityTerm): string {
  return `topologyKey ${term.topologyKey}`;
}

function antiAffinityBlocker(pod: PodScheduling, node: SimulatedNode, world: readonly SimulatedNode[]): string | undefined {
  const namespace = namespaceOf(pod);
  const incoming = { namespace, labels: pod.labels ?? {} };
  for (const other of world) {
    for (const existing of other.pods) {
      for (const term of existing.requiredPodAntiAffinity ?? []) {
        if (sameDomain(term.topologyKey, other, node) && termSelects(term, existing.namespace, incoming)) {
          return `the anti-affinity (${describe(term)}) of a pod in ${existing.namespace} on ${other.id} keeps the pod out of that domain`;
        }
      }
    }
  }
  for (const term of pod.requiredPodAntiAffinity ?? []) {
    for (const other of world) {
      if (!sameDomain(term.topologyKey, other, node)) continue;
      if (other.pods.some((existing) => termSelects(term, namespace, existing))) {
        return `pod anti-affinity (${describe(term)}): a selected pod is on ${other.id} in the same domain`;
      }
    }
  }
  return undefined;
}

function affinityBlocker(pod: PodScheduling, node: SimulatedNode, world: readonly SimulatedNode[]): string | undefined {
  const terms = pod.requiredPodAffinity ?? [];
  if (terms.length === 0) return undefined;
  const namespace = namespaceOf(pod);
  const missingKey = terms.find((term) => node.labels[term.topologyKey] === undefined);
  if (missingKey) return `pod affinity (${describe(missingKey)}): the node has no ${missingKey.topologyKey} label`;
  // As kube's affinity counts: only pods matching every term count, on nodes that carry the term's key.
  const matchesAll = (candidate: { namespace: string; labels: Record<string, string> }) => terms.every((term) => termSelects(term, namespace, candidate));
  let anyMatchAnywhere = false;
  const satisfied = terms.map(() => false);
  for (const other of world) {
    const matching = other.pods.some(matchesAll);
    if (!matching) continue;
    terms.forEach((term, index) => {
      if (other.labels[term.topologyKey] === undefined) return;
      anyMatchAnywhere = true;
      if (sameDomain(term.topologyKey, other, node)) satisfied[index] = true;
    });
  }
  if (satisfied.every(Boolean)) return undefined;
  if (!anyMatchAnywhere && matchesAll({ namespace, labels: pod.labels ?? {} })) return undefined;
  const unmet = terms[satisfied.indexOf(false)]!;
  return `pod affinity (${describe(unmet)}): no selected pod is in the node's domain`;
}

/** Why inter-pod (anti-)affinity keeps the pod off the node, or undefined when it allows it. */
export function interPodAffinityBlocker(pod: PodScheduling, node: SimulatedNode, world: readonly SimulatedNode[]): string | undefined {
  return antiAffinityBlocker(pod, node, world) ?? affinityBlocker(pod, node, world);
}
