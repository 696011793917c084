/**
 * How the scalers get into Kubernetes: an EKS access entry maps each scaler role to its own
 * Kubernetes group, and `deploy/rbac.yaml` (applied once with kubectl) grants each group exactly what
 * that scaler uses. No cluster-admin access policy is associated.
 */
import { Annotations } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ResolvedCluster } from './resolved-cluster';

/** The Kubernetes group of the pod scaler's role: deploy/rbac.yaml binds the workload permissions to it. */
export const KUBERNETES_GROUP = 'eks-lambda-scaler';
/**
 * The node scaler's group: nodes, evictions and budgets. A separate group keeps the pod scaler,
 * which runs every minute against many workloads, from being able to drain nodes.
 */
export const NODE_SCALER_KUBERNETES_GROUP = 'eks-lambda-scaler-nodes';

export interface ScalerPrincipal {
  role: IRole;
  /** The Kubernetes group the access entry maps the role to. */
  group: string;
}

export interface KubernetesAccessProps {
  clusters: readonly ResolvedCluster[];
  /** Scaler roles to map, by a short name used in construct ids (e.g. `PodScaler`). */
  roles: Readonly<Record<string, ScalerPrincipal>>;
}

export class KubernetesAccess extends Construct {
  readonly accessEntries: CfnAccessEntry[] = [];

  constructor(scope: Construct, id: string, props: KubernetesAccessProps) {
    super(scope, id);
    for (const cluster of props.clusters) {
      if (!cluster.inStackRegion) {
        Annotations.of(this).addWarningV2(
          'eks-lambda-scaler:accessEntryOtherRegion',
          `cluster ${cluster.name} is in ${cluster.region}, not in this stack's region, so no access entry was created for it: create one there for each scaler role with its Kubernetes group ("${KUBERNETES_GROUP}" for the pod scaler, "${NODE_SCALER_KUBERNETES_GROUP}" for the node scaler; docs/deploy.md)`,
        );
        continue;
      }
      for (const [name, { role, group }] of Object.entries(props.roles)) {
        this.accessEntries.push(
          new CfnAccessEntry(this, `${name}${constructIdPart(cluster.name)}`, {
            clusterName: cluster.name,
            principalArn: role.roleArn,
            type: 'STANDARD',
            kubernetesGroups: [group],
          }),
        );
      }
    }
  }
}

function constructIdPart(clusterName: string): string {
  return clusterName.replace(/[^A-Za-z0-9]/g, '');
}
