/**
 * `aws-kinesis-stream` (KEDA `pkg/scalers/aws_kinesis_stream_scaler.go`): a stream's open shard
 * count, with an AverageValue target of `shardCount` shards per pod.
 */
import { DescribeStreamSummaryCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { toTriggerError } from '../adapters/aws/aws-errors';
import { readEachRequest, readShardTargets, AWS_AUTH_PARAMS, AWS_STATIC_CREDENTIAL_KEYS, assertEnvResolved, partitionOf, readAwsSource, requireAwsSource, namedResourceParsed, sourceKey } from './aws-common';
import { metadataReader } from './metadata-values';
import {
  TriggerError,
  type MetricOutcome,
  type ParsedTrigger,
  type Reading,
  type ReadRequest,
  type TriggerDefinition,
  type TriggerParseInput,
  type TriggerParseResult,
} from './trigger-definition';

export type KinesisParams = {
  streamName: string;
  shardCount: number;
  activationShardCount: number;
};

function parse(input: TriggerParseInput): TriggerParseResult {
  const reader = metadataReader(input, [], AWS_AUTH_PARAMS);
  const streamName = reader.string('streamName', { required: true });
  const { shardCount, activationShardCount } = readShardTargets(reader, input);
  const aws = readAwsSource(reader, input);
  reader.finish(AWS_STATIC_CREDENTIAL_KEYS);
  if (reader.errors.length > 0 || shardCount === undefined || activationShardCount === undefined) {
    return { errors: reader.errors, warnings: reader.warnings };
  }
  return namedResourceParsed(input, reader, { kind: 'kinesis', param: 'streamName', name: streamName }, {
    target: shardCount,
    activationTarget: activationShardCount,
    params: { streamName: streamName ?? '', shardCount, activationShardCount },
    aws,
  });
}

function readRequest(trigger: ParsedTrigger): ReadRequest {
  assertEnvResolved(trigger);
  const params = trigger.params as KinesisParams;
  const source = requireAwsSource(trigger);
  return { service: 'kinesis', key: `kinesis|${sourceKey(source)}|${params.streamName}`, source, streamName: params.streamName };
}

function toMetric(trigger: ParsedTrigger, reading: Reading | undefined): MetricOutcome {
  const params = trigger.params as KinesisParams;
  if (reading?.service !== 'kinesis') throw new TriggerError(`no Kinesis reading for stream ${params.streamName}`, 'NoReading');
  const shards = reading.openShardCount;
  return { value: shards, active: shards > params.activationShardCount };
}

async function readBatch(requests: ReadRequest[], clients: { kinesis(): KinesisClient }, options: { signal?: AbortSignal }): Promise<Map<string, Reading | TriggerError>> {
  const client = clients.kinesis();
  return readEachRequest(requests, 'kinesis', (request) => readStream(client, request, options.signal));
}

async function readStream(client: KinesisClient, request: Extract<ReadRequest, { service: 'kinesis' }>, signal?: AbortSignal): Promise<Reading | TriggerError> {
  const { region, roleArn } = request.source;
  try {
    const answer = await client.send(new DescribeStreamSummaryCommand({ StreamName: request.streamName }), signal ? { abortSignal: signal } : {});
    const shards = answer.StreamDescriptionSummary?.OpenShardCount;
    if (shards === undefined) return new TriggerError(`DescribeStreamSummary returned no OpenShardCount for stream ${request.streamName}`, 'MissingShardCount');
    return { service: 'kinesis', openShardCount: shards };
  } catch (error) {
    return toTriggerError(error, {
      operation: 'Kinesis DescribeStreamSummary',
      iamAction: 'kinesis:DescribeStreamSummary',
      resource: `arn:${partitionOf(region)}:kinesis:${region}:*:stream/${request.streamName}`,
      region,
      target: `stream ${request.streamName}`,
      targetKeys: 'streamName',
      ...(roleArn ? { roleArn } : {}),
      ...(signal ? { signal } : {}),
    });
  }
}

export const awsKinesisStreamTrigger: TriggerDefinition = {
  type: 'aws-kinesis-stream',
  parse,
  readRequest,
  toMetric,
  readBatch,
};
