/**
 * One node-scaler tick over every configured group: read each cluster once (nodes, pods, PDBs,
 * DaemonSets) and every ASG in one batch, plan scale-up for the cluster's pending pods across its
 * groups, then act on each group. A broken group or cluster is reported and never stops the others.
 */
import type { DescribedGroup } from '../adapters/autoscaling/auto-scaling-group-api';
import type { ClusterNodesApi } from '../adapters/kubernetes/cluster-nodes-api';
import { nodeGroupStateKey } from '../adapters/state/node-group-state-store';
import type { ClusterRef, NodeGroupConfig } from '../config/scaler-config';
import type { AutoScalingGroupInfo } from '../engine/nodes/auto-scaling-group';
import { clusterAutoscalerTags } from '../engine/nodes/auto-scaling-group';
import { pruneNodeEntries } from '../engine/nodes/drain-lifecycle';
import type { GroupView } from '../engine/nodes/group-view';
import { buildGroupView, hasNodeToCopy } from '../engine/nodes/group-view';
import { EKS_NODEGROUP_TAG } from '../engine/nodes/managed-node-group';
import { resolveKnobs } from '../engine/nodes/node-group-knobs';
import { placementBlocker } from '../engine/nodes/scheduling-predicates';
import { planScaleUp } from '../engine/nodes/scale-up-plan';
import type { ResolvedNodeScaling } from '../engine/nodes/node-scaling-options';
import { resolveNodeScaling } from '../engine/nodes/node-scaling-options';
import type { ScaleUpNotice } from '../pod-scaler/tick-types';
import { GroupSession, StateConflictError } from './group-actions';
import { tickGroups } from './group-discovery';
import { templateFactsFor } from './template-facts';
import { collectPendingPods, noticeLabel } from './pending-pods';
import { withVolumeTopology } from './volume-topology-reader';
import type { NodeGroupTickResult, NodeScalerTickDependencies, NodeScalerTickOptions, NodeScalerTickSummary } from './tick-types';

const UNMODELLED_REASON =
  'the scheduler reports the pod Unschedulable but it fits free room on an existing node: a constraint the node scaler does not model ' +
  '(ephemeral-storage, a pod-affinity namespaceSelector, dynamic resource claims, an unbound volume with Immediate binding) keeps it off, so no node is added for it';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function resolveCluster(deps: NodeScalerTickDependencies, name: string): ClusterRef | undefined {
  const { config } = deps;
  return config.clusters.find((cluster) => cluster.name === name) ?? (config.defaultCluster.name === name ? config.defaultCluster : undefined);
}

function emptyResult(group: NodeGroupConfig): NodeGroupTickResult {
  return {
    nodeGroup: `${group.cluster}/${group.autoScalingGroupName}`,
    cluster: group.cluster,
    autoScalingGroupName: group.autoScalingGroupName,
    unneeded: [],
    unremovable: [],
    findings: [],
  };
}

export function refusalForClusterAutoscaler(group: NodeGroupConfig, asg: AutoScalingGroupInfo): string | undefined {
  const tags = clusterAutoscalerTags(asg.tags, group.cluster);
  // EKS puts these tags on every managed node group's ASG itself, whether or not CA runs, so on a
  // managed node group they say nothing about Cluster Autoscaler and are accepted (issue 18).
  if (tags.length === 0 || group.allowClusterAutoscalerTags || asg.tags[EKS_NODEGROUP_TAG]) return undefined;
  return (
    `refusing to manage ASG ${asg.name}: it carries Cluster Autoscaler's auto-discovery tag(s) ${tags.join(', ')}, so Cluster Autoscaler may size it too ` +
    `and the two would fight; remove the tags (or Cluster Autoscaler), or set allowClusterAutoscalerTags: true on nodeGroups[${group.cluster}/${group.autoScalingGroupName}]`
  );
}

