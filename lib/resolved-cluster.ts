/**
 * An EKS cluster the scalers act on, with everything the stack derives from it: its region (the
 * stack's unless given), partition and ARN.
 */
import { Aws, Token } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import { RegionInfo } from 'aws-cdk-lib/region-info';

export interface ClusterProps {
  /** The EKS cluster's name. */
  name: string;
  /** Default: the stack's region. */
  region?: string;
}

export interface ResolvedCluster {
  name: string;
  region: string;
  partition: string;
  arn: string;
  /** True when the cluster is in the stack's region, where an access entry can be created. */
  inStackRegion: boolean;
}

/** The partition of a region by name (`aws-cn` for `cn-north-1`...), or the stack's as a token. */
export function partitionOf(region: string): string {
  if (Token.isUnresolved(region)) return Aws.PARTITION;
  return RegionInfo.get(region).partition ?? Aws.PARTITION;
}

export function resolveClusters(clusters: readonly ClusterProps[], stack: Stack): ResolvedCluster[] {
  return clusters.map((cluster) => {
    const region = cluster.region ?? stack.region;
    if (Token.isUnresolved(region)) {
      throw new Error(
        `eks-lambda-scaler: cluster "${cluster.name}" has no region and the stack ${stack.stackName} is region-agnostic: set env.region on the stack (e.g. new Stack(app, 'Scaler', { env: { region: 'us-east-1' } })) or give the cluster a region`,
      );
    }
    const partition = partitionOf(region);
    return {
      name: cluster.name,
      region,
      partition,
      arn: `arn:${partition}:eks:${region}:${stack.account}:cluster/${cluster.name}`,
      inStackRegion: !Token.isUnresolved(stack.region) && stack.region === region,
    };
  });
}
