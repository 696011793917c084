/**
 * The parts of a pod spec the scheduling-constraint predicates read, translated into the planner's
 * shapes: extended resources (GPUs), host ports, required pod (anti-)affinity, DoNotSchedule topology
 * spread and the claims of its volumes. Kept apart from the rest of the node translation so each rule
 * reads on its own.
 */
import type { V1Container, V1LabelSelector, V1PodAffinityTerm, V1PodSpec } from '@kubernetes/client-node';
import type { ExtendedResources, HostPort, LabelSelector, PodAffinityTerm, SelectorRequirement, TopologySpreadConstraint } from '../../engine/nodes/node-model';
import { parseQuantity } from '../../engine/nodes/quantities';

/** Compared by the bin-packing itself (cpu, memory, pods) or not modelled (ephemeral-storage). */
const NOT_EXTENDED = new Set(['cpu', 'memory', 'pods', 'ephemeral-storage']);

/** Extended resources are domain-prefixed names outside kubernetes.io (`nvidia.com/gpu`), plus hugepages. */
export function isExtendedResource(name: string): boolean {
  if (NOT_EXTENDED.has(name)) return false;
  if (name.startsWith('hugepages-')) return true;
  return name.includes('/') && !name.startsWith('kubernetes.io/') && !name.startsWith('requests.');
}

function whole(raw: string | number): number {
  const value = parseQuantity(raw);
  if (!Number.isFinite(value)) throw new Error(`"${raw}" is not a Kubernetes quantity`);
  return Math.ceil(value);
}

function containerExtended(container: V1Container): ExtendedResources {
  // For extended resources the API server takes the limit as the request when only a limit is set.
  const limits = container.resources?.limits ?? {};
  const requests = container.resources?.requests ?? {};
  const result: ExtendedResources = {};
  for (const name of new Set([...Object.keys(limits), ...Object.keys(requests)])) {
    if (!isExtendedResource(name)) continue;
    const raw = requests[name] ?? limits[name];
    if (raw !== undefined) result[name] = whole(raw);
  }
  return result;
}

function add(into: ExtendedResources, more: ExtendedResources): void {
  for (const [name, value] of Object.entries(more)) into[name] = (into[name] ?? 0) + value;
}

/** Effective extended requests, as for cpu: max(containers + sidecars, each init container + sidecars before it). */
export function extendedRequests(spec: V1PodSpec): ExtendedResources | undefined {
  const sidecars: ExtendedResources = {};
  const initPeak: ExtendedResources = {};
  for (const init of spec.initContainers ?? []) {
    const own = containerExtended(init);
    if (init.restartPolicy === 'Always') add(sidecars, own);
    else for (const [name, value] of Object.entries(own)) initPeak[name] = Math.max(initPeak[name] ?? 0, (sidecars[name] ?? 0) + value);
  }
  const total: ExtendedResources = { ...sidecars };
  for (const container of spec.containers ?? []) add(total, containerExtended(container));
  for (const [name, value] of Object.entries(initPeak)) total[name] = Math.max(total[name] ?? 0, value);
  for (const [name, value] of Object.entries(spec.overhead ?? {})) if (isExtendedResource(name)) total[name] = (total[name] ?? 0) + whole(value);
  const nonZero = Object.entries(total).filter(([, value]) => value > 0);
  return nonZero.length > 0 ? Object.fromEntries(nonZero) : undefined;
}

/** A node's extended allocatable (status.allocatable), when it advertises any. */
export function extendedAllocatable(allocatable: Record<string, string>): { extendedAllocatable?: ExtendedResources } {
  const entries = Object.entries(allocatable).filter(([name]) => isExtendedResource(name)).map(([name, raw]) => [name, whole(raw)] as const);
  return entries.length > 0 ? { extendedAllocatable: Object.fromEntries(entries) } : {};
}

