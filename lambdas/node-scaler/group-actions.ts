/**
 * Everything the node scaler does to one group in a tick, in order: take the group's state item (a
 * conditional write that doubles as a lock against an overlapping invocation), carry on a drain in
 * flight, scale up, or start draining one node. Each decision is written before it is acted on, so
 * a crash never leaves a cordoned node or a raised capacity unrecorded.
 */
import type { ClusterNodesApi } from '../adapters/kubernetes/cluster-nodes-api';
import { nextDrainStep, drainCompleted, drainFailed, drainForgotten, drainStarted, scaleUpRecorded } from '../engine/nodes/drain-lifecycle';
import type { GroupView } from '../engine/nodes/group-view';
import type { DrainInProgress, NodeGroupState } from '../engine/nodes/node-group-state';
import { withBackoff } from '../engine/nodes/node-group-state';
import type { NodeInfo, PdbInfo, PodInfo } from '../engine/nodes/node-model';
import { TO_BE_DELETED_TAINT } from '../engine/nodes/node-template';
import { planScaleDown } from '../engine/nodes/scale-down-plan';
import type { GroupScaleUp } from '../engine/nodes/scale-up-plan';
import { drainNode } from './drain-runner';
import type { NodeGroupTickResult, NodeScalerTickDependencies } from './tick-types';

export class StateConflictError extends Error {
  constructor(key: string) {
    super(`state item ${key} was written by another invocation meanwhile; this group is left to it this tick`);
    this.name = 'StateConflictError';
  }
}