export async function runNodeScalerTick(deps: NodeScalerTickDependencies, options: NodeScalerTickOptions): Promise<NodeScalerTickSummary> {
  const { config, telemetry } = deps;
  const summary: NodeScalerTickSummary = { groups: [], pendingPods: 0, unhelpedPods: [], unmodelledPods: [], noticeProblems: [] };
  if (config.nodeGroups.length === 0 && (config.nodeGroupDiscovery ?? []).length === 0) return summary;

  // Named groups and the groups discovery finds by tag (group-discovery.ts).
  const { groups: tickGroupConfigs, asgs, discoveryProblems } = await tickGroups(deps);
  for (const problem of discoveryProblems) telemetry.error('node group discovery failed', problem);
  if (discoveryProblems.length > 0) summary.discoveryProblems = discoveryProblems;
  const clusters = [...new Set([...tickGroupConfigs.map((group) => group.cluster), ...(config.nodeGroupDiscovery ?? []).map((entry) => entry.cluster)])];
  for (const notice of options.notices ?? []) {
    if (clusters.includes(notice.cluster)) continue;
    const problem = { cluster: notice.cluster, notice: noticeLabel(notice), message: `no nodeGroups entry is in cluster ${notice.cluster}, so no node is added for it; add the cluster's groups to nodeGroups` };
    summary.noticeProblems.push(problem);
    telemetry.warn('scale-up notice not counted', problem);
  }
  for (const cluster of clusters) {
    const groups = tickGroupConfigs.filter((group) => group.cluster === cluster);
    const notices = (options.notices ?? []).filter((notice) => notice.cluster === cluster);
    const results = await tickCluster(deps, options, cluster, groups, notices, asgs, summary);
    summary.groups.push(...results);
  }
  for (const result of summary.groups) {
    if (result.error) telemetry.error('node group not handled this tick', { nodeGroup: result.nodeGroup, error: result.error });
  }
  return summary;
}

