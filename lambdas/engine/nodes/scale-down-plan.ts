/**
 * Which node of a group, if any, to drain now. Follows Cluster Autoscaler's order: loop gates
 * (cooldowns), per-node eligibility (being deleted, disabled, utilization), drain simulation
 * (pod rules, PDBs, room elsewhere), then time and size gates. Empty nodes go together, up to
 * maxEmptyBulkDelete; a node with pods to move is drained one at a time per group.
 */
import type { Bin } from './bin-packing';
import { holdBlocker, placeFirstFit, sortLargestFirst } from './bin-packing';
import { SAFE_TO_EVICT, matchingPdbs, podDrainDecision } from './drainability';
import type { GroupView } from './group-view';
import { isBeingDeleted } from './group-view';
import type { NodeGroupState } from './node-group-state';
import type { NodeInfo, PdbInfo, PodInfo } from './node-model';
import { holdsCapacity, isDaemonSetPod, podId } from './node-model';
import type { ExistingPlacement } from './scale-up-plan';
import { placementsAsPods } from './scale-up-plan';
import { clusterBins } from './cluster-bins';

export const SCALE_DOWN_DISABLED = 'cluster-autoscaler.kubernetes.io/scale-down-disabled';

export interface NodeAssessment {
  node: string;
  utilization?: number;
  /** Set while the node counts as unneeded. */
  unneededSince?: number;
  /** Why it cannot be removed now (CA's UnremovableReason names). */
  reason?: string;
  message?: string;
}

export interface DrainPlan {
  node: string;
  instanceId: string;
  utilization: number;
  /** Pods to evict (not DaemonSet, mirror or finished pods). */
  pods: PodInfo[];
  reason: string;
}

export interface ScaleDownPlan {
  state: NodeGroupState;
  assessments: NodeAssessment[];
  /** Empty nodes (no pod to move) to remove together this tick, up to maxEmptyBulkDelete. */
  emptyNodes?: DrainPlan[];
  /** The one node that needs a drain, when the bulk of empty nodes left budget for it. */
  drain?: DrainPlan;
  /** Why no node is drained this tick, when none is. */
  blockedBy?: string;
}

export interface ScaleDownContext {
  nodes: readonly NodeInfo[];
  pods: readonly PodInfo[];
  pdbs: readonly PdbInfo[];
  now: number;
  /** The group is scaling up in this tick (CA skips scale-down in such a loop). */
  scalingUp: boolean;
  /**
   * Pending pods this tick's scale-up plan put on free room of existing nodes. They count on those
   * nodes (utilization, pods to move, room elsewhere), as CA adds pending pods to its snapshot
   * before scale-down, so a node is not drained just as the scheduler fills it.
   */
  placed?: readonly ExistingPlacement[];
}

/**
 * max(cpu, memory) of requests over allocatable, as CA's utilization. With `ignoreDaemonSets`
 * (CA's --ignore-daemonsets-utilization), DaemonSet pods' requests leave the sum and come off
 * allocatable, as in CA's CalculateUtilizationOfResource.
 */
export function nodeUtilization(node: NodeInfo, podsOnNode: readonly PodInfo[], ignoreDaemonSets = false): number {
  let cpu = 0;
  let memory = 0;
  let daemonCpu = 0;
  let daemonMemory = 0;
  for (const pod of podsOnNode) {
    if (!holdsCapacity(pod)) continue;
    if (ignoreDaemonSets && isDaemonSetPod(pod)) {
      daemonCpu += pod.requests.cpuMilli;
      daemonMemory += pod.requests.memoryBytes;
      continue;
    }
    cpu += pod.requests.cpuMilli;
    memory += pod.requests.memoryBytes;
  }
  const share = (used: number, allocatable: number) => (allocatable > 0 ? used / allocatable : 0);
  return Math.max(share(cpu, node.allocatable.cpuMilli - daemonCpu), share(memory, node.allocatable.memoryBytes - daemonMemory));
}

/** The first node's refusal, so the explanation names the constraint (a zonal volume, anti-affinity...). */
function moveBlockers(destinations: readonly Bin[], pod: PodInfo, world: readonly Bin[]): string {
  const first = destinations[0];
  if (!first) return ' (no other node takes pods)';
  return ` (${first.id}: ${holdBlocker(first, pod, world) ?? 'no room'}${destinations.length > 1 ? `; and ${destinations.length - 1} other node(s) refuse it too` : ''})`;
}

type Verdict = { removable: true; utilization: number; pods: PodInfo[] } | { removable: false; utilization?: number; reason: string; message: string };

