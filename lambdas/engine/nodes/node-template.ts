/**
 * The shape of a node the group would launch: copied from a node the group already has, or, for a
 * group at zero, built from Cluster Autoscaler's `k8s.io/cluster-autoscaler/node-template/*` ASG
 * tags plus the EKS facts of the instance type.
 */
import type { ExtendedResources, NodeInfo, NodeTemplate, Taint, TaintEffect } from './node-model';
import { count, cpuMillis, memoryBytes } from './quantities';
import { eksAllocatable } from './eks-instance-types';

export const TEMPLATE_TAG_PREFIX = 'k8s.io/cluster-autoscaler/node-template/';
/** The taint the node scaler puts on a node it drains (like CA's ToBeDeletedByClusterAutoscaler). */
export const TO_BE_DELETED_TAINT = 'eks-lambda-scaler.io/to-be-deleted';

/** Taints a node carries for its current condition, not for its kind; a fresh node will not have them. */
const TRANSIENT_TAINTS = new Set([
  TO_BE_DELETED_TAINT,
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

/**
 * A template from the group's tags. `instanceType` comes from the mixed-instances overrides or a
 * running instance (the launch template is not read); the `label/node.kubernetes.io/instance-type` tag wins when present.
 * `zone` is the group's first Availability Zone, as CA's AWS provider places its template node there;
 * a `label/topology.kubernetes.io/zone` tag wins. Other `resources/<name>` tags (`nvidia.com/gpu`: "4")
 * become extended resources, as CA reads them.
 */
export function templateFromTags(tags: Record<string, string>, instanceType: string | undefined, zone?: string): TemplateResult {
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
      // CA's format: "<value>:<effect>", the value may be empty.
      const colon = value.lastIndexOf(':');
      const effect = (colon >= 0 ? value.slice(colon + 1) : value) as TaintEffect;
      if (!EFFECTS.includes(effect)) {
        return { error: `tag ${key}="${value}": the taint effect must be one of ${EFFECTS.join(', ')} (format "<value>:<effect>")` };
      }
      const taintValue = colon >= 0 ? value.slice(0, colon) : '';
      taints.push(taintValue ? { key: name, value: taintValue, effect } : { key: name, effect });
    }
  }
  if (zone) {
    labels[ZONE_LABEL] ??= zone;
    // us-east-1a → us-east-1 (Local and Wavelength zones are longer: their region is the name's first three parts).
    labels[REGION_LABEL] ??= zone.split('-').slice(0, 3).join('-').replace(/[a-z]$/, '');
  }
  const type = labels['node.kubernetes.io/instance-type'] ?? instanceType;
  if (type) labels['node.kubernetes.io/instance-type'] ??= type;
  const fromType = type ? eksAllocatable(type) : undefined;
  try {
    const cpu = resources.cpu !== undefined ? cpuMillis(resources.cpu) : fromType?.cpuMilli;
    const memory = resources.memory !== undefined ? memoryBytes(resources.memory) : fromType?.memoryBytes;
    const pods = resources.pods !== undefined ? count(resources.pods) : fromType?.pods;
    const missing = [cpu === undefined && 'cpu', memory === undefined && 'memory', pods === undefined && 'pods'].filter(Boolean);
    if (cpu === undefined || memory === undefined || pods === undefined) {
      return {
        error:
          `the group has no node to copy its shape from and its instance type ${type ? `"${type}" is not in the EKS table` : 'is unknown'}; ` +
          `add the ASG tags ${missing.map((name) => `${TEMPLATE_TAG_PREFIX}resources/${name}`).join(', ')}` +
          (type ? '' : ` or ${TEMPLATE_TAG_PREFIX}label/node.kubernetes.io/instance-type`),
      };
    }
    const extended: ExtendedResources = {};
    for (const [name, raw] of Object.entries(resources)) {
      if (CORE_RESOURCES.has(name)) continue;
      extended[name] = count(raw);
    }
    return {
      template: {
        labels,
        taints,
        allocatable: { cpuMilli: cpu, memoryBytes: memory, pods },
        ...(Object.keys(extended).length > 0 ? { extendedAllocatable: extended } : {}),
        source: `ASG tags${type ? ` and instance type ${type}` : ''}`,
      },
    };
  } catch (error) {
    return { error: `tag ${TEMPLATE_TAG_PREFIX}resources/*: ${(error as Error).message}` };
  }
}
