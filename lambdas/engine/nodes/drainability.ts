/**
 * Whether a pod lets its node be removed, in Cluster Autoscaler's rule order
 * (simulator/drainability/rules): the first rule with a decision wins.
 */
import type { NodeGroupKnobs } from './node-group-knobs';
import type { PdbInfo, PodInfo } from './node-model';
import { isDaemonSetPod } from './node-model';
import { labelSelectorMatches } from './scheduling-predicates';

export const SAFE_TO_EVICT = 'cluster-autoscaler.kubernetes.io/safe-to-evict';
export const SAFE_TO_EVICT_LOCAL_VOLUMES = 'cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes';

/** Controllers CA trusts to recreate an evicted pod elsewhere. */
const REPLICATING_KINDS = new Set(['ReplicaSet', 'ReplicationController', 'Job', 'StatefulSet']);

export type PodDrainDecision =
  /** Never counts: mirror pods, DaemonSet pods, finished pods. */
  | { kind: 'skip' }
  /** Must be evicted and rescheduled elsewhere. */
  | { kind: 'move' }
  | { kind: 'block'; reason: string; message: string };

export function matchingPdbs(pod: PodInfo, pdbs: readonly PdbInfo[]): PdbInfo[] {
  // policy/v1: a PDB with a null selector matches no pod (an empty one matches every pod).
  return pdbs.filter((pdb) => pdb.namespace === pod.namespace && pdb.selector !== null && labelSelectorMatches(pdb.selector, pod.labels));
}

export function podDrainDecision(pod: PodInfo, pdbs: readonly PdbInfo[], knobs: NodeGroupKnobs, now: number): PodDrainDecision {
  const id = `${pod.namespace}/${pod.name}`;
  if (pod.mirror || pod.phase === 'Succeeded' || pod.phase === 'Failed') return { kind: 'skip' };
  if (isDaemonSetPod(pod)) return { kind: 'skip' };
  const pdbList = matchingPdbs(pod, pdbs);
  const safeToEvict = pod.annotations[SAFE_TO_EVICT];
  // CA's planner waits for such a pod to finish instead of evicting it (BlockedByOnCompletionPod).
  if (safeToEvict === 'on-completion') {
    return { kind: 'block', reason: 'BlockedByOnCompletionPod', message: `pod ${id} is annotated ${SAFE_TO_EVICT}: "on-completion"; the node is removable once it finishes` };
  }
  // "true" short-circuits every blocking rule in CA's simulation; the eviction still meets the PDB.
  if (safeToEvict !== 'true') {
    if (!pod.owner) {
      return { kind: 'block', reason: 'NotReplicated', message: `pod ${id} has no controller (a bare pod would be lost); annotate it ${SAFE_TO_EVICT}: "true" to allow` };
    }
    if (knobs.skipNodesWithCustomControllerPods && !REPLICATING_KINDS.has(pod.owner.kind)) {
      return { kind: 'block', reason: 'NotReplicated', message: `pod ${id} is owned by a ${pod.owner.kind}, not a ReplicaSet/StatefulSet/Job; set skipNodesWithCustomControllerPods: false or annotate it ${SAFE_TO_EVICT}: "true"` };
    }
    // CA blocks only for a while after the pod's creation; past that the pod is evicted like any other.
    const systemBlockUntil = pod.createdAt + knobs.blockingSystemPodDisruptionTimeoutSeconds * 1000;
    if (knobs.skipNodesWithSystemPods && pod.namespace === 'kube-system' && pdbList.length === 0 && now < systemBlockUntil) {
      return {
        kind: 'block',
        reason: 'UnmovableKubeSystemPod',
        message: `kube-system pod ${id} has no PodDisruptionBudget and blocks until ${new Date(systemBlockUntil).toISOString()} (blockingSystemPodDisruptionTimeoutSeconds after its creation); add a PDB for it or set skipNodesWithSystemPods: false`,
      };
    }
    if (safeToEvict === 'false') {
      return { kind: 'block', reason: 'NotSafeToEvictAnnotation', message: `pod ${id} is annotated ${SAFE_TO_EVICT}: "false"` };
    }
    if (knobs.skipNodesWithLocalStorage) {
      const allowed = new Set((pod.annotations[SAFE_TO_EVICT_LOCAL_VOLUMES] ?? '').split(',').map((name) => name.trim()).filter(Boolean));
      const blocking = pod.localStorageVolumes.filter((volume) => !allowed.has(volume));
      if (blocking.length > 0) {
        return { kind: 'block', reason: 'LocalStorageRequested', message: `pod ${id} uses local storage (${blocking.join(', ')}); list the volumes in ${SAFE_TO_EVICT_LOCAL_VOLUMES} or set skipNodesWithLocalStorage: false` };
      }
    }
    const exhausted = pdbList.find((pdb) => pdb.disruptionsAllowed < 1);
    if (exhausted) {
      return { kind: 'block', reason: 'NotEnoughPdb', message: `PodDisruptionBudget ${exhausted.namespace}/${exhausted.name} allows no disruption of pod ${id} now` };
    }
  }
  return { kind: 'move' };
}
