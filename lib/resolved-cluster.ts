/**
 * An EKS cluster the scalers act on, with everything the stack derives from it: its region (the
 * stack's unless given), partition and ARN.
 */
import { Aws, Token } from 'aws-cdk-lib';
import type { Stack } from 'aws-cdk-lib';
import type { ICluster } from 'aws-cdk-lib/aws-eks';
import { RegionInfo } from 'aws-cdk-lib/region-info';
import type { ClusterRef } from '../lambdas/config/scaler-config';

/** A cluster by name (and region). */
export interface ClusterProps {
  /** The EKS cluster's name. */
  readonly name: string;
  /** Default: the stack's region. */
  readonly region?: string;
  /**
   * Where the cluster's ScaledObjects come from. `bundled` (default): the `scaledObjects` files,
   * validated at synth. `cluster`: the ScaledObjects in the cluster annotated
   * `eks-lambda-scaler.io/managed: "true"`, read every tick (apply deploy/crds/ and
   * deploy/rbac-live-objects.yaml; docs/migrate-from-keda.md).
   */
  readonly objectSource?: 'bundled' | 'cluster';
  /** With `objectSource: 'cluster'`: read only these namespaces (default all). */
  readonly namespaces?: readonly string[];
}

/** The object source a cluster was given: only the `{ name }` form carries one; an ICluster is bundled. */
export function objectSourceOf(cluster: ScaledCluster): Pick<ClusterRef, 'objectSource' | 'namespaces'> {
  if (isCdkCluster(cluster)) return {};
  return {
    ...(cluster.objectSource === undefined ? {} : { objectSource: cluster.objectSource }),
    ...(cluster.namespaces === undefined ? {} : { namespaces: [...cluster.namespaces] }),
  };
}

/**
 * A cluster as an aws-eks `ICluster` (`Cluster.fromClusterAttributes(...)`, or a `Cluster` of your
 * app with a literal `clusterName`). Its ARN scopes the scalers' `eks:DescribeCluster`; the
 * Lambdas still read the endpoint and CA bundle at run time, so a rotated CA needs no redeploy.
 */
export type ScaledCluster = ClusterProps | ICluster;

function isCdkCluster(cluster: ScaledCluster): cluster is ICluster {
  return 'clusterArn' in cluster;
}

/** The name, region and ARN the configuration bundle needs, from either form. */
function clusterIdentity(cluster: ScaledCluster): { name: string; region?: string; arn?: string } {
  if (!isCdkCluster(cluster)) return { name: cluster.name, region: cluster.region };
  if (Token.isUnresolved(cluster.clusterName)) {
    // The name is written into the Lambdas' configuration at synth time, so it must be literal.
    throw new Error(
      `eks-lambda-scaler: cluster ${cluster.node.path} has no literal clusterName (it is a token until deployment): set clusterName on the Cluster, or pass { name: 'my-cluster' } instead`,
    );
  }
  const region = Token.isUnresolved(cluster.env.region) ? undefined : cluster.env.region;
  return { name: cluster.clusterName, region, arn: cluster.clusterArn };
}

export interface ResolvedCluster {
  readonly name: string;
  readonly region: string;
  readonly partition: string;
  readonly arn: string;
  /** True when the cluster is in the stack's region, where an access entry can be created. */
  readonly inStackRegion: boolean;
}

/** The partition of a region by name (`aws-cn` for `cn-north-1`...), or the stack's as a token. */
export function partitionOf(region: string): string {
  if (Token.isUnresolved(region)) return Aws.PARTITION;
  return RegionInfo.get(region).partition ?? Aws.PARTITION;
}

export function resolveClusters(clusters: readonly ScaledCluster[], stack: Stack): ResolvedCluster[] {
  return clusters.map((given) => {
    const cluster = clusterIdentity(given);
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
      arn: cluster.arn ?? `arn:${partition}:eks:${region}:${stack.account}:cluster/${cluster.name}`,
      inStackRegion: !Token.isUnresolved(stack.region) && stack.region === region,
    };
  });
}
