/**
 * One group at this instant: its nodes, how much capacity is already on the way, whether its
 * launches are failing (backoff), and the shape of the node it would add.
 */
import type { AutoScalingGroupInfo } from './auto-scaling-group';
import { isLiveInstance } from './auto-scaling-group';
import type { NodeGroupKnobs } from './node-group-knobs';
import type { NodeGroupState } from './node-group-state';
import { isBackedOff, withBackoff } from './node-group-state';
import type { NodeInfo, NodeTemplate } from './node-model';
import { TO_BE_DELETED_TAINT, templateFromNode, templateFromTags } from './node-template';
import { INTERRUPTION_TAINT } from './interruption-notice';
import type { TemplateFacts } from './managed-node-group';
import { smallestInstanceType } from './managed-node-group';

export interface GroupView {
  asg: AutoScalingGroupInfo;
  knobs: NodeGroupKnobs;
  state: NodeGroupState;
  /** Nodes whose provider ID names one of the group's instances. */
  nodes: NodeInfo[];
  readyNodes: number;
  /** Requested capacity not yet Ready: counted as nodes so a later tick never asks twice. */
  upcoming: number;
  /**
   * Instances past maxNodeProvisionSeconds and still not Ready (registered NotReady by node age,
   * unregistered by first sight): CA counts them unready, not upcoming, so they never stall scale-up.
   */
  staleInstances: string[];
  backedOff: boolean;
  template?: NodeTemplate;
  templateError?: string;
  /** Things that happened while looking (a failed launch noticed, a provision timeout). */
  findings: string[];
}

/** Carries a to-be-deleted taint (ours or CA's), or our interruption taint: its instance is going away. */
export function isBeingDeleted(node: NodeInfo): boolean {
  return node.taints.some((taint) => taint.key === TO_BE_DELETED_TAINT || taint.key === 'ToBeDeletedByClusterAutoscaler' || taint.key === INTERRUPTION_TAINT);
}

/** Whether the group has a node to copy its shape from; without one, its template needs TemplateFacts. */
export function hasNodeToCopy(asg: AutoScalingGroupInfo, allNodes: readonly NodeInfo[]): boolean {
  const liveIds = new Set(asg.instances.filter(isLiveInstance).map((instance) => instance.instanceId));
  return allNodes.some((node) => node.instanceId !== undefined && liveIds.has(node.instanceId));
}

export function buildGroupView(
  asg: AutoScalingGroupInfo,
  knobs: NodeGroupKnobs,
  previous: NodeGroupState,
  allNodes: readonly NodeInfo[],
  now: number,
  /** What EKS and EC2 say about the group, for a template when it has no node (managed-node-group.ts). */
  facts?: TemplateFacts,
): GroupView {
  let state = previous;
  const findings: string[] = [];
  const liveIds = new Set(asg.instances.filter(isLiveInstance).map((instance) => instance.instanceId));
  const nodes = allNodes.filter((node) => node.instanceId !== undefined && liveIds.has(node.instanceId));
  const readyNodes = nodes.filter((node) => node.ready).length;
  const provisionMs = knobs.maxNodeProvisionSeconds * 1000;

  // First sight of each live instance, kept in state so an instance that never registers stops
  // counting as upcoming after maxNodeProvisionSeconds even across cold starts.
  const firstSeen: Record<string, number> = {};
  for (const id of liveIds) firstSeen[id] = previous.instanceFirstSeen?.[id] ?? now;
  state = { ...state, instanceFirstSeen: firstSeen };
  const byInstance = new Map(nodes.map((node) => [node.instanceId!, node]));
  const staleInstances: string[] = [];
  const scaleUp = state.lastScaleUp;
  // Not-Ready instances that predate the last scale-up are not what it is waiting for.
  let notReadyBeforeScaleUp = 0;
  for (const id of liveIds) {
    const node = byInstance.get(id);
    if (node?.ready) continue;
    const since = node ? node.createdAt : firstSeen[id]!;
    if (now - since > provisionMs) staleInstances.push(id);
    if (scaleUp && since < scaleUp.at) notReadyBeforeScaleUp += 1;
  }
  const waiting = Math.max(0, asg.desiredCapacity - readyNodes - staleInstances.length);

  // A failed launch since the last one acted on (CA's early abort on AWS, PR #4489).
  const horizon = Math.max(state.lastFailedActivityAt ?? 0, now - knobs.maxNodeProvisionSeconds * 1000);
  const failures = asg.activities.filter((activity) => activity.statusCode === 'Failed' && activity.startedAt > horizon);
  if (failures.length > 0) {
    const newest = failures.reduce((a, b) => (a.startedAt >= b.startedAt ? a : b));
    const reason = `launch failed: ${newest.statusMessage ?? newest.description}`;
    state = { ...withBackoff(state, now, reason, knobs), lastFailedActivityAt: newest.startedAt };
    findings.push(reason);
  }

  const missing = Math.max(0, asg.desiredCapacity - readyNodes - notReadyBeforeScaleUp);
  if (scaleUp && !scaleUp.provisionTimedOut && missing > 0 && now - scaleUp.at > provisionMs) {
    const reason = `${missing} requested instance(s) not Ready within ${knobs.maxNodeProvisionSeconds}s of the scale-up at ${new Date(scaleUp.at).toISOString()}`;
    state = { ...withBackoff(state, now, reason, knobs), lastScaleUp: { ...scaleUp, provisionTimedOut: true } };
    findings.push(reason);
  }

  const backedOff = isBackedOff(state, now);
  const shapeNode = nodes.find((node) => node.ready && !isBeingDeleted(node)) ?? nodes[0];
  let template: NodeTemplate | undefined;
  let templateError: string | undefined;
  if (shapeNode) template = templateFromNode(shapeNode);
  else {
    const candidates = [...new Set([...asg.instanceTypes, ...(facts?.managed?.instanceTypes ?? [])])];
    const result = templateFromTags(asg.tags, smallestInstanceType(candidates, facts), facts, asg.availabilityZones?.[0]);
    if ('template' in result) template = result.template;
    else templateError = result.error;
  }
  return {
    asg,
    knobs,
    state,
    nodes,
    readyNodes,
    staleInstances,
    // A group whose launches fail is not trusted to deliver what it was asked for.
    upcoming: backedOff ? 0 : waiting,
    backedOff,
    template,
    templateError,
    findings,
  };
}
