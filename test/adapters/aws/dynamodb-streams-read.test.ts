/**
 * aws-dynamodb-streams reads through the real SDK and read plan against moto: DescribeTable (a table
 * with a stream reports its LatestStreamArn, one without reports none, a missing one is moto's
 * ResourceNotFoundException) and DynamoDB Streams DescribeStream on moto's real stream. These used
 * to be client mocks: dynalite neither serves the Streams API nor reports a LatestStreamArn.
 *
 * What moto cannot give comes from the wire-level proxy (test/support/fault-proxy.ts) in front of
 * it, on moto's real answers: moto models one shard per stream and ignores ExclusiveStartShardId
 * (moto/dynamodbstreams/models.py `describe_stream`), so the 103 shards over two pages are its
 * answer with the shard list and LastEvaluatedShardId rewritten per request; and moto writes IAM
 * denials as XML (test/real-servers/README.md), so the denied DescribeStream is the proxy's
 * AccessDeniedException in the JSON shape DynamoDB Streams uses.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../../lambdas/adapters/aws/read-plan';
import { awsDynamoDbStreamsTrigger } from '../../../lambdas/triggers/aws-dynamodb-streams';
import { toTriggerResults } from '../../../lambdas/triggers/metric-step';
import type { TriggerError } from '../../../lambdas/triggers/trigger-definition';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from '../../support/fault-proxy';
import { MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../../support/moto-server';
import { parsedTrigger, scaledObject } from './trigger-fixtures';

const credentials = async () => ({ accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' });
let moto: MotoServer;
let streams: FaultProxy;
let dynamodb: DynamoDBClient;
let streamArn: string;

async function createTable(name: string, stream: boolean): Promise<void> {
  await dynamodb.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
    ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } } : {}),
  }));
}

beforeAll(async () => {
  if (MOTO_SKIP) return;
  moto = await startMoto();
  streams = await startFaultProxy({ target: moto.endpoint, protocol: 'aws-json' });
  dynamodb = new DynamoDBClient(moto.clientConfig('us-east-1'));
  await createTable('orders', true);
  await createTable('plain', false);
  streamArn = (await dynamodb.send(new DescribeTableCommand({ TableName: 'orders' }))).Table!.LatestStreamArn!;
}, MOTO_START_TIMEOUT_MS);
afterAll(async () => {
  dynamodb?.destroy();
  await streams?.close();
  await moto?.stop();
});
beforeEach(() => {
  if (MOTO_SKIP) return;
  streams.reset();
});

function item(object: string, metadata: Record<string, string>) {
  const trigger = parsedTrigger(awsDynamoDbStreamsTrigger, { awsRegion: 'us-east-1', ...metadata });
  return { object: scaledObject(object, [trigger]), item: { id: `prod/jobs/${object}#0`, trigger } };
}

const reader = () => createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials, endpoints: { dynamodb: moto.endpoint, dynamodbstreams: streams.url } }) });

const shards = (count: number, from = 0) => Array.from({ length: count }, (_, i) => ({ ShardId: `shardId-${from + i}` }));
const describeStreamInput = (request: ProxiedRequest) => JSON.parse(request.body) as { StreamArn?: string; ExclusiveStartShardId?: string };
const describeStreamCalls = () => streams.requests.filter((request) => request.operation === 'DescribeStream');

/** moto's DescribeStream answer with this page of shards instead of its one (moto does not page). */
function pageOfShards(page: { Shards: unknown[]; LastEvaluatedShardId?: string }) {
  return {
    rewrite: (body: string) => {
      const answer = JSON.parse(body) as { StreamDescription: Record<string, unknown> };
      answer.StreamDescription = { ...answer.StreamDescription, ...page };
      return JSON.stringify(answer);
    },
  };
}

describe.skipIf(MOTO_SKIP)('aws-dynamodb-streams (DynamoDB and DynamoDB Streams on moto)', () => {
  it("counts every shard of the table's latest stream, across DescribeStream pages", async () => {
    const isDescribeStream = (request: ProxiedRequest) => request.operation === 'DescribeStream';
    streams.inject({ match: (request) => isDescribeStream(request) && describeStreamInput(request).ExclusiveStartShardId === undefined, fault: pageOfShards({ Shards: shards(100), LastEvaluatedShardId: 'shardId-99' }) });
    streams.inject({ match: (request) => isDescribeStream(request) && describeStreamInput(request).ExclusiveStartShardId === 'shardId-99', fault: pageOfShards({ Shards: shards(3, 100) }) });
    const { object, item: read } = item('consumer', { tableName: 'orders', shardCount: '25', activationShardCount: '102' });
    const { readings } = await reader()([read], 1_000);
    expect(toTriggerResults(object, 'prod/jobs/consumer', readings, 1_000)).toEqual([{ index: 0, ok: true, value: 103, active: true }]);
    expect(describeStreamCalls()).toHaveLength(2);
    // Both pages asked for the stream moto's DescribeTable reported.
    expect(describeStreamCalls().map((request) => describeStreamInput(request).StreamArn)).toEqual([streamArn, streamArn]);
  });

  it("moto's own stream, unrewritten: its one shard is counted", async () => {
    const { object, item: read } = item('consumer', { tableName: 'orders', shardCount: '25', activationShardCount: '0' });
    const { readings } = await reader()([read], 1_000);
    expect(toTriggerResults(object, 'prod/jobs/consumer', readings, 1_000)).toEqual([{ index: 0, ok: true, value: 1, active: true }]);
    expect(streams.faulted).toEqual([]);
  });

  it('a table without a stream is an error saying so (KEDA: "dynamodb stream arn for the table ... is empty")', async () => {
    const { item: read } = item('plain', { tableName: 'plain' });
    const error = (await reader()([read], 0)).readings.get(read.id) as TriggerError;
    expect(error.code).toBe('NoStream');
    expect(error.message).toContain('dynamodb stream arn for the table plain is empty');
    expect(describeStreamCalls()).toHaveLength(0);
  });

  it('a missing table names the table and region (DescribeTable against moto)', async () => {
    const { item: read } = item('lost', { tableName: 'missing' });
    const error = (await reader()([read], 0)).readings.get(read.id) as TriggerError;
    expect(error.code).toBe('ResourceNotFoundException');
    expect(error.message).toContain('table missing does not exist in us-east-1: check tableName and awsRegion');
  });

  it('DescribeStream denied names the action and the stream resource', async () => {
    streams.inject({ match: (request) => request.operation === 'DescribeStream', fault: 'denied' });
    const { item: read } = item('denied', { tableName: 'orders' });
    const error = (await reader()([read], 0)).readings.get(read.id) as TriggerError;
    expect(error.message).toContain('grant dynamodb:DescribeStream on arn:aws:dynamodb:us-east-1:*:table/orders/stream/*');
  });
});
