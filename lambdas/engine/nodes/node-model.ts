/**
 * Plain data the node planner works on. Adapters translate Kubernetes and Auto Scaling objects into
 * these shapes; the planner never sees an SDK type, so it runs the same in Lambda, tests and the
 * simulator.
 */

/** Schedulable capacity or a pod's demand. `pods` is a count (a pod uses one slot). */
export interface Resources {
  cpuMilli: number;
  memoryBytes: number;
  pods: number;
}

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';

export interface Taint {
  key: string;
  value?: string;
  effect: TaintEffect;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  /** Empty means every effect. */
  effect?: TaintEffect | '';
}

export interface SelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

/** A required node-affinity term: every expression must hold (terms are OR-ed). */
export interface NodeSelectorTerm {
  matchExpressions: SelectorRequirement[];
  /** Field requirements (only metadata.name exists); not modelled, so a term with any never matches. */
  matchFields?: SelectorRequirement[];
}

/** A metav1 LabelSelector, as used by PDBs and workloads. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: SelectorRequirement[];
}

/**
 * Named resources beyond cpu/memory/pods (`nvidia.com/gpu`, `vpc.amazonaws.com/pod-eni`, `hugepages-2Mi`...),
 * as whole units: the scheduler's NodeResourcesFit compares them like cpu and memory.
 */
export type ExtendedResources = Record<string, number>;

/** A container port bound on the node (`hostPort`), as the NodePorts plugin compares them. */
export interface HostPort {
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  /** Empty or 0.0.0.0 means every address of the node. */
  hostIP: string;
}

/** A required pod (anti-)affinity term: pods matching the selector, in the namespaces, within the topology key's domain. */
export interface PodAffinityTerm {
  selector: LabelSelector;
  topologyKey: string;
  /** Namespaces the selector looks in; empty (and no namespace selector) means the pod's own. */
  namespaces: string[];
  /**
   * A namespaceSelector was given. Namespace labels are not read, so the term looks in every namespace:
   * for anti-affinity that can only keep pods apart more, never pack them tighter than the scheduler.
   */
  anyNamespace: boolean;
}

/** A topologySpreadConstraint with whenUnsatisfiable: DoNotSchedule (ScheduleAnyway is a preference). */
export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  /** With matchLabelKeys already folded in. */
  selector: LabelSelector;
  minDomains?: number;
  /** Honor (default): only nodes matching the pod's nodeSelector/affinity are domains. */
  nodeAffinityPolicy: 'Honor' | 'Ignore';
  /** Ignore (default): nodes with taints the pod does not tolerate are still domains. */
  nodeTaintsPolicy: 'Honor' | 'Ignore';
}

/** What the scheduler looks at to place a pod on a node. */
export interface PodScheduling {
  /** Effective requests (containers summed, max with init containers); `pods` is always 1. */
  requests: Resources;
  nodeSelector?: Record<string, string>;
  /** requiredDuringSchedulingIgnoredDuringExecution terms; undefined means no constraint. */
  requiredNodeAffinity?: NodeSelectorTerm[];
  tolerations?: Toleration[];
  /** The pod's namespace and labels: spread and affinity rules match pods by them (the incoming pod too). */
  namespace?: string;
  labels?: Record<string, string>;
  /** Effective requests of extended resources (GPUs and the like). */
  extendedRequests?: ExtendedResources;
  hostPorts?: HostPort[];
  requiredPodAffinity?: PodAffinityTerm[];
  requiredPodAntiAffinity?: PodAffinityTerm[];
  topologySpread?: TopologySpreadConstraint[];
  /** Names of the PersistentVolumeClaims the pod mounts (ephemeral volumes included), to find their PVs. */
  claimNames?: string[];
  /** Where the pod's bound PersistentVolumes can be reached (EBS volumes live in one zone); every one must be. */
  volumeTopology?: VolumeTopology[];
}

/** What a bound PersistentVolume demands of the node that mounts it. */
export interface VolumeTopology {
  /** The PV's name, for the explanation. */
  volume: string;
  /** spec.nodeAffinity.required terms (OR-ed), as the EBS CSI driver sets them. */
  nodeAffinity?: NodeSelectorTerm[];
  /** Zone and region labels of the PV (VolumeZone plugin); a value may list several, `__`-separated in the label. */
  zoneLabels?: Record<string, string[]>;
}

export interface PodOwner {
  kind: string;
  name: string;
}

export interface PodInfo extends PodScheduling {
  namespace: string;
  name: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  nodeName?: string;
  phase: string;
  owner?: PodOwner;
  /** Mirror (static) pods are managed by the kubelet and never evicted. */
  mirror: boolean;
  /** PodScheduled=False with reason Unschedulable. */
  unschedulable: boolean;
  /** Names of hostPath and non-memory emptyDir volumes (CA's local-storage rule). */
  localStorageVolumes: string[];
  createdAt: number;
  /** Epoch ms of metadata.deletionTimestamp when the pod is terminating. */
  deletingSince?: number;
  terminationGracePeriodSeconds?: number;
  /** metadata.deletionGracePeriodSeconds of a terminating pod: the grace its deletion (or eviction) was given. */
  deletionGracePeriodSeconds?: number;
}

export interface NodeInfo {
  name: string;
  /** EC2 instance id from spec.providerID (`aws:///<az>/<instance id>`). */
  instanceId?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  taints: Taint[];
  /** spec.unschedulable (cordoned). */
  unschedulable: boolean;
  ready: boolean;
  allocatable: Resources;
  extendedAllocatable?: ExtendedResources;
  createdAt: number;
}

export interface PdbInfo {
  namespace: string;
  name: string;
  /** null when the PDB has no selector: policy/v1 then matches no pod. */
  selector: LabelSelector | null;
  disruptionsAllowed: number;
}

export interface DaemonSetInfo {
  namespace: string;
  name: string;
  pod: PodScheduling;
}

/** The shape of a node the group would launch. */
export interface NodeTemplate {
  labels: Record<string, string>;
  taints: Taint[];
  allocatable: Resources;
  /**
   * GPUs and other extended resources a new node offers (from the group's `resources/<name>` tags or a
   * node it has; another source such as DescribeInstanceTypes may fill it too).
   */
  extendedAllocatable?: ExtendedResources;
  /** Where the shape came from, for the explanation. */
  source: string;
}

export const ZERO: Resources = { cpuMilli: 0, memoryBytes: 0, pods: 0 };

export function addResources(a: Resources, b: Resources): Resources {
  return { cpuMilli: a.cpuMilli + b.cpuMilli, memoryBytes: a.memoryBytes + b.memoryBytes, pods: a.pods + b.pods };
}

export function subtractResources(a: Resources, b: Resources): Resources {
  return { cpuMilli: a.cpuMilli - b.cpuMilli, memoryBytes: a.memoryBytes - b.memoryBytes, pods: a.pods - b.pods };
}

export function fitsWithin(demand: Resources, free: Resources): boolean {
  return demand.cpuMilli <= free.cpuMilli && demand.memoryBytes <= free.memoryBytes && demand.pods <= free.pods;
}

/** A pod that is done (or on its way out) no longer holds node capacity. */
export function holdsCapacity(pod: PodInfo): boolean {
  return pod.phase !== 'Succeeded' && pod.phase !== 'Failed';
}

export function isDaemonSetPod(pod: PodInfo): boolean {
  return pod.owner?.kind === 'DaemonSet';
}

export function podId(pod: { namespace: string; name: string }): string {
  return `${pod.namespace}/${pod.name}`;
}
