/**
 * The pure IAM check for cluster ScaledObjects (lambdas/engine/iam/iam-allowance.ts): which
 * resources each trigger needs, matched against the construct's ARN patterns as IAM matches a
 * policy's Resource element, and the statement the message names.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { arnMatches, iamRefusal, partitionOf, type ClusterObjectPermissions } from '../../../lambdas/engine/iam/iam-allowance';
import { parseManifests } from '../../../lambdas/engine/spec/parse-manifests';
import type { ScaledObject } from '../../../lambdas/engine/spec/scaled-object';

const ACCOUNT = '123456789012';
const context = { account: ACCOUNT, partitionOf };

function onlyObject(yaml: string): ScaledObject {
  const result = parseManifests(yaml, { file: 'test.yaml' });
  expect(result.errors).toEqual([]);
  expect(result.objects).toHaveLength(1);
  return result.objects[0]!;
}
const example = (file: string) => onlyObject(readFileSync(new URL(`../../../examples/${file}`, import.meta.url), 'utf8'));

/** `shop/worker` with these triggers, one flow mapping each. */
function withTriggers(...triggers: string[]): ScaledObject {
  return onlyObject(`{apiVersion: keda.sh/v1alpha1, kind: ScaledObject, metadata: {name: worker, namespace: shop}, spec: {scaleTargetRef: {name: worker}, triggers: [${triggers.join(', ')}]}}`);
}
const sqsTrigger = (queueURL: string) => `{type: aws-sqs-queue, metadata: {queueURL: "${queueURL}", awsRegion: eu-west-1, queueLength: "5"}}`;
const sqsObject = (queueURL: string) => withTriggers(sqsTrigger(queueURL));

describe('arnMatches: IAM Resource wildcards (AWS IAM User Guide, reference_policies_elements_resource.html: "*" any combination of characters, "?" any single character; case-sensitive)', () => {
  it.each([
    ['exact ARN', 'arn:aws:sqs:eu-west-1:123456789012:orders', 'arn:aws:sqs:eu-west-1:123456789012:orders', true],
    ['another queue', 'arn:aws:sqs:eu-west-1:123456789012:orders', 'arn:aws:sqs:eu-west-1:123456789012:other', false],
    ['"*" at the end matches a prefix', 'arn:aws:sqs:eu-west-1:123456789012:shop-*', 'arn:aws:sqs:eu-west-1:123456789012:shop-orders', true],
    ['"*" matches nothing too', 'arn:aws:sqs:eu-west-1:123456789012:shop-*', 'arn:aws:sqs:eu-west-1:123456789012:shop-', true],
    ['"*" spans ":" (any region)', 'arn:aws:sqs:*:123456789012:orders', 'arn:aws:sqs:us-east-1:123456789012:orders', true],
    ['"*" spans "/"', 'arn:aws:kinesis:*:123456789012:stream/*', 'arn:aws:kinesis:eu-west-1:123456789012:stream/clicks', true],
    ['"?" is exactly one character', 'arn:aws:sqs:eu-west-1:123456789012:q?', 'arn:aws:sqs:eu-west-1:123456789012:q1', true],
    ['"?" is not zero characters', 'arn:aws:sqs:eu-west-1:123456789012:q?', 'arn:aws:sqs:eu-west-1:123456789012:q', false],
    ['case-sensitive', 'arn:aws:sqs:eu-west-1:123456789012:Orders', 'arn:aws:sqs:eu-west-1:123456789012:orders', false],
    ['"." in a pattern is literal', 'arn:aws:sqs:eu-west-1:123456789012:jobs.fifo', 'arn:aws:sqs:eu-west-1:123456789012:jobsXfifo', false],
    ['no pattern anchors only at the start', 'arn:aws:sqs:eu-west-1:123456789012:orders', 'arn:aws:sqs:eu-west-1:123456789012:orders-dlq', false],
  ])('%s', (_label, pattern, arn, expected) => {
    expect(arnMatches(pattern, arn)).toBe(expected);
  });
});

describe('partitionOf (AWS partitions by region name)', () => {
  it.each([
    ['eu-west-1', 'aws'],
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['us-iso-east-1', 'aws-iso'],
    ['us-isob-east-1', 'aws-iso-b'],
  ])('%s is in %s', (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });
});

