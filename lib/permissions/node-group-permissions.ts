/**
 * The node scaler's Auto Scaling permissions. The two actions that change capacity are limited to
 * the configured groups; the two Describe calls have no resource-level permissions in IAM.
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';

export const NODE_GROUP_STATEMENT_IDS = {
  change: 'ResizeConfiguredNodeGroups',
  describe: 'DescribeNodeGroups',
} as const;

export interface NodeGroupArnInput {
  autoScalingGroupName: string;
  region: string;
  account: string;
  partition: string;
}

/** The group's id in its ARN is assigned at creation, so the name pins the group and the id is `*`. */
export function autoScalingGroupArn(group: NodeGroupArnInput): string {
  return `arn:${group.partition}:autoscaling:${group.region}:${group.account}:autoScalingGroup:*:autoScalingGroupName/${group.autoScalingGroupName}`;
}

export function grantNodeGroupScaling(grantee: IGrantable, groupArns: readonly string[]): void {
  // With only auto-discovered groups there is no named one (their grant is tag-conditioned instead).
  if (groupArns.length > 0) {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({
        sid: NODE_GROUP_STATEMENT_IDS.change,
        actions: ['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup'],
        resources: [...groupArns],
      }),
    );
  }
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      sid: NODE_GROUP_STATEMENT_IDS.describe,
      actions: ['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeScalingActivities'],
      resources: ['*'],
    }),
  );
}
