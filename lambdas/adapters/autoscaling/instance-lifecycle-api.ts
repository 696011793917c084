/**
 * What the interruption handler needs from EC2 Auto Scaling, as a small interface: which group an
 * instance belongs to, a termination hook's heartbeat timeout, and completing a lifecycle action.
 */

export type LifecycleCompletion =
  | { outcome: 'completed' }
  /** Auto Scaling knows no pending action for this token: completed before (a redelivered event) or timed out. */
  | { outcome: 'not-pending'; message: string };

export interface CompleteLifecycleActionInput {
  autoScalingGroupName: string;
  hookName: string;
  token: string;
  instanceId: string;
}

export interface InstanceLifecycleApi {
  /** The Auto Scaling group the instance is in, or undefined when it is in none (or no longer exists). */
  groupOfInstance(instanceId: string): Promise<string | undefined>;
  /** The hook's HeartbeatTimeout in seconds, or undefined when the group has no such hook. */
  heartbeatTimeoutSeconds(autoScalingGroupName: string, hookName: string): Promise<number | undefined>;
  /** CompleteLifecycleAction with result CONTINUE: the instance terminates now. */
  continueLifecycleAction(input: CompleteLifecycleActionInput): Promise<LifecycleCompletion>;
}
