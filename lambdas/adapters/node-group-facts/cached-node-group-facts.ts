/**
 * NodeGroupFactsApi over EKS and EC2, with answers kept for the life of the Lambda container, so a
 * group at zero costs these calls once per container, not once per tick:
 * - a managed node group's answer for 6 minutes, as Cluster Autoscaler keeps it
 *   (cloudprovider/aws/managed_nodegroup_cache.go managedNodegroupCachedTTL): labels and taints
 *   change only when someone edits the node group;
 * - an instance type's capacity for good (EC2 never changes a type's vCPUs, memory or ENIs), and a
 *   name EC2 does not know for an hour.
 * Failures are not kept: the next tick asks again. Concurrent asks for one key share one call.
 */
import type { EKSClient } from '@aws-sdk/client-eks';
import type { InstanceTypeCapacity } from '../../engine/nodes/eks-instance-types';
import type { ManagedNodeGroupFacts } from '../../engine/nodes/managed-node-group';
import type { Ec2InstanceTypes } from './ec2-instance-types';
import { describeManagedNodeGroup } from './eks-managed-node-groups';
import type { NodeGroupFactsApi } from './node-group-facts-api';

export const MANAGED_NODE_GROUP_TTL_MS = 6 * 60_000;
export const UNKNOWN_INSTANCE_TYPE_TTL_MS = 60 * 60_000;

export interface CachedNodeGroupFactsOptions {
  eks: (region: string) => EKSClient;
  ec2: Ec2InstanceTypes;
  /** Epoch ms (default Date.now). */
  now?: () => number;
}

export class CachedNodeGroupFacts implements NodeGroupFactsApi {
  private readonly managed = new Map<string, { at: number; facts: Promise<ManagedNodeGroupFacts> }>();
  private readonly types = new Map<string, InstanceTypeCapacity>();
  private readonly unknownTypes = new Map<string, number>();

  constructor(private readonly options: CachedNodeGroupFactsOptions) {}

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  managedNodeGroup(region: string, clusterName: string, nodegroupName: string): Promise<ManagedNodeGroupFacts> {
    const key = `${region}/${clusterName}/${nodegroupName}`;
    const now = this.now();
    const cached = this.managed.get(key);
    if (cached && now - cached.at < MANAGED_NODE_GROUP_TTL_MS) return cached.facts;
    const facts = describeManagedNodeGroup(this.options.eks(region), clusterName, nodegroupName);
    this.managed.set(key, { at: now, facts });
    facts.catch(() => {
      if (this.managed.get(key)?.facts === facts) this.managed.delete(key);
    });
    return facts;
  }

  async instanceTypes(region: string, types: readonly string[]): Promise<Map<string, InstanceTypeCapacity>> {
    const now = this.now();
    const key = (type: string) => `${region}/${type}`;
    const wanted = [...new Set(types)];
    const missing = wanted.filter((type) => !this.types.has(key(type)) && !(now - (this.unknownTypes.get(key(type)) ?? -Infinity) < UNKNOWN_INSTANCE_TYPE_TTL_MS));
    if (missing.length > 0) {
      const answer = await this.options.ec2.describe(region, missing);
      for (const type of missing) {
        const capacity = answer.get(type);
        if (capacity) this.types.set(key(type), capacity);
        else this.unknownTypes.set(key(type), now);
      }
    }
    const result = new Map<string, InstanceTypeCapacity>();
    for (const type of wanted) {
      const capacity = this.types.get(key(type));
      if (capacity) result.set(type, capacity);
    }
    return result;
  }
}
