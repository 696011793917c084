/** What the node scaler asks EKS and EC2 about a group that has no node to copy its shape from. */
import type { InstanceTypeCapacity } from '../../engine/nodes/eks-instance-types';
import type { ManagedNodeGroupFacts } from '../../engine/nodes/managed-node-group';

export interface NodeGroupFactsApi {
  /** The managed node group's labels, taints, instance types and tags (eks:DescribeNodegroup). */
  managedNodeGroup(region: string, clusterName: string, nodegroupName: string): Promise<ManagedNodeGroupFacts>;
  /** Capacity of each type EC2 knows (ec2:DescribeInstanceTypes); a type EC2 does not know is absent. */
  instanceTypes(region: string, types: readonly string[]): Promise<Map<string, InstanceTypeCapacity>>;
}

/** A failed EKS or EC2 read, with the IAM action to grant when access was denied. */
export class NodeGroupFactsError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'NodeGroupFactsError';
  }
}

export function factsError(error: unknown, operation: string, iamAction: string, target: string): NodeGroupFactsError {
  const code = (error as { name?: unknown; code?: unknown })?.code ?? (error as { name?: unknown })?.name;
  const name = typeof code === 'string' ? code : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  const fix = /AccessDenied|UnauthorizedOperation|AuthFailure/.test(name)
    ? `; grant ${iamAction} to the node scaler's role`
    : /Throttl|RequestLimitExceeded/.test(name)
      ? '; the account is throttled: retried next invocation (answers are cached, so this is rare)'
      : '; retried next invocation; until then the group is planned from its ASG tags and the built-in instance-type table';
  return new NodeGroupFactsError(`${operation} for ${target} failed: ${name}: ${message}${fix}`, name);
}