export interface GroupTickContext {
  deps: NodeScalerTickDependencies;
  api: ClusterNodesApi;
  key: string;
  version: number;
  view: GroupView;
  nodes: readonly NodeInfo[];
  pods: readonly PodInfo[];
  pdbs: readonly PdbInfo[];
  scaleUp?: GroupScaleUp;
  result: NodeGroupTickResult;
  deadline: number;
  drainBudgetMs: number;
  evictionRetryMs: number;
  /** Counters for this group's metrics. */
  counters: { nodesRequested: number; nodesRemoved: number };
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function actOnGroup(context: GroupTickContext): Promise<void> {
  const { deps, view, result } = context;
  const { telemetry, clock } = deps;
  const now = clock.now();
  let state: NodeGroupState = view.state;
  let version = context.version;
  const commit = async (next: NodeGroupState) => {
    if ((await deps.stateStore.save(context.key, next, version, clock.now())) === 'conflict') throw new StateConflictError(context.key);
    version += 1;
    state = next;
  };
  const asgName = view.asg.name;
  const log = { nodeGroup: result.nodeGroup };

  // The lock, which also persists what looking found (a failed launch noticed, a provision timeout).
  await commit(state);

  const abortDrain = async (drain: DrainInProgress, reason: string) => {
    try {
      await context.api.uncordonAndUntaint(drain.node, TO_BE_DELETED_TAINT);
    } catch (error) {
      // Keep the drain in state: the next tick tries the uncordon again.
      result.drain = { node: drain.node, instanceId: drain.instanceId, outcome: 'failed', detail: `${reason}; uncordon failed: ${message(error)}` };
      telemetry.error('could not uncordon a node after a failed drain', { ...log, node: drain.node, error: message(error) });
      return;
    }
    await commit(drainFailed(state, clock.now(), view.knobs, `drain of ${drain.node} failed: ${reason}`));
    result.drain = { node: drain.node, instanceId: drain.instanceId, outcome: 'failed', detail: reason };
    telemetry.warn('drain failed; node uncordoned and backed off', { ...log, node: drain.node, reason, retryAfterSeconds: view.knobs.unremovableNodeRecheckSeconds });
  };

  const continueDrain = async (drain: DrainInProgress) => {
    await context.api.cordonAndTaint(drain.node, { key: TO_BE_DELETED_TAINT, value: String(Math.floor(drain.startedAt / 1000)), effect: 'NoSchedule' });
    const stopAt = Math.min(context.deadline, drain.startedAt + view.knobs.maxDrainSeconds * 1000, clock.now() + context.drainBudgetMs);
    const attempt = await drainNode(context.api, drain.node, clock, { stopAt, retryMs: context.evictionRetryMs });
    if (!attempt.drained) {
      const waitingOn = [...attempt.blocked.map((blocked) => `${blocked.pod} (${blocked.message})`), ...attempt.terminating.map((pod) => `${pod} (terminating)`)];
      const detail = `waiting on ${waitingOn.join(', ')}`;
      if (clock.now() - drain.startedAt >= view.knobs.maxDrainSeconds * 1000) {
        await abortDrain(drain, `pods still on the node after maxDrainSeconds (${view.knobs.maxDrainSeconds}s): ${detail}`);
        return;
      }
      result.drain = { node: drain.node, instanceId: drain.instanceId, outcome: 'waiting', detail };
      telemetry.info('drain continues next tick', { ...log, node: drain.node, detail });
      return;
    }
    if (view.asg.desiredCapacity <= view.asg.minSize) {
      await abortDrain(drain, `the group is at its min size ${view.asg.minSize}`);
      return;
    }
    try {
      await deps.autoScaling.terminateInstance(drain.instanceId);
    } catch (error) {
      await abortDrain(drain, `TerminateInstanceInAutoScalingGroup failed: ${message(error)}`);
      return;
    }
    const detail = `terminated ${drain.instanceId} (node ${drain.node}) with ShouldDecrementDesiredCapacity; ${drain.reason}`;
    await commit(drainCompleted(state, clock.now(), detail));
    context.counters.nodesRemoved += 1;
    result.desiredCapacity = view.asg.desiredCapacity - 1;
    result.drain = { node: drain.node, instanceId: drain.instanceId, outcome: 'terminated', detail };
    telemetry.info('node removed', { ...log, node: drain.node, instanceId: drain.instanceId, reason: drain.reason });
  };

  // 1. A drain in flight from an earlier tick.
  const step = nextDrainStep(state, view.asg, context.nodes, view.knobs, now);
  if (step.kind === 'gone') {
    await commit(drainForgotten(state));
    result.drain = { node: step.drain.node, instanceId: step.drain.instanceId, outcome: 'forgotten', detail: 'the node or its instance is gone' };
  } else if (step.kind === 'expired') {
    await abortDrain(step.drain, `pods still on the node after maxDrainSeconds (${view.knobs.maxDrainSeconds}s)`);
  } else if (step.kind === 'at-min') {
    await abortDrain(step.drain, `the group is at its min size ${view.asg.minSize}`);
  } else if (step.kind === 'continue') {
    await continueDrain(step.drain);
  }

  // 2. Scale up.
  const scaleUp = context.scaleUp;
  if (scaleUp && scaleUp.newNodes > 0) {
    const from = view.asg.desiredCapacity;
    const to = Math.min(view.asg.maxSize, from + scaleUp.newNodes);
    if (to > from) {
      const shown = scaleUp.pods.slice(0, 5).join(', ') + (scaleUp.pods.length > 5 ? `, +${scaleUp.pods.length - 5} more` : '');
      const reason =
        `${to - from} node(s) for ${scaleUp.pods.length} pod(s) with no room on existing or upcoming nodes (${shown}); ` +
        `node shape from ${view.template?.source ?? 'unknown'}${scaleUp.bindingResource ? `, ${scaleUp.bindingResource} fills up first` : ''}`;
      await commit(scaleUpRecorded(state, clock.now(), from, to, reason));
      try {
        await deps.autoScaling.setDesiredCapacity(asgName, to);
      } catch (error) {
        await commit(withBackoff(state, clock.now(), `SetDesiredCapacity ${from} -> ${to} failed: ${message(error)}`, view.knobs));
        throw error;
      }
      context.counters.nodesRequested += to - from;
      result.scaleUp = { fromDesired: from, toDesired: to, reason };
      result.desiredCapacity = to;
      telemetry.info('scale-up requested', { ...log, fromDesired: from, toDesired: to, reason });
    }
  }

  // 3. Scale down: one node at a time, only with no drain in flight.
  const scaleDown = planScaleDown({ ...view, state }, { nodes: context.nodes, pods: context.pods, pdbs: context.pdbs, now, scalingUp: result.scaleUp !== undefined });
  state = { ...state, unneededSince: scaleDown.state.unneededSince };
  result.unneeded = scaleDown.assessments.filter((entry) => entry.unneededSince !== undefined).map((entry) => ({ node: entry.node, since: entry.unneededSince!, utilization: entry.utilization }));
  result.unremovable = scaleDown.assessments.filter((entry) => entry.reason !== undefined).map((entry) => ({ node: entry.node, reason: entry.reason!, message: entry.message }));
  result.scaleDownBlockedBy = scaleDown.blockedBy;
  if (scaleDown.drain && !state.drain && result.drain?.outcome !== 'terminated' && result.drain?.outcome !== 'failed') {
    const drain: DrainInProgress = { node: scaleDown.drain.node, instanceId: scaleDown.drain.instanceId, startedAt: clock.now(), reason: scaleDown.drain.reason };
    await commit(drainStarted(state, drain));
    result.drain = { node: drain.node, instanceId: drain.instanceId, outcome: 'started', detail: drain.reason };
    telemetry.info('draining node', { ...log, node: drain.node, instanceId: drain.instanceId, reason: drain.reason });
    try {
      await continueDrain(drain);
    } catch (error) {
      await abortDrain(drain, `drain failed: ${message(error)}`);
    }
    return;
  }
  await commit(state);
}
