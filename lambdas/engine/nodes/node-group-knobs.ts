/**
 * The node scaler's knobs, with Cluster Autoscaler's defaults (config/flags/flags.go), resolved
 * from a group's configuration. docs/node-scaler.md lists each next to its CA flag.
 */
import type { NodeGroupConfig } from '../../config/scaler-config';

export interface NodeGroupKnobs {
  scaleDownEnabled: boolean;
  /** A node is underutilized when max(cpu, memory) requests / allocatable is <= this. */
  scaleDownUtilizationThreshold: number;
  /** Leave DaemonSet pods out of utilization, their requests off allocatable too (CA's --ignore-daemonsets-utilization). */
  ignoreDaemonSetsUtilization: boolean;
  scaleDownUnneededSeconds: number;
  /** An unready node is removed once unneeded this long, instead of scaleDownUnneededSeconds (CA's --scale-down-unready-time). */
  scaleDownUnreadySeconds: number;
  /** Whether unready nodes may be scaled down at all (CA's --scale-down-unready-enabled). */
  scaleDownUnreadyEnabled: boolean;
  scaleDownDelayAfterAddSeconds: number;
  scaleDownDelayAfterFailureSeconds: number;
  /** Empty nodes removed at once per group per tick (CA's --max-empty-bulk-delete / --max-scale-down-parallelism). */
  maxEmptyBulkDelete: number;
  /** How long a drain may keep retrying evictions before it gives up (CA's --max-pod-eviction-time). */
  maxDrainSeconds: number;
  /** Cap on the grace period waited for an evicted pod to terminate (CA's --max-graceful-termination-sec). */
  maxGracefulTerminationSeconds: number;
  /** A kube-system pod without a PDB blocks scale-down only this long after its creation (CA's --blocking-system-pod-distruption-timeout). */
  blockingSystemPodDisruptionTimeoutSeconds: number;
  /** Instances not Ready this long after a scale-up put the group into backoff. */
  maxNodeProvisionSeconds: number;
  initialBackoffSeconds: number;
  maxBackoffSeconds: number;
  backoffResetSeconds: number;
  /** A node that could not be removed is not reconsidered for this long. */
  unremovableNodeRecheckSeconds: number;
  skipNodesWithSystemPods: boolean;
  skipNodesWithLocalStorage: boolean;
  skipNodesWithCustomControllerPods: boolean;
}

export const DEFAULT_NODE_GROUP_KNOBS: NodeGroupKnobs = {
  scaleDownEnabled: true,
  scaleDownUtilizationThreshold: 0.5,
  ignoreDaemonSetsUtilization: false,
  scaleDownUnneededSeconds: 600,
  scaleDownUnreadySeconds: 1200,
  scaleDownUnreadyEnabled: true,
  scaleDownDelayAfterAddSeconds: 600,
  scaleDownDelayAfterFailureSeconds: 180,
  maxEmptyBulkDelete: 10,
  maxDrainSeconds: 120,
  maxGracefulTerminationSeconds: 600,
  blockingSystemPodDisruptionTimeoutSeconds: 3600,
  maxNodeProvisionSeconds: 900,
  initialBackoffSeconds: 300,
  maxBackoffSeconds: 1800,
  backoffResetSeconds: 10_800,
  unremovableNodeRecheckSeconds: 300,
  skipNodesWithSystemPods: true,
  skipNodesWithLocalStorage: true,
  skipNodesWithCustomControllerPods: true,
};

type KnobName = keyof NodeGroupKnobs;

/** Config overrides on top of the defaults; a bad value is an error naming the field and the fix. */
export function resolveKnobs(config: NodeGroupConfig): NodeGroupKnobs {
  const knobs: NodeGroupKnobs = { ...DEFAULT_NODE_GROUP_KNOBS };
  const where = `nodeGroups[${config.cluster}/${config.autoScalingGroupName}]`;
  for (const name of Object.keys(DEFAULT_NODE_GROUP_KNOBS) as KnobName[]) {
    const value = (config as unknown as Record<string, unknown>)[name];
    if (value === undefined) continue;
    const expected = typeof DEFAULT_NODE_GROUP_KNOBS[name];
    if (typeof value !== expected || (typeof value === 'number' && !(Number.isFinite(value) && value >= 0))) {
      throw new Error(`${where}.${name}: ${JSON.stringify(value)} is not valid; use a ${expected === 'number' ? 'non-negative number' : 'boolean'} (default ${DEFAULT_NODE_GROUP_KNOBS[name]})`);
    }
    (knobs as unknown as Record<string, unknown>)[name] = value;
  }
  if (knobs.scaleDownUtilizationThreshold > 1) {
    throw new Error(`${where}.scaleDownUtilizationThreshold: ${knobs.scaleDownUtilizationThreshold} is above 1; use a fraction such as 0.5`);
  }
  if (knobs.initialBackoffSeconds > knobs.maxBackoffSeconds) {
    throw new Error(`${where}.initialBackoffSeconds: must not exceed maxBackoffSeconds (${knobs.maxBackoffSeconds})`);
  }
  return knobs;
}
