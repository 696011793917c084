/** InstanceLifecycleApi over @aws-sdk/client-auto-scaling. */
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CompleteLifecycleActionCommand, DescribeAutoScalingInstancesCommand, DescribeLifecycleHooksCommand } from '@aws-sdk/client-auto-scaling';
import { AutoScalingApiError } from './auto-scaling-group-api';
import { errorName, translate } from './aws-auto-scaling-group-api';
import type { CompleteLifecycleActionInput, InstanceLifecycleApi, LifecycleCompletion } from './instance-lifecycle-api';

export class AwsInstanceLifecycleApi implements InstanceLifecycleApi {
  constructor(private readonly client: AutoScalingClient) {}

  async groupOfInstance(instanceId: string): Promise<string | undefined> {
    let response;
    try {
      response = await this.client.send(new DescribeAutoScalingInstancesCommand({ InstanceIds: [instanceId] }));
    } catch (error) {
      throw translate(error, 'DescribeAutoScalingInstances', 'autoscaling:DescribeAutoScalingInstances', instanceId);
    }
    if (!Array.isArray(response.AutoScalingInstances)) {
      throw new AutoScalingApiError(`Auto Scaling DescribeAutoScalingInstances for ${instanceId}: the answer has no AutoScalingInstances list, so it is not Auto Scaling's (a proxy or endpoint override answering instead?)`, 'MalformedResponse');
    }
    return response.AutoScalingInstances.find((instance) => instance.InstanceId === instanceId)?.AutoScalingGroupName;
  }

  async heartbeatTimeoutSeconds(autoScalingGroupName: string, hookName: string): Promise<number | undefined> {
    let response;
    try {
      response = await this.client.send(new DescribeLifecycleHooksCommand({ AutoScalingGroupName: autoScalingGroupName, LifecycleHookNames: [hookName] }));
    } catch (error) {
      throw translate(error, 'DescribeLifecycleHooks', 'autoscaling:DescribeLifecycleHooks', `hook ${hookName} of ${autoScalingGroupName}`);
    }
    const timeout = (response.LifecycleHooks ?? []).find((hook) => hook.LifecycleHookName === hookName)?.HeartbeatTimeout;
    // A hook without a number would make a made-up notice length: treated as unknown, never as 0.
    return typeof timeout === 'number' && Number.isFinite(timeout) && timeout > 0 ? timeout : undefined;
  }

  async continueLifecycleAction(input: CompleteLifecycleActionInput): Promise<LifecycleCompletion> {
    try {
      await this.client.send(
        new CompleteLifecycleActionCommand({
          AutoScalingGroupName: input.autoScalingGroupName,
          LifecycleHookName: input.hookName,
          LifecycleActionToken: input.token,
          InstanceId: input.instanceId,
          LifecycleActionResult: 'CONTINUE',
        }),
      );
      return { outcome: 'completed' };
    } catch (error) {
      // Auto Scaling answers ValidationError ("No active Lifecycle Action found with token ...") for
      // an action already completed or timed out: the redelivered event's work is done.
      if (errorName(error) === 'ValidationError') return { outcome: 'not-pending', message: error instanceof Error ? error.message : String(error) };
      throw translate(error, 'CompleteLifecycleAction', 'autoscaling:CompleteLifecycleAction', `group ${input.autoScalingGroupName}`);
    }
  }
}
