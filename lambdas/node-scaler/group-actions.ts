/**
 * Everything the node scaler does to one group in a tick, as a session in two phases so that no
 * group's scale-up waits behind another group's drain:
 *  1. `lockAndScaleUp`: take the group's state item (a conditional write that doubles as a lock
 *     against an overlapping invocation), re-describe the ASG so actions rest on what it is now
 *     rather than on the snapshot taken before the lock, and scale up.
 *  2. `drainAndScaleDown`: carry on a drain in flight, or start draining one node.
 * Each decision is written before it is acted on, so a crash never leaves a cordoned node or a
 * raised capacity unrecorded.
 */
import type { ClusterNodesApi } from '../adapters/kubernetes/cluster-nodes-api';
import type { AutoScalingGroupInfo } from '../engine/nodes/auto-scaling-group';
import {
  nextDrainStep,
  drainCompleted,
  drainFailed,
  drainForgotten,
  drainStarted,
  emptyRemovalFinished,
  emptyRemovalStarted,
  scaleUpRecorded,
} from '../engine/nodes/drain-lifecycle';
import type { GroupView } from '../engine/nodes/group-view';
import type { DrainInProgress, NodeGroupState } from '../engine/nodes/node-group-state';
import { withBackoff } from '../engine/nodes/node-group-state';
import type { NodeInfo, PdbInfo, PodInfo } from '../engine/nodes/node-model';
import { TO_BE_DELETED_TAINT } from '../engine/nodes/node-template';
import type { DrainPlan } from '../engine/nodes/scale-down-plan';
import { planScaleDown } from '../engine/nodes/scale-down-plan';
import type { ExistingPlacement, GroupScaleUp } from '../engine/nodes/scale-up-plan';
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
  /** Pending pods this tick's scale-up plan put on existing nodes (they count there for scale-down). */
  placed: readonly ExistingPlacement[];
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

export class GroupSession {
  private state: NodeGroupState;
  private version: number;
  /** The ASG as described after the lock was taken. */
  private asg: AutoScalingGroupInfo;
  private readonly log: { nodeGroup: string };

  constructor(private readonly context: GroupTickContext) {
    this.state = context.view.state;
    this.version = context.version;
    this.asg = context.view.asg;
    this.log = { nodeGroup: context.result.nodeGroup };
  }

  private async commit(next: NodeGroupState): Promise<void> {
    const { deps, key } = this.context;
    if ((await deps.stateStore.save(key, next, this.version, deps.clock.now())) === 'conflict') throw new StateConflictError(key);
    this.version += 1;
    this.state = next;
  }

  /** Describes the group again; an invocation that overlapped this one may have changed it. */
  private async describeFresh(): Promise<AutoScalingGroupInfo> {
    const name = this.context.view.asg.name;
    const fresh = (await this.context.deps.autoScaling.describeGroups([name])).get(name);
    if (!fresh) throw new Error(`Auto Scaling group ${name} disappeared during the tick`);
    if (fresh instanceof Error) throw fresh;
    this.asg = fresh;
    this.context.result.desiredCapacity = fresh.desiredCapacity;
    return fresh;
  }

  async lockAndScaleUp(): Promise<void> {
    // The lock, which also persists what looking found (a failed launch noticed, a provision timeout, first-seen instances).
    await this.commit(this.state);
    await this.describeFresh();
    await this.scaleUp();
  }

