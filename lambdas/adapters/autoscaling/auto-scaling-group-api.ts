/** What the node scaler needs from EC2 Auto Scaling, as a small interface. */
import type { AutoScalingGroupInfo } from '../../engine/nodes/auto-scaling-group';

/**
 * A group read per name: its description, or the error that makes this one group unusable this
 * tick (an answer missing a number, its activities unreadable). One group's bad answer never
 * fails the others.
 */
export type DescribedGroup = AutoScalingGroupInfo | AutoScalingApiError;

export interface AutoScalingGroupApi {
  /**
   * The named groups with their instances, tags and recent scaling activities; missing groups are
   * absent. Rejects only when the batch call itself fails (then no group can be read).
   */
  describeGroups(names: readonly string[]): Promise<Map<string, DescribedGroup>>;
  /**
   * The groups that carry every tag ('' matches any value), described as `describeGroups` does
   * (node-group auto-discovery). Optional: a model without it cannot discover groups.
   */
  describeGroupsByTags?(tags: Readonly<Record<string, string>>): Promise<Map<string, DescribedGroup>>;
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
