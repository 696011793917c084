/**
 * Node-group auto-discovery, as Cluster Autoscaler's `--node-group-auto-discovery=asg:tag=<k>[=<v>],...`
 * (cloudprovider/aws/aws_manager.go parseASGAutoDiscoverySpec): a group is managed when its ASG
 * carries every tag of a discovery entry, a tag with an empty value matching any value. Min and max
 * come from the ASG, so they are whatever the ASG says at each tick.
 */
import type { NodeGroupConfig, NodeGroupDiscoveryConfig } from '../../config/scaler-config';

/** Cluster Autoscaler's documented auto-discovery tags for a cluster (cloudprovider/aws/README.md). */
export function clusterAutoscalerDiscoveryTags(cluster: string): Record<string, string> {
  return { 'k8s.io/cluster-autoscaler/enabled': '', [`k8s.io/cluster-autoscaler/${cluster}`]: '' };
}

/** The tags an entry asks for: its own, or Cluster Autoscaler's for its cluster. */
export function discoveryTags(entry: NodeGroupDiscoveryConfig): Record<string, string> {
  return entry.tags && Object.keys(entry.tags).length > 0 ? { ...entry.tags } : clusterAutoscalerDiscoveryTags(entry.cluster);
}

/** A problem with one entry, naming the field and the fix; undefined when the entry is usable. */
export function discoveryEntryProblem(entry: NodeGroupDiscoveryConfig, index: number): string | undefined {
  const where = `nodeGroupDiscovery[${index}]`;
  if (typeof entry.cluster !== 'string' || entry.cluster === '') return `${where}.cluster: empty; name the EKS cluster whose groups are discovered`;
  if (entry.tags === undefined) return undefined;
  if (typeof entry.tags !== 'object' || entry.tags === null || Array.isArray(entry.tags)) {
    return `${where}.tags: must be an object of tag key to value ('' for any value), e.g. { "k8s.io/cluster-autoscaler/enabled": "" }`;
  }
  for (const [key, value] of Object.entries(entry.tags)) {
    if (key === '' || key.length > 128) return `${where}.tags: the key "${key}" is not an AWS tag key (1 to 128 characters)`;
    if (typeof value !== 'string' || value.length > 256) return `${where}.tags["${key}"]: must be a string of at most 256 characters ('' for any value)`;
  }
  return undefined;
}

/** The configuration a discovered group runs with: the entry's knobs, the group's name. */
export function discoveredGroupConfig(entry: NodeGroupDiscoveryConfig, autoScalingGroupName: string): NodeGroupConfig {
  const { tags: _tags, ...knobs } = entry;
  // Found by the tags the user chose (CA's own, by default): those tags are no reason to refuse it.
  return { ...knobs, autoScalingGroupName, allowClusterAutoscalerTags: true };
}
