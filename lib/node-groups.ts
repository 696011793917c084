/**
 * The Auto Scaling Groups the node scaler sizes, given by name or as an aws-autoscaling
 * `IAutoScalingGroup`, resolved to the configuration the node scaler ships with and the ARN its
 * IAM policy names.
 */
import { Token } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import type { IAutoScalingGroup } from 'aws-cdk-lib/aws-autoscaling';
import type { NodeGroupConfig } from '../lambdas/config/scaler-config';
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
