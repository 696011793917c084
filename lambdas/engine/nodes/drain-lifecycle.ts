/**
 * State transitions of the one drain a group may have in flight. The drain spans ticks: it is
 * written to state before the first eviction, so a timeout or crash never leaves a cordoned node
 * forgotten.
 */
import type { AutoScalingGroupInfo } from './auto-scaling-group';
import type { NodeGroupKnobs } from './node-group-knobs';
import type { DrainInProgress, NodeGroupState } from './node-group-state';
import type { NodeInfo } from './node-model';

export type DrainStep =
  | { kind: 'none' }
  /** The node or its instance is already gone: forget the drain. */
  | { kind: 'gone'; drain: DrainInProgress }
  | { kind: 'expired'; drain: DrainInProgress }
  /** Removing the node now would take the group below its min: undo. */
  | { kind: 'at-min'; drain: DrainInProgress }
  | { kind: 'continue'; drain: DrainInProgress; node: NodeInfo };

/**
 * Evictions stop at maxDrainSeconds; a pod evicted by then is waited for at most its grace period
 * (capped at maxGracefulTerminationSeconds) plus 30 s, and a minute of slack for tick spacing.
 * Past that nothing can legitimately be in progress, so a drain left over (a crashed invocation)
 * is undone.
 */
export function drainHardLimitMs(knobs: NodeGroupKnobs): number {
  return (knobs.maxDrainSeconds + knobs.maxGracefulTerminationSeconds + 30 + 60) * 1000;
}

export function nextDrainStep(state: NodeGroupState, asg: AutoScalingGroupInfo, nodes: readonly NodeInfo[], knobs: NodeGroupKnobs, now: number): DrainStep {
  const drain = state.drain;
  if (!drain) return { kind: 'none' };
  const node = nodes.find((candidate) => candidate.name === drain.node);
  const instance = asg.instances.find((candidate) => candidate.instanceId === drain.instanceId);
  if (!node || !instance || instance.lifecycleState.startsWith('Terminat')) return { kind: 'gone', drain };
  if (now - drain.startedAt > drainHardLimitMs(knobs)) return { kind: 'expired', drain };
  if (asg.desiredCapacity <= asg.minSize) return { kind: 'at-min', drain };
  return { kind: 'continue', drain, node };
}

export function drainStarted(state: NodeGroupState, drain: DrainInProgress): NodeGroupState {
  return { ...state, drain, lastRequest: { at: drain.startedAt, action: 'drain-started', detail: `drain ${drain.node} (${drain.instanceId}): ${drain.reason}` } };
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  const copy = { ...record };
  delete copy[key];
  return copy;
}

export function drainCompleted(state: NodeGroupState, now: number, detail: string): NodeGroupState {
  const node = state.drain?.node ?? '';
  return {
    ...state,
    drain: undefined,
    unneededSince: without(state.unneededSince, node),
    lastScaleDownAt: now,
    lastRequest: { at: now, action: 'terminate', detail },
  };
}

export function drainForgotten(state: NodeGroupState): NodeGroupState {
  const node = state.drain?.node ?? '';
  return { ...state, drain: undefined, unneededSince: without(state.unneededSince, node) };
}

/** A drain that failed: the node is not reconsidered for a while and scale-down pauses (CA: 5m and 3m). */
export function drainFailed(state: NodeGroupState, now: number, knobs: NodeGroupKnobs, detail: string): NodeGroupState {
  const node = state.drain?.node ?? '';
  return {
    ...state,
    drain: undefined,
    unneededSince: without(state.unneededSince, node),
    unremovableUntil: { ...state.unremovableUntil, [node]: now + knobs.unremovableNodeRecheckSeconds * 1000 },
    lastScaleDownFailureAt: now,
    lastRequest: { at: now, action: 'drain-failed', detail },
  };
}

/** Drops per-node entries for nodes that no longer exist, so the item does not grow forever. */
export function pruneNodeEntries(state: NodeGroupState, nodeNames: ReadonlySet<string>, now: number): NodeGroupState {
  const keep = <T>(record: Record<string, T>, alive: (value: T) => boolean) =>
    Object.fromEntries(Object.entries(record).filter(([name, value]) => nodeNames.has(name) && alive(value)));
  return {
    ...state,
    unneededSince: keep(state.unneededSince, () => true),
    unremovableUntil: keep(state.unremovableUntil, (until) => until > now),
  };
}

export function scaleUpRecorded(state: NodeGroupState, now: number, fromDesired: number, toDesired: number, reason: string): NodeGroupState {
  return {
    ...state,
    lastScaleUp: { at: now, fromDesired, toDesired, reason },
    lastRequest: { at: now, action: 'scale-up', detail: `desired ${fromDesired} -> ${toDesired}: ${reason}` },
  };
}

/** Empty nodes about to be tainted and terminated together: recorded first, so a crash is undone next tick. */
export function emptyRemovalStarted(state: NodeGroupState, entries: readonly DrainInProgress[], now: number): NodeGroupState {
  const names = entries.map((entry) => entry.node).join(', ');
  return { ...state, emptyRemoval: [...entries], lastRequest: { at: now, action: 'empty-removal', detail: `removing ${entries.length} empty node(s): ${names}` } };
}

/**
 * After a bulk removal: terminated nodes are forgotten; nodes whose taint or termination failed are
 * not reconsidered for a while and scale-down pauses, as after a failed drain. `stillTainted` are
 * nodes whose untaint failed: kept, so the next tick tries again.
 */
export function emptyRemovalFinished(
  state: NodeGroupState,
  now: number,
  knobs: NodeGroupKnobs,
  outcome: { terminated: readonly string[]; failed: readonly string[]; stillTainted: readonly DrainInProgress[] },
): NodeGroupState {
  let unneededSince = state.unneededSince;
  for (const node of [...outcome.terminated, ...outcome.failed]) unneededSince = without(unneededSince, node);
  const failedUntil = Object.fromEntries(outcome.failed.map((node) => [node, now + knobs.unremovableNodeRecheckSeconds * 1000]));
  const next: NodeGroupState = { ...state, unneededSince, unremovableUntil: { ...state.unremovableUntil, ...failedUntil } };
  if (outcome.stillTainted.length > 0) next.emptyRemoval = [...outcome.stillTainted];
  else delete next.emptyRemoval;
  if (outcome.terminated.length > 0) {
    next.lastScaleDownAt = now;
    next.lastRequest = { at: now, action: 'terminate', detail: `terminated ${outcome.terminated.length} empty node(s): ${outcome.terminated.join(', ')}` };
  }
  if (outcome.failed.length > 0) next.lastScaleDownFailureAt = now;
  return next;
}
