/**
 * IAM for ScaledObjects read from the cluster (issue 14 item 5). Their queues, streams and roles
 * are unknown at synth, so the construct grants the pod scaler access by ARN patterns instead
 * (`clusterObjectPermissions`); this check tells, before any AWS call, whether an object needs
 * anything outside them, and if so the exact statement to add. Such an object is rejected
 * (Ready=False with this message) instead of failing every poll with AccessDenied.
 *
 * Patterns use IAM's own wildcards, matched as IAM matches a Resource element: `*` any run of
 * characters (none included, `/` and `:` included), `?` exactly one, case-sensitive. The grants
 * the construct makes from each list (lib/permissions/cluster-object-permissions.ts) match what is
 * checked here, action for action.
 *
 * Not checked: resources a trigger names only through container env (`...FromEnv`), known after the
 * target's env is read; IAM itself refuses those at read time if they fall outside the patterns.
 *
 * Pure: no I/O.
 */
import type { ScaledObject } from '../spec/scaled-object';
import { deriveTriggerResources, type ArnContext } from './trigger-resources';

/** The AWS access the construct gave the pod scaler for cluster ScaledObjects, as ARN patterns. */
export interface ClusterObjectPermissions {
  /** SQS queues: `sqs:GetQueueAttributes`, and `sqs:GetQueueUrl` for queues named without a URL. */
  queueArns?: string[];
  /** Kinesis streams: `kinesis:ListShards`, how the scaler's own role counts a stream's open shards. */
  streamArns?: string[];
  /** DynamoDB tables: `dynamodb:Query` (also on `<table>/index/*`), `dynamodb:DescribeTable`, `dynamodb:DescribeStream` on `<table>/stream/*`. */
  tableArns?: string[];
  /** Roles the scaler may assume for `podIdentity.roleArn` and `awsRoleArn`: `sts:AssumeRole`. */
  roleArns?: string[];
  /** Secrets Manager secrets a TriggerAuthentication's awsSecretManager names for a credential: `secretsmanager:GetSecretValue`. */
  secretArns?: string[];
  /** `cloudwatch:GetMetricData` (it has no resource-level permissions: any metric of the account). */
  cloudWatchMetrics?: boolean;
}

/** Which property of ClusterObjectPermissions grants what, for the message and the construct. */
export const PERMISSION_ACTIONS = {
  queueArns: ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
  streamArns: ['kinesis:ListShards'],
  tableArns: ['dynamodb:Query', 'dynamodb:DescribeTable', 'dynamodb:DescribeStream'],
  roleArns: ['sts:AssumeRole'],
  secretArns: ['secretsmanager:GetSecretValue'],
  cloudWatchMetrics: ['cloudwatch:GetMetricData'],
} as const;

/** True when `arn` matches the IAM resource pattern. */
export function arnMatches(pattern: string, arn: string): boolean {
  const source = [...pattern].map((char) => (char === '*' ? '.*' : char === '?' ? '.' : char.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${source}$`, 's').test(arn);
}

/** AWS partition of a region name, as the Lambda sees it at run time (no CDK tokens here). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  return 'aws';
}

/**
 * Why `object` may not be scaled with the access given, naming each missing grant and the statement
 * that would allow it; undefined when every resource it names is inside the patterns.
 */
export function iamRefusal(object: ScaledObject, allowed: ClusterObjectPermissions, context: ArnContext): string | undefined {
  const needs = deriveTriggerResources([object], context);
  const missing: { property: keyof typeof PERMISSION_ACTIONS; actions: readonly string[]; arn: string }[] = [];
  const check = (property: Exclude<keyof ClusterObjectPermissions, 'cloudWatchMetrics'>, arns: readonly string[], actions: readonly string[]) => {
    const patterns = allowed[property] ?? [];
    for (const arn of arns) if (!patterns.some((pattern) => arnMatches(pattern, arn))) missing.push({ property, actions, arn });
  };
  check('queueArns', needs.queueArns.filter((arn) => !needs.queueUrlLookupArns.includes(arn)), ['sqs:GetQueueAttributes']);
  check('queueArns', needs.queueUrlLookupArns, ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl']);
  check('streamArns', needs.streamArns, ['kinesis:ListShards']);
  // An index ARN is granted through its table's pattern (the construct adds `<pattern>/index/*`).
  check('tableArns', [...new Set(needs.tableArns.map((arn) => arn.replace(/\/index\/[^/]*$/, '')))], ['dynamodb:Query']);
  check('tableArns', needs.tableStreamArns.map(({ tableArn }) => tableArn), ['dynamodb:DescribeTable', 'dynamodb:DescribeStream']);
  check('roleArns', needs.assumeRoleArns, ['sts:AssumeRole']);
  check('secretArns', needs.secretArns, ['secretsmanager:GetSecretValue']);
  if (needs.readsCloudWatch && !allowed.cloudWatchMetrics) missing.push({ property: 'cloudWatchMetrics', actions: ['cloudwatch:GetMetricData'], arn: '*' });
  if (missing.length === 0) return undefined;

  const lines = missing.map(({ property, actions, arn }) => {
    const statement = JSON.stringify({ Effect: 'Allow', Action: actions, Resource: arn });
    const fix = property === 'cloudWatchMetrics' ? 'set clusterObjectPermissions.cloudWatchMetrics: true' : `add "${arn}" (or a pattern that matches it) to clusterObjectPermissions.${property}`;
    return `${actions.join(', ')} on ${arn} is outside the access the scaler was given: ${fix} in the construct, which grants the pod scaler's role ${statement}`;
  });
  return `spec.triggers: ${lines.join('; ')}`;
}
