/**
 * kube-scheduler's InterPodAffinity filter, required terms only (preferred ones are scores, which
 * Cluster Autoscaler ignores):
 * - the incoming pod's anti-affinity: no selected pod in the node's domain of the term's topology key;
 * - existing pods' anti-affinity (symmetry): no pod whose term selects the incoming pod in that domain;
 * - the incoming pod's affinity: the node has every term's key, and pods matching all terms are in its
 *   domains; or, when no pod anywhere matches them, the pod matches its own terms (first of a series).
 * As the plugin's PreFilter does, the cluster is scanned once per pod (`prepareInterPodAffinity`) into
 * topology-domain sets; each node is then checked by lookups, so trying many nodes stays cheap.
 */
import type { PodAffinityTerm, PodScheduling } from '../node-model';
import type { PlacedPod, SimulatedNode } from './placed-pod';
import { namespaceOf, termSelects } from './placed-pod';

export type NodeCheck = (node: SimulatedNode) => string | undefined;

const domainKey = (key: string, value: string) => `${key}\u0000${value}`;

export function prepareInterPodAffinity(pod: PodScheduling, world: readonly SimulatedNode[]): NodeCheck {
  const namespace = namespaceOf(pod);
  const incoming = { namespace, labels: pod.labels ?? {} };
  const antiTerms = pod.requiredPodAntiAffinity ?? [];
  const affinityTerms = pod.requiredPodAffinity ?? [];
  const matchesAllAffinity = (candidate: { namespace: string; labels: Record<string, string> }) => affinityTerms.every((term) => termSelects(term, namespace, candidate));

  /** Domains an existing pod's anti-affinity closes to the incoming pod, with who closes them. */
  const closedBySymmetry = new Map<string, string>();
  /** Per incoming anti-affinity term: domains holding a selected pod. */
  const closedByOwnTerms = antiTerms.map(() => new Map<string, string>());
  /** Per affinity term: domains holding a pod that matches every term. */
  const openByAffinity = affinityTerms.map(() => new Set<string>());
  let affinityMatchAnywhere = false;

  const visit = (node: SimulatedNode, existing: PlacedPod) => {
    for (const term of existing.requiredPodAntiAffinity ?? []) {
      const value = node.labels[term.topologyKey];
      if (value !== undefined && termSelects(term, existing.namespace, incoming)) {
        closedBySymmetry.set(domainKey(term.topologyKey, value), `the anti-affinity (topologyKey ${term.topologyKey}) of a pod in ${existing.namespace} on ${node.id}`);
      }
    }
    antiTerms.forEach((term, index) => {
      const value = node.labels[term.topologyKey];
      if (value !== undefined && termSelects(term, namespace, existing)) closedByOwnTerms[index]!.set(value, node.id);
    });
    if (affinityTerms.length > 0 && matchesAllAffinity(existing)) {
      affinityTerms.forEach((term, index) => {
        const value = node.labels[term.topologyKey];
        if (value === undefined) return;
        affinityMatchAnywhere = true;
        openByAffinity[index]!.add(value);
      });
    }
  };
  for (const node of world) for (const existing of node.pods) visit(node, existing);
  const worldIds = new Set(world.map((node) => node.id));
  const selfMatchesAffinity = affinityTerms.length > 0 && matchesAllAffinity(incoming);

  return (node) => {
    // A node not in the world (a candidate new node) brings its own pods (DaemonSets): count them too.
    if (!worldIds.has(node.id)) for (const existing of node.pods) visit(node, existing);
    for (const [key, value] of Object.entries(node.labels)) {
      const closer = closedBySymmetry.get(domainKey(key, value));
      if (closer) return `${closer} keeps the pod out of ${key}=${value}`;
    }
    for (const [index, term] of antiTerms.entries()) {
      const value = node.labels[term.topologyKey];
      const holder = value !== undefined ? closedByOwnTerms[index]!.get(value) : undefined;
      if (holder) return `pod anti-affinity (topologyKey ${term.topologyKey}): a selected pod is on ${holder} in the same domain`;
    }
    return affinityBlocker(affinityTerms, node, openByAffinity, affinityMatchAnywhere, selfMatchesAffinity);
  };
}

function affinityBlocker(terms: readonly PodAffinityTerm[], node: SimulatedNode, open: ReadonlyArray<Set<string>>, matchAnywhere: boolean, selfMatches: boolean): string | undefined {
  if (terms.length === 0) return undefined;
  const missingKey = terms.find((term) => node.labels[term.topologyKey] === undefined);
  if (missingKey) return `pod affinity (topologyKey ${missingKey.topologyKey}): the node has no ${missingKey.topologyKey} label`;
  const unmet = terms.findIndex((term, index) => !open[index]!.has(node.labels[term.topologyKey]!));
  if (unmet < 0) return undefined;
  if (!matchAnywhere && selfMatches) return undefined;
  return `pod affinity (topologyKey ${terms[unmet]!.topologyKey}): no selected pod is in the node's domain`;
}

/** Why inter-pod (anti-)affinity keeps the pod off the node, or undefined when it allows it. */
export function interPodAffinityBlocker(pod: PodScheduling, node: SimulatedNode, world: readonly SimulatedNode[]): string | undefined {
  return prepareInterPodAffinity(pod, world)(node);
}
