/**
 * What the node scaler needs from a Kubernetes cluster, as a small interface: read nodes, pods,
 * PDBs, DaemonSets and workload pod templates; cordon/taint a node and evict its pods. The real
 * implementation (`kubernetes-cluster-nodes-api.ts`) uses `@kubernetes/client-node`.
 */
import type { DaemonSetInfo, LabelSelector, NodeInfo, PdbInfo, PodInfo, PodScheduling, Taint } from '../../engine/nodes/node-model';
import type { ClaimInfo, VolumeInfo } from '../../engine/nodes/predicates/volume-topology';
import type { WorkloadRef } from './scale-target-api';

export interface WorkloadPodTemplate {
  /** What each new replica will ask the scheduler for. */
  pod: PodScheduling;
  /** `spec.selector` of the workload, to count the pods it already has. */
  selector: LabelSelector;
}

export type EvictionResult =
  | { outcome: 'evicted' }
  /** The pod no longer exists. */
  | { outcome: 'gone' }
  /** 429: a PodDisruptionBudget does not allow it now; retry later. */
  | { outcome: 'blocked'; message: string };

export interface ClusterNodesApi {
  listNodes(): Promise<NodeInfo[]>;
  /** Every pod of the cluster (the scheduler's view: bound, pending and finished). */
  listPods(): Promise<PodInfo[]>;
  listPodDisruptionBudgets(): Promise<PdbInfo[]>;
  listDaemonSets(): Promise<DaemonSetInfo[]>;
  /** Every PersistentVolumeClaim (to find the volumes of pods that mount one). */
  listPersistentVolumeClaims(): Promise<ClaimInfo[]>;
  /** Every PersistentVolume (an EBS volume's zone is in its node affinity). */
  listPersistentVolumes(): Promise<VolumeInfo[]>;
  /** The pod template of a Deployment, StatefulSet or ReplicaSet. */
  readWorkloadTemplate(ref: WorkloadRef): Promise<WorkloadPodTemplate>;
  /** Marks the node unschedulable and adds the taint (idempotent). */
  cordonAndTaint(nodeName: string, taint: Taint): Promise<void>;
  /** Undoes cordonAndTaint (idempotent; a missing node is not an error). */
  uncordonAndUntaint(nodeName: string, taintKey: string): Promise<void>;
  /** POSTs a policy/v1 Eviction for the pod; `gracePeriodSeconds` overrides the pod's own termination grace. */
  evictPod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<EvictionResult>;
  listPodsOnNode(nodeName: string): Promise<PodInfo[]>;
}
