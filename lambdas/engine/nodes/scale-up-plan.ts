/**
 * How many nodes each group must add for the pods that have nowhere to run. Pods are placed largest
 * first onto free room on existing nodes, then onto capacity already requested (upcoming nodes),
 * then onto new nodes of the first configured group whose template accepts them (the groups'
 * order in the configuration is the expander). New and upcoming nodes carry DaemonSet overhead.
 */
import type { Bin } from './bin-packing';
import { canHold, placeFirstFit, sortLargestFirst } from './bin-packing';
import { daemonSetOverhead } from './daemonset-overhead';
import type { GroupView } from './group-view';
import { isBeingDeleted } from './group-view';
import type { DaemonSetInfo, NodeInfo, PodInfo, PodScheduling, Resources } from './node-model';
import { fitsWithin, holdsCapacity, subtractResources } from './node-model';
import { placementBlocker } from './scheduling-predicates';

export interface PendingPod {
  /** `<namespace>/<name>`, or `<namespace>/<workload>#<n>` for a pod the pod scaler is about to create. */
  id: string;
  pod: PodScheduling;
  source: 'unschedulable' | 'scale-up notice';
}

export interface GroupScaleUp {
  group: string;
  newNodes: number;
  pods: string[];
  /** The resource that filled the new nodes first (cpu, memory or pods), for the explanation. */
  bindingResource?: keyof Resources;
}

export interface ExistingPlacement {
  id: string;
  node: string;
  pod: PodScheduling;
}

export interface ScaleUpPlan {
  groups: GroupScaleUp[];
  /** Pods that fit free room on existing nodes: the scheduler will place them. */
  fitExisting: string[];
  /** Where those pods went: scale-down counts them on these nodes, as CA puts pending pods in its snapshot first. */
  existingPlacements: ExistingPlacement[];
  /**
   * Pods the scheduler reports Unschedulable that the plan places on existing or upcoming room: some
   * constraint the node scaler does not model (extended resources, ephemeral storage, pod
   * (anti-)affinity, topology spread, host ports...) keeps them off, so no node is added for them.
   */
  unmodelled: string[];
  /** Pods that fit nodes already requested. */
  fitUpcoming: string[];
  /** Pods no group can help, with why. */
  unhelped: Array<{ id: string; reason: string }>;
}

/** Free room on nodes the scheduler can use now (Ready, not cordoned, not being deleted). */
export function existingBins(nodes: readonly NodeInfo[], pods: readonly PodInfo[], exclude?: string): Bin[] {
  const used = new Map<string, Resources>();
  for (const pod of pods) {
    if (!pod.nodeName || !holdsCapacity(pod)) continue;
    const sum = used.get(pod.nodeName) ?? { cpuMilli: 0, memoryBytes: 0, pods: 0 };
    used.set(pod.nodeName, { cpuMilli: sum.cpuMilli + pod.requests.cpuMilli, memoryBytes: sum.memoryBytes + pod.requests.memoryBytes, pods: sum.pods + 1 });
  }
  return nodes
    .filter((node) => node.ready && !node.unschedulable && !isBeingDeleted(node) && node.name !== exclude)
    .map((node) => ({
      id: node.name,
      labels: node.labels,
      taints: node.taints,
      free: subtractResources(node.allocatable, used.get(node.name) ?? { cpuMilli: 0, memoryBytes: 0, pods: 0 }),
    }));
}

/** Which of cpu, memory, pods is closest to full on the fullest new node. */
function bindingResource(bins: readonly Bin[], allocatable: Resources): keyof Resources | undefined {
  let best: { key: keyof Resources; share: number } | undefined;
  for (const bin of bins) {
    for (const key of ['pods', 'cpuMilli', 'memoryBytes'] as const) {
      if (allocatable[key] <= 0) continue;
      const share = 1 - bin.free[key] / allocatable[key];
      if (!best || share > best.share + 1e-9) best = { key, share };
    }
  }
  return best?.key;
}

