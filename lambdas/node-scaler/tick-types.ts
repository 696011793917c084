/** The node scaler's tick, as a function of its dependencies (Lambda, simulator and tests wire them). */
import type { AutoScalingGroupApi } from '../adapters/autoscaling/auto-scaling-group-api';
import type { NodeGroupFactsApi } from '../adapters/node-group-facts/node-group-facts-api';
import type { ClusterNodesApi } from '../adapters/kubernetes/cluster-nodes-api';
import type { NodeGroupStateStore } from '../adapters/state/node-group-state-store';
import type { ClusterRef, ScalerConfig } from '../config/scaler-config';
import type { Clock, ScaleUpNotice } from '../pod-scaler/tick-types';
import type { NodeScalerTelemetry } from './telemetry';
import type { InterruptionResult } from './interruption-handler';

export interface NodeScalerTickDependencies {
  config: ScalerConfig;
  clock: Clock;
  autoScaling: AutoScalingGroupApi;
  stateStore: NodeGroupStateStore;
  clusterNodes(cluster: ClusterRef): Promise<ClusterNodesApi>;
  telemetry: NodeScalerTelemetry;
  /** EKS and EC2 facts for groups at zero (managed node groups, instance types); absent: ASG tags and the built-in table only. */
  nodeGroupFacts?: NodeGroupFactsApi;
}

export interface NodeScalerTickOptions {
  /** Epoch ms by which the tick must be done. */
  deadline: number;
  /** Scale-ups the pod scaler is making now: their new pods count as pending. */
  notices?: ScaleUpNotice[];
  /** Longest a drain may keep retrying evictions inside one invocation (default 40 s). */
  drainBudgetMs?: number;
  /** Pause between eviction retries (default 10 s, as CA). */
  evictionRetryMs?: number;
}

export type DrainOutcome = 'started' | 'waiting' | 'terminated' | 'failed' | 'forgotten';

export interface NodeGroupTickResult {
  /** `<cluster>/<asg name>`, the metrics' NodeGroup dimension. */
  nodeGroup: string;
  cluster: string;
  autoScalingGroupName: string;
  /** Set when the group could not be handled this tick (bad config, refused, API failure...). */
  error?: string;
  desiredCapacity?: number;
  readyNodes?: number;
  upcomingNodes?: number;
  backedOffUntil?: number;
  scaleUp?: { fromDesired: number; toDesired: number; reason: string };
  drain?: { node: string; instanceId: string; outcome: DrainOutcome; detail: string };
  /** Empty nodes removed together this tick (CA's bulk delete of empty nodes). */
  emptyNodes?: Array<{ node: string; instanceId: string; outcome: 'terminated' | 'failed' | 'kept'; detail: string }>;
  scaleDownBlockedBy?: string;
  unneeded: Array<{ node: string; since: number; utilization?: number }>;
  unremovable: Array<{ node: string; reason: string; message?: string }>;
  findings: string[];
}

export interface NodeScalerTickSummary {
  groups: NodeGroupTickResult[];
  pendingPods: number;
  /** Pods no group can help, with why (per cluster). */
  unhelpedPods: Array<{ cluster: string; id: string; reason: string }>;
  /** Unschedulable pods the plan thinks fit existing room: held off by a constraint the node scaler does not model. */
  unmodelledPods: Array<{ cluster: string; id: string; reason: string }>;
  noticeProblems: Array<{ cluster: string; notice: string; message: string }>;
  /** Set when the invocation was an interruption notice (then no tick ran: `groups` is empty). */
  interruption?: InterruptionResult;
  /** nodeGroupDiscovery entries that found nothing this tick because they failed, each with why. */
  discoveryProblems?: Array<{ entry: string; message: string }>;
}