  private async scaleUp(): Promise<void> {
    const { deps, view, result, scaleUp } = this.context;
    const { telemetry, clock } = deps;
    if (!scaleUp || scaleUp.newNodes <= 0) return;
    // The plan counted upcoming capacity from the pre-lock snapshot, so its target is relative to it.
    const planned = view.asg.desiredCapacity;
    const target = Math.min(this.asg.maxSize, planned + scaleUp.newNodes);
    const from = this.asg.desiredCapacity;
    if (from >= target) {
      if (from > planned) {
        result.findings.push(`scale-up to ${target} skipped: desired capacity is already ${from} (raised by an overlapping invocation since this one looked)`);
      }
      return;
    }
    const shown = scaleUp.pods.slice(0, 5).join(', ') + (scaleUp.pods.length > 5 ? `, +${scaleUp.pods.length - 5} more` : '');
    const reason =
      `${target - from} node(s) for ${scaleUp.pods.length} pod(s) with no room on existing or upcoming nodes (${shown}); ` +
      `node shape from ${view.template?.source ?? 'unknown'}${scaleUp.bindingResource ? `, ${scaleUp.bindingResource} fills up first` : ''}` +
      (scaleUp.choice ? `; ${scaleUp.choice}` : '');
    await this.commit(scaleUpRecorded(this.state, clock.now(), from, target, reason));
    try {
      await deps.autoScaling.setDesiredCapacity(this.asg.name, target);
    } catch (error) {
      await this.commit(withBackoff(this.state, clock.now(), `SetDesiredCapacity ${from} -> ${target} failed: ${message(error)}`, view.knobs));
      throw error;
    }
    this.asg = { ...this.asg, desiredCapacity: target };
    this.context.counters.nodesRequested += target - from;
    result.scaleUp = { fromDesired: from, toDesired: target, reason };
    result.desiredCapacity = target;
    telemetry.info('scale-up requested', { ...this.log, fromDesired: from, toDesired: target, reason });
  }

  private async abortDrain(drain: DrainInProgress, reason: string): Promise<void> {
    const { deps, view, result, api } = this.context;
    try {
      await api.uncordonAndUntaint(drain.node, TO_BE_DELETED_TAINT);
    } catch (error) {
      // Keep the drain in state: the next tick tries the uncordon again.
      result.drain = { node: drain.node, instanceId: drain.instanceId, outcome: 'failed', detail: `${reason}; uncordon failed: ${message(error)}` };
      deps.telemetry.error('could not uncordon a node after a failed drain', { ...this.log, node: drain.node, error: message(error) });
      return;
    }
    await this.commit(drainFailed(this.state, deps.clock.now(), view.knobs, `drain of ${drain.node} failed: ${reason}`));
    result.drain = { node: drain.node, instanceId: drain.instanceId, outcome: 'failed', detail: reason };
    deps.telemetry.warn('drain failed; node uncordoned and backed off', { ...this.log, node: drain.node, reason, retryAfterSeconds: view.knobs.unremovableNodeRecheckSeconds });
  }

  private async continueDrain(drain: DrainInProgress): Promise<void> {
    const { deps, view, result, api } = this.context;
    const { clock, telemetry } = deps;
    const knobs = view.knobs;
    await api.cordonAndTaint(drain.node, { key: TO_BE_DELETED_TAINT, value: String(Math.floor(drain.startedAt / 1000)), effect: 'NoSchedule' });
    const attempt = await drainNode(api, drain.node, clock, {
      stopAt: Math.min(this.context.deadline, clock.now() + this.context.drainBudgetMs),
      retryMs: this.context.evictionRetryMs,
      evictUntil: drain.startedAt + knobs.maxDrainSeconds * 1000,
      maxGracefulTerminationSeconds: knobs.maxGracefulTerminationSeconds,
    });
    if (!attempt.drained) {
      const waitingOn = [...attempt.blocked.map((blocked) => `${blocked.pod} (${blocked.message})`), ...attempt.terminating.map((pod) => `${pod} (terminating)`)];
      const detail = `waiting on ${waitingOn.join(', ')}`;
      if (attempt.evictionTimedOut) {
        await this.abortDrain(drain, `pods not evicted within maxDrainSeconds (${knobs.maxDrainSeconds}s): ${detail}`);
        return;
      }
      result.drain = { node: drain.node, instanceId: drain.instanceId, outcome: 'waiting', detail };
      telemetry.info('drain continues next tick', { ...this.log, node: drain.node, detail });
      return;
    }
    // The drain may have taken seconds; terminate only on what the group is now, and only after a
    // conditional write, so an overlapping invocation that finished this drain is not repeated.
    const fresh = await this.describeFresh();
    const instance = fresh.instances.find((candidate) => candidate.instanceId === drain.instanceId);
    if (!instance || instance.lifecycleState !== 'InService') {
      await this.commit(drainForgotten(this.state));
      result.drain = { node: drain.node, instanceId: drain.instanceId, outcome: 'forgotten', detail: `instance is ${instance?.lifecycleState ?? 'gone'} now; not terminated again` };
      return;
    }
    if (fresh.desiredCapacity <= fresh.minSize) {
      await this.abortDrain(drain, `the group is at its min size ${fresh.minSize}`);
      return;
    }
    await this.commit(this.state);
    try {
      await deps.autoScaling.terminateInstance(drain.instanceId);
    } catch (error) {
      await this.abortDrain(drain, `TerminateInstanceInAutoScalingGroup failed: ${message(error)}`);
      return;
    }
    const detail = `terminated ${drain.instanceId} (node ${drain.node}) with ShouldDecrementDesiredCapacity; ${drain.reason}`;
    await this.commit(drainCompleted(this.state, clock.now(), detail));
    this.context.counters.nodesRemoved += 1;
    this.asg = { ...fresh, desiredCapacity: fresh.desiredCapacity - 1 };
    result.desiredCapacity = fresh.desiredCapacity - 1;
    result.drain = { node: drain.node, instanceId: drain.instanceId, outcome: 'terminated', detail };
    telemetry.info('node removed', { ...this.log, node: drain.node, instanceId: drain.instanceId, reason: drain.reason });
  }

