/**
 * Zonal volumes, as kube-scheduler's VolumeBinding (a bound PV's spec.nodeAffinity) and VolumeZone (a
 * PV's zone/region labels) filters check them: an EBS volume can only be attached in its own zone, so
 * a pod using one can go (or move) only to nodes in that zone. Unbound claims add no constraint: with
 * WaitForFirstConsumer (the EBS storage classes' mode) the volume is created where the pod lands.
 */
import type { NodeSelectorTerm, PodScheduling, VolumeTopology } from '../node-model';
import { nodeSelectorTermHolds } from '../label-selectors';

/** A PersistentVolumeClaim as the planner needs it. */
export interface ClaimInfo {
  namespace: string;
  name: string;
  /** spec.volumeName once bound. */
  volumeName?: string;
}

/** A PersistentVolume as the planner needs it. */
export interface VolumeInfo {
  name: string;
  nodeAffinity?: NodeSelectorTerm[];
  labels: Record<string, string>;
}

const ZONE_LABELS = ['topology.kubernetes.io/zone', 'topology.kubernetes.io/region'];
/** Deprecated labels, still honoured on PVs; a node may carry the GA name instead. */
const BETA_TO_GA: Record<string, string> = {
  'failure-domain.beta.kubernetes.io/zone': 'topology.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region': 'topology.kubernetes.io/region',
};
const TOPOLOGY_LABELS = [...ZONE_LABELS, ...Object.keys(BETA_TO_GA)];

export function volumeTopologyOf(volume: VolumeInfo): VolumeTopology | undefined {
  const zoneLabels: Record<string, string[]> = {};
  for (const key of TOPOLOGY_LABELS) {
    const value = volume.labels[key];
    if (value) zoneLabels[key] = value.split('__');
  }
  const hasZones = Object.keys(zoneLabels).length > 0;
  if (!volume.nodeAffinity && !hasZones) return undefined;
  return { volume: volume.name, ...(volume.nodeAffinity ? { nodeAffinity: volume.nodeAffinity } : {}), ...(hasZones ? { zoneLabels } : {}) };
}

/** The topology of every bound PV the pod's claims name; claims not found or not bound add nothing. */
export function resolveVolumeTopology(
  pod: { namespace: string; claimNames?: string[] },
  claims: ReadonlyMap<string, ClaimInfo>,
  volumes: ReadonlyMap<string, VolumeInfo>,
): VolumeTopology[] {
  const result: VolumeTopology[] = [];
  for (const claimName of pod.claimNames ?? []) {
    const volumeName = claims.get(`${pod.namespace}/${claimName}`)?.volumeName;
    const volume = volumeName ? volumes.get(volumeName) : undefined;
    const topology = volume ? volumeTopologyOf(volume) : undefined;
    if (topology) result.push(topology);
  }
  return result;
}

function zoneLabelsBlocker(topology: VolumeTopology, nodeLabels: Record<string, string>): string | undefined {
  // VolumeZone skips a node that carries no zone or region label at all.
  if (!TOPOLOGY_LABELS.some((key) => nodeLabels[key] !== undefined)) return undefined;
  for (const [key, values] of Object.entries(topology.zoneLabels ?? {})) {
    const nodeValue = nodeLabels[key] ?? (BETA_TO_GA[key] ? nodeLabels[BETA_TO_GA[key]] : undefined);
    if (nodeValue === undefined || !values.includes(nodeValue)) {
      return `volume ${topology.volume} is in ${key}=${values.join(',')} and the node is not`;
    }
  }
  return undefined;
}

/** Why the pod's volumes cannot be attached on a node with these labels, or undefined when they can. */
export function volumeTopologyBlocker(pod: Pick<PodScheduling, 'volumeTopology'>, nodeLabels: Record<string, string>): string | undefined {
  for (const topology of pod.volumeTopology ?? []) {
    const byZone = zoneLabelsBlocker(topology, nodeLabels);
    if (byZone) return byZone;
    if (topology.nodeAffinity && !topology.nodeAffinity.some((term) => nodeSelectorTermHolds(term, nodeLabels))) {
      return `volume ${topology.volume}'s node affinity does not match the node (a zonal volume cannot follow the pod to another zone)`;
    }
  }
  return undefined;
}
