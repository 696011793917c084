/**
 * aws-dynamodb-streams reads through the real SDK and read plan. DescribeTable goes to dynalite
 * where dynalite can answer (a missing table, a table without a stream). dynalite neither serves the
 * DynamoDB Streams API nor reports a LatestStreamArn, and no other emulator is available to these
 * tests (moto lives on another branch), so DescribeStream, and DescribeTable for a table with a
 * stream, go through aws-sdk-client-mock, answering in the APIs' documented shapes (including
 * LastEvaluatedShardId paging).
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../../lambdas/adapters/aws/read-plan';
import { awsDynamoDbStreamsTrigger } from '../../../lambdas/triggers/aws-dynamodb-streams';
import { toTriggerResults } from '../../../lambdas/triggers/metric-step';
import type { TriggerError } from '../../../lambdas/triggers/trigger-definition';
import { startDynalite, type RunningDynalite } from '../../support/dynalite';
import { parsedTrigger, scaledObject } from './trigger-fixtures';

const credentials = async () => ({ accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' });
const streams = mockClient(DynamoDBStreamsClient);
let db: RunningDynalite;

async function createTable(name: string, stream: boolean): Promise<void> {
  await db.client.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
    ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } } : {}),
  }));
}

beforeAll(async () => {
  db = await startDynalite();
  await createTable('orders', true);
  await createTable('plain', false);
});
afterAll(async () => {
  streams.restore();
  await db.close();
});
beforeEach(() => {
  streams.reset();
});

function item(object: string, metadata: Record<string, string>) {
  const trigger = parsedTrigger(awsDynamoDbStreamsTrigger, { awsRegion: 'us-east-1', ...metadata });
  return { object: scaledObject(object, [trigger]), item: { id: `prod/jobs/${object}#0`, trigger } };
}

const reader = () => createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials, endpoints: { dynamodb: db.endpoint } }) });
const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2026-11-23T09:00:00.000';

/** DescribeTable for `orders` with its stream, as DynamoDB answers it (dynalite omits LatestStreamArn). */
function tableWithStream(): () => void {
  const tables = mockClient(DynamoDBClient);
  tables.on(DescribeTableCommand, { TableName: 'orders' }).resolves({ Table: { TableName: 'orders', LatestStreamArn: STREAM_ARN } });
  return () => tables.restore();
}

const shards = (count: number, from = 0) => Array.from({ length: count }, (_, i) => ({ ShardId: `shardId-${from + i}` }));

describe('aws-dynamodb-streams', () => {
  it("counts every shard of the table's latest stream, across DescribeStream pages", async () => {
    streams.on(DescribeStreamCommand).callsFake(async (input: { StreamArn?: string; ExclusiveStartShardId?: string }) => {
      expect(input.StreamArn).toBe(STREAM_ARN);
      return input.ExclusiveStartShardId
        ? { StreamDescription: { Shards: shards(3, 100) } }
        : { StreamDescription: { Shards: shards(100), LastEvaluatedShardId: 'shardId-99' } };
    });
    const { object, item: read } = item('consumer', { tableName: 'orders', shardCount: '25', activationShardCount: '102' });
    const restore = tableWithStream();
    const { readings } = await reader()([read], 1_000).finally(restore);
    expect(toTriggerResults(object, 'prod/jobs/consumer', readings, 1_000)).toEqual([{ index: 0, ok: true, value: 103, active: true }]);
    expect(streams.commandCalls(DescribeStreamCommand)).toHaveLength(2);
  });

  it('a table without a stream is an error saying so (KEDA: "dynamodb stream arn for the table ... is empty")', async () => {
    const { item: read } = item('plain', { tableName: 'plain' });
    const error = (await reader()([read], 0)).readings.get(read.id) as TriggerError;
    expect(error.code).toBe('NoStream');
    expect(error.message).toContain('dynamodb stream arn for the table plain is empty');
    expect(streams.commandCalls(DescribeStreamCommand)).toHaveLength(0);
  });

  it('a missing table names the table and region (DescribeTable against dynalite)', async () => {
    const { item: read } = item('lost', { tableName: 'missing' });
    const error = (await reader()([read], 0)).readings.get(read.id) as TriggerError;
    expect(error.code).toBe('ResourceNotFoundException');
    expect(error.message).toContain('table missing does not exist in us-east-1: check tableName and awsRegion');
  });

  it('DescribeStream denied names the action and the stream resource', async () => {
    streams.on(DescribeStreamCommand).rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));
    const { item: read } = item('denied', { tableName: 'orders' });
    const restore = tableWithStream();
    const error = (await reader()([read], 0).finally(restore)).readings.get(read.id) as TriggerError;
    expect(error.message).toContain('grant dynamodb:DescribeStream on arn:aws:dynamodb:us-east-1:*:table/orders/stream/*');
  });
});
