/** `eks:DescribeCluster` on exactly the configured clusters: the scalers read each endpoint and CA bundle. */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ResolvedCluster } from '../resolved-cluster';

export const CLUSTER_STATEMENT_ID = 'DescribeScaledClusters';

export function grantDescribeClusters(grantee: IGrantable, clusters: readonly ResolvedCluster[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(
    new PolicyStatement({
      sid: CLUSTER_STATEMENT_ID,
      actions: ['eks:DescribeCluster'],
      resources: clusters.map((cluster) => cluster.arn),
    }),
  );
}
