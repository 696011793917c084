/**
 * New nodes for the pods that fit neither existing nor upcoming nodes, chosen as Cluster Autoscaler's
 * scale-up orchestrator does (core/scaleup/orchestrator/orchestrator.go):
 * 1. each group that may grow (a node shape, not backed off, below its max size, one node under the
 *    cluster limits) bin-packs the pods it accepts onto new nodes: that is its option;
 * 2. the expander chain picks one option;
 * 3. the pick is cut to the cluster limits (`maxNodesTotal`, `maxCoresTotal`, `maxMemoryTotalGiB`);
 * 4. with `balanceSimilarNodeGroups`, the nodes are split across the groups similar to the pick
 *    that accept the same pods, smallest group first.
 * CA makes one such choice per 10-second loop; the node scaler's ticks are a minute apart, so it
 * repeats the choice within the tick for the pods still without a node, until none is left or no
 * group can take them.
 * Each option packs with the scheduling predicates (host ports, extended resources, zonal volumes,
 * pod (anti-)affinity, topology spread) against the simulated cluster (`world`: existing, upcoming
 * and already chosen new nodes), each new node being a template bin with its own hostname and its
 * DaemonSet pods. The nodes of a chosen option join the world, so later choices see them.
 */
import type { Bin, HoldCheck } from './bin-packing';
import { placeOn, prepareHold } from './bin-packing';
import { areSimilarGroups } from './balancing/similar-node-groups';
import { balanceScaleUp } from './balancing/balance-scale-up';
import { templateBin } from './cluster-bins';
import type { ClusterBudget } from './cluster-limits';
import { nodeSize, roomUnderLimits, spend } from './cluster-limits';
import { daemonSetOverhead, daemonSetPods } from './daemonset-overhead';
import { chooseExpansionOption } from './expanders/choose-expansion-option';
import type { ExpansionOption, RandomSource } from './expanders/expansion-option';
import type { GroupView } from './group-view';
import type { DaemonSetInfo, PodScheduling, Resources } from './node-model';
import { fitsWithin, subtractResources } from './node-model';
import type { ResolvedNodeScaling } from './node-scaling-options';
import type { PendingPod } from './scale-up-plan';
import { hasAntiAffinityPods } from './predicates/placed-pod';
import { nodeShapeBlocker, placementBlocker } from './scheduling-predicates';

export interface NewNodesForGroup {
  view: GroupView;
  bins: Bin[];
  pods: string[];
  /** How the expander (and balancing) came to this group, one line per choice. */
  choices: string[];
}

export interface NewNodePlan {
  /** Every group, in configuration order; groups without new nodes have no bins. */
  groups: NewNodesForGroup[];
  unhelped: Array<{ id: string; reason: string }>;
}

interface Slot extends NewNodesForGroup {
  emptyFree?: Resources;
  /** The DaemonSet pods every new node of the group starts with. */
  daemonPods: PodScheduling[];
  /** Pods the group's last packing refused even on an empty new node (pod-to-pod rules), with why. */
  refusals: Map<string, string>;
  /** Nodes the group may still add before its max size. */
  room: number;
  /** Its size as balancing sees it: desired capacity (or Ready nodes, if more) plus nodes planned so far. */
  size: number;
}

interface Packed {
  slot: Slot;
  bins: Array<{ bin: Bin; pods: PendingPod[] }>;
}

/** Whether a node of the group's shape could ever take the pod (labels, taints, extended resources, volume zones, size). */
function accepts(slot: Slot, item: PendingPod): boolean {
  const template = slot.view.template;
  return template !== undefined && slot.emptyFree !== undefined && nodeShapeBlocker(item.pod, template) === undefined && fitsWithin(item.pod.requests, slot.emptyFree);
}

/** Whether the pod carries any rule that looks at other pods or at more than the node's labels, taints and size. */
function hasOwnConstraints(pod: PodScheduling): boolean {
  return Boolean(
    pod.hostPorts?.length ||
      (pod.extendedRequests && Object.keys(pod.extendedRequests).length > 0) ||
      pod.volumeTopology?.length ||
      pod.requiredPodAffinity?.length ||
      pod.requiredPodAntiAffinity?.length ||
      pod.topologySpread?.length,
  );
}

/**
 * The hold check for one pod. A pod without rules of its own, in a simulation where no pod has
 * anti-affinity, needs no scan of the cluster: only room, labels and taints decide (most clusters,
 * and the cost of every option of every choice otherwise).
 */
function holdCheck(pod: PodScheduling, simulated: readonly Bin[], antiAffinityInWorld: boolean): HoldCheck {
  if (antiAffinityInWorld || hasOwnConstraints(pod)) return prepareHold(pod, simulated);
  return (bin) => {
    if (bin.accepting === false) return 'the node takes no new pods';
    if (!fitsWithin(pod.requests, bin.free)) return 'not enough cpu, memory or pod slots free';
    return placementBlocker(pod, bin);
  };
}

