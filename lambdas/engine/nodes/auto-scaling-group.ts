/** An EC2 Auto Scaling Group as the planner sees it (the adapter fills it from DescribeAutoScalingGroups/-ScalingActivities). */
export interface AsgInstance {
  instanceId: string;
  /** Pending, Pending:Wait, InService, Terminating, Standby... */
  lifecycleState: string;
  instanceType?: string;
}

export interface ScalingActivity {
  id: string;
  /** Successful, Failed, Cancelled, InProgress... */
  statusCode: string;
  startedAt: number;
  description: string;
  statusMessage?: string;
}

export interface AutoScalingGroupInfo {
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  instances: AsgInstance[];
  tags: Record<string, string>;
  /** Instance types from the mixed-instances overrides, then from the group's running instances (the launch template itself is not read). */
  instanceTypes: string[];
  /** Recent scaling activities, newest first. */
  activities: ScalingActivity[];
  /** The group's Availability Zones (DescribeAutoScalingGroups gives them at no extra call): a node made from tags is placed in the first, as CA does. */
  availabilityZones?: string[];
}

/** Instances that are, or will be, part of the group's capacity. */
export function isLiveInstance(instance: AsgInstance): boolean {
  return !/^(Terminat|Detach|Warmed)/.test(instance.lifecycleState) && instance.lifecycleState !== 'Standby';
}

/** Cluster Autoscaler's auto-discovery tags: `k8s.io/cluster-autoscaler/enabled` and `k8s.io/cluster-autoscaler/<cluster>`. */
export function clusterAutoscalerTags(tags: Record<string, string>, cluster: string): string[] {
  return Object.keys(tags).filter((key) => key === 'k8s.io/cluster-autoscaler/enabled' || key === `k8s.io/cluster-autoscaler/${cluster}`);
}
