/**
 * AutoScalingGroupApi over @aws-sdk/client-auto-scaling. Groups are described in batches of 100
 * names (one call for many groups, against API throttling); scaling activities are read per group,
 * only the most recent ones, to notice failed launches early.
 */
import type { AutoScalingClient, AutoScalingGroup } from '@aws-sdk/client-auto-scaling';
import {
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import type { AutoScalingGroupInfo, ScalingActivity } from '../../engine/nodes/auto-scaling-group';
import type { AutoScalingGroupApi, DescribedGroup } from './auto-scaling-group-api';
import { AutoScalingApiError } from './auto-scaling-group-api';

// Also the page size asked for: DescribeAutoScalingGroups answers 50 groups a page unless MaxRecords
// says otherwise (100 at most), so without it every 100 names would cost two calls.
const NAMES_PER_CALL = 100;
const ACTIVITIES_PER_GROUP = 20;

export function errorName(error: unknown): string {
  const name = (error as { name?: unknown })?.name;
  return typeof name === 'string' ? name : 'Error';
}

/** An Auto Scaling SDK error as an AutoScalingApiError naming the operation, the target and the fix (also used by aws-instance-lifecycle-api.ts). */
export function translate(error: unknown, operation: string, iamAction: string, target: string): AutoScalingApiError {
  const code = errorName(error);
  const message = error instanceof Error ? error.message : String(error);
  const fix = /AccessDenied|UnauthorizedOperation/.test(code)
    ? `; grant ${iamAction} on ${target} to the node scaler's role`
    : /Throttl|RequestLimitExceeded/.test(code)
      ? "; Auto Scaling throttled the account's calls (every tool calling Auto Scaling in this account and region shares the limit): retried next invocation"
      : '; retried next invocation; if it persists, check that the Lambda reaches the Auto Scaling endpoint and the AWS Health Dashboard';
  return new AutoScalingApiError(`Auto Scaling ${operation} for ${target} failed: ${code}: ${message}${fix}`, code);
}

/** An answer that parsed but lacks what every real answer has (a proxy's or a foreign server's page). */
function malformed(list: string): Error {
  return Object.assign(new Error(`the answer has no ${list} list, so it is not Auto Scaling's (a proxy or endpoint override answering instead?)`), { name: 'MalformedResponse' });
}

function instanceTypesOf(group: AutoScalingGroup): string[] {
  const overrides = group.MixedInstancesPolicy?.LaunchTemplate?.Overrides ?? [];
  const fromOverrides = overrides.map((override) => override.InstanceType).filter((type): type is string => Boolean(type));
  const fromInstances = (group.Instances ?? []).map((instance) => instance.InstanceType).filter((type): type is string => Boolean(type));
  return [...new Set([...fromOverrides, ...fromInstances])];
}

/**
 * The group's size fields as numbers. An answer without one (a truncated or foreign response) is an
 * error for the group: read as 0 it would size the group to nothing (a 3-node group set to 1).
 */
function sizesOf(group: AutoScalingGroup): Pick<AutoScalingGroupInfo, 'minSize' | 'maxSize' | 'desiredCapacity'> | AutoScalingApiError {
  const fields = { MinSize: group.MinSize, MaxSize: group.MaxSize, DesiredCapacity: group.DesiredCapacity };
  for (const [field, value] of Object.entries(fields)) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      return new AutoScalingApiError(
        `Auto Scaling group ${group.AutoScalingGroupName}: DescribeAutoScalingGroups answered with no ${field} (got ${JSON.stringify(value) ?? 'nothing'}); ` +
          'the group is left alone this tick rather than sized from a made-up 0; if it repeats, check what answers for Auto Scaling (endpoint override, proxy)',
        'MalformedResponse',
      );
    }
  }
  return { minSize: fields.MinSize!, maxSize: fields.MaxSize!, desiredCapacity: fields.DesiredCapacity! };
}

export class AwsAutoScalingGroupApi implements AutoScalingGroupApi {
  constructor(private readonly client: AutoScalingClient) {}

  async describeGroups(names: readonly string[]): Promise<Map<string, DescribedGroup>> {
    const groups = new Map<string, DescribedGroup>();
    for (let start = 0; start < names.length; start += NAMES_PER_CALL) {
      const batch = names.slice(start, start + NAMES_PER_CALL);
      await this.describePages({ AutoScalingGroupNames: batch }, batch.join(', '), groups);
    }
    await this.addActivities(groups);
    return groups;
  }

