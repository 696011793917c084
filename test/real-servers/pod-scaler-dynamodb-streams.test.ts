/**
 * examples/dynamodb-stream-consumer.yaml through the real pod scaler handler on real servers
 * (test/pod-scaler/real-harness.ts: a real kube-apiserver, state on dynalite). The trigger's
 * DynamoDB side is moto: a real `orders` table with a stream, DescribeTable answering its
 * LatestStreamArn and DynamoDB Streams DescribeStream answering its shards. Moved from
 * test/pod-scaler/pod-scaler-dynamodb-streams.test.ts, where both calls were client mocks (dynalite
 * reports no LatestStreamArn and serves no Streams API).
 *
 * What moto cannot do, and how the set-up adapts (real server): moto models exactly one shard per
 * stream (moto/dynamodb/models/table.py `StreamShard`, one per table; `describe_stream` lists
 * `[table.stream_shard]`) and never splits it, so it cannot give the 0 and 7 shards the example's
 * assertions need. Those counts come from the wire-level proxy (test/support/fault-proxy.ts) in front
 * of moto, which forwards DescribeStream and rewrites only the `Shards` list of moto's real answer;
 * the request, the stream ARN, the SDK's serialization and parsing stay real. moto's own single
 * shard, unrewritten, is the last test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configFrom, REGION } from '../pod-scaler/harness';
import { REAL_POD_SCALER_SKIP, useRealHarness, type RealHarness } from '../pod-scaler/real-harness';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';

const EXAMPLE = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'dynamodb-stream-consumer.yaml'), 'utf8');
const startedHarness = useRealHarness();
let harness: RealHarness;
let streamsProxy: FaultProxy;
let dynamodb: DynamoDBClient;

beforeAll(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  harness = startedHarness();
  streamsProxy = await startFaultProxy({ target: harness.moto.endpoint, protocol: 'aws-json' });
  dynamodb = new DynamoDBClient(harness.moto.clientConfig(REGION));
});
afterAll(async () => {
  dynamodb?.destroy();
  await streamsProxy?.close();
});
beforeEach(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  streamsProxy.reset();
  await dynamodb.send(new DeleteTableCommand({ TableName: 'orders' })).catch(() => undefined);
  await dynamodb.send(
    new CreateTableCommand({
      TableName: 'orders',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    }),
  );
});

/** moto's DescribeStream answer, forwarded with its shard list replaced by `count` shards. */
function streamHasShards(count: number): void {
  streamsProxy.clear();
  streamsProxy.inject({
    match: (request) => request.operation === 'DescribeStream',
    fault: {
      rewrite: (body) => {
        const answer = JSON.parse(body) as { StreamDescription: { Shards: unknown[] } };
        answer.StreamDescription.Shards = Array.from({ length: count }, (_, i) => ({ ShardId: `shardId-${i}`, SequenceNumberRange: { StartingSequenceNumber: String(100 + i) } }));
        return JSON.stringify(answer);
      },
    },
  });
}

const handlerFor = () => harness.handlerFor(configFrom(EXAMPLE), {}, { dynamodb: harness.moto.endpoint, dynamodbstreams: streamsProxy.url });

describe.skipIf(REAL_POD_SCALER_SKIP)('aws-dynamodb-streams through the real handler (examples/dynamodb-stream-consumer.yaml; DynamoDB and Streams on moto)', () => {
  it('stays at zero without shards, then runs one pod per 2 shards', async () => {
    await harness.putDeployment('orders-stream-consumer', 0);
    const handler = handlerFor();

    streamHasShards(0);
    const idle = await harness.tick(handler);
    expect(idle.errors).toBe(0);
    expect(await harness.replicasOf('orders-stream-consumer')).toBe(0);

    // 7 shards: KEDA 0 → 1, the HPA ceil(7 / 2) = 4 (legacy cap max(2, 4) = 4).
    streamHasShards(7);
    harness.clock.advance(60_000);
    const busy = await harness.tick(handler);
    expect(busy.errors).toBe(0);
    expect(busy.calls.dynamodbstreams).toBeGreaterThan(0);
    expect(await harness.replicasOf('orders-stream-consumer')).toBe(4);
    // Every DescribeStream named the stream moto's DescribeTable reported for `orders`.
    const arns = new Set(streamsProxy.requests.filter((request) => request.operation === 'DescribeStream').map((request) => (JSON.parse(request.body) as { StreamArn: string }).StreamArn));
    expect([...arns]).toHaveLength(1);
    expect([...arns][0]).toMatch(/^arn:aws:dynamodb:us-east-1:\d{12}:table\/orders\/stream\//);
  });

  it("moto's own stream, one shard and nothing rewritten: activated to one pod", async () => {
    await harness.putDeployment('orders-stream-consumer', 0);
    const summary = await harness.tick(handlerFor());
    expect(summary.errors).toBe(0);
    expect(streamsProxy.faulted).toEqual([]);
    expect(streamsProxy.requests.filter((request) => request.operation === 'DescribeStream').length).toBeGreaterThan(0);
    // 1 shard > activationShardCount 0: KEDA 0 → 1; the HPA ceil(1 / 2) = 1.
    expect(await harness.replicasOf('orders-stream-consumer')).toBe(1);
  });
});
