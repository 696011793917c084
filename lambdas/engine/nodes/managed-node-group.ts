/**
 * What EKS and EC2 say about a group that has no node to copy its shape from: the managed node
 * group's labels, taints and instance types (eks:DescribeNodegroup) and each instance type's capacity
 * (ec2:DescribeInstanceTypes). The adapters fill these; the template (node-template.ts) uses them
 * where the ASG's own node-template tags are silent, so a managed node group scales from zero with
 * no hand-written tags.
 */
import type { InstanceTypeCapacity } from './eks-instance-types';
import { eksMaxPodsOf, tableCapacity } from './eks-instance-types';
import type { Taint } from './node-model';

/** Tags EKS puts on the ASG of every managed node group. */
export const EKS_NODEGROUP_TAG = 'eks:nodegroup-name';
export const EKS_CLUSTER_TAG = 'eks:cluster-name';

export interface ManagedNodeGroupFacts {
  clusterName: string;
  nodegroupName: string;
  /** The node group's Kubernetes labels, as every node it launches carries them. */
  labels: Record<string, string>;
  taints: Taint[];
  instanceTypes: string[];
  /** ON_DEMAND or SPOT; nodes carry it as `eks.amazonaws.com/capacityType`. */
  capacityType?: string;
  /** The node group's own AWS tags; CA reads `k8s.io/cluster-autoscaler/node-template/resources/*` from them too. */
  tags: Record<string, string>;
}

export interface TemplateFacts {
  managed?: ManagedNodeGroupFacts;
  /** DescribeInstanceTypes answers by type; a type absent here falls back to the built-in table. */
  instanceTypes?: ReadonlyMap<string, InstanceTypeCapacity>;
}

/** The managed node group behind an ASG, from the tags EKS sets on it; undefined for a self-managed group. */
export function managedNodeGroupRef(tags: Record<string, string>, fallbackCluster: string): { clusterName: string; nodegroupName: string } | undefined {
  const nodegroupName = tags[EKS_NODEGROUP_TAG];
  if (!nodegroupName) return undefined;
  return { clusterName: tags[EKS_CLUSTER_TAG] || fallbackCluster, nodegroupName };
}

/** A type's capacity: EC2's answer first, then the built-in table. */
export function capacityOf(instanceType: string, facts: TemplateFacts | undefined): InstanceTypeCapacity | undefined {
  return facts?.instanceTypes?.get(instanceType) ?? tableCapacity(instanceType);
}

/**
 * The type to plan a fresh node with when a group may launch several (a mixed-instances policy, or a
 * managed node group with several instance types): the smallest known one, by vCPUs, then memory,
 * then max pods, so a pod the plan places fits whichever type the ASG launches. Unknown types are
 * passed over; when none is known, the first candidate (the error then names it).
 */
export function smallestInstanceType(candidates: readonly string[], facts: TemplateFacts | undefined): string | undefined {
  const known = candidates
    .map((type) => ({ type, capacity: capacityOf(type, facts) }))
    .filter((entry): entry is { type: string; capacity: InstanceTypeCapacity } => entry.capacity !== undefined);
  if (known.length === 0) return candidates[0];
  const size = (capacity: InstanceTypeCapacity) => [capacity.vcpu, capacity.memoryMiB, eksMaxPodsOf(capacity)];
  known.sort((a, b) => {
    const [x, y] = [size(a.capacity), size(b.capacity)];
    for (let index = 0; index < x.length; index += 1) if (x[index] !== y[index]) return x[index]! - y[index]!;
    return a.type.localeCompare(b.type);
  });
  return known[0]!.type;
}
