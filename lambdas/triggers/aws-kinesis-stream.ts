/**
 * `aws-kinesis-stream` (KEDA `pkg/scalers/aws_kinesis_stream_scaler.go`): a stream's open shard
 * count, with an AverageValue target of `shardCount` shards per pod.
 *
 * KEDA reads `OpenShardCount` from `DescribeStreamSummary`, whose quota is 20 calls a second for the
 * whole account and region. The scaler's own role counts the same shards with `ListShards`, whose
 * quota is 1,000 calls a second per stream, so a fleet's streams are all read fresh every pass at
 * any size (docs/performance.md §32). A trigger that assumes a role (`awsRoleArn`, `podIdentity`)
 * keeps `DescribeStreamSummary`, the one permission KEDA documents for that role, under the account
 * quota that kinesis-call-limit.ts keeps.
 */
import { DescribeStreamSummaryCommand, ListShardsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import { awsErrorName, toTriggerError } from '../adapters/aws/aws-errors';
import { readEachRequest, readShardTargets, AWS_AUTH_PARAMS, AWS_STATIC_CREDENTIAL_KEYS, assertEnvResolved, partitionOf, readAwsSource, requireAwsSource, namedResourceParsed, sourceKey } from './aws-common';
import { metadataReader } from './metadata-values';
import {
  TriggerError,
  type AwsSource,
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

/**
 * The call that reads a stream from `source`: through a role the trigger assumes,
 * DescribeStreamSummary, the one action KEDA's documentation grants that role; with the scaler's
 * own role, ListShards (per-stream quota), which its stack grants. The IAM action is `kinesis:` and
 * this name.
 */
export function kinesisReadOperation(source: AwsSource | undefined): 'ListShards' | 'DescribeStreamSummary' {
  return source?.roleArn === undefined ? 'ListShards' : 'DescribeStreamSummary';
}

/** True when a stream read from `source` spends the account's DescribeStreamSummary quota. */
export function kinesisReadUsesAccountQuota(source: AwsSource | undefined): boolean {
  return kinesisReadOperation(source) === 'DescribeStreamSummary';
}

/** ListShards pages one read may follow: 1,000 shards a page, far past any account's shard quota. */
const MAX_LIST_SHARDS_PAGES = 50;
const LIST_SHARDS_PAGE_SIZE = 1_000;

async function readStream(client: KinesisClient, request: Extract<ReadRequest, { service: 'kinesis' }>, signal?: AbortSignal): Promise<Reading | TriggerError> {
  const { region, roleArn } = request.source;
  const operation = kinesisReadOperation(request.source);
  const listing = operation === 'ListShards';
  try {
    const shards = listing ? await countOpenShards(client, request.streamName, signal) : await describeOpenShards(client, request.streamName, signal);
    if (shards instanceof TriggerError) return shards;
    return { service: 'kinesis', openShardCount: shards };
  } catch (error) {
    // ListShards answers only for an ACTIVE or UPDATING stream, where DescribeStreamSummary (KEDA's
    // read) also answers while the stream is created or deleted: a passing state, not a fault to fix.
    if (listing && awsErrorName(error) === 'ResourceInUseException') {
      return new TriggerError(`stream ${request.streamName} in ${region} is not active (it is being created or deleted): ListShards counts the shards of an active stream only; it is read again next pass`, 'StreamNotActive');
    }
    return toTriggerError(error, {
      operation: `Kinesis ${operation}`,
      iamAction: `kinesis:${operation}`,
      resource: `arn:${partitionOf(region)}:kinesis:${region}:*:stream/${request.streamName}`,
      region,
      target: `stream ${request.streamName}`,
      targetKeys: 'streamName',
      ...(roleArn ? { roleArn } : {}),
      ...(signal ? { signal } : {}),
    });
  }
}

async function describeOpenShards(client: KinesisClient, streamName: string, signal?: AbortSignal): Promise<number | TriggerError> {
  const answer = await client.send(new DescribeStreamSummaryCommand({ StreamName: streamName }), signal ? { abortSignal: signal } : {});
  const shards = answer.StreamDescriptionSummary?.OpenShardCount;
  if (typeof shards !== 'number' || !Number.isFinite(shards)) return new TriggerError(`DescribeStreamSummary returned no OpenShardCount for stream ${streamName}`, 'MissingShardCount');
  return shards;
}

/**
 * The stream's open shards, as `OpenShardCount` counts them: `AT_LATEST` asks for the open ones
 * only, and a shard with an ending sequence number (closed by a split or merge) is not counted, so
 * a server that ignores the filter still gives the same count.
 */
async function countOpenShards(client: KinesisClient, streamName: string, signal?: AbortSignal): Promise<number | TriggerError> {
  const options = signal ? { abortSignal: signal } : {};
  let open = 0;
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_LIST_SHARDS_PAGES; page++) {
    // A later page names only its token: the token carries the stream and the filter.
    const input = nextToken === undefined ? { StreamName: streamName, ShardFilter: { Type: 'AT_LATEST' as const }, MaxResults: LIST_SHARDS_PAGE_SIZE } : { NextToken: nextToken };
    const answer = await client.send(new ListShardsCommand(input), options);
    if (!Array.isArray(answer.Shards)) return new TriggerError(`ListShards returned no shard list for stream ${streamName}`, 'MissingShardCount');
    for (const shard of answer.Shards) if (shard.SequenceNumberRange?.EndingSequenceNumber == null) open += 1;
    nextToken = answer.NextToken || undefined;
    if (nextToken === undefined) return open;
  }
  return new TriggerError(`ListShards for stream ${streamName} had more than ${MAX_LIST_SHARDS_PAGES} pages of ${LIST_SHARDS_PAGE_SIZE} shards`, 'TooManyShardPages');
}

export const awsKinesisStreamTrigger: TriggerDefinition = {
  type: 'aws-kinesis-stream',
  parse,
  readRequest,
  toMetric,
  readBatch,
};