function assessNode(view: GroupView, node: NodeInfo, context: ScaleDownContext, cluster: readonly Bin[]): Verdict {
  const { now } = context;
  const knobs = view.knobs;
  if ((view.state.unremovableUntil[node.name] ?? 0) > now) {
    return { removable: false, reason: 'RecentlyUnremovable', message: `a removal failed recently; retried after ${new Date(view.state.unremovableUntil[node.name] ?? 0).toISOString()}` };
  }
  if (isBeingDeleted(node)) return { removable: false, reason: 'CurrentlyBeingDeleted', message: 'the node carries a to-be-deleted taint' };
  if (node.annotations[SCALE_DOWN_DISABLED] === 'true') {
    return { removable: false, reason: 'ScaleDownDisabledAnnotation', message: `the node is annotated ${SCALE_DOWN_DISABLED}: "true"` };
  }
  if (!node.ready && !knobs.scaleDownUnreadyEnabled) {
    return { removable: false, reason: 'ScaleDownUnreadyDisabled', message: 'the node is unready and scaleDownUnreadyEnabled is false' };
  }
  const podsOnNode = context.pods.filter((pod) => pod.nodeName === node.name);
  const utilization = nodeUtilization(node, podsOnNode, knobs.ignoreDaemonSetsUtilization);
  // CA's isNodeBelowUtilizationThreshold: a node exactly at the threshold is not underutilized.
  if (utilization >= knobs.scaleDownUtilizationThreshold) {
    return { removable: false, utilization, reason: 'NotUnderutilized', message: `utilization ${utilization.toFixed(3)} is not below the threshold ${knobs.scaleDownUtilizationThreshold}` };
  }
  const toMove: PodInfo[] = [];
  // PDB budgets are spent pod by pod, as CA's RemainingPdbTracker does.
  const budget = new Map<PdbInfo, number>();
  for (const pod of podsOnNode) {
    const decision = podDrainDecision(pod, context.pdbs, knobs, now);
    if (decision.kind === 'skip') continue;
    if (decision.kind === 'block') return { removable: false, utilization, reason: decision.reason, message: decision.message };
    // safe-to-evict "true" skips the PDB rule in CA's simulation too; the eviction still meets it.
    const budgets = pod.annotations[SAFE_TO_EVICT] === 'true' ? [] : matchingPdbs(pod, context.pdbs);
    for (const pdb of budgets) {
      const left = (budget.get(pdb) ?? pdb.disruptionsAllowed) - 1;
      if (left < 0) {
        return { removable: false, utilization, reason: 'NotEnoughPdb', message: `PodDisruptionBudget ${pdb.namespace}/${pdb.name} does not allow evicting all its pods on this node` };
      }
      budget.set(pdb, left);
    }
    toMove.push(pod);
  }
  // The node leaves the simulation with its pods (CA removes it from the snapshot); each moved pod
  // then joins its destination, so spread, anti-affinity and ports see the earlier moves.
  // Shallow copies: a placement replaces a bin's free room and pod list, never the shared ones.
  const world = cluster.filter((bin) => bin.id !== node.name).map((bin) => ({ ...bin }));
  const destinations = world.filter((bin) => bin.accepting !== false);
  for (const item of sortLargestFirst(toMove.map((pod) => ({ id: podId(pod), pod })))) {
    if (!placeFirstFit(destinations, item.pod, world)) {
      return { removable: false, utilization, reason: 'NoPlaceToMovePods', message: `pod ${item.id} fits on no other node${moveBlockers(destinations, item.pod, world)}` };
    }
  }
  return { removable: true, utilization, pods: toMove };
}

