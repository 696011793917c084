/**
 * `aws-dynamodb-streams` (KEDA `pkg/scalers/aws_dynamodb_streams_scaler.go`): the number of shards
 * of a table's latest stream, with an AverageValue target of `shardCount` shards per pod. As KEDA:
 * the stream ARN comes from DescribeTable (`LatestStreamArn`), and every shard DescribeStream lists
 * is counted (closed ones included), page by page.
 *
 * KEDA reads the stream ARN once, when it builds the scaler, and builds it again (a new
 * DescribeTable) only after a read fails (`scalers_cache.go` GetMetricsAndActivityForScaler:
 * refreshScaler, then one more try). The ARN is kept the same way here, per table and per source's
 * clients (which the read plan keeps for the Lambda container's life): DescribeTable once, then
 * DescribeStream alone each poll; a failed DescribeStream forgets the ARN and tries once more with a
 * fresh one (a stream re-enabled on the table has a new ARN).
 */
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, type DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { toTriggerError } from '../adapters/aws/aws-errors';
import { readEachRequest, readShardTargets, AWS_AUTH_PARAMS, AWS_STATIC_CREDENTIAL_KEYS, assertEnvResolved, partitionOf, readAwsSource, requireAwsSource, sourceKey } from './aws-common';
import { metadataReader, normalizeMetricNamePart } from './metadata-values';
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

export type DynamoDbStreamsParams = {
  tableName: string;
  shardCount: number;
  activationShardCount: number;
};

/** DescribeStream pages through shards; a stream with more pages than this is refused, not looped on. */
const MAX_SHARD_PAGES = 100;

function parse(input: TriggerParseInput): TriggerParseResult {
  const reader = metadataReader(input, [], AWS_AUTH_PARAMS);
  const tableName = reader.string('tableName', { required: true });
  const { shardCount, activationShardCount } = readShardTargets(reader, input);
  const aws = readAwsSource(reader, input);
  reader.finish(AWS_STATIC_CREDENTIAL_KEYS);
  if (reader.errors.length > 0 || !tableName || shardCount === undefined || activationShardCount === undefined) {
    return { errors: reader.errors, warnings: reader.warnings };
  }
  const params: DynamoDbStreamsParams = { tableName, shardCount, activationShardCount };
  return {
    parsed: {
      metricName: `s${input.index}-${normalizeMetricNamePart(`aws-dynamodb-streams-${tableName}`)}`,
      target: shardCount,
      activationTarget: activationShardCount,
      params,
      aws,
      envRefs: { ...reader.envRefs },
    },
    errors: reader.errors,
    warnings: reader.warnings,
  };
}

function readRequest(trigger: ParsedTrigger): ReadRequest {
  assertEnvResolved(trigger);
  const { tableName } = trigger.params as DynamoDbStreamsParams;
  const source = requireAwsSource(trigger);
  return { service: 'dynamodbstreams', key: `dynamodbstreams|${sourceKey(source)}|${tableName}`, source, tableName };
}

function toMetric(trigger: ParsedTrigger, reading: Reading | undefined): MetricOutcome {
  const params = trigger.params as DynamoDbStreamsParams;
  if (reading?.service !== 'dynamodbstreams') throw new TriggerError(`no DynamoDB Streams reading for table ${params.tableName}`, 'NoReading');
  return { value: reading.shardCount, active: reading.shardCount > params.activationShardCount };
}

interface StreamClients {
  dynamodb(): DynamoDBClient;
  dynamodbStreams(): DynamoDBStreamsClient;
}

async function readBatch(requests: ReadRequest[], clients: StreamClients, options: { signal?: AbortSignal }): Promise<Map<string, Reading | TriggerError>> {
  return readEachRequest(requests, 'dynamodbstreams', (request) => readShards(clients, request, options.signal));
}

type StreamsRequest = Extract<ReadRequest, { service: 'dynamodbstreams' }>;