  /**
   * Groups that carry every tag (a value of '' matches any value), as Cluster Autoscaler's
   * auto-discovery asks for them (aws_wrapper.go getAutoscalingGroupsByTags: a `tag-key` filter, or
   * `tag:<key>` with the value). The answer is checked against the tags again, so a group is never
   * sized because an endpoint ignored a filter.
   */
  async describeGroupsByTags(tags: Readonly<Record<string, string>>): Promise<Map<string, DescribedGroup>> {
    const filters = Object.entries(tags).map(([key, value]) => (value === '' ? { Name: 'tag-key', Values: [key] } : { Name: `tag:${key}`, Values: [value] }));
    const found = new Map<string, DescribedGroup>();
    const target = `the groups tagged ${Object.entries(tags).map(([key, value]) => (value === '' ? key : `${key}=${value}`)).join(', ')}`;
    await this.describePages({ Filters: filters }, target, found, (group) =>
      Object.entries(tags).every(([key, value]) => (group.Tags ?? []).some((tag) => tag.Key === key && (value === '' || tag.Value === value))),
    );
    await this.addActivities(found);
    return found;
  }

  private async describePages(
    input: { AutoScalingGroupNames?: string[]; Filters?: Array<{ Name: string; Values: string[] }> },
    target: string,
    groups: Map<string, DescribedGroup>,
    accept: (group: AutoScalingGroup) => boolean = () => true,
  ): Promise<void> {
    let token: string | undefined;
    do {
      let response;
      try {
        response = await this.client.send(new DescribeAutoScalingGroupsCommand({ ...input, MaxRecords: NAMES_PER_CALL, NextToken: token }));
      } catch (error) {
        throw translate(error, 'DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingGroups', target);
      }
      // Every real answer has the list (empty when no group matched); without it, the answer is not Auto Scaling's.
      if (!Array.isArray(response.AutoScalingGroups)) {
        throw translate(malformed('AutoScalingGroups'), 'DescribeAutoScalingGroups', 'autoscaling:DescribeAutoScalingGroups', target);
      }
      for (const group of response.AutoScalingGroups) {
        if (!group.AutoScalingGroupName || !accept(group)) continue;
        const sizes = sizesOf(group);
        if (sizes instanceof AutoScalingApiError) {
          groups.set(group.AutoScalingGroupName, sizes);
          continue;
        }
        groups.set(group.AutoScalingGroupName, {
          name: group.AutoScalingGroupName,
          ...sizes,
          instances: (group.Instances ?? []).map((instance) => ({
            instanceId: instance.InstanceId ?? '',
            lifecycleState: instance.LifecycleState ?? 'Unknown',
            instanceType: instance.InstanceType,
          })),
          tags: Object.fromEntries((group.Tags ?? []).filter((tag) => tag.Key).map((tag) => [tag.Key!, tag.Value ?? ''])),
          instanceTypes: instanceTypesOf(group),
          availabilityZones: group.AvailabilityZones ?? [],
          activities: [],
        });
      }
      token = response.NextToken;
    } while (token);
  }

  /** Activities per group: one group's failed read makes only that group unusable. */
  private async addActivities(groups: Map<string, DescribedGroup>): Promise<void> {
    await Promise.all(
      [...groups.values()].map(async (group) => {
        if (group instanceof AutoScalingApiError) return;
        try {
          group.activities = await this.recentActivities(group.name);
        } catch (error) {
          groups.set(group.name, error as AutoScalingApiError);
        }
      }),
    );
  }

  private async recentActivities(groupName: string): Promise<ScalingActivity[]> {
    try {
      const response = await this.client.send(new DescribeScalingActivitiesCommand({ AutoScalingGroupName: groupName, MaxRecords: ACTIVITIES_PER_GROUP }));
      // Read as "no activities", an answer without the list would hide a failing launch.
      if (!Array.isArray(response.Activities)) throw malformed('Activities');
      return response.Activities.map((activity) => ({
        id: activity.ActivityId ?? '',
        statusCode: activity.StatusCode ?? 'Unknown',
        startedAt: activity.StartTime ? new Date(activity.StartTime).getTime() : 0,
        description: activity.Description ?? '',
        statusMessage: activity.StatusMessage,
      }));
    } catch (error) {
      throw translate(error, 'DescribeScalingActivities', 'autoscaling:DescribeScalingActivities', groupName);
    }
  }

  async setDesiredCapacity(groupName: string, desiredCapacity: number): Promise<void> {
    try {
      await this.client.send(new SetDesiredCapacityCommand({ AutoScalingGroupName: groupName, DesiredCapacity: desiredCapacity, HonorCooldown: false }));
    } catch (error) {
      throw translate(error, 'SetDesiredCapacity', 'autoscaling:SetDesiredCapacity', groupName);
    }
  }

  async terminateInstance(instanceId: string): Promise<void> {
    try {
      await this.client.send(new TerminateInstanceInAutoScalingGroupCommand({ InstanceId: instanceId, ShouldDecrementDesiredCapacity: true }));
    } catch (error) {
      throw translate(error, 'TerminateInstanceInAutoScalingGroup', 'autoscaling:TerminateInstanceInAutoScalingGroup', instanceId);
    }
  }
}