export function planScaleDown(view: GroupView, input: ScaleDownContext): ScaleDownPlan {
  const context: ScaleDownContext = input.placed?.length ? { ...input, pods: [...input.pods, ...placementsAsPods(input.placed)] } : input;
  const { now } = context;
  const knobs = view.knobs;
  const assessments: NodeAssessment[] = [];
  const unneededSince: Record<string, number> = {};
  const removable: Array<{ node: NodeInfo; utilization: number; pods: PodInfo[]; since: number }> = [];
  const liveInstanceIds = new Set(view.asg.instances.filter((instance) => instance.lifecycleState === 'InService').map((instance) => instance.instanceId));

  if (knobs.scaleDownEnabled) {
    // Every node with its pods, built once; each drain simulation works on copies of it.
    let cluster: Bin[] | undefined;
    for (const node of view.nodes) {
      if (!node.instanceId || !liveInstanceIds.has(node.instanceId)) continue;
      cluster ??= clusterBins(context.nodes, context.pods);
      const verdict = assessNode(view, node, context, cluster);
      if (!verdict.removable) {
        assessments.push({ node: node.name, utilization: verdict.utilization, reason: verdict.reason, message: verdict.message });
        continue;
      }
      const since = view.state.unneededSince[node.name] ?? now;
      unneededSince[node.name] = since;
      removable.push({ node, utilization: verdict.utilization, pods: verdict.pods, since });
      assessments.push({ node: node.name, utilization: verdict.utilization, unneededSince: since });
    }
  }
  const state: NodeGroupState = { ...view.state, unneededSince };
  const base = { state, assessments };

  if (!knobs.scaleDownEnabled) return { ...base, blockedBy: 'scale-down is disabled for this group' };
  if (view.state.drain) return { ...base, blockedBy: `node ${view.state.drain.node} is being drained` };
  if (context.scalingUp) return { ...base, blockedBy: 'the group scales up in this tick' };
  const lastUp = view.state.lastScaleUp?.at;
  if (lastUp !== undefined && now < lastUp + knobs.scaleDownDelayAfterAddSeconds * 1000) {
    return { ...base, blockedBy: `within scaleDownDelayAfterAddSeconds (${knobs.scaleDownDelayAfterAddSeconds}s) of the scale-up at ${new Date(lastUp).toISOString()}` };
  }
  const lastFailure = view.state.lastScaleDownFailureAt;
  if (lastFailure !== undefined && now < lastFailure + knobs.scaleDownDelayAfterFailureSeconds * 1000) {
    return { ...base, blockedBy: `within scaleDownDelayAfterFailureSeconds (${knobs.scaleDownDelayAfterFailureSeconds}s) of a failed removal` };
  }
  // CA's unneeded/nodes.go: an unready node waits scaleDownUnreadySeconds instead of the unneeded time.
  const wait = (candidate: { node: NodeInfo }) => (candidate.node.ready ? knobs.scaleDownUnneededSeconds : knobs.scaleDownUnreadySeconds) * 1000;
  // CA blocks while `!since.Add(t).Before(now)`, i.e. removes strictly after `since + t`; it checks every
  // 10 s, so it removes at t + 10 s at most. Our ticks are a minute apart: `>=` removes at exactly t,
  // 10 s before CA, where a strict `>` would remove a whole minute later (t + 60 s).
  const ripe = removable.filter((candidate) => now - candidate.since >= wait(candidate));
  if (ripe.length === 0) {
    const waiting = `no node unneeded for ${knobs.scaleDownUnneededSeconds}s (unready nodes: ${knobs.scaleDownUnreadySeconds}s) yet`;
    return { ...base, blockedBy: removable.length > 0 ? waiting : 'no node is removable' };
  }
  if (view.asg.desiredCapacity <= view.asg.minSize) {
    for (const candidate of ripe) {
      const entry = assessments.find((assessment) => assessment.node === candidate.node.name);
      if (entry) Object.assign(entry, { reason: 'NodeGroupMinSizeReached', message: `desired capacity ${view.asg.desiredCapacity} is at the group's min ${view.asg.minSize}` });
    }
    return { ...base, blockedBy: `the group is at its min size ${view.asg.minSize}` };
  }
  ripe.sort((a, b) => a.utilization - b.utilization || a.since - b.since || a.node.name.localeCompare(b.node.name));
  // CA's CropNodes: empty nodes take the budget first (never below min), then one node to drain.
  const room = view.asg.desiredCapacity - view.asg.minSize;
  const budget = Math.min(knobs.maxEmptyBulkDelete, room);
  const empty = ripe.filter((candidate) => candidate.pods.length === 0).slice(0, budget);
  const toDrain = empty.length < budget ? ripe.find((candidate) => candidate.pods.length > 0) : undefined;
  const planOf = (candidate: (typeof ripe)[number]): DrainPlan => ({
    node: candidate.node.name,
    instanceId: candidate.node.instanceId!,
    utilization: candidate.utilization,
    pods: candidate.pods,
    reason: candidate.pods.length === 0
      ? `empty (no pod to move) since ${new Date(candidate.since).toISOString()}`
      : `utilization ${candidate.utilization.toFixed(3)} < ${knobs.scaleDownUtilizationThreshold} since ${new Date(candidate.since).toISOString()} and its ${candidate.pods.length} pod(s) fit elsewhere`,
  });
  return {
    ...base,
    ...(empty.length > 0 ? { emptyNodes: empty.map(planOf) } : {}),
    ...(toDrain ? { drain: planOf(toDrain) } : {}),
  };
}
