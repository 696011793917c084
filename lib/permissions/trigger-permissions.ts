/**
 * The pod scaler's read permissions, exactly the resources its ScaledObjects name: no queue, stream
 * or role outside the configuration is reachable, and no action is a wildcard.
 */
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { TriggerResources } from '../../lambdas/engine/iam/trigger-resources';

/** Statement ids, so tests and people reading the policy can find each grant. */
export const TRIGGER_STATEMENT_IDS = {
  queues: 'ReadScaledObjectQueues',
  queueUrls: 'ResolveQueueNames',
  streams: 'ReadScaledObjectStreams',
  tables: 'QueryScaledObjectTables',
  tableStreams: 'DescribeScaledObjectTableStreams',
  roles: 'AssumeTriggerRoles',
  cloudWatch: 'ReadCloudWatchMetrics',
  prometheusWorkspaces: 'QueryPrometheusWorkspaces',
  secrets: 'ReadTriggerAuthenticationSecrets',
  mskConnect: 'ConnectMskClusters',
  mskTopics: 'DescribeMskTopics',
  mskGroups: 'DescribeMskGroups',
} as const;

export function grantTriggerReads(grantee: IGrantable, resources: TriggerResources): void {
  const add = (statement: PolicyStatement) => grantee.grantPrincipal.addToPrincipalPolicy(statement);
  if (resources.queueArns.length > 0) {
    add(new PolicyStatement({ sid: TRIGGER_STATEMENT_IDS.queues, actions: ['sqs:GetQueueAttributes'], resources: resources.queueArns }));
  }
  if (resources.queueUrlLookupArns.length > 0) {
    add(new PolicyStatement({ sid: TRIGGER_STATEMENT_IDS.queueUrls, actions: ['sqs:GetQueueUrl'], resources: resources.queueUrlLookupArns }));
  }
  if (resources.streamArns.length > 0) {
    add(
      // The scaler's own role counts a stream's open shards with ListShards (aws-kinesis-stream.ts).
      new PolicyStatement({ sid: TRIGGER_STATEMENT_IDS.streams, actions: ['kinesis:ListShards'], resources: resources.streamArns }),
    );
  }
  if (resources.tableArns.length > 0) {
    add(new PolicyStatement({ sid: TRIGGER_STATEMENT_IDS.tables, actions: ['dynamodb:Query'], resources: resources.tableArns }));
  }
  if (resources.tableStreamArns.length > 0) {
    add(
      new PolicyStatement({
        sid: TRIGGER_STATEMENT_IDS.tableStreams,
        actions: ['dynamodb:DescribeTable', 'dynamodb:DescribeStream'],
        resources: resources.tableStreamArns.flatMap(({ tableArn, streamArn }) => [tableArn, streamArn]),
      }),
    );
  }
  if (resources.assumeRoleArns.length > 0) {
    add(new PolicyStatement({ sid: TRIGGER_STATEMENT_IDS.roles, actions: ['sts:AssumeRole'], resources: resources.assumeRoleArns }));
  }
  if (resources.workspaceArns.length > 0) {
    add(new PolicyStatement({ sid: TRIGGER_STATEMENT_IDS.prometheusWorkspaces, actions: ['aps:QueryMetrics'], resources: resources.workspaceArns }));
  }
  if (resources.secretArns.length > 0) {
    add(new PolicyStatement({ sid: TRIGGER_STATEMENT_IDS.secrets, actions: ['secretsmanager:GetSecretValue'], resources: resources.secretArns }));
  }
  if (resources.msk.clusterArns.length > 0) {
    add(new PolicyStatement({ sid: TRIGGER_STATEMENT_IDS.mskConnect, actions: ['kafka-cluster:Connect'], resources: resources.msk.clusterArns }));
    add(new PolicyStatement({ sid: TRIGGER_STATEMENT_IDS.mskTopics, actions: ['kafka-cluster:DescribeTopic'], resources: resources.msk.topicArns }));
    add(new PolicyStatement({ sid: TRIGGER_STATEMENT_IDS.mskGroups, actions: ['kafka-cluster:DescribeGroup'], resources: resources.msk.groupArns }));
  }
  if (resources.readsCloudWatch) {
    // GetMetricData has no resource-level permissions: "*" is what the API accepts, not a wildcard action.
    add(new PolicyStatement({ sid: TRIGGER_STATEMENT_IDS.cloudWatch, actions: ['cloudwatch:GetMetricData'], resources: ['*'] }));
  }
}
