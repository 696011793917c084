/**
 * What the node scaler needs beyond the named groups: reading managed node groups and instance types
 * for groups at zero, and resizing the groups auto-discovery finds. A discovered group's name is not
 * known at synth, so its two capacity-changing actions are scoped by the group's tags instead (the
 * `aws:ResourceTag/<key>` condition, which Auto Scaling evaluates on SetDesiredCapacity and
 * TerminateInstanceInAutoScalingGroup), to exactly the tags discovery selects on.
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { NodeGroupDiscoveryConfig } from '../../lambdas/config/scaler-config';
import { discoveryTags } from '../../lambdas/engine/nodes/node-group-discovery';
import type { ResolvedCluster } from '../resolved-cluster';

export const NODE_GROUP_FACTS_STATEMENT_IDS = {
  nodegroups: 'DescribeManagedNodeGroups',
  instanceTypes: 'DescribeInstanceTypes',
  discovered: 'ResizeDiscoveredNodeGroups',
} as const;

/** Every managed node group of a cluster: `nodegroup/<cluster>/<node group>/<uuid>`. */
export function managedNodeGroupArn(cluster: ResolvedCluster, account: string): string {
  return `arn:${cluster.partition}:eks:${cluster.region}:${account}:nodegroup/${cluster.name}/*/*`;
}

/** Any Auto Scaling group of the cluster's region (the tag condition does the scoping). */
export function discoveredGroupsArn(cluster: ResolvedCluster, account: string): string {
  return `arn:${cluster.partition}:autoscaling:${cluster.region}:${account}:autoScalingGroup:*:autoScalingGroupName/*`;
}

/** The IAM condition that holds only for a group carrying every discovery tag. */
export function discoveryCondition(entry: NodeGroupDiscoveryConfig): Record<string, Record<string, string>> {
  const equals: Record<string, string> = {};
  const present: Record<string, string> = {};
  for (const [key, value] of Object.entries(discoveryTags(entry))) {
    if (value === '') present[`aws:ResourceTag/${key}`] = '*';
    else equals[`aws:ResourceTag/${key}`] = value;
  }
  return { ...(Object.keys(equals).length > 0 ? { StringEquals: equals } : {}), ...(Object.keys(present).length > 0 ? { StringLike: present } : {}) };
}

export function grantNodeGroupFacts(grantee: IGrantable, clusters: readonly ResolvedCluster[], account: string): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({ sid: NODE_GROUP_FACTS_STATEMENT_IDS.nodegroups, actions: ['eks:DescribeNodegroup'], resources: clusters.map((cluster) => managedNodeGroupArn(cluster, account)) }),
  );
  // DescribeInstanceTypes has no resource-level permissions in IAM.
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ sid: NODE_GROUP_FACTS_STATEMENT_IDS.instanceTypes, actions: ['ec2:DescribeInstanceTypes'], resources: ['*'] }));
}

export function grantDiscoveredNodeGroupScaling(grantee: IGrantable, entries: readonly NodeGroupDiscoveryConfig[], clusters: readonly ResolvedCluster[], account: string): string[] {
  const arns: string[] = [];
  entries.forEach((entry, index) => {
    const cluster = clusters.find((candidate) => candidate.name === entry.cluster);
    if (!cluster) return;
    const arn = discoveredGroupsArn(cluster, account);
    arns.push(arn);
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: `${NODE_GROUP_FACTS_STATEMENT_IDS.discovered}${index}`,
        actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
        resources: [arn],
        conditions: discoveryCondition(entry),
      }),
    );
  });
  return [...new Set(arns)];
}
