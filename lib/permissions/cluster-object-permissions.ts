/**
 * The pod scaler's AWS access for ScaledObjects read from a cluster (issue 14 item 5): their queues,
 * streams, tables and roles are unknown at synth, so the construct grants by the ARN patterns the
 * user gives (`clusterObjectPermissions`), action for action what lambdas/engine/iam/iam-allowance.ts
 * checks each object against at run time. With no patterns, nothing is granted and every object
 * that reads AWS is rejected with the statement to add: least privilege by default.
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { ClusterObjectPermissions } from '../../lambdas/engine/iam/iam-allowance';

export const CLUSTER_OBJECT_STATEMENT_IDS = {
  queues: 'ReadClusterObjectQueues',
  streams: 'ReadClusterObjectStreams',
  tables: 'QueryClusterObjectTables',
  tableStreams: 'DescribeClusterObjectTableStreams',
  roles: 'AssumeClusterObjectRoles',
  secrets: 'ReadClusterObjectSecrets',
  cloudWatch: 'ReadClusterObjectCloudWatchMetrics',
} as const;

/** Every resource ARN the grants name (for the cdk-nag acknowledgements of user-given wildcards). */
export function clusterObjectResourceArns(permissions: ClusterObjectPermissions): string[] {
  const tables = permissions.tableArns ?? [];
  return [
    ...(permissions.queueArns ?? []),
    ...(permissions.streamArns ?? []),
    ...tables.flatMap((table) => [table, `${table}/index/*`, `${table}/stream/*`]),
    ...(permissions.roleArns ?? []),
    ...(permissions.secretArns ?? []),
  ];
}

export function grantClusterObjectReads(grantee: IGrantable, permissions: ClusterObjectPermissions): void {
  const add = (sid: string, actions: string[], resources: readonly string[]) => {
    if (resources.length > 0) grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ sid, actions, resources: [...resources] }));
  };
  const tables = permissions.tableArns ?? [];
  add(CLUSTER_OBJECT_STATEMENT_IDS.queues, ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], permissions.queueArns ?? []);
  add(CLUSTER_OBJECT_STATEMENT_IDS.streams, ['kinesis:ListShards'], permissions.streamArns ?? []);
  add(CLUSTER_OBJECT_STATEMENT_IDS.tables, ['dynamodb:Query', 'dynamodb:DescribeTable'], tables.flatMap((table) => [table, `${table}/index/*`]));
  add(CLUSTER_OBJECT_STATEMENT_IDS.tableStreams, ['dynamodb:DescribeStream'], tables.map((table) => `${table}/stream/*`));
  add(CLUSTER_OBJECT_STATEMENT_IDS.roles, ['sts:AssumeRole'], permissions.roleArns ?? []);
  add(CLUSTER_OBJECT_STATEMENT_IDS.secrets, ['secretsmanager:GetSecretValue'], permissions.secretArns ?? []);
  // GetMetricData has no resource-level permissions: "*" is what the API accepts.
  if (permissions.cloudWatchMetrics) add(CLUSTER_OBJECT_STATEMENT_IDS.cloudWatch, ['cloudwatch:GetMetricData'], ['*']);
}
