/**
 * examples/dynamodb-stream-consumer.yaml through the real pod scaler handler (kube-apiserver test
 * server, state on dynalite). dynalite reports no LatestStreamArn and does not serve DynamoDB
 * Streams, so DescribeTable for the example's table and DescribeStream are client mocks (every
 * other DynamoDB call, the state store's included, still goes to dynalite).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configFrom, putDeployment, replicasOf, startHarness, type Harness } from './harness';

const EXAMPLE = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'dynamodb-stream-consumer.yaml'), 'utf8');
const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:111122223333:table/orders/stream/2026-11-22T00:00:00.000';
const streams = mockClient(DynamoDBStreamsClient);
let harness: Harness;
let shardCount = 0;

beforeEach(async () => {
  harness = await startHarness();
  shardCount = 0;
  streams.reset();
  streams.on(DescribeStreamCommand, { StreamArn: STREAM_ARN }).callsFake(async () => ({
    StreamDescription: { Shards: Array.from({ length: shardCount }, (_, i) => ({ ShardId: `shardId-${i}` })) },
  }));
  const send = DynamoDBClient.prototype.send;
  vi.spyOn(DynamoDBClient.prototype, 'send').mockImplementation(function (this: DynamoDBClient, command: unknown, ...rest: unknown[]) {
    if (command instanceof DescribeTableCommand && command.input.TableName === 'orders') {
      return Promise.resolve({ Table: { TableName: 'orders', LatestStreamArn: STREAM_ARN } });
    }
    return (send as (...args: unknown[]) => Promise<unknown>).call(this, command, ...rest);
  } as typeof send);
});

afterEach(async () => {
  vi.restoreAllMocks();
  await harness.close();
});

describe('aws-dynamodb-streams through the real handler (examples/dynamodb-stream-consumer.yaml)', () => {
  it('stays at zero without shards, then runs one pod per 2 shards', async () => {
    putDeployment(harness.kube, 'shop', 'orders-stream-consumer', 0);
    const handler = harness.handlerFor(configFrom(EXAMPLE));

    const idle = await harness.tick(handler);
    expect(idle.errors).toBe(0);
    expect(replicasOf(harness.kube, 'shop', 'orders-stream-consumer')).toBe(0);

    // 7 shards: KEDA 0 → 1, the HPA ceil(7 / 2) = 4 (legacy cap max(2, 4) = 4).
    shardCount = 7;
    harness.clock.advance(60_000);
    const busy = await harness.tick(handler);
    expect(busy.errors).toBe(0);
    expect(busy.calls.dynamodbstreams).toBeGreaterThan(0);
    expect(replicasOf(harness.kube, 'shop', 'orders-stream-consumer')).toBe(4);
  });
});
