/**
 * The cdk-nag findings (AwsSolutions and Serverless packs) this construct accepts, each with the
 * reason a reviewer needs, recorded with CDK's `Validations.of(...).acknowledge`. Every other
 * finding must be fixed: test/infra/nag.test.ts fails on any that is not acknowledged here.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import type { ScalerFunction } from './scaler-functions';

const RESOURCE_STAR_REASON =
  'Resource "*" only for APIs without resource-level permissions: cloudwatch:GetMetricData (CloudWatch triggers), ' +
  'xray:PutTraceSegments and xray:PutTelemetryRecords (active tracing), autoscaling:DescribeAutoScalingGroups and ' +
  'autoscaling:DescribeScalingActivities and ec2:DescribeInstanceTypes (node scaler), autoscaling:DescribeAutoScalingInstances and ' +
  'autoscaling:DescribeLifecycleHooks (node interruptions). Every action is named; none is a wildcard.';

const DISCOVERED_ASG_ARN_REASON =
  'Groups found by node-group auto-discovery are not known by name at synth; SetDesiredCapacity and ' +
  'TerminateInstanceInAutoScalingGroup on them are conditioned on aws:ResourceTag/<key> for exactly the tags discovery ' +
  'selects on, so only a group carrying them can be resized.';

const MANAGED_NODE_GROUP_ARN_REASON =
  'eks:DescribeNodegroup (read only) on the managed node groups of one configured cluster (nodegroup/<cluster>/*/*): ' +
  'the node groups behind the Auto Scaling groups are found by their eks:nodegroup-name tag at run time, and the last ' +
  '"*" is the UUID EKS assigns.';

const ASG_ARN_REASON =
  'An Auto Scaling Group ARN embeds a UUID assigned when the group is created; this ARN pins one configured group by ' +
  'its name (autoScalingGroupName/<name>), so the "*" stands for that UUID only.';

const TABLE_STREAM_ARN_REASON =
  'A DynamoDB stream ARN ends in the label (creation time) of the stream, unknown at synth and new whenever the stream ' +
  'is re-enabled; this ARN pins the streams of one configured table (table/<name>/stream/*) for dynamodb:DescribeStream ' +
  '(aws-dynamodb-streams triggers), so the "*" stands for that label only.';

const CLUSTER_OBJECT_PATTERN_REASON =
  'A pattern the user gave in clusterObjectPermissions for ScaledObjects read from the cluster, whose queues, streams, ' +
  'tables and roles are unknown at synth; each object is checked against the same patterns at run time and rejected, ' +
  'with the statement to add, when it needs more (lambdas/engine/iam/iam-allowance.ts).';

export interface SuppressionTargets {
  podScaler: ScalerFunction;
  nodeScaler?: ScalerFunction;
  /** The node scaler's second entry for interruption notices (it runs as the node scaler's role). */
  nodeInterruptions?: ScalerFunction;
  failureQueue: IQueue;
  /** The pass hand-over queue's event source mapping, when the pod scaler parks its windows. */
  passHandoverMapping?: IConstruct;
  /** The node scaler's Auto Scaling Group ARNs (each contains `*` for the group's UUID). */
  autoScalingGroupArns: readonly string[];
  /** Auto-discovery's ARNs (`autoScalingGroupName/*`, scoped by a tag condition). */
  discoveredNodeGroupArns?: readonly string[];
  /** `eks:DescribeNodegroup` ARNs, one per node-scaler cluster. */
  managedNodeGroupArns?: readonly string[];
  /** The pod scaler's DynamoDB stream ARNs (`table/<name>/stream/*`), one per aws-dynamodb-streams table. */
  tableStreamArns: readonly string[];
  /** The user-given ARN patterns granted for cluster ScaledObjects. */
  clusterObjectArns?: readonly string[];
  inVpc: boolean;
}

export function applyNagSuppressions(targets: SuppressionTargets): void {
  const functions = [targets.podScaler, ...(targets.nodeScaler ? [targets.nodeScaler] : []), ...(targets.nodeInterruptions ? [targets.nodeInterruptions] : [])];
  for (const scaler of functions) {
    const validations = Validations.of(scaler);
    validations.acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: RESOURCE_STAR_REASON });
    validations.acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        "Failed asynchronous invocations go to an on-failure destination (the deployment's failed-invocations queue), which records the request and the error; a DLQ as well would deliver every failure twice.",
    });
    if (targets.inVpc) {
      validations.acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason: 'Only when the scalers run in a VPC: the AWS-maintained minimum for Lambda to manage its network interfaces.',
      });
    }
  }
  if (targets.nodeScaler) {
    for (const arn of targets.autoScalingGroupArns) {
      Validations.of(targets.nodeScaler).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${flatten(Stack.of(targets.nodeScaler).resolve(arn))}]`,
        reason: ASG_ARN_REASON,
      });
    }
    const resolved = (arn: string) => flatten(Stack.of(targets.nodeScaler!).resolve(arn));
    for (const arn of targets.discoveredNodeGroupArns ?? []) {
      Validations.of(targets.nodeScaler).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resolved(arn)}]`, reason: DISCOVERED_ASG_ARN_REASON });
    }
    for (const arn of targets.managedNodeGroupArns ?? []) {
      Validations.of(targets.nodeScaler).acknowledge({ id: `AwsSolutions-IAM5[Resource::${resolved(arn)}]`, reason: MANAGED_NODE_GROUP_ARN_REASON });
    }
  }
  for (const arn of targets.tableStreamArns) {
    Validations.of(targets.podScaler).acknowledge({
      id: `AwsSolutions-IAM5[Resource::${flatten(Stack.of(targets.podScaler).resolve(arn))}]`,
      reason: TABLE_STREAM_ARN_REASON,
    });
  }
  for (const arn of (targets.clusterObjectArns ?? []).filter((pattern) => pattern.includes('*'))) {
    Validations.of(targets.podScaler).acknowledge({ id: `AwsSolutions-IAM5[Resource::${arn}]`, reason: CLUSTER_OBJECT_PATTERN_REASON });
  }
  if (targets.passHandoverMapping) {
    Validations.of(targets.passHandoverMapping).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'An SQS event source mapping takes no on-failure destination; a hand-over whose invocation fails twice goes to the ' +
        "deployment's failed-invocations queue through the hand-over queue's redrive policy.",
    });
  }
  const queue = Validations.of(targets.failureQueue as IConstruct);
  queue.acknowledge({
    id: 'AwsSolutions-SQS3',
    reason: 'This queue is the dead-letter queue (of the schedules, the alarm rule and asynchronous invocations).',
  });
  queue.acknowledge({
    id: 'Serverless-SQSRedrivePolicy',
    reason: 'This queue is the dead-letter queue; a dead-letter queue behind it would only move the same messages.',
  });
}

/** A resolved CloudFormation value as cdk-nag prints it in finding ids (`<AWS::AccountId>`...). */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (Array.isArray(record['Fn::Join'])) {
      const [separator, parts] = record['Fn::Join'] as [string, unknown[]];
      return parts.map(flatten).join(separator);
    }
    if (typeof record.Ref === 'string') return `<${record.Ref}>`;
    if (Array.isArray(record['Fn::GetAtt'])) return `<${(record['Fn::GetAtt'] as string[]).join('.')}>`;
  }
  return JSON.stringify(value);
}
