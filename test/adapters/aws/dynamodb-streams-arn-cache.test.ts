/**
 * aws-dynamodb-streams reads through the real SDK against moto, which serves both DynamoDB
 * (DescribeTable's LatestStreamArn) and DynamoDB Streams (DescribeStream): the shard count, the
 * stream ARN kept between polls as KEDA keeps it in its scaler (`scalers_cache.go`
 * GetMetricsAndActivityForScaler: the scaler, and so the ARN, is rebuilt only after a failed read),
 * and the errors that name the table. Calls are counted in moto's own request log.
 */
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient, UpdateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../../lambdas/adapters/aws/read-plan';
import { awsDynamoDbStreamsTrigger } from '../../../lambdas/triggers/aws-dynamodb-streams';
import { toTriggerResults } from '../../../lambdas/triggers/metric-step';
import type { TriggerError } from '../../../lambdas/triggers/trigger-definition';
import { MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../../support/moto-server';
import { parsedTrigger, scaledObject } from './trigger-fixtures';

const REGION = 'us-east-1';
let moto: MotoServer;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  if (MOTO_SKIP) return;
  moto = await startMoto();
  dynamodb = new DynamoDBClient(moto.clientConfig(REGION));
}, MOTO_START_TIMEOUT_MS);
afterAll(() => moto?.stop());
beforeEach(async () => {
  if (MOTO_SKIP) return;
  await moto.reset();
  await moto.recordRequests();
});

async function createTable(name: string, stream: boolean): Promise<void> {
  await dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
      ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' } } : {}),
    }),
  );
}

function reader() {
  const factory = new AwsClientFactory(moto.awsClientFactoryOptions({ endpoints: { dynamodb: moto.endpoint, dynamodbstreams: moto.endpoint } }));
  return createTriggerReader({ clientFactory: factory });
}

function streamItem(metadata: Record<string, string>) {
  const trigger = parsedTrigger(awsDynamoDbStreamsTrigger, { awsRegion: REGION, ...metadata });
  return { object: scaledObject('consumer', [trigger]), item: { id: 'prod/jobs/consumer#0', trigger } };
}

/** The scaler's own calls in moto's log, by operation (the tests' set-up is left out). */
async function scalerCalls(): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const request of await moto.recordedRequests()) {
    if (request.operation === 'DescribeTable' || request.operation === 'DescribeStream') counts[request.operation] = (counts[request.operation] ?? 0) + 1;
  }
  return counts;
}

describe.skipIf(MOTO_SKIP)('aws-dynamodb-streams against moto', () => {
  it('counts the shards of the table\'s latest stream, and describes the table once for many polls', async () => {
    await createTable('orders', true);
    const read = reader();
    const { object, item } = streamItem({ tableName: 'orders', shardCount: '1' });

    for (const now of [1_000, 16_000, 31_000]) {
      const { readings, calls } = await read([item], now);
      // The read plan counts the DescribeTable of the first poll under dynamodb.
      expect(calls).toEqual(now === 1_000 ? { dynamodb: 1, dynamodbstreams: 1 } : { dynamodbstreams: 1 });
      const [result] = toTriggerResults(object, 'prod/jobs/consumer', readings, now);
      expect(result).toMatchObject({ ok: true, active: true });
      expect((result as { value: number }).value).toBeGreaterThanOrEqual(1);
    }
    // KEDA reads LatestStreamArn when it builds the scaler, not at every poll.
    expect(await scalerCalls()).toEqual({ DescribeTable: 1, DescribeStream: 3 });
  });

  it('a stream that is gone is described again once (the scaler refresh), and its error names the table', async () => {
    await createTable('orders', true);
    const read = reader();
    const { item } = streamItem({ tableName: 'orders' });
    await read([item], 1_000);

    // The table is replaced by one without a stream: the kept ARN fails, DescribeTable is asked again.
    await dynamodb.send(new DeleteTableCommand({ TableName: 'orders' }));
    await createTable('orders', false);
    const { readings } = await read([item], 16_000);
    const error = readings.get(item.id) as TriggerError;
    expect(error.code).toBe('NoStream');
    expect(error.message).toBe('dynamodb stream arn for the table orders is empty: enable a stream on the table');
    // DescribeTable again after the kept ARN failed. (moto answers DescribeStream of the old ARN with
    // an error the SDK retries, so the DescribeStream count is moto's; real DynamoDB Streams keeps a
    // deleted table's stream readable for 24 hours, and KEDA too would count it until a read fails.)
    expect(await scalerCalls()).toMatchObject({ DescribeTable: 2 });

    // Enabling a stream gives a new ARN, which the next poll finds.
    await dynamodb.send(new UpdateTableCommand({ TableName: 'orders', StreamSpecification: { StreamEnabled: true, StreamViewType: 'KEYS_ONLY' } }));
    const again = await read([item], 31_000);
    expect(again.readings.get(item.id)).toMatchObject({ service: 'dynamodbstreams' });
  });

  it('a missing table is an error naming the table and the region', async () => {
    const { item } = streamItem({ tableName: 'missing' });
    const { readings } = await reader()([item], 1_000);
    const error = readings.get(item.id) as TriggerError;
    expect(error.code).toBe('ResourceNotFoundException');
    expect(error.message).toContain('missing');
    expect(error.message).toContain(REGION);
  });
});
