/**
 * Whether two groups would launch the same kind of node, by the rules of CA's `nodegroupset`
 * comparator (processors/nodegroupset/compare_nodegroups.go, aws_nodegroups.go): same labels apart
 * from ones that name a zone, a host or a group; the same machine size; allocatable and free room
 * (after DaemonSets) within 5 %. Groups alike in all of this but their Availability Zone are what
 * `balanceSimilarNodeGroups` grows together.
 *
 * CA compares capacity exactly (memory within 1.5 %); the node scaler knows allocatable only, so it
 * compares whole cores of allocatable CPU and max pods exactly, and allocatable memory within 1.5 %.
 */
import type { Resources } from '../node-model';

/** CA's BasicIgnoredLabels: a node's host, zone and region, and two installers' bookkeeping. */
const BASIC_IGNORED_LABELS = [
  'kubernetes.io/hostname',
  'failure-domain.beta.kubernetes.io/zone',
  'failure-domain.beta.kubernetes.io/region',
  'topology.kubernetes.io/zone',
  'topology.kubernetes.io/region',
  'beta.kubernetes.io/fluentd-ds-ready',
  'kops.k8s.io/instancegroup',
];

/** CA's AWS additions (aws_nodegroups.go): eksctl and EKS group names, CNI custom networking, spot lifecycle, the EBS CSI zone. */
const AWS_IGNORED_LABELS = [
  'alpha.eksctl.io/instance-id',
  'alpha.eksctl.io/nodegroup-name',
  'eks.amazonaws.com/nodegroup',
  'k8s.amazonaws.com/eniConfig',
  'lifecycle',
  'topology.ebs.csi.aws.com/zone',
];

/**
 * Beyond CA: the zone ID label EKS nodes carry. It differs per Availability Zone exactly as the zone
 * label CA ignores does, so without this every per-AZ group on a recent EKS node would look unlike
 * its siblings (CA users pass it with --balancing-ignore-label).
 */
const ZONE_ID_LABEL = 'topology.k8s.aws/zone-id';

export const DEFAULT_BALANCING_IGNORED_LABELS: readonly string[] = [...BASIC_IGNORED_LABELS, ...AWS_IGNORED_LABELS, ZONE_ID_LABEL];

export const MAX_ALLOCATABLE_DIFFERENCE_RATIO = 0.05;
export const MAX_FREE_DIFFERENCE_RATIO = 0.05;
export const MAX_MEMORY_DIFFERENCE_RATIO = 0.015;

/** What the comparison looks at for one group: its node shape, and the room left once DaemonSets land. */
export interface GroupShape {
  labels: Record<string, string>;
  allocatable: Resources;
  free: Resources;
}

function withinRatio(a: number, b: number, ratio: number): boolean {
  const larger = Math.max(a, b);
  const smaller = Math.min(a, b);
  return larger - smaller <= larger * ratio;
}

function sameLabels(a: Record<string, string>, b: Record<string, string>, ignored: ReadonlySet<string>): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((key) => !ignored.has(key)));
  for (const key of keys) {
    if (a[key] === undefined || b[key] === undefined || a[key] !== b[key]) return false;
  }
  return true;
}

export function areSimilarGroups(a: GroupShape, b: GroupShape, extraIgnoredLabels: readonly string[] = []): boolean {
  // The machine: whole cores and pod slots exactly, memory within 1.5 % (CA's capacity rule).
  if (Math.ceil(a.allocatable.cpuMilli / 1000) !== Math.ceil(b.allocatable.cpuMilli / 1000)) return false;
  if (a.allocatable.pods !== b.allocatable.pods) return false;
  if (!withinRatio(a.allocatable.memoryBytes, b.allocatable.memoryBytes, MAX_MEMORY_DIFFERENCE_RATIO)) return false;
  for (const key of Object.keys(a.allocatable) as Array<keyof Resources>) {
    if (!withinRatio(a.allocatable[key], b.allocatable[key], MAX_ALLOCATABLE_DIFFERENCE_RATIO)) return false;
  }
  for (const key of ['cpuMilli', 'memoryBytes'] as const) {
    if (!withinRatio(a.free[key], b.free[key], MAX_FREE_DIFFERENCE_RATIO)) return false;
  }
  return sameLabels(a.labels, b.labels, new Set([...DEFAULT_BALANCING_IGNORED_LABELS, ...extraIgnoredLabels]));
}