async function tickCluster(
  deps: NodeScalerTickDependencies,
  options: NodeScalerTickOptions,
  cluster: string,
  groups: NodeGroupConfig[],
  notices: ScaleUpNotice[],
  asgs: Map<string, DescribedGroup>,
  summary: NodeScalerTickSummary,
): Promise<NodeGroupTickResult[]> {
  const { clock, telemetry } = deps;
  const results = groups.map(emptyResult);
  const failAll = (error: string) => {
    for (const result of results) result.error ??= error;
    // The notices for this cluster are not counted this tick: say so, each by name.
    for (const notice of notices) {
      const problem = { cluster, notice: noticeLabel(notice), message: `not counted: ${error}` };
      summary.noticeProblems.push(problem);
      telemetry.warn('scale-up notice not counted', problem);
    }
    return results;
  };
  const ref = resolveCluster(deps, cluster);
  if (!ref) return failAll(`cluster "${cluster}" is not in the configuration's clusters; add it with its region`);
  let scaling: ResolvedNodeScaling;
  try {
    scaling = resolveNodeScaling(deps.config.nodeScaling);
  } catch (error) {
    return failAll(message(error));
  }

  let api: ClusterNodesApi;
  let snapshot;
  try {
    api = await deps.clusterNodes(ref);
    const [nodes, listed, pdbs, daemonSets] = await Promise.all([api.listNodes(), api.listPods(), api.listPodDisruptionBudgets(), api.listDaemonSets()]);
    const { pods, problem } = await withVolumeTopology(listed, api);
    if (problem) {
      for (const result of results) result.findings.push(problem);
      telemetry.warn('zonal volumes not modelled this tick', { cluster, problem });
    }
    snapshot = { nodes, pods, pdbs, daemonSets };
  } catch (error) {
    return failAll(`could not read cluster ${cluster}: ${message(error)}`);
  }
  const now = clock.now();
  const nodeNames = new Set(snapshot.nodes.map((node) => node.name));

  const prepared: Array<{ index: number; key: string; version: number; view: GroupView }> = [];
  for (const [index, group] of groups.entries()) {
    const result = results[index]!;
    try {
      const knobs = resolveKnobs(group);
      const asg = asgs.get(group.autoScalingGroupName);
      if (!asg) {
        throw new Error(`Auto Scaling group ${group.autoScalingGroupName} not found in ${ref.region}; check nodeGroups[].autoScalingGroupName and the region of cluster ${cluster}`);
      }
      if (asg instanceof Error) throw asg;
      const refusal = refusalForClusterAutoscaler(group, asg);
      if (refusal) throw new Error(refusal);
      const key = nodeGroupStateKey(cluster, group.autoScalingGroupName);
      const stored = await deps.stateStore.load(key);
      // A group with no node to copy gets its shape from EKS and EC2 (managed node groups, instance types).
      const gathered = hasNodeToCopy(asg, snapshot.nodes) ? undefined : await templateFactsFor(deps.nodeGroupFacts, ref, asg);
      result.findings.push(...(gathered?.problems ?? []));
      const view = buildGroupView(asg, knobs, pruneNodeEntries(stored.state, nodeNames, now), snapshot.nodes, now, gathered?.facts);
      result.desiredCapacity = asg.desiredCapacity;
      result.readyNodes = view.readyNodes;
      result.upcomingNodes = view.upcoming;
      result.backedOffUntil = view.backedOff ? view.state.backoff?.until : undefined;
      result.findings.push(...view.findings);
      if (view.templateError) result.findings.push(`cannot scale up from zero: ${view.templateError}`);
      for (const finding of view.findings) telemetry.warn('node group backed off', { nodeGroup: result.nodeGroup, finding, until: view.state.backoff?.until });
      prepared.push({ index, key, version: stored.version, view });
    } catch (error) {
      result.error = message(error);
    }
  }

  const { pending, problems } = await collectPendingPods(snapshot.pods, notices, api);
  for (const problem of problems) {
    summary.noticeProblems.push({ cluster, ...problem });
    telemetry.warn('scale-up notice not counted', { cluster, ...problem });
  }
  summary.pendingPods += pending.length;
  // Math.random serves the `random` expander only; every other tie goes to configuration order.
  const plan = planScaleUp(prepared.map((entry) => entry.view), snapshot.nodes, snapshot.pods, pending, snapshot.daemonSets, { scaling, random: Math.random });
  for (const unhelped of plan.unhelped) summary.unhelpedPods.push({ cluster, ...unhelped });
  if (plan.unhelped.length > 0) telemetry.warn('pods no node group can help', { cluster, pods: plan.unhelped });

  if (plan.unmodelled.length > 0) {
    for (const id of plan.unmodelled) {
      summary.unmodelledPods.push({ cluster, id, reason: UNMODELLED_REASON });
    }
    telemetry.warn('unschedulable pods the node scaler thinks fit: a constraint it does not model keeps them off', { cluster, pods: plan.unmodelled, reason: UNMODELLED_REASON });
  }

  const sessions = prepared.map((entry) => {
    const result = results[entry.index]!;
    const counters = { nodesRequested: 0, nodesRemoved: 0 };
    const session = new GroupSession({
      deps,
      api,
      key: entry.key,
      version: entry.version,
      view: entry.view,
      nodes: snapshot.nodes,
      pods: snapshot.pods,
      placed: plan.existingPlacements,
      pdbs: snapshot.pdbs,
      scaleUp: plan.groups.find((group) => group.group === entry.view.asg.name),
      result,
      deadline: options.deadline,
      drainBudgetMs: options.drainBudgetMs ?? 40_000,
      evictionRetryMs: options.evictionRetryMs ?? 10_000,
      counters,
    });
    return { entry, result, counters, session, ok: true };
  });
  const attempt = async (item: (typeof sessions)[number], action: () => Promise<void>) => {
    if (!item.ok) return;
    try {
      await action();
    } catch (error) {
      item.ok = false;
      // Losing the race to an overlapping invocation is normal: it acts on the group instead.
      if (error instanceof StateConflictError) item.result.findings.push(error.message);
      else item.result.error = message(error);
    }
  };
  // Every group's scale-up first: a drain can take tens of seconds and must not delay new capacity.
  for (const item of sessions) await attempt(item, () => item.session.lockAndScaleUp());
  for (const item of sessions) await attempt(item, () => item.session.drainAndScaleDown());

  for (const { entry, result, counters } of sessions) {
    const template = entry.view.template;
    deps.telemetry.groupMetrics(result.nodeGroup, {
      DesiredCapacity: result.desiredCapacity,
      InServiceInstances: entry.view.asg.instances.filter((instance) => instance.lifecycleState === 'InService').length,
      UnschedulablePods: template ? pending.filter((item) => item.source === 'unschedulable' && placementBlocker(item.pod, template) === undefined).length : 0,
      NodesRequested: counters.nodesRequested,
      NodesRemoved: counters.nodesRemoved,
      ScaleUpFailures: entry.view.findings.length,
    });
  }
  return results;
}