export function planScaleUp(
  groups: readonly GroupView[],
  nodes: readonly NodeInfo[],
  runningPods: readonly PodInfo[],
  pending: readonly PendingPod[],
  daemonSets: readonly DaemonSetInfo[],
): ScaleUpPlan {
  const existing = existingBins(nodes, runningPods);
  const upcoming: Bin[] = [];
  const fresh = new Map<string, { bins: Bin[]; room: number; emptyFree?: Resources; allocatable?: Resources }>();
  for (const view of groups) {
    const emptyFree = view.template ? subtractResources(view.template.allocatable, daemonSetOverhead(view.template, daemonSets)) : undefined;
    if (view.template && emptyFree) {
      for (let index = 0; index < view.upcoming; index += 1) {
        upcoming.push({ id: `${view.asg.name}#upcoming-${index}`, labels: view.template.labels, taints: view.template.taints, free: { ...emptyFree } });
      }
    }
    fresh.set(view.asg.name, {
      bins: [],
      room: Math.max(0, view.asg.maxSize - Math.max(view.asg.desiredCapacity, view.readyNodes)),
      emptyFree,
      allocatable: view.template?.allocatable,
    });
  }

  const plan: ScaleUpPlan = { groups: [], fitExisting: [], existingPlacements: [], fitUpcoming: [], unmodelled: [], unhelped: [] };
  const placed = new Map<string, string[]>();
  for (const item of sortLargestFirst(pending)) {
    const onExisting = placeFirstFit(existing, item.pod);
    if (onExisting) {
      plan.fitExisting.push(item.id);
      plan.existingPlacements.push({ id: item.id, node: onExisting.id, pod: item.pod });
      if (item.source === 'unschedulable') plan.unmodelled.push(item.id);
      continue;
    }
    if (placeFirstFit(upcoming, item.pod)) {
      plan.fitUpcoming.push(item.id);
      continue;
    }
    const reasons: string[] = [];
    let done = false;
    for (const view of groups) {
      const name = view.asg.name;
      const slot = fresh.get(name);
      if (!view.template || !slot?.emptyFree) {
        reasons.push(`${name}: no node shape (${view.templateError ?? 'unknown'})`);
        continue;
      }
      const blocker = placementBlocker(item.pod, view.template);
      if (blocker) {
        reasons.push(`${name}: ${blocker}`);
        continue;
      }
      if (!fitsWithin(item.pod.requests, slot.emptyFree)) {
        reasons.push(`${name}: larger than an empty node after DaemonSets`);
        continue;
      }
      if (view.backedOff) {
        reasons.push(`${name}: backed off (${view.state.backoff?.reason ?? 'launch failures'})`);
        continue;
      }
      let bin = slot.bins.find((candidate) => canHold(candidate, item.pod));
      if (!bin) {
        if (slot.room <= slot.bins.length) {
          reasons.push(`${name}: at its max size ${view.asg.maxSize}`);
          continue;
        }
        bin = { id: `${name}#new-${slot.bins.length}`, labels: view.template.labels, taints: view.template.taints, free: { ...slot.emptyFree } };
        slot.bins.push(bin);
      }
      bin.free = subtractResources(bin.free, item.pod.requests);
      placed.set(name, [...(placed.get(name) ?? []), item.id]);
      done = true;
      break;
    }
    if (!done) plan.unhelped.push({ id: item.id, reason: reasons.join('; ') || 'no node group configured' });
  }

  for (const view of groups) {
    const slot = fresh.get(view.asg.name);
    if (!slot || slot.bins.length === 0) continue;
    plan.groups.push({
      group: view.asg.name,
      newNodes: slot.bins.length,
      pods: placed.get(view.asg.name) ?? [],
      bindingResource: slot.allocatable ? bindingResource(slot.bins, slot.allocatable) : undefined,
    });
  }
  return plan;
}

/** The pods a plan put on existing nodes, as pods bound there (for the scale-down simulation). */
export function placementsAsPods(placements: readonly ExistingPlacement[]): PodInfo[] {
  return placements.map((placement) => {
    const slash = placement.id.indexOf('/');
    return {
      ...placement.pod,
      namespace: placement.id.slice(0, slash),
      name: placement.id.slice(slash + 1),
      labels: {},
      annotations: {},
      nodeName: placement.node,
      phase: 'Pending',
      // Pending pods come from controllers (bare pods are not scaled for); they must move like any other.
      owner: { kind: 'ReplicaSet', name: 'pending' },
      mirror: false,
      unschedulable: false,
      localStorageVolumes: [],
      createdAt: 0,
    };
  });
}