describe('iamRefusal: what a cluster ScaledObject needs against what the construct allowed', () => {
  const queue = `arn:aws:sqs:eu-west-1:${ACCOUNT}:orders`;
  it.each<[string, () => ScaledObject, ClusterObjectPermissions, string | undefined]>([
    ['SQS queue inside a pattern', () => sqsObject(`https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/orders`), { queueArns: [`arn:aws:sqs:eu-west-1:${ACCOUNT}:*`] }, undefined],
    [
      'SQS queue outside every pattern',
      () => sqsObject(`https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/orders`),
      { queueArns: [`arn:aws:sqs:eu-west-1:${ACCOUNT}:billing-*`] },
      `sqs:GetQueueAttributes on ${queue} is outside the access the scaler was given: add "${queue}" (or a pattern that matches it) to clusterObjectPermissions.queueArns in the construct, which grants the pod scaler's role {"Effect":"Allow","Action":["sqs:GetQueueAttributes"],"Resource":"${queue}"}`,
    ],
    [
      'a bare queue name needs GetQueueUrl too (the account is the scaler\'s)',
      () => sqsObject('orders'),
      {},
      `sqs:GetQueueAttributes, sqs:GetQueueUrl on ${queue} is outside`,
    ],
    ['podIdentity.roleArn inside the role patterns (the role carries the read permissions)', () => example('sqs-worker.yaml'), { roleArns: [`arn:aws:iam::${ACCOUNT}:role/orders-*`] }, undefined],
    [
      'podIdentity.roleArn outside them',
      () => example('sqs-worker.yaml'),
      { queueArns: ['*'] },
      `sts:AssumeRole on arn:aws:iam::${ACCOUNT}:role/orders-queue-reader is outside the access the scaler was given: add "arn:aws:iam::${ACCOUNT}:role/orders-queue-reader" (or a pattern that matches it) to clusterObjectPermissions.roleArns`,
    ],
    ['awsRoleArn on a Kinesis trigger: only the role is checked', () => example('kinesis-consumer.yaml'), { roleArns: [`arn:aws:iam::${ACCOUNT}:role/clickstream-reader`] }, undefined],
    [
      'DynamoDB table outside the table patterns',
      () => example('dynamodb-jobs.yaml'),
      {},
      `dynamodb:Query on arn:aws:dynamodb:eu-central-1:${ACCOUNT}:table/jobs is outside`,
    ],
    ['DynamoDB table inside', () => example('dynamodb-jobs.yaml'), { tableArns: [`arn:aws:dynamodb:eu-central-1:${ACCOUNT}:table/jobs`] }, undefined],
  ])('%s', (_label, object, allowed, expected) => {
    const refusal = iamRefusal(object(), allowed, context);
    if (expected === undefined) expect(refusal).toBeUndefined();
    else expect(refusal).toContain(expected);
  });

  it('refuses a CloudWatch trigger read with the scaler\'s own role unless cloudWatchMetrics is allowed (GetMetricData has no resource-level permissions)', () => {
    const object = withTriggers(
      '{type: aws-cloudwatch, metadata: {namespace: AWS/SQS, metricName: ApproximateNumberOfMessagesVisible, dimensionName: QueueName, dimensionValue: orders, targetMetricValue: "5", minMetricValue: "0", awsRegion: eu-west-1}}',
    );
    expect(iamRefusal(object, {}, context)).toContain('set clusterObjectPermissions.cloudWatchMetrics: true in the construct, which grants the pod scaler\'s role {"Effect":"Allow","Action":["cloudwatch:GetMetricData"],"Resource":"*"}');
    expect(iamRefusal(object, { cloudWatchMetrics: true }, context)).toBeUndefined();
  });

  it('names every missing grant of an object in one message', () => {
    const object = withTriggers(
      sqsTrigger(`https://sqs.eu-west-1.amazonaws.com/${ACCOUNT}/orders`),
      '{type: aws-kinesis-stream, metadata: {streamName: clicks, awsRegion: eu-west-1, shardCount: "2"}}',
    );
    const refusal = iamRefusal(object, {}, context) ?? '';
    expect(refusal.startsWith('spec.triggers: sqs:GetQueueAttributes on ')).toBe(true);
    expect(refusal).toContain(`; kinesis:ListShards on arn:aws:kinesis:eu-west-1:${ACCOUNT}:stream/clicks is outside`);
  });
});
