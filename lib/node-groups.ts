/**
 * The Auto Scaling Groups the node scaler sizes, given by name or as an aws-autoscaling
 * `IAutoScalingGroup`, resolved to the configuration the node scaler ships with and the ARN its
 * IAM policy names.
 */
import { Token } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import type { IAutoScalingGroup } from 'aws-cdk-lib/aws-autoscaling';
import type { NodeGroupConfig, NodeGroupDiscoveryConfig } from '../lambdas/config/scaler-config';
import { discoveryEntryProblem } from '../lambdas/engine/nodes/node-group-discovery';
import { autoScalingGroupArn } from './permissions/node-group-permissions';
import { partitionOf } from './resolved-cluster';
import type { ResolvedCluster } from './resolved-cluster';

/** The node scaler's knobs for one group, without the group itself. */
export type NodeGroupOptions = Readonly<Omit<NodeGroupConfig, 'autoScalingGroupName'>>;

/** A group by name, as in the configuration. */
export interface NamedNodeGroup extends NodeGroupOptions {
  readonly autoScalingGroupName: string;
}

/** A group as a construct (`AutoScalingGroup.fromAutoScalingGroupName(...)`, or your own with a literal name). */
export interface NodeGroupFromConstruct extends NodeGroupOptions {
  readonly autoScalingGroup: IAutoScalingGroup;
}

export type NodeGroupProps = NamedNodeGroup | NodeGroupFromConstruct;

export interface ResolvedNodeGroup {
  readonly config: NodeGroupConfig;
  /** The ARN SetDesiredCapacity and TerminateInstanceInAutoScalingGroup are limited to. */
  readonly arn: string;
}

export function resolveNodeGroups(groups: readonly NodeGroupProps[], clusters: readonly ResolvedCluster[], stack: Stack): ResolvedNodeGroup[] {
  return groups.map((group) => {
    if ('autoScalingGroup' in group) {
      const { autoScalingGroup, ...options } = group;
      const name = autoScalingGroup.autoScalingGroupName;
      if (Token.isUnresolved(name)) {
        // The node scaler finds its groups by the names in its bundled configuration.
        throw new Error(
          `eks-lambda-scaler: nodeGroups: ${autoScalingGroup.node.path} has no literal autoScalingGroupName (it is a token until deployment): set autoScalingGroupName on the AutoScalingGroup, or give { autoScalingGroupName: '...' } instead`,
        );
      }
      return { config: { ...options, autoScalingGroupName: name }, arn: autoScalingGroup.autoScalingGroupArn };
    }
    const config: NodeGroupConfig = { ...group };
    const region = clusters.find((candidate) => candidate.name === group.cluster)?.region ?? stack.region;
    return {
      config,
      arn: autoScalingGroupArn({ autoScalingGroupName: group.autoScalingGroupName, region, account: stack.account, partition: partitionOf(region) }),
    };
  });
}

/**
 * `nodeGroupDiscovery` checked at synth: each entry's cluster is one of the construct's, its tags
 * are AWS tags. Throws with every problem, naming the entry, the field and the fix.
 */
export function resolveNodeGroupDiscovery(entries: readonly NodeGroupDiscoveryConfig[], clusters: readonly ResolvedCluster[]): NodeGroupDiscoveryConfig[] {
  const problems: string[] = [];
  entries.forEach((entry, index) => {
    const problem = discoveryEntryProblem(entry, index);
    if (problem) problems.push(problem);
    else if (!clusters.some((cluster) => cluster.name === entry.cluster)) {
      problems.push(`nodeGroupDiscovery[${index}].cluster: "${entry.cluster}" is not in the construct's clusters (${clusters.map((cluster) => cluster.name).join(', ')}): use one of them or add it`);
    }
  });
  if (problems.length > 0) throw new Error(`eks-lambda-scaler: invalid node group discovery; nothing was deployed:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
  return entries.map((entry) => ({ ...entry, ...(entry.tags ? { tags: { ...entry.tags } } : {}) }));
}
