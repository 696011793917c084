/**
 * How the scalers get into Kubernetes: an EKS access entry maps each scaler role to one Kubernetes
 * group, and `deploy/rbac.yaml` (applied once with kubectl) grants that group exactly what the
 * scalers use. No cluster-admin access policy is associated.
 */
import { Annotations } from 'aws-cdk-lib';
import { CfnAccessEntry } from 'aws-cdk-lib/aws-eks';
import type { IRole } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { ResolvedCluster } from './resolved-cluster';

/** The Kubernetes group deploy/rbac.yaml binds its roles to. */
export const KUBERNETES_GROUP = 'eks-lambda-scaler';

export interface KubernetesAccessProps {
  clusters: readonly ResolvedCluster[];
  /** Scaler roles to map, by a short name used in construct ids (e.g. `PodScaler`). */
  roles: Readonly<Record<string, IRole>>;
}

export class KubernetesAccess extends Construct {
  readonly accessEntries: CfnAccessEntry[] = [];

  constructor(scope: Construct, id: string, props: KubernetesAccessProps) {
    super(scope, id);
    for (const cluster of props.clusters) {
      if (!cluster.inStackRegion) {
        Annotations.of(this).addWarningV2(
          'eks-lambda-scaler:accessEntryOtherRegion',
          `cluster ${cluster.name} is in ${cluster.region}, not in this stack's region, so no access entry was created for it: create one there for the scaler roles with Kubernetes group "${KUBERNETES_GROUP}" (docs/deploy.md)`,
        );
        continue;
      }
      for (const [name, role] of Object.entries(props.roles)) {
        this.accessEntries.push(
          new CfnAccessEntry(this, `${name}${constructIdPart(cluster.name)}`, {
            clusterName: cluster.name,
            principalArn: role.roleArn,
            type: 'STANDARD',
            kubernetesGroups: [KUBERNETES_GROUP],
          }),
        );
      }
    }
  }
}

function constructIdPart(clusterName: string): string {
  return clusterName.replace(/[^A-Za-z0-9]/g, '');
}
