/**
 * What handling interruption notices adds to the node scaler's role: completing a lifecycle action,
 * only on the configured groups, and the two reads that have no resource-level permissions in IAM
 * (which group an instance is in, a hook's heartbeat timeout).
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';

export const NODE_INTERRUPTION_STATEMENT_IDS = {
  complete: 'CompleteConfiguredGroupsLifecycleActions',
  describe: 'DescribeInstancesAndLifecycleHooks',
} as const;

export function grantInterruptionHandling(grantee: IGrantable, groupArns: readonly string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      sid: NODE_INTERRUPTION_STATEMENT_IDS.complete,
      actions: ['autoscaling:CompleteLifecycleAction'],
      resources: [...groupArns],
    }),
  );
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      sid: NODE_INTERRUPTION_STATEMENT_IDS.describe,
      actions: ['autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeLifecycleHooks'],
      resources: ['*'],
    }),
  );
}