function newBin(slot: Slot, index: number): Bin {
  return templateBin(`${slot.view.asg.name}#new-${index}`, slot.view.template!, slot.emptyFree!, slot.daemonPods);
}

/**
 * First-fit onto at most `nodeCap` new nodes of the group, largest pods first (the input's order),
 * with every predicate checked against `world` plus the nodes this packing adds. The world's own
 * bins are never written: the packing is one option among several.
 */
function pack(slot: Slot, pending: readonly PendingPod[], nodeCap: number, world: readonly Bin[], antiAffinityInWorld: boolean): Packed {
  const bins: Packed['bins'] = [];
  const simulated: Bin[] = [...world];
  let antiAffinity = antiAffinityInWorld;
  slot.refusals = new Map();
  for (const item of pending) {
    if (!accepts(slot, item)) continue;
    // The cluster is scanned once per pod (when some rule needs it), then the option's bins are checked against it.
    const check = holdCheck(item.pod, simulated, antiAffinity);
    let target = bins.find((candidate) => check(candidate.bin) === undefined);
    if (!target) {
      if (bins.length >= nodeCap) continue;
      const candidate = newBin(slot, slot.bins.length + bins.length);
      // Pod-to-pod rules (anti-affinity, spread, ports) can refuse even an empty node of the group.
      const refusal = check(candidate);
      if (refusal) {
        slot.refusals.set(item.id, refusal);
        continue;
      }
      target = { bin: candidate, pods: [] };
      bins.push(target);
      simulated.push(candidate);
    }
    // templateBin gives every new node its own pod list.
    placeOn(target.bin, item.pod, true);
    target.pods.push(item);
    if (item.pod.requiredPodAntiAffinity?.length) antiAffinity = true;
  }
  return { slot, bins };
}

function mayGrow(slot: Slot, budget: ClusterBudget): boolean {
  const template = slot.view.template;
  return template !== undefined && slot.emptyFree !== undefined && !slot.view.backedOff && slot.room > 0 && roomUnderLimits(budget, nodeSize(template.allocatable)).nodes >= 1;
}

function asOption(packed: Packed): ExpansionOption {
  return {
    group: packed.slot.view.asg.name,
    nodeCount: packed.bins.length,
    pods: packed.bins.flatMap((entry) => entry.pods.map((item) => ({ id: item.id, requests: item.pod.requests }))),
    template: packed.slot.view.template!,
  };
}

/** Why no group took the pod, group by group (the reasons CA reports as rejected or skipped node groups). */
function whyNot(item: PendingPod, slots: readonly Slot[], budget: ClusterBudget): string {
  const reasons = slots.map((slot) => {
    const { view } = slot;
    const name = view.asg.name;
    if (!view.template || !slot.emptyFree) return `${name}: no node shape (${view.templateError ?? 'unknown'})`;
    const blocker = nodeShapeBlocker(item.pod, view.template);
    if (blocker) return `${name}: ${blocker}`;
    if (!fitsWithin(item.pod.requests, slot.emptyFree)) return `${name}: larger than an empty node after DaemonSets`;
    if (view.backedOff) return `${name}: backed off (${view.state.backoff?.reason ?? 'launch failures'})`;
    if (slot.room <= 0) return `${name}: at its max size ${view.asg.maxSize}`;
    const limit = roomUnderLimits(budget, nodeSize(view.template.allocatable));
    if (limit.nodes < 1) return `${name}: cluster limit reached: ${limit.boundBy}`;
    const refusal = slot.refusals.get(item.id);
    if (refusal) return `${name}: ${refusal} (even on a new node)`;
    return `${name}: no room under its max size and the cluster limits`;
  });
  return reasons.join('; ') || 'no node group configured';
}

/**
 * `world` is every node of the simulation (existing and upcoming, with their pods); the chosen new
 * nodes are added to it.
 */
