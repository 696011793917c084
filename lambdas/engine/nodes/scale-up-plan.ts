/**
 * How many nodes each group must add for the pods that have nowhere to run. Pods are placed largest
 * first onto free room on existing nodes, then onto capacity already requested (upcoming nodes),
 * then onto new nodes of the first configured group whose template accepts them (the groups'
 * order in the configuration is the expander). New and upcoming nodes carry DaemonSet overhead.
 */
import type { Bin } from './bin-packing';
import type { HoldCheck } from './bin-packing';
import { placeFirstFit, placeOn, prepareHold, sortLargestFirst } from './bin-packing';
import { clusterBins, templateBin } from './cluster-bins';
import { daemonSetOverhead, daemonSetPods } from './daemonset-overhead';
import type { GroupView } from './group-view';
import type { DaemonSetInfo, NodeInfo, PodInfo, PodScheduling, Resources } from './node-model';
import { fitsWithin, subtractResources } from './node-model';
import { nodeShapeBlocker } from './scheduling-predicates';

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
   * Pods the scheduler reports Unschedulable that the plan places on existing room: some constraint
   * the node scaler does not model (ephemeral storage, a namespaceSelector it cannot read, dynamic
   * resources...) keeps them off, so no node is added for them.
   */
  unmodelled: string[];
  /** Pods that fit nodes already requested. */
  fitUpcoming: string[];
  /** Pods no group can help, with why. */
  unhelped: Array<{ id: string; reason: string }>;
}

/** Free room on nodes the scheduler can use now (Ready, not cordoned, not being deleted). */
export function existingBins(nodes: readonly NodeInfo[], pods: readonly PodInfo[], exclude?: string): Bin[] {
  return clusterBins(nodes, pods, exclude).filter((bin) => bin.accepting !== false);
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
  // Every node of the simulation (pods on them count for spread and affinity); new ones join as they are added.
  const world = clusterBins(nodes, runningPods);
  const existing = world.filter((bin) => bin.accepting !== false);
  const upcoming: Bin[] = [];
  const fresh = new Map<string, { bins: Bin[]; room: number; emptyFree?: Resources; allocatable?: Resources; daemonPods: PodScheduling[] }>();
  for (const view of groups) {
    const emptyFree = view.template ? subtractResources(view.template.allocatable, daemonSetOverhead(view.template, daemonSets)) : undefined;
    const daemonPods = view.template ? daemonSetPods(view.template, daemonSets) : [];
    if (view.template && emptyFree) {
      for (let index = 0; index < view.upcoming; index += 1) {
        upcoming.push(templateBin(`${view.asg.name}#upcoming-${index}`, view.template, emptyFree, daemonPods));
      }
    }
    fresh.set(view.asg.name, {
      bins: [],
      room: Math.max(0, view.asg.maxSize - Math.max(view.asg.desiredCapacity, view.readyNodes)),
      emptyFree,
      allocatable: view.template?.allocatable,
      daemonPods,
    });
  }
  world.push(...upcoming);

  const plan: ScaleUpPlan = { groups: [], fitExisting: [], existingPlacements: [], fitUpcoming: [], unmodelled: [], unhelped: [] };
  const placed = new Map<string, string[]>();
  for (const item of sortLargestFirst(pending)) {
    const onExisting = placeFirstFit(existing, item.pod, world);
    if (onExisting) {
      plan.fitExisting.push(item.id);
      plan.existingPlacements.push({ id: item.id, node: onExisting.id, pod: item.pod });
      if (item.source === 'unschedulable') plan.unmodelled.push(item.id);
      continue;
    }
    if (placeFirstFit(upcoming, item.pod, world)) {
      plan.fitUpcoming.push(item.id);
      continue;
    }
    const reasons: string[] = [];
    let done = false;
    // The cluster is scanned once per pod, then every group's bins are checked against it.
    let hold: HoldCheck | undefined;
    for (const view of groups) {
      const name = view.asg.name;
      const slot = fresh.get(name);
      if (!view.template || !slot?.emptyFree) {
        reasons.push(`${name}: no node shape (${view.templateError ?? 'unknown'})`);
        continue;
      }
      const blocker = nodeShapeBlocker(item.pod, view.template);
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
      hold ??= prepareHold(item.pod, world);
      const check = hold;
      let bin = slot.bins.find((candidate) => check(candidate) === undefined);
      if (!bin) {
        if (slot.room <= slot.bins.length) {
          reasons.push(`${name}: at its max size ${view.asg.maxSize}`);
          continue;
        }
        const candidate = templateBin(`${name}#new-${slot.bins.length}`, view.template, slot.emptyFree, slot.daemonPods);
        // Pod-to-pod rules (anti-affinity, spread, ports) can refuse even an empty node of the group.
        const refusal = check(candidate);
        if (refusal) {
          reasons.push(`${name}: ${refusal} (even on a new node)`);
          continue;
        }
        bin = candidate;
        slot.bins.push(bin);
        world.push(bin);
      }
      placeOn(bin, item.pod);
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
      labels: placement.pod.labels ?? {},
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
