/**
 * One interruption notice (Spot warning, rebalance recommendation, terminate lifecycle action)
 * handled end to end: find the configured group and the node of the instance, cordon and taint the
 * node, evict its pods through the Eviction API (PDBs respected, each pod's grace cut to the time the
 * notice leaves), and for a lifecycle action tell Auto Scaling to CONTINUE once the node is drained
 * or the notice runs out. Each invocation handles one event, so one node's failure never touches
 * another's; every call goes through the invocation's call guard (handler.ts).
 *
 * Idempotent under EventBridge's at-least-once delivery: the cordon and taint are no-ops the second
 * time, evicting a pod that is gone is a no-op, and Auto Scaling refuses a second completion of the
 * same action (reported as `not-pending`). No state item is needed.
 */
import type { InstanceLifecycleApi, LifecycleCompletion } from '../adapters/autoscaling/instance-lifecycle-api';
import type { ClusterNodesApi } from '../adapters/kubernetes/cluster-nodes-api';
import type { ClusterRef, ScalerConfig } from '../config/scaler-config';
import type { InterruptionNotice } from '../engine/nodes/interruption-notice';
import { describeNotice, INTERRUPTION_TAINT, noticeEndsAt } from '../engine/nodes/interruption-notice';
import type { Clock } from '../pod-scaler/tick-types';
import { drainNode } from './drain-runner';
import type { NodeScalerTelemetry } from './telemetry';

/**
 * Stop evicting this long before the notice ends, so the lifecycle action is completed while it
 * still counts, and this long before the invocation's deadline, so the last look and the completion
 * still have time to run.
 */
export const NOTICE_MARGIN_MS = 5_000;
/** Eviction retry period while a PDB refuses: shorter than a tick's 10 s, as the notice is short. */
export const INTERRUPTION_EVICTION_RETRY_MS = 5_000;

export type InterruptionOutcome =
  /** Not ours: the instance is in no configured group, or has no node in the cluster. */
  | 'ignored'
  /** Nothing to do (Auto Scaling's test notification, a launching transition). */
  | 'skipped'
  /** No pod that must leave is left on the node. */
  | 'drained'
  /** Pods were still on the node when the notice (or this invocation) ran out. */
  | 'not-drained'
  | 'failed';

export interface InterruptionResult {
  kind: InterruptionNotice['kind'] | 'unknown';
  eventId?: string;
  instanceId?: string;
  autoScalingGroupName?: string;
  cluster?: string;
  node?: string;
  outcome: InterruptionOutcome;
  detail: string;
  /** Epoch ms the notice ends; absent when it gives no end (a rebalance recommendation, a hook not read). */
  noticeEndsAt?: number;
  evicted: string[];
  /** Pods still on the node at the end, with why. */
  waitingOn: string[];
  /** For a terminate lifecycle action: what became of it. */
  lifecycleAction?: 'completed' | 'not-pending' | 'left-to-heartbeat-timeout' | 'failed';
}

export interface InterruptionDependencies {
  config: ScalerConfig;
  clock: Clock;
  lifecycle: InstanceLifecycleApi;
  clusterNodes(cluster: ClusterRef): Promise<ClusterNodesApi>;
  telemetry: NodeScalerTelemetry;
}