export function planNewNodes(
  groups: readonly GroupView[],
  pending: readonly PendingPod[],
  daemonSets: readonly DaemonSetInfo[],
  scaling: ResolvedNodeScaling,
  budget: ClusterBudget,
  random: RandomSource,
  world: Bin[] = [],
): NewNodePlan {
  const slots: Slot[] = groups.map((view) => {
    const size = Math.max(view.asg.desiredCapacity, view.readyNodes);
    return {
      view,
      bins: [],
      pods: [],
      choices: [],
      emptyFree: view.template ? subtractResources(view.template.allocatable, daemonSetOverhead(view.template, daemonSets)) : undefined,
      daemonPods: view.template ? daemonSetPods(view.template, daemonSets) : [],
      refusals: new Map(),
      room: Math.max(0, view.asg.maxSize - size),
      size,
    };
  });
  const chain = { expanders: scaling.expanders, priorities: scaling.priorities, random };
  let remaining = [...pending];

  const shapeOf = (slot: Slot) => ({ labels: slot.view.template!.labels, allocatable: slot.view.template!.allocatable, free: slot.emptyFree! });
  /** The groups a pick of `slot` may be balanced onto (before checking that they accept its pods). */
  const similarTo = (slot: Slot): Slot[] =>
    scaling.balanceSimilarNodeGroups
      ? slots.filter((other) => other !== slot && mayGrow(other, budget) && areSimilarGroups(shapeOf(slot), shapeOf(other), scaling.balancingIgnoreLabels))
      : [];

  const onto = (slot: Slot, pods: readonly PendingPod[]): Bin => {
    const bin = newBin(slot, slot.bins.length);
    for (const item of pods) placeOn(bin, item.pod, true);
    return bin;
  };

  let antiAffinityInWorld = world.some(hasAntiAffinityPods);

  while (remaining.length > 0) {
    const candidates: Packed[] = [];
    for (const slot of slots) {
      if (!mayGrow(slot, budget)) continue;
      // Like CA's estimator, an option never plans past --max-nodes-total, nor past the room of the
      // group and the groups it would be balanced onto (estimator/sng_capacity_threshold.go); cores
      // and memory cut the pick afterwards.
      const nodesTotal = budget.limits.maxNodesTotal === undefined ? Number.POSITIVE_INFINITY : budget.limits.maxNodesTotal - budget.used.nodes;
      const room = similarTo(slot).reduce((sum, other) => sum + other.room, slot.room);
      const packed = pack(slot, remaining, Math.min(room, nodesTotal), world, antiAffinityInWorld);
      if (packed.bins.length > 0) candidates.push(packed);
    }
    const options = candidates.map(asOption);
    const choice = chooseExpansionOption(options, chain);
    if (!choice) break;
    const picked = candidates[options.indexOf(choice.chosen)]!;
    const notes = [choice.explanation];

    const limit = roomUnderLimits(budget, nodeSize(picked.slot.view.template!.allocatable));
    let bins = picked.bins;
    if (limit.nodes < bins.length) {
      notes.push(`cut from ${bins.length} to ${limit.nodes} node(s) by ${limit.boundBy}`);
      bins = bins.slice(0, limit.nodes);
    }

    // CA balances only onto similar groups that can schedule every pod the pick was made for.
    const planned = bins.flatMap((entry) => entry.pods);
    const targets = [picked.slot, ...similarTo(picked.slot).filter((slot) => planned.every((item) => accepts(slot, item)))];
    const split = balanceScaleUp(
      targets.map((slot) => ({ group: slot.view.asg.name, currentSize: slot.size, maxSize: slot.size + slot.room })),
      bins.length,
    );
    if (targets.length > 1) notes.push(`balanced across similar groups: ${split.map((entry) => `${entry.group} +${entry.newSize - entry.currentSize}`).join(', ')}`);

    const assigned = split.reduce((sum, entry) => sum + entry.newSize - entry.currentSize, 0);
    if (assigned < bins.length) notes.push(`${bins.length - assigned} node(s) left for the next choice: the groups are at their max size`);
    const placedIds = new Set<string>();
    let next = 0;
    for (const entry of split) {
      const slot = targets.find((candidate) => candidate.view.asg.name === entry.group)!;
      const count = entry.newSize - entry.currentSize;
      const taken = bins.slice(next, next + count);
      next += count;
      for (const entry of taken) {
        // A node balanced onto a similar group (or out of order) is rebuilt as that group's next node:
        // its own hostname, its labels (zone) and DaemonSet pods.
        const bin = entry.bin.id === `${slot.view.asg.name}#new-${slot.bins.length}` ? entry.bin : onto(slot, entry.pods);
        slot.bins.push(bin);
        world.push(bin);
        if (hasAntiAffinityPods(bin)) antiAffinityInWorld = true;
      }
      for (const item of taken.flatMap((bin) => bin.pods)) {
        slot.pods.push(item.id);
        placedIds.add(item.id);
      }
      slot.room -= count;
      slot.size += count;
      slot.choices.push(notes.join('; '));
      spend(budget, count, nodeSize(slot.view.template!.allocatable));
    }
    // Cannot happen while the pick has room (mayGrow); kept so a bug ends the loop, never spins it.
    if (placedIds.size === 0) break;
    remaining = remaining.filter((item) => !placedIds.has(item.id));
  }

  return {
    groups: slots.map(({ view, bins, pods, choices }) => ({ view, bins, pods, choices })),
    unhelped: remaining.map((item) => ({ id: item.id, reason: whyNot(item, slots, budget) })),
  };
}
