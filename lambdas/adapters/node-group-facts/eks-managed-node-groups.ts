/** eks:DescribeNodegroup, translated to the planner's ManagedNodeGroupFacts. */
import type { EKSClient, Taint as EksTaint } from '@aws-sdk/client-eks';
import { DescribeNodegroupCommand } from '@aws-sdk/client-eks';
import type { ManagedNodeGroupFacts } from '../../engine/nodes/managed-node-group';
import type { Taint, TaintEffect } from '../../engine/nodes/node-model';
import { factsError } from './node-group-facts-api';

/** EKS spells taint effects its own way (API_Taint.html); CA translates them the same (aws_wrapper.go taintEksTranslator). */
const EFFECTS: Record<string, TaintEffect> = { NO_SCHEDULE: 'NoSchedule', NO_EXECUTE: 'NoExecute', PREFER_NO_SCHEDULE: 'PreferNoSchedule' };

function taintOf(taint: EksTaint, target: string): Taint {
  const effect = EFFECTS[taint.effect ?? ''];
  if (!taint.key || !effect) {
    throw new Error(`${target}: DescribeNodegroup answered a taint without a key or with the unknown effect ${JSON.stringify(taint.effect)}; expected one of ${Object.keys(EFFECTS).join(', ')}`);
  }
  return taint.value ? { key: taint.key, value: taint.value, effect } : { key: taint.key, effect };
}

export async function describeManagedNodeGroup(client: EKSClient, clusterName: string, nodegroupName: string): Promise<ManagedNodeGroupFacts> {
  const target = `managed node group ${nodegroupName} of cluster ${clusterName}`;
  let nodegroup;
  try {
    nodegroup = (await client.send(new DescribeNodegroupCommand({ clusterName, nodegroupName }))).nodegroup;
  } catch (error) {
    throw factsError(error, 'eks:DescribeNodegroup', 'eks:DescribeNodegroup', target);
  }
  if (!nodegroup) throw factsError(new Error('the answer has no nodegroup'), 'eks:DescribeNodegroup', 'eks:DescribeNodegroup', target);
  return {
    clusterName,
    nodegroupName,
    labels: { ...nodegroup.labels },
    taints: (nodegroup.taints ?? []).map((taint) => taintOf(taint, target)),
    instanceTypes: [...(nodegroup.instanceTypes ?? [])],
    capacityType: nodegroup.capacityType,
    tags: { ...nodegroup.tags },
  };
}
