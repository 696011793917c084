/**
 * The groups of this tick: the named `nodeGroups`, described in batches, plus the groups each
 * `nodeGroupDiscovery` entry finds by its ASG tags, described by the same filtered call (so their min
 * and max are re-read every tick). A named group wins over a discovered one; a failed discovery
 * entry is reported and leaves the other groups alone.
 */
import type { DescribedGroup } from '../adapters/autoscaling/auto-scaling-group-api';
import { AutoScalingApiError } from '../adapters/autoscaling/auto-scaling-group-api';
import type { NodeGroupConfig } from '../config/scaler-config';
import { discoveredGroupConfig, discoveryEntryProblem, discoveryTags } from '../engine/nodes/node-group-discovery';
import type { NodeScalerTickDependencies } from './tick-types';

export interface TickGroups {
  groups: NodeGroupConfig[];
  /** Each group's description, or the error that keeps it out of this tick. */
  asgs: Map<string, DescribedGroup>;
  discoveryProblems: Array<{ entry: string; message: string }>;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function tickGroups(deps: Pick<NodeScalerTickDependencies, 'config' | 'autoScaling'>): Promise<TickGroups> {
  const { config, autoScaling } = deps;
  const groups: NodeGroupConfig[] = [...config.nodeGroups];
  const asgs = new Map<string, DescribedGroup>();
  const discoveryProblems: TickGroups['discoveryProblems'] = [];
  const names = [...new Set(config.nodeGroups.map((group) => group.autoScalingGroupName))];
  if (names.length > 0) {
    try {
      for (const [name, group] of await autoScaling.describeGroups(names)) asgs.set(name, group);
    } catch (error) {
      // The batch call failed: every named group is out this tick, discovered ones may still go on.
      const failure = new AutoScalingApiError(`could not describe the Auto Scaling groups: ${message(error)}`, 'DescribeFailed');
      for (const name of names) asgs.set(name, failure);
    }
  }
  const claimed = new Set(names);
  for (const [index, entry] of (config.nodeGroupDiscovery ?? []).entries()) {
    const tags = discoveryTags(entry);
    const label = `nodeGroupDiscovery[${index}] (cluster ${entry.cluster}, tags ${Object.entries(tags).map(([key, value]) => (value ? `${key}=${value}` : key)).join(', ')})`;
    const problem = discoveryEntryProblem(entry, index);
    if (problem) {
      discoveryProblems.push({ entry: label, message: problem });
      continue;
    }
    if (!autoScaling.describeGroupsByTags) {
      discoveryProblems.push({ entry: label, message: 'this Auto Scaling adapter cannot find groups by tag' });
      continue;
    }
    let found: Map<string, DescribedGroup>;
    try {
      found = await autoScaling.describeGroupsByTags(tags);
    } catch (error) {
      discoveryProblems.push({ entry: label, message: `${message(error)}; the groups it finds are left alone this tick` });
      continue;
    }
    for (const [name, group] of [...found].sort(([a], [b]) => a.localeCompare(b))) {
      if (claimed.has(name)) continue;
      claimed.add(name);
      groups.push(discoveredGroupConfig(entry, name));
      asgs.set(name, group);
    }
  }
  return { groups, asgs, discoveryProblems };
}
