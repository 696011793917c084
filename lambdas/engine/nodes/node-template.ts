/**
 * The shape of a node the group would launch: copied from a node the group already has, or, for a
 * group at zero, built from Cluster Autoscaler's `k8s.io/cluster-autoscaler/node-template/*` ASG
 * tags plus the EKS facts of the instance type.
 */
import type { ExtendedResources, NodeInfo, NodeTemplate, Taint, TaintEffect } from './node-model';
import { count, cpuMillis, memoryBytes } from './quantities';
import { eksAllocatableOf } from './eks-instance-types';
import { INTERRUPTION_TAINT } from './interruption-notice';
import type { TemplateFacts } from './managed-node-group';
import { capacityOf } from './managed-node-group';

export const TEMPLATE_TAG_PREFIX = 'k8s.io/cluster-autoscaler/node-template/';
/** The taint the node scaler puts on a node it drains (like CA's ToBeDeletedByClusterAutoscaler). */
export const TO_BE_DELETED_TAINT = 'eks-lambda-scaler.io/to-be-deleted';

/** Taints a node carries for its current condition, not for its kind; a fresh node will not have them. */
const TRANSIENT_TAINTS = new Set([
  TO_BE_DELETED_TAINT,
  INTERRUPTION_TAINT,
  'ToBeDeletedByClusterAutoscaler',
  'DeletionCandidateOfClusterAutoscaler',
  'node.kubernetes.io/unschedulable',
  'node.kubernetes.io/not-ready',
  'node.kubernetes.io/unreachable',
  'node.kubernetes.io/network-unavailable',
  'node.cloudprovider.kubernetes.io/uninitialized',
]);

/** Labels that name one particular node. */
const NODE_SPECIFIC_LABELS = new Set(['kubernetes.io/hostname']);

export function templateFromNode(node: NodeInfo): NodeTemplate {
  const labels = Object.fromEntries(Object.entries(node.labels).filter(([key]) => !NODE_SPECIFIC_LABELS.has(key)));
  return {
    labels,
    taints: node.taints.filter((taint) => !TRANSIENT_TAINTS.has(taint.key)),
    allocatable: { ...node.allocatable },
    ...(node.extendedAllocatable ? { extendedAllocatable: { ...node.extendedAllocatable } } : {}),
    source: `node ${node.name}`,
  };
}

const EFFECTS: readonly TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export type TemplateResult = { template: NodeTemplate } | { error: string };

/** `resources/<name>` tags the bin-packing compares as cpu/memory/pods, or does not model (ephemeral-storage). */
const CORE_RESOURCES = new Set(['cpu', 'memory', 'pods', 'ephemeral-storage']);
export const ZONE_LABEL = 'topology.kubernetes.io/zone';
export const REGION_LABEL = 'topology.kubernetes.io/region';
const NVIDIA_GPU = 'nvidia.com/gpu';

/** Tag-style `<value>:<effect>` parsed into a taint; an error message when the effect is not one of Kubernetes'. */
function taintFromTag(key: string, name: string, value: string): Taint | string {
  // CA's format: "<value>:<effect>", the value may be empty.
  const colon = value.lastIndexOf(':');
  const effect = (colon >= 0 ? value.slice(colon + 1) : value) as TaintEffect;
  if (!EFFECTS.includes(effect)) return `tag ${key}="${value}": the taint effect must be one of ${EFFECTS.join(', ')} (format "<value>:<effect>")`;
  const taintValue = colon >= 0 ? value.slice(0, colon) : '';
  return taintValue ? { key: name, value: taintValue, effect } : { key: name, effect };
}

/** `k8s.io/cluster-autoscaler/node-template/<kind>/<name>` tags split by kind. */
function templateTags(tags: Record<string, string>): { labels: Record<string, string>; taints: Taint[]; resources: Record<string, string> } | { error: string } {
  const labels: Record<string, string> = {};
  const taints: Taint[] = [];
  const resources: Record<string, string> = {};
  for (const [key, value] of Object.entries(tags)) {
    if (!key.startsWith(TEMPLATE_TAG_PREFIX)) continue;
    const rest = key.slice(TEMPLATE_TAG_PREFIX.length);
    const slash = rest.indexOf('/');
    if (slash < 0) continue;
    const kind = rest.slice(0, slash);
    const name = rest.slice(slash + 1);
    if (kind === 'label') labels[name] = value;
    else if (kind === 'resources') resources[name] = value;
    else if (kind === 'taint') {
      const taint = taintFromTag(key, name, value);
      if (typeof taint === 'string') return { error: taint };
      taints.push(taint);
    }
  }
  return { labels, taints, resources };
}