/** Stream ARNs by table name, per source's clients: they live as long as the read plan keeps the clients. */
const streamArns = new WeakMap<StreamClients, Map<string, string>>();

function streamArnCache(clients: StreamClients): Map<string, string> {
  let cache = streamArns.get(clients);
  if (!cache) {
    cache = new Map();
    streamArns.set(clients, cache);
  }
  return cache;
}

function errorContext(request: StreamsRequest, signal?: AbortSignal) {
  const { region, roleArn } = request.source;
  const table = `arn:${partitionOf(region)}:dynamodb:${region}:*:table/${request.tableName}`;
  return { table, context: { region, target: `table ${request.tableName}`, targetKeys: 'tableName', ...(roleArn ? { roleArn } : {}), ...(signal ? { signal } : {}) } };
}

async function readShards(clients: StreamClients, request: StreamsRequest, signal?: AbortSignal): Promise<Reading | TriggerError> {
  const cache = streamArnCache(clients);
  const known = cache.get(request.tableName);
  if (known !== undefined) {
    const reading = await countShards(clients, request, known, signal);
    if (!(reading instanceof TriggerError) || signal?.aborted) return reading;
    // As KEDA's scaler refresh after a failed read: describe the table again and try once more.
    cache.delete(request.tableName);
  }
  const streamArn = await latestStreamArn(clients, request, signal);
  if (streamArn instanceof TriggerError) return streamArn;
  cache.set(request.tableName, streamArn);
  return countShards(clients, request, streamArn, signal);
}

async function latestStreamArn(clients: StreamClients, request: StreamsRequest, signal?: AbortSignal): Promise<string | TriggerError> {
  const { table, context } = errorContext(request, signal);
  let streamArn: string | undefined;
  try {
    const described = await clients.dynamodb().send(new DescribeTableCommand({ TableName: request.tableName }), signal ? { abortSignal: signal } : {});
    streamArn = described.Table?.LatestStreamArn;
  } catch (error) {
    return toTriggerError(error, { ...context, operation: 'DynamoDB DescribeTable', iamAction: 'dynamodb:DescribeTable', resource: table });
  }
  return streamArn || new TriggerError(`dynamodb stream arn for the table ${request.tableName} is empty: enable a stream on the table`, 'NoStream');
}

async function countShards(clients: StreamClients, request: StreamsRequest, streamArn: string, signal?: AbortSignal): Promise<Reading | TriggerError> {
  const call = signal ? { abortSignal: signal } : {};
  const { table, context } = errorContext(request, signal);
  try {
    let shardCount = 0;
    let exclusiveStartShardId: string | undefined;
    for (let page = 0; page < MAX_SHARD_PAGES; page += 1) {
      const answer = await clients.dynamodbStreams().send(new DescribeStreamCommand({ StreamArn: streamArn, ...(exclusiveStartShardId ? { ExclusiveStartShardId: exclusiveStartShardId } : {}) }), call);
      const shards = answer.StreamDescription?.Shards;
      if (!Array.isArray(shards)) return new TriggerError(`DescribeStream returned no shard list for the stream of table ${request.tableName}`, 'MissingShards');
      shardCount += shards.length;
      exclusiveStartShardId = answer.StreamDescription?.LastEvaluatedShardId;
      if (!exclusiveStartShardId) return { service: 'dynamodbstreams', shardCount };
    }
    return new TriggerError(`the stream of table ${request.tableName} has more than ${MAX_SHARD_PAGES} pages of shards; not counted`, 'TooManyShards');
  } catch (error) {
    return toTriggerError(error, { ...context, operation: 'DynamoDB Streams DescribeStream', iamAction: 'dynamodb:DescribeStream', resource: `${table}/stream/*` });
  }
}

export const awsDynamoDbStreamsTrigger: TriggerDefinition = {
  type: 'aws-dynamodb-streams',
  parse,
  readRequest,
  toMetric,
  readBatch,
};
