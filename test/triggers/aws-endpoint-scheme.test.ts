/**
 * Issue 15 item 7: `awsEndpoint` without a scheme. KEDA v2.20 does not check the value: the typed
 * config reads it as a plain string (`pkg/scalers/aws_sqs_queue_scaler.go`,
 * `aws_kinesis_stream_scaler.go`, `aws_cloudwatch_scaler.go`: `AwsEndpoint string
 * keda:"name=awsEndpoint, order=triggerMetadata, optional"`) and `createSqsClient` /
 * `createKinesisClient` / `createCloudwatchClient` hand it to the SDK as `BaseEndpoint` unchanged.
 * We differ on purpose (docs/scaledobject-reference.md, "Differences from KEDA"): the scheme is
 * required at parse time, with an error that names the field and the URL to write instead.
 */
import { describe, expect, it } from 'vitest';
import { awsCloudwatchTrigger } from '../../lambdas/triggers/aws-cloudwatch';
import { awsKinesisStreamTrigger } from '../../lambdas/triggers/aws-kinesis-stream';
import { awsSqsQueueTrigger } from '../../lambdas/triggers/aws-sqs-queue';
import type { TriggerDefinition } from '../../lambdas/triggers/trigger-definition';
import { parseWith } from '../adapters/aws/trigger-fixtures';

const bases: [string, TriggerDefinition, Record<string, string>][] = [
  ['aws-sqs-queue (aws_sqs_queue_scaler.go createSqsClient)', awsSqsQueueTrigger, { queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', awsRegion: 'eu-west-1' }],
  ['aws-kinesis-stream (aws_kinesis_stream_scaler.go createKinesisClient)', awsKinesisStreamTrigger, { streamName: 'events', awsRegion: 'eu-west-1' }],
  ['aws-cloudwatch (aws_cloudwatch_scaler.go createCloudwatchClient)', awsCloudwatchTrigger, { expression: 'SELECT 1', targetMetricValue: '1', minMetricValue: '0', awsRegion: 'eu-west-1' }],
];

describe.each(bases)('%s', (_label, definition, base) => {
  it.each([
    ['localhost:4566', 'http://localhost:4566'],
    ['sqs.eu-west-1.amazonaws.com', 'https://sqs.eu-west-1.amazonaws.com'],
  ])('awsEndpoint %s (no scheme) is an error that suggests %s', (endpoint, suggestion) => {
    const result = parseWith(definition, { ...base, awsEndpoint: endpoint });
    expect(result.errors).toEqual([
      expect.objectContaining({
        field: 'spec.triggers[0].metadata.awsEndpoint',
        message: expect.stringContaining('has no scheme'),
        fix: expect.stringContaining(suggestion),
      }),
    ]);
  });

  it.each([['http://localhost:4566'], ['https://vpce-1.sqs.eu-west-1.vpce.amazonaws.com']])('awsEndpoint %s is accepted', (endpoint) => {
    expect(parseWith(definition, { ...base, awsEndpoint: endpoint }).errors).toEqual([]);
  });
});