/**
 * A template from the group's tags, completed by what EKS and EC2 say (`facts`), in Cluster
 * Autoscaler's order (aws_manager.go buildNodeFromTemplate): the ASG's label tags win over the
 * managed node group's labels; the node group's taints are added to the ASG's; the node group's
 * `resources/*` tags win over the ASG's; capacity not given by any tag comes from the instance type
 * (DescribeInstanceTypes, else the built-in table). `instanceType` is the group's smallest type
 * (managed-node-group.ts smallestInstanceType); the `label/node.kubernetes.io/instance-type` tag
 * wins when present. `zone` is the group's first Availability Zone, as CA's AWS provider places its
 * template node there; a `label/topology.kubernetes.io/zone` tag wins.
 */
export function templateFromTags(tags: Record<string, string>, instanceType: string | undefined, facts?: TemplateFacts, zone?: string): TemplateResult {
  const fromAsg = templateTags(tags);
  if ('error' in fromAsg) return fromAsg;
  const managed = facts?.managed;
  const fromNodeGroup = managed ? templateTags(managed.tags) : undefined;
  if (fromNodeGroup && 'error' in fromNodeGroup) return { error: `managed node group ${managed!.nodegroupName}: ${fromNodeGroup.error}` };
  const labels: Record<string, string> = { ...fromAsg.labels };
  const taints: Taint[] = [...fromAsg.taints];
  const resources: Record<string, string> = { ...fromAsg.resources, ...fromNodeGroup?.resources };
  if (managed) {
    // The labels EKS puts on every node of the group, which selectors commonly name.
    const nodeGroupLabels: Record<string, string> = { 'eks.amazonaws.com/nodegroup': managed.nodegroupName, ...managed.labels };
    if (managed.capacityType) nodeGroupLabels['eks.amazonaws.com/capacityType'] = managed.capacityType;
    for (const [key, value] of Object.entries(nodeGroupLabels)) labels[key] ??= value;
    for (const taint of managed.taints) {
      if (!taints.some((known) => known.key === taint.key && known.effect === taint.effect)) taints.push(taint);
    }
  }
  if (zone) {
    labels[ZONE_LABEL] ??= zone;
    // us-east-1a → us-east-1 (Local and Wavelength zones are longer: their region is the name's first three parts).
    labels[REGION_LABEL] ??= zone.split('-').slice(0, 3).join('-').replace(/[a-z]$/, '');
  }
  const type = labels['node.kubernetes.io/instance-type'] ?? instanceType;
  if (type) labels['node.kubernetes.io/instance-type'] ??= type;
  const capacity = type ? capacityOf(type, facts) : undefined;
  // Every EKS node carries these; Helm charts commonly select on kubernetes.io/os.
  if (capacity) {
    labels['kubernetes.io/os'] ??= 'linux';
    if (capacity.architecture) labels['kubernetes.io/arch'] ??= capacity.architecture;
  }
  const fromType = capacity ? eksAllocatableOf(capacity) : undefined;
  const source =
    `ASG tags${managed ? `, managed node group ${managed.nodegroupName}` : ''}` +
    (type ? ` and instance type ${type}${facts?.instanceTypes?.has(type) ? ' (DescribeInstanceTypes)' : ''}` : '');
  try {
    const cpu = resources.cpu !== undefined ? cpuMillis(resources.cpu) : fromType?.cpuMilli;
    const memory = resources.memory !== undefined ? memoryBytes(resources.memory) : fromType?.memoryBytes;
    const pods = resources.pods !== undefined ? count(resources.pods) : fromType?.pods;
    const missing = [cpu === undefined && 'cpu', memory === undefined && 'memory', pods === undefined && 'pods'].filter(Boolean);
    if (cpu === undefined || memory === undefined || pods === undefined) {
      return {
        error:
          `the group has no node to copy its shape from and its instance type ${type ? `"${type}" is neither known to EC2's DescribeInstanceTypes answer nor in the EKS table` : 'is unknown'}; ` +
          `add the ASG tags ${missing.map((name) => `${TEMPLATE_TAG_PREFIX}resources/${name}`).join(', ')}` +
          (type ? '' : ` or ${TEMPLATE_TAG_PREFIX}label/node.kubernetes.io/instance-type`),
      };
    }
    // Other `resources/<name>` tags (`nvidia.com/gpu`: "4") become extended resources, as CA reads them.
    const extended: ExtendedResources = {};
    for (const [name, raw] of Object.entries(resources)) {
      if (CORE_RESOURCES.has(name)) continue;
      extended[name] = count(raw);
    }
    // GPUs of the instance type (DescribeInstanceTypes), as CA's template node gets them; a resources tag wins.
    if (capacity?.nvidiaGpus) extended[NVIDIA_GPU] ??= capacity.nvidiaGpus;
    return {
      template: {
        labels,
        taints,
        allocatable: { cpuMilli: cpu, memoryBytes: memory, pods },
        ...(Object.keys(extended).length > 0 ? { extendedAllocatable: extended } : {}),
        source,
      },
    };
  } catch (error) {
    return { error: `tag ${TEMPLATE_TAG_PREFIX}resources/*: ${(error as Error).message}` };
  }
}