/** Host ports of regular and sidecar containers (a plain init container's port is released before the pod runs). */
export function hostPortsOf(spec: V1PodSpec): HostPort[] {
  const containers = [...(spec.initContainers ?? []).filter((init) => init.restartPolicy === 'Always'), ...(spec.containers ?? [])];
  const ports: HostPort[] = [];
  for (const container of containers) {
    for (const port of container.ports ?? []) {
      // With hostNetwork the API server defaults hostPort to containerPort.
      const hostPort = port.hostPort ?? (spec.hostNetwork ? port.containerPort : undefined);
      if (!hostPort) continue;
      ports.push({ port: hostPort, protocol: (port.protocol ?? 'TCP') as HostPort['protocol'], hostIP: port.hostIP ?? '' });
    }
  }
  return ports;
}

export function labelSelector(raw: V1LabelSelector | undefined): LabelSelector {
  return {
    matchLabels: raw?.matchLabels,
    matchExpressions: raw?.matchExpressions?.map((expression) => ({ key: expression.key, operator: expression.operator as SelectorRequirement['operator'], values: expression.values })),
  };
}

/** A null labelSelector selects no pod: `In` with no values never holds. */
const SELECTS_NOTHING: LabelSelector = { matchExpressions: [{ key: 'eks-lambda-scaler.io/null-selector', operator: 'In', values: [] }] };

/** The selector with matchLabelKeys (In the pod's value) and mismatchLabelKeys (NotIn) folded in, as the API server does. */
function withLabelKeys(selector: LabelSelector, labels: Record<string, string>, matchKeys: string[] = [], mismatchKeys: string[] = []): LabelSelector {
  const extra: SelectorRequirement[] = [
    ...matchKeys.filter((key) => labels[key] !== undefined).map((key) => ({ key, operator: 'In' as const, values: [labels[key]!] })),
    ...mismatchKeys.filter((key) => labels[key] !== undefined).map((key) => ({ key, operator: 'NotIn' as const, values: [labels[key]!] })),
  ];
  return extra.length === 0 ? selector : { ...selector, matchExpressions: [...(selector.matchExpressions ?? []), ...extra] };
}

export function podAffinityTerms(terms: V1PodAffinityTerm[] | undefined, labels: Record<string, string> = {}): PodAffinityTerm[] {
  return (terms ?? []).map((term) => ({
    selector: term.labelSelector ? withLabelKeys(labelSelector(term.labelSelector), labels, term.matchLabelKeys, term.mismatchLabelKeys) : SELECTS_NOTHING,
    topologyKey: term.topologyKey,
    namespaces: term.namespaces ?? [],
    anyNamespace: term.namespaceSelector !== undefined && term.namespaceSelector !== null,
  }));
}

/** DoNotSchedule constraints only: ScheduleAnyway is a preference, ignored as CA ignores preferences. */
export function topologySpreadOf(spec: V1PodSpec, labels: Record<string, string>): TopologySpreadConstraint[] {
  return (spec.topologySpreadConstraints ?? [])
    .filter((constraint) => constraint.whenUnsatisfiable === 'DoNotSchedule')
    .map((constraint) => ({
      maxSkew: constraint.maxSkew,
      topologyKey: constraint.topologyKey,
      selector: constraint.labelSelector ? withLabelKeys(labelSelector(constraint.labelSelector), labels, constraint.matchLabelKeys) : SELECTS_NOTHING,
      ...(constraint.minDomains !== undefined ? { minDomains: constraint.minDomains } : {}),
      nodeAffinityPolicy: constraint.nodeAffinityPolicy === 'Ignore' ? 'Ignore' : 'Honor',
      nodeTaintsPolicy: constraint.nodeTaintsPolicy === 'Honor' ? 'Honor' : 'Ignore',
    }));
}

/** Claims the pod mounts: its persistentVolumeClaim volumes, and the `<pod>-<volume>` claim of each generic ephemeral volume. */
export function claimNamesOf(spec: V1PodSpec, podName: string): string[] {
  const names: string[] = [];
  for (const volume of spec.volumes ?? []) {
    if (volume.persistentVolumeClaim?.claimName) names.push(volume.persistentVolumeClaim.claimName);
    else if (volume.ephemeral) names.push(`${podName}-${volume.name}`);
  }
  return names;
}
