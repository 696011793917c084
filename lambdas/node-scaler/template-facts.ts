/**
 * What EKS and EC2 say about a group that has no node to copy its shape from, gathered for its
 * template (engine/nodes/managed-node-group.ts). A failed read stays with the group: it is reported
 * as a finding and the template falls back to the ASG's tags and the built-in instance-type table.
 */
import type { NodeGroupFactsApi } from '../adapters/node-group-facts/node-group-facts-api';
import type { ClusterRef } from '../config/scaler-config';
import type { AutoScalingGroupInfo } from '../engine/nodes/auto-scaling-group';
import type { TemplateFacts } from '../engine/nodes/managed-node-group';
import { managedNodeGroupRef } from '../engine/nodes/managed-node-group';
import { TEMPLATE_TAG_PREFIX } from '../engine/nodes/node-template';

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function templateFactsFor(api: NodeGroupFactsApi | undefined, cluster: ClusterRef, asg: AutoScalingGroupInfo): Promise<{ facts: TemplateFacts; problems: string[] }> {
  const facts: TemplateFacts = {};
  const problems: string[] = [];
  if (!api) return { facts, problems };
  const ref = managedNodeGroupRef(asg.tags, cluster.name);
  if (ref) {
    try {
      facts.managed = await api.managedNodeGroup(cluster.region, ref.clusterName, ref.nodegroupName);
    } catch (error) {
      problems.push(`managed node group ${ref.nodegroupName}: ${message(error)}`);
    }
  }
  const tagged = asg.tags[`${TEMPLATE_TAG_PREFIX}label/node.kubernetes.io/instance-type`];
  const types = [...new Set([...(tagged ? [tagged] : []), ...asg.instanceTypes, ...(facts.managed?.instanceTypes ?? [])])];
  if (types.length > 0) {
    try {
      facts.instanceTypes = await api.instanceTypes(cluster.region, types);
    } catch (error) {
      problems.push(`instance types ${types.join(', ')}: ${message(error)}`);
    }
  }
  return { facts, problems };
}
