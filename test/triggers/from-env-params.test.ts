/**
 * Issue 15 item 4: `<param>FromEnv` only where KEDA v2.20 reads it. KEDA's typed config
 * (`pkg/scalers/scalersconfig/typed_config.go` `configParamValue`) consults `<name>FromEnv` only for
 * a parameter whose `order=` tag lists `resolvedEnv`, and always after `triggerMetadata`. For these
 * triggers that is `queueURL` alone (`pkg/scalers/aws_sqs_queue_scaler.go` `awsSqsQueueMetadata`);
 * `awsRegion` is `order=triggerMetadata;authParams` and every other parameter is
 * `order=triggerMetadata` (`aws_kinesis_stream_scaler.go`, `aws_cloudwatch_scaler.go`). Any other
 * `...FromEnv` key is one KEDA never looks at; the credential keys are read by
 * `pkg/scalers/aws/aws_common.go` `GetAwsAuthorization` and stay under the static-keys policy.
 */
import { describe, expect, it } from 'vitest';
import { awsCloudwatchTrigger } from '../../lambdas/triggers/aws-cloudwatch';
import { awsKinesisStreamTrigger } from '../../lambdas/triggers/aws-kinesis-stream';
import { awsSqsQueueTrigger } from '../../lambdas/triggers/aws-sqs-queue';
import { cronTrigger } from '../../lambdas/triggers/cron';
import type { TriggerDefinition } from '../../lambdas/triggers/trigger-definition';
import { parseWith } from '../adapters/aws/trigger-fixtures';

const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders';
const OTHER_QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/payments';
const sqs = { queueURL: QUEUE, awsRegion: 'eu-west-1' };
const kinesis = { streamName: 'events', awsRegion: 'eu-west-1' };
const cloudwatch = { namespace: 'AWS/SQS', metricName: 'M', dimensionName: 'QueueName', dimensionValue: 'orders', targetMetricValue: '10', minMetricValue: '0', awsRegion: 'eu-west-1' };
const cron = { timezone: 'UTC', start: '0 9 * * *', end: '0 18 * * *', desiredReplicas: '3' };
const ENV = { QUEUE_URL: OTHER_QUEUE, REGION: 'us-east-1', STREAM: 'other', NUMBER: '7' };

interface Row {
  label: string;
  definition: TriggerDefinition;
  metadata: Record<string, string>;
  /** Fields with an error, and one warning each for these keys. */
  errorFields: string[];
  warningFields: string[];
  /** What the parse produced, when it parsed. */
  parsed?: Record<string, unknown>;
}

const rows: Row[] = [
  { label: 'sqs queueURLFromEnv alone is read from the env (QueueURL order=triggerMetadata;resolvedEnv)', definition: awsSqsQueueTrigger, metadata: { queueURLFromEnv: 'QUEUE_URL', awsRegion: 'eu-west-1' }, errorFields: [], warningFields: [], parsed: { metricName: 's0-aws-sqs-payments' } },
  { label: 'sqs literal queueURL wins over queueURLFromEnv (configParamValue: triggerMetadata first)', definition: awsSqsQueueTrigger, metadata: { ...sqs, queueURLFromEnv: 'QUEUE_URL' }, errorFields: [], warningFields: [], parsed: { metricName: 's0-aws-sqs-orders' } },
  { label: 'sqs awsRegionFromEnv is not read (AwsRegion order=triggerMetadata;authParams)', definition: awsSqsQueueTrigger, metadata: { queueURL: QUEUE, awsRegionFromEnv: 'REGION' }, errorFields: ['awsRegion'], warningFields: ['awsRegionFromEnv'] },
  { label: 'sqs awsRegionFromEnv next to awsRegion: the literal is kept, the key ignored', definition: awsSqsQueueTrigger, metadata: { ...sqs, awsRegionFromEnv: 'REGION' }, errorFields: [], warningFields: ['awsRegionFromEnv'], parsed: { aws: { region: 'eu-west-1' } } },
  { label: 'sqs queueLengthFromEnv is not read (order=triggerMetadata): the default 5 stands', definition: awsSqsQueueTrigger, metadata: { ...sqs, queueLengthFromEnv: 'NUMBER' }, errorFields: [], warningFields: ['queueLengthFromEnv'], parsed: { target: 5 } },
  { label: 'kinesis streamNameFromEnv is not read (StreamName order=triggerMetadata)', definition: awsKinesisStreamTrigger, metadata: { awsRegion: 'eu-west-1', streamNameFromEnv: 'STREAM' }, errorFields: ['streamName'], warningFields: ['streamNameFromEnv'] },
  { label: 'kinesis shardCountFromEnv is not read: the default 2 stands', definition: awsKinesisStreamTrigger, metadata: { ...kinesis, shardCountFromEnv: 'NUMBER' }, errorFields: [], warningFields: ['shardCountFromEnv'], parsed: { target: 2 } },
  { label: 'cloudwatch targetMetricValueFromEnv is not read (order=triggerMetadata)', definition: awsCloudwatchTrigger, metadata: { ...cloudwatch, targetMetricValue: '', targetMetricValueFromEnv: 'NUMBER' }, errorFields: ['targetMetricValue'], warningFields: ['targetMetricValueFromEnv'] },
  { label: 'cloudwatch namespaceFromEnv is not read (order=triggerMetadata)', definition: awsCloudwatchTrigger, metadata: { ...cloudwatch, namespace: '', namespaceFromEnv: 'STREAM' }, errorFields: ['namespace'], warningFields: ['namespaceFromEnv'] },
  { label: 'cron endFromEnv next to end is ignored, as KEDA (cron_scaler.go End order=triggerMetadata)', definition: cronTrigger, metadata: { ...cron, endFromEnv: 'END' }, errorFields: [], warningFields: ['endFromEnv'], parsed: { target: 1 } },
  { label: 'cron endFromEnv alone: end is missing (cron_scaler.go End order=triggerMetadata)', definition: cronTrigger, metadata: { ...cron, end: '', endFromEnv: 'END' }, errorFields: ['end'], warningFields: ['endFromEnv'] },
  { label: 'credential FromEnv keys stay under the static-keys policy (aws_common.go GetAwsAuthorization)', definition: awsSqsQueueTrigger, metadata: { ...sqs, awsAccessKeyIDFromEnv: 'ID', awsSecretAccessKeyFromEnv: 'SECRET' }, errorFields: [], warningFields: [] },
];

describe('which ...FromEnv keys are read (KEDA typed_config.go configParamValue + each scaler\'s order= tags)', () => {
  it.each(rows)('$label', (row) => {
    const result = parseWith(row.definition, row.metadata, { resolvedEnv: ENV });
    const prefix = 'spec.triggers[0].metadata.';
    expect(result.errors.map((issue) => issue.field)).toEqual(row.errorFields.map((field) => prefix + field));
    expect(result.warnings.map((issue) => issue.field)).toEqual(row.warningFields.map((field) => prefix + field));
    for (const warning of result.warnings) expect(warning.message).toContain('KEDA never reads');
    if (row.parsed) expect(result.parsed).toMatchObject(row.parsed);
  });

  it('a missing awsRegion is not told to use awsRegionFromEnv', () => {
    const result = parseWith(awsSqsQueueTrigger, { queueURL: QUEUE });
    expect(result.errors[0]!.fix).not.toContain('FromEnv');
  });

  it('a missing queueURL is told it may come from queueURLFromEnv', () => {
    const result = parseWith(awsSqsQueueTrigger, { awsRegion: 'eu-west-1' });
    expect(result.errors[0]!.fix).toContain('queueURLFromEnv');
  });
});
