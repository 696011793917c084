/** What the node scaler needs from EC2 Auto Scaling, as a small interface. */
import type { AutoScalingGroupInfo } from '../../engine/nodes/auto-scaling-group';

export interface AutoScalingGroupApi {
  /** The named groups with their instances, tags and recent scaling activities; missing groups are absent. */
  describeGroups(names: readonly string[]): Promise<Map<string, AutoScalingGroupInfo>>;
  /** Raises (or sets) desired capacity without honoring the ASG cooldown, as Cluster Autoscaler does. */
  setDesiredCapacity(groupName: string, desiredCapacity: number): Promise<void>;
  /** Terminates the instance and decrements desired capacity, so the ASG does not replace it. */
  terminateInstance(instanceId: string): Promise<void>;
}

/** An Auto Scaling failure with the IAM action to grant when access was denied. */
export class AutoScalingApiError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'AutoScalingApiError';
  }
}
