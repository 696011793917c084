/**
 * How many nodes each group must add for the pods that have nowhere to run. Pods are placed largest
 * first onto free room on existing nodes, then onto capacity already requested (upcoming nodes),
 * then onto new nodes of the group the expander chain picks (new-node-plan.ts: least-waste by
 * default, as in Cluster Autoscaler). New and upcoming nodes carry DaemonSet overhead.
 */
import type { Bin } from './bin-packing';
import { placeFirstFit, sortLargestFirst } from './bin-packing';
import { clusterBins, templateBin } from './cluster-bins';
import { clusterUsage } from './cluster-limits';
import { daemonSetOverhead, daemonSetPods } from './daemonset-overhead';
import type { GroupView } from './group-view';
import type { DaemonSetInfo, NodeInfo, PodInfo, PodScheduling, Resources } from './node-model';
import { subtractResources } from './node-model';
import type { RandomSource } from './expanders/expansion-option';
import { planNewNodes } from './new-node-plan';
import type { ResolvedNodeScaling } from './node-scaling-options';
import { resolveNodeScaling } from './node-scaling-options';

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
  /** Which expander chose the group, and any balancing or cluster-limit cut, for the explanation. */
  choice?: string;
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

export interface ScaleUpOptions {
  /** Expander chain, balancing and cluster limits (default: least-waste, no balancing, no limits). */
  scaling?: ResolvedNodeScaling;
  /** For the `random` expander; without one it takes the first option. */
  random?: RandomSource;
}

export function planScaleUp(
  groups: readonly GroupView[],
  nodes: readonly NodeInfo[],
  runningPods: readonly PodInfo[],
  pending: readonly PendingPod[],
  daemonSets: readonly DaemonSetInfo[],
  options: ScaleUpOptions = {},
): ScaleUpPlan {
  // Every node of the simulation (pods on them count for spread and affinity); new ones join as they are added.
  const world = clusterBins(nodes, runningPods);
  const existing = world.filter((bin) => bin.accepting !== false);
  const upcoming: Bin[] = [];
  for (const view of groups) {
    if (!view.template) continue;
    const emptyFree = subtractResources(view.template.allocatable, daemonSetOverhead(view.template, daemonSets));
    const daemonPods = daemonSetPods(view.template, daemonSets);
    for (let index = 0; index < view.upcoming; index += 1) {
      upcoming.push(templateBin(`${view.asg.name}#upcoming-${index}`, view.template, emptyFree, daemonPods));
    }
  }
  world.push(...upcoming);

  const plan: ScaleUpPlan = { groups: [], fitExisting: [], existingPlacements: [], fitUpcoming: [], unmodelled: [], unhelped: [] };
  const needNewNodes: PendingPod[] = [];
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
    needNewNodes.push(item);
  }

  // The seam to the expanders, balancing and cluster limits: options per group in, chosen nodes out.
  const scaling = options.scaling ?? resolveNodeScaling(undefined);
  const budget = { limits: scaling.limits, used: clusterUsage(groups, nodes) };
  const fresh = planNewNodes(groups, needNewNodes, daemonSets, scaling, budget, options.random ?? (() => 0), world);
  plan.unhelped.push(...fresh.unhelped);
  for (const { view, bins, pods, choices } of fresh.groups) {
    if (bins.length === 0) continue;
    plan.groups.push({
      group: view.asg.name,
      newNodes: bins.length,
      pods,
      bindingResource: view.template ? bindingResource(bins, view.template.allocatable) : undefined,
      ...(choices.length > 0 ? { choice: choices.join(' | ') } : {}),
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