  /**
   * Removes empty nodes together, as CA's bulk delete: record them, taint them all, then terminate
   * (with decrement) as many as the group's min size allows on a fresh describe. A node not
   * terminated is untainted again; one whose taint or termination failed is backed off.
   */
  private async removeEmptyNodes(plans: readonly DrainPlan[]): Promise<void> {
    const { deps, api, result, view } = this.context;
    const { clock, telemetry } = deps;
    const startedAt = clock.now();
    const entries: DrainInProgress[] = plans.map((plan) => ({ node: plan.node, instanceId: plan.instanceId, startedAt, reason: plan.reason }));
    await this.commit(emptyRemovalStarted(this.state, entries, startedAt));
    const taint = { key: TO_BE_DELETED_TAINT, value: String(Math.floor(startedAt / 1000)), effect: 'NoSchedule' as const };
    const tainted = await Promise.allSettled(entries.map((entry) => api.cordonAndTaint(entry.node, taint)));
    const fresh = await this.describeFresh();
    const inService = new Set(fresh.instances.filter((instance) => instance.lifecycleState === 'InService').map((instance) => instance.instanceId));
    const failed = new Map<string, string>();
    entries.forEach((entry, index) => {
      const outcome = tainted[index]!;
      if (outcome.status === 'rejected') failed.set(entry.node, `cordon and taint failed: ${message(outcome.reason)}`);
    });
    const chosen = entries.filter((entry) => !failed.has(entry.node) && inService.has(entry.instanceId)).slice(0, Math.max(0, fresh.desiredCapacity - fresh.minSize));
    const terminations = await Promise.allSettled(chosen.map((entry) => deps.autoScaling.terminateInstance(entry.instanceId)));
    const terminated: DrainInProgress[] = [];
    chosen.forEach((entry, index) => {
      const outcome = terminations[index]!;
      if (outcome.status === 'fulfilled') terminated.push(entry);
      else failed.set(entry.node, `TerminateInstanceInAutoScalingGroup failed: ${message(outcome.reason)}`);
    });
    const kept = entries.filter((entry) => !terminated.includes(entry));
    const untainted = await Promise.allSettled(kept.map((entry) => api.uncordonAndUntaint(entry.node, TO_BE_DELETED_TAINT)));
    const stillTainted = kept.filter((_, index) => untainted[index]!.status === 'rejected');
    await this.commit(emptyRemovalFinished(this.state, clock.now(), view.knobs, { terminated: terminated.map((entry) => entry.node), failed: [...failed.keys()], stillTainted }));

    this.context.counters.nodesRemoved += terminated.length;
    this.asg = { ...fresh, desiredCapacity: fresh.desiredCapacity - terminated.length };
    result.desiredCapacity = this.asg.desiredCapacity;
    result.emptyNodes = entries.map((entry) => {
      if (terminated.includes(entry)) return { node: entry.node, instanceId: entry.instanceId, outcome: 'terminated' as const, detail: `terminated with ShouldDecrementDesiredCapacity; ${entry.reason}` };
      const why = failed.get(entry.node);
      if (why) return { node: entry.node, instanceId: entry.instanceId, outcome: 'failed' as const, detail: why };
      return { node: entry.node, instanceId: entry.instanceId, outcome: 'kept' as const, detail: inService.has(entry.instanceId) ? `the group reached its min size ${fresh.minSize}` : 'its instance is no longer InService' };
    });
    if (terminated.length > 0) telemetry.info('empty nodes removed', { ...this.log, nodes: terminated.map((entry) => entry.node) });
    if (failed.size > 0) telemetry.warn('some empty nodes could not be removed', { ...this.log, failed: Object.fromEntries(failed) });
  }