export interface InterruptionOptions {
  /** Epoch ms by which this invocation must be done. */
  deadline: number;
  evictionRetryMs?: number;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function clusterRef(config: ScalerConfig, name: string): ClusterRef | undefined {
  return config.clusters.find((cluster) => cluster.name === name) ?? (config.defaultCluster.name === name ? config.defaultCluster : undefined);
}

export async function handleInterruption(deps: InterruptionDependencies, notice: InterruptionNotice, options: InterruptionOptions): Promise<InterruptionResult> {
  const result: InterruptionResult = { kind: notice.kind, eventId: notice.eventId, instanceId: notice.instanceId, outcome: 'failed', detail: '', evicted: [], waitingOn: [] };
  try {
    await handle(deps, notice, options, result);
  } catch (error) {
    result.outcome = 'failed';
    result.detail = `${result.detail ? `${result.detail}; ` : ''}${message(error)}`;
    // A lifecycle action not completed runs out at its heartbeat timeout, and Auto Scaling then applies the hook's default result.
    if (notice.lifecycleAction && result.lifecycleAction === undefined) result.lifecycleAction = 'left-to-heartbeat-timeout';
  }
  const fields = { ...result, notice: describeNotice(notice) };
  if (result.outcome === 'failed') deps.telemetry.error('interruption not handled', fields);
  else if (result.outcome === 'ignored' || result.outcome === 'skipped') deps.telemetry.info('interruption ignored', fields);
  else if (result.outcome === 'not-drained') deps.telemetry.warn('interruption: node not drained in time', fields);
  else deps.telemetry.info('interruption: node drained', fields);
  return result;
}

async function handle(deps: InterruptionDependencies, notice: InterruptionNotice, options: InterruptionOptions, result: InterruptionResult): Promise<void> {
  const { config, clock, lifecycle } = deps;
  const action = notice.lifecycleAction;
  const groupName = action?.autoScalingGroupName ?? (await lifecycle.groupOfInstance(notice.instanceId));
  if (!groupName) {
    result.outcome = 'ignored';
    result.detail = `instance ${notice.instanceId} is in no Auto Scaling group: not a node the node scaler manages`;
    return;
  }
  result.autoScalingGroupName = groupName;
  const group = config.nodeGroups.find((candidate) => candidate.autoScalingGroupName === groupName);
  if (!group) {
    result.outcome = 'ignored';
    result.detail = `instance ${notice.instanceId} is in Auto Scaling group ${groupName}, which is not in nodeGroups; another tool handles it`;
    return;
  }
  result.cluster = group.cluster;
  const ref = clusterRef(config, group.cluster);
  if (!ref) throw new Error(`cluster "${group.cluster}" of nodeGroups[${group.cluster}/${groupName}] is not in the configuration's clusters; add it with its region`);

  let heartbeatSeconds: number | undefined;
  let hookProblem = '';
  if (action) {
    try {
      heartbeatSeconds = await lifecycle.heartbeatTimeoutSeconds(action.autoScalingGroupName, action.hookName);
      if (heartbeatSeconds === undefined) hookProblem = `hook ${action.hookName} not found on ${groupName}, so its heartbeat timeout is unknown`;
    } catch (error) {
      hookProblem = `heartbeat timeout unknown: ${message(error)}`;
    }
  }
  const endsAt = noticeEndsAt(notice, heartbeatSeconds);
  if (endsAt !== undefined) result.noticeEndsAt = endsAt;

  const api = await deps.clusterNodes(ref);
  const node = (await api.listNodes()).find((candidate) => candidate.instanceId === notice.instanceId);
  if (!node) {
    result.outcome = 'ignored';
    result.detail = `no node of cluster ${group.cluster} has providerID aws:///<az>/${notice.instanceId} (not joined, or already gone)`;
    // Our group's instance with nothing to drain: waiting out the hook would only delay its termination.
    if (action) await complete(lifecycle, notice, result);
    return;
  }
  result.node = node.name;
  await api.cordonAndTaint(node.name, { key: INTERRUPTION_TAINT, value: notice.kind, effect: 'NoSchedule' });

  const noticeStop = endsAt === undefined ? Number.POSITIVE_INFINITY : endsAt - NOTICE_MARGIN_MS;
  const invocationStop = options.deadline - NOTICE_MARGIN_MS;
  const stopAt = Math.min(invocationStop, noticeStop);
  const attempt = await drainNode(api, node.name, clock, {
    stopAt,
    retryMs: options.evictionRetryMs ?? INTERRUPTION_EVICTION_RETRY_MS,
    evictUntil: stopAt,
    graceUntil: endsAt,
  });
  result.evicted = attempt.evicted;
  result.waitingOn = [...attempt.blocked.map((blocked) => `${blocked.pod} (${blocked.message})`), ...attempt.terminating.map((pod) => `${pod} (terminating)`)];
  result.outcome = attempt.drained ? 'drained' : 'not-drained';
  const secondsLeft = endsAt === undefined ? undefined : Math.round((endsAt - clock.now()) / 1000);
  result.detail = attempt.drained
    ? `node ${node.name} cordoned and drained${secondsLeft === undefined ? '' : ` with ${secondsLeft}s of the notice left`}`
    : `node ${node.name} cordoned; still waiting on ${result.waitingOn.join(', ')} when ${noticeStop <= invocationStop ? 'the notice ran out' : 'this invocation had to end'}`;
  if (hookProblem) result.detail += `; ${hookProblem}`;
  if (!action) return;
  // CONTINUE once drained, or once the notice is out anyway (Auto Scaling would go on at the timeout).
  // A notice that outlasts this invocation, with pods still waiting, is left to its heartbeat timeout.
  if (attempt.drained || noticeStop <= invocationStop) await complete(lifecycle, notice, result);
  else result.lifecycleAction = 'left-to-heartbeat-timeout';
}

async function complete(lifecycle: InstanceLifecycleApi, notice: InterruptionNotice, result: InterruptionResult): Promise<void> {
  const action = notice.lifecycleAction!;
  let completion: LifecycleCompletion;
  try {
    completion = await lifecycle.continueLifecycleAction({ autoScalingGroupName: action.autoScalingGroupName, hookName: action.hookName, token: action.token, instanceId: notice.instanceId });
  } catch (error) {
    result.lifecycleAction = 'failed';
    throw error;
  }
  result.lifecycleAction = completion.outcome;
  result.detail += completion.outcome === 'completed' ? '; lifecycle action completed (CONTINUE)' : `; lifecycle action no longer pending (completed earlier or timed out): ${completion.message}`;
}
