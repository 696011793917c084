/**
 * The configuration the CDK construct validates at synth time and ships beside each Lambda's code.
 * The CLI and the simulator build the same shape from YAML files.
 */
import type { ScaledObject } from '../engine/spec/scaled-object';
import type { ScaledJobSpec } from '../engine/spec/scaled-job';
import type { ClusterObjectPermissions } from '../engine/iam/iam-allowance';
import type { NodeScalingOptions } from '../engine/nodes/node-scaling-options';

export interface ClusterRef {
  name: string;
  region: string;
  /**
   * Where this cluster's ScaledObjects come from: `bundled` (default), the files validated at synth
   * and shipped in `scaledObjects`; or `cluster`, the ScaledObjects annotated
   * `eks-lambda-scaler.io/managed: "true"` in the cluster itself, read every tick
   * (docs/design-live-objects.md).
   */
  objectSource?: 'bundled' | 'cluster';
  /** With the cluster source: the namespaces to read (one LIST per namespace per kind); absent = all namespaces. */
  namespaces?: string[];
}

/** An EC2 Auto Scaling Group the node scaler sizes. */
export interface NodeGroupConfig {
  /** EKS cluster the group's nodes join. */
  cluster: string;
  autoScalingGroupName: string;
  /** Manage a group that also carries Cluster Autoscaler's auto-discovery tags (default false: refuse). */
  allowClusterAutoscalerTags?: boolean;
  /** Overrides of the node scaler's Cluster-Autoscaler-like knobs (see docs/node-scaler.md). */
  scaleDownUtilizationThreshold?: number;
  scaleDownUnneededSeconds?: number;
  scaleDownDelayAfterAddSeconds?: number;
  maxDrainSeconds?: number;
  /** Further node-scaler knobs (defaults in lambdas/engine/nodes/node-group-knobs.ts, listed in docs/node-scaler.md). */
  scaleDownEnabled?: boolean;
  scaleDownDelayAfterFailureSeconds?: number;
  maxNodeProvisionSeconds?: number;
  initialBackoffSeconds?: number;
  maxBackoffSeconds?: number;
  backoffResetSeconds?: number;
  unremovableNodeRecheckSeconds?: number;
  skipNodesWithSystemPods?: boolean;
  skipNodesWithLocalStorage?: boolean;
  skipNodesWithCustomControllerPods?: boolean;
  /** Empty nodes removed together per tick (default 10, CA --max-empty-bulk-delete). */
  maxEmptyBulkDelete?: number;
  /** An unready node is removed once unneeded this long (default 1200, CA --scale-down-unready-time). */
  scaleDownUnreadySeconds?: number;
  /** Scale down unready nodes at all (default true, CA --scale-down-unready-enabled). */
  scaleDownUnreadyEnabled?: boolean;
  /** Leave DaemonSet pods out of a node's utilization (default false, CA --ignore-daemonsets-utilization). */
  ignoreDaemonSetsUtilization?: boolean;
  /** Cap on the termination grace waited for after an eviction (default 600, CA --max-graceful-termination-sec). */
  maxGracefulTerminationSeconds?: number;
  /** How long after creation a kube-system pod without a PDB blocks scale-down (default 3600, CA --blocking-system-pod-distruption-timeout). */
  blockingSystemPodDisruptionTimeoutSeconds?: number;
}

/**
 * Groups found each tick by their ASG tags instead of by name (Cluster Autoscaler's
 * `--node-group-auto-discovery=asg:tag=...`), with the knobs every group found gets.
 */
export interface NodeGroupDiscoveryConfig extends Omit<NodeGroupConfig, 'autoScalingGroupName' | 'allowClusterAutoscalerTags'> {
  /**
   * Tags a group must carry, key to value ('' = any value). Default: Cluster Autoscaler's
   * `k8s.io/cluster-autoscaler/enabled` and `k8s.io/cluster-autoscaler/<cluster>`.
   */
  tags?: Record<string, string>;
}

export interface ScalerConfig {
  /** Cluster for ScaledObjects that do not name one. */
  defaultCluster: ClusterRef;
  clusters: ClusterRef[];
  scaledObjects: ScaledObject[];
  /** ScaledJobs (issue 17), validated like the ScaledObjects; absent = none. */
  scaledJobs?: ScaledJobSpec[];
  nodeGroups: NodeGroupConfig[];
  /** Node groups found by ASG tags each tick, next to the named `nodeGroups` (docs/node-scaler.md). */
  nodeGroupDiscovery?: NodeGroupDiscoveryConfig[];
  /**
   * How often the HPA part syncs between KEDA's polls, seconds: the HPA controller's 15 s by default,
   * so counts and timing match KEDA + HPA. 0 evaluates only at each pollingInterval (fewer reads,
   * slower 1..N scaling when pollingInterval is above 15 s).
   */
  hpaSyncPeriodSeconds?: number;
  /**
   * The AWS access the pod scaler was given for ScaledObjects read from a cluster, as ARN patterns;
   * an object that needs more is rejected with the statement to add. Absent: no check.
   */
  clusterObjectPermissions?: ClusterObjectPermissions;
  /**
   * The node scaler's cluster-wide settings, applied to each cluster on its own: expander (default
   * least-waste), balancing of similar groups, cluster limits (docs/node-scaler.md, "Choosing the group").
   */
  nodeScaling?: NodeScalingOptions;
}