  /** A bulk removal an earlier invocation did not finish (it crashed): untaint what is still running. */
  private async undoLeftoverEmptyRemoval(leftover: readonly DrainInProgress[]): Promise<void> {
    const { api } = this.context;
    const running = new Set(this.asg.instances.filter((instance) => instance.lifecycleState === 'InService').map((instance) => instance.instanceId));
    const toUntaint = leftover.filter((entry) => running.has(entry.instanceId));
    const untainted = await Promise.allSettled(toUntaint.map((entry) => api.uncordonAndUntaint(entry.node, TO_BE_DELETED_TAINT)));
    const stillTainted = toUntaint.filter((_, index) => untainted[index]!.status === 'rejected');
    const next: NodeGroupState = { ...this.state, ...(stillTainted.length > 0 ? { emptyRemoval: stillTainted } : {}) };
    if (stillTainted.length === 0) delete next.emptyRemoval;
    await this.commit(next);
  }

  async drainAndScaleDown(): Promise<void> {
    const { deps, view, result, nodes } = this.context;
    const { clock, telemetry } = deps;
    const now = clock.now();

    // 0. A bulk removal of empty nodes left unfinished by a crashed invocation.
    if (this.state.emptyRemoval?.length) await this.undoLeftoverEmptyRemoval(this.state.emptyRemoval);

    // 1. A drain in flight from an earlier tick.
    const step = nextDrainStep(this.state, this.asg, nodes, view.knobs, now);
    if (step.kind === 'gone') {
      await this.commit(drainForgotten(this.state));
      result.drain = { node: step.drain.node, instanceId: step.drain.instanceId, outcome: 'forgotten', detail: 'the node or its instance is gone' };
    } else if (step.kind === 'expired') {
      await this.abortDrain(step.drain, `pods still on the node after maxDrainSeconds (${view.knobs.maxDrainSeconds}s) plus the termination grace`);
    } else if (step.kind === 'at-min') {
      await this.abortDrain(step.drain, `the group is at its min size ${this.asg.minSize}`);
    } else if (step.kind === 'continue') {
      await this.continueDrain(step.drain);
    }

    // 2. Scale down: one node at a time, only with no drain in flight.
    const scaleDown = planScaleDown(
      { ...view, asg: this.asg, state: this.state },
      { nodes, pods: this.context.pods, pdbs: this.context.pdbs, placed: this.context.placed, now: clock.now(), scalingUp: result.scaleUp !== undefined },
    );
    this.state = { ...this.state, unneededSince: scaleDown.state.unneededSince };
    result.unneeded = scaleDown.assessments.filter((entry) => entry.unneededSince !== undefined).map((entry) => ({ node: entry.node, since: entry.unneededSince!, utilization: entry.utilization }));
    result.unremovable = scaleDown.assessments.filter((entry) => entry.reason !== undefined).map((entry) => ({ node: entry.node, reason: entry.reason!, message: entry.message }));
    result.scaleDownBlockedBy = scaleDown.blockedBy;
    if (scaleDown.emptyNodes?.length) await this.removeEmptyNodes(scaleDown.emptyNodes);
    const outcome = result.drain?.outcome;
    if (scaleDown.drain && !this.state.drain && outcome !== 'terminated' && outcome !== 'failed') {
      const drain: DrainInProgress = { node: scaleDown.drain.node, instanceId: scaleDown.drain.instanceId, startedAt: clock.now(), reason: scaleDown.drain.reason };
      await this.commit(drainStarted(this.state, drain));
      result.drain = { node: drain.node, instanceId: drain.instanceId, outcome: 'started', detail: drain.reason };
      telemetry.info('draining node', { ...this.log, node: drain.node, instanceId: drain.instanceId, reason: drain.reason });
      try {
        await this.continueDrain(drain);
      } catch (error) {
        if (error instanceof StateConflictError) throw error;
        await this.abortDrain(drain, `drain failed: ${message(error)}`);
      }
      return;
    }
    await this.commit(this.state);
  }
}
