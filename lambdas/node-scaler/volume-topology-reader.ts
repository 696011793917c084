/**
 * Attaches to each pod that mounts a PersistentVolumeClaim where its bound volume can be reached (an
 * EBS volume's zone), so the planner never counts on a node the volume cannot follow the pod to. The
 * claims and volumes are listed only when some pod mounts a claim: two paged list calls per cluster
 * and tick then (docs/performance.md, "Scheduling constraints").
 */
import type { ClusterNodesApi } from '../adapters/kubernetes/cluster-nodes-api';
import type { PodInfo } from '../engine/nodes/node-model';
import { resolveVolumeTopology } from '../engine/nodes/predicates/volume-topology';

export interface VolumeTopologyRead {
  pods: PodInfo[];
  /** Set when the claims or volumes could not be read: pods then carry no volume constraint this tick. */
  problem?: string;
}

export async function withVolumeTopology(pods: PodInfo[], api: ClusterNodesApi): Promise<VolumeTopologyRead> {
  if (!pods.some((pod) => pod.claimNames?.length)) return { pods };
  let claims;
  let volumes;
  try {
    [claims, volumes] = await Promise.all([api.listPersistentVolumeClaims(), api.listPersistentVolumes()]);
  } catch (error) {
    return {
      pods,
      problem: `zonal volumes not modelled this tick (pods that mount a claim are placed as if their volume could follow them): ${(error as Error).message}`,
    };
  }
  const claimsById = new Map(claims.map((claim) => [`${claim.namespace}/${claim.name}`, claim]));
  const volumesByName = new Map(volumes.map((volume) => [volume.name, volume]));
  return {
    pods: pods.map((pod) => {
      if (!pod.claimNames?.length) return pod;
      const topology = resolveVolumeTopology(pod, claimsById, volumesByName);
      return topology.length > 0 ? { ...pod, volumeTopology: topology } : pod;
    }),
  };
}
