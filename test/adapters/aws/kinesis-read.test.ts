/**
 * Kinesis reads through the real SDK, over HTTP/1.1, against kinesalite on loopback (kept over
 * moto's Kinesis: see test/real-servers/README.md), with roles assumed through moto's STS, and the
 * stored readings of cold containers in dynalite. The scaler's own role lists open shards
 * (ListShards, a quota per stream); a trigger's assumed role describes the stream
 * (DescribeStreamSummary, the account's quota), which the limit keeps.
 */
import { SplitShardCommand } from '@aws-sdk/client-kinesis';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../../lambdas/adapters/aws/aws-client-factory';
import { KinesisCallLimit } from '../../../lambdas/adapters/aws/kinesis-call-limit';
import { createTriggerReader } from '../../../lambdas/adapters/aws/read-plan';
import { awsKinesisStreamTrigger } from '../../../lambdas/triggers/aws-kinesis-stream';
import { toTriggerResults } from '../../../lambdas/triggers/metric-step';
import type { TriggerError } from '../../../lambdas/triggers/trigger-definition';
import { createStateTable } from '../../../lambdas/adapters/state/dynamodb-state-store';
import { DynamoDbKinesisReadingStore } from '../../../lambdas/adapters/state/kinesis-reading-store';
import { DiscreteClock } from '../../support/discrete-clock';
import { startDynalite } from '../../support/dynalite';
import { startFaultProxy } from '../../support/fault-proxy';
import { startKinesalite, type RunningKinesalite } from '../../support/kinesalite';
import { MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../../support/moto-server';
import { parsedTrigger, scaledObject } from './trigger-fixtures';

const credentials = async () => ({ accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' });
let kinesis: RunningKinesalite;

beforeAll(async () => {
  kinesis = await startKinesalite();
  await kinesis.createStream('clicks', 2);
});
afterAll(async () => {
  await kinesis.close();
});

function streamItem(object: string, metadata: Record<string, string>) {
  const trigger = parsedTrigger(awsKinesisStreamTrigger, { awsRegion: 'us-east-1', ...metadata });
  return { object: scaledObject(object, [trigger]), item: { id: `prod/jobs/${object}#0`, trigger } };
}

describe('aws-kinesis-stream against kinesalite', () => {
  it('reads the open shard count with ListShards, and follows a reshard between two reads (the closed parent is not counted)', async () => {
    const proxy = await startFaultProxy({ target: kinesis.endpoint, protocol: 'aws-json' });
    try {
      const read = createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials, endpoints: { kinesis: proxy.url } }) });
      const { object, item } = streamItem('consumer', { streamName: 'clicks', shardCount: '1', activationShardCount: '2' });

      const before = await read([item], 1_000);
      expect(before.calls).toEqual({ kinesis: 1 });
      expect(toTriggerResults(object, 'prod/jobs/consumer', before.readings, 1_000)).toEqual([{ index: 0, ok: true, value: 2, active: false }]);

      await kinesis.client.send(new SplitShardCommand({ StreamName: 'clicks', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '85070591730234615865843651857942052864' }));
      await kinesis.waitActive('clicks');

      const after = await read([item], 2_000);
      expect(toTriggerResults(object, 'prod/jobs/consumer', after.readings, 2_000)).toEqual([{ index: 0, ok: true, value: 3, active: true }]);
      expect(proxy.requests.map((request) => request.headers['x-amz-target'])).toEqual(['Kinesis_20131202.ListShards', 'Kinesis_20131202.ListShards']);
      expect(JSON.parse(proxy.requests[0]!.body)).toMatchObject({ StreamName: 'clicks', ShardFilter: { Type: 'AT_LATEST' } });
    } finally {
      await proxy.close();
    }
  });

  it('follows ListShards pages by their token, and names a stream whose answer has no shard list', async () => {
    for (const name of ['paged', 'listless']) await kinesis.createStream(name, 1);
    const shard = (id: number, closed = false) => ({
      ShardId: `shardId-${String(id).padStart(12, '0')}`,
      HashKeyRange: { StartingHashKey: '0', EndingHashKey: '1' },
      SequenceNumberRange: { StartingSequenceNumber: '1', ...(closed ? { EndingSequenceNumber: '2' } : {}) },
    });
    const answer = (body: unknown) => ({ status: 200, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify(body) });
    const proxy = await startFaultProxy({ target: kinesis.endpoint, protocol: 'aws-json' });
    // As Kinesis pages a stream of more shards than MaxResults: the second page is asked for by its token alone.
    proxy.inject({ match: (request) => request.body.includes('"paged"'), fault: { respond: () => answer({ Shards: [shard(0), shard(1, true)], NextToken: 'page-2' }) } });
    proxy.inject({ match: (request) => request.body.includes('"page-2"'), fault: { respond: () => answer({ Shards: [shard(2), shard(3)] }) } });
    proxy.inject({ match: (request) => request.body.includes('"listless"'), fault: { rewrite: () => JSON.stringify({ NextToken: null }) } });
    try {
      const read = createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials, endpoints: { kinesis: proxy.url } }) });
      const paged = streamItem('paged-consumer', { streamName: 'paged', shardCount: '1' }).item;
      const listless = streamItem('listless-consumer', { streamName: 'listless', shardCount: '1' }).item;
      const { readings } = await read([paged, listless], 0);
      expect(readings.get(paged.id)).toEqual({ service: 'kinesis', openShardCount: 3 });
      expect(JSON.parse(proxy.requests.find((request) => request.body.includes('page-2'))!.body)).toEqual({ NextToken: 'page-2' });
      expect(readings.get(listless.id)).toMatchObject({ code: 'MissingShardCount', message: 'ListShards returned no shard list for stream listless' });
    } finally {
      await proxy.close();
    }
  });

  it.each([
    {
      answer: 'AccessDeniedException',
      fault: 'denied' as const,
      expected: { code: 'AccessDeniedException', message: expect.stringContaining('grant kinesis:ListShards on arn:aws:kinesis:us-east-1:*:stream/guarded') },
    },
    {
      answer: 'ResourceInUseException (the stream is being created)',
      fault: { respond: () => ({ status: 400, headers: { 'content-type': 'application/x-amz-json-1.1' }, body: JSON.stringify({ __type: 'ResourceInUseException', message: 'Stream guarded under account 123456789012 not ACTIVE, instead in state CREATING' }) }) },
      expected: { code: 'StreamNotActive', message: 'stream guarded in us-east-1 is not active (it is being created or deleted): ListShards counts the shards of an active stream only; it is read again next pass' },
    },
  ])('ListShards answered with $answer: the error names what to do', async ({ fault, expected }) => {
    const proxy = await startFaultProxy({ target: kinesis.endpoint, protocol: 'aws-json' });
    proxy.inject({ match: (request) => request.headers['x-amz-target'] === 'Kinesis_20131202.ListShards', fault });
    try {
      const read = createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials, endpoints: { kinesis: proxy.url }, maxAttempts: 1 }) });
      const guarded = streamItem('guarded-consumer', { streamName: 'guarded', shardCount: '1' }).item;
      const { readings } = await read([guarded], 0);
      expect(readings.get(guarded.id)).toMatchObject(expected);
    } finally {
      await proxy.close();
    }
  });

  it("reads the scaler's own streams past the DescribeStreamSummary limit: ListShards has a quota per stream", async () => {
    for (const name of ['own-0', 'own-1', 'own-2']) await kinesis.createStream(name, 1);
    const clock = new DiscreteClock(1_000);
    // A share of 0.1 calls a second would space three described streams 10 s apart.
    const read = createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials, endpoints: { kinesis: kinesis.endpoint } }), kinesisLimit: new KinesisCallLimit(clock, 0.1) });
    const items = ['own-0', 'own-1', 'own-2'].map((streamName) => streamItem(`${streamName}-consumer`, { streamName, shardCount: '1' }).item);
    for (const now of [1_000, 16_000]) {
      clock.advanceTo(now);
      const pass = await clock.run(read(items, clock.now()));
      expect(pass.calls).toEqual({ kinesis: 3 });
      expect(clock.now()).toBe(now);
      expect(items.map((item) => pass.readings.get(item.id))).toEqual(items.map(() => ({ service: 'kinesis', openShardCount: 1 })));
    }
  });

  it('uses awsEndpoint from the metadata, and names a missing stream and its region', async () => {
    const read = createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials }) });
    const { item } = streamItem('lost', { streamName: 'missing', awsEndpoint: kinesis.endpoint });
    const { readings } = await read([item], 0);
    const error = readings.get(item.id) as TriggerError;
    expect(error.code).toBe('ResourceNotFoundException');
    expect(error.message).toContain('stream missing does not exist in us-east-1: check streamName and awsRegion');
  });
});

describe.skipIf(MOTO_SKIP)('aws-kinesis-stream with an assumed role (moto STS)', () => {
  const STREAM_READER = 'arn:aws:iam::123456789012:role/stream-reader';
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  }, MOTO_START_TIMEOUT_MS);
  afterAll(() => moto?.stop());

  it('signs with an assumed role, assuming it once for many reads until near expiry', async () => {
    await moto.recordRequests();
    let clock = Date.now();
    const factory = new AwsClientFactory(moto.awsClientFactoryOptions({ baseCredentials: credentials, endpoints: { kinesis: kinesis.endpoint }, now: () => clock }));
    const read = createTriggerReader({ clientFactory: factory });
    const role = 'arn:aws:iam::123456789012:role/stream-reader';
    const items = ['a', 'b', 'c'].map((name) => streamItem(name, { streamName: 'clicks', awsRoleArn: role }).item);

    const first = await read(items, clock);
    expect(first.calls).toEqual({ kinesis: 1, sts: 1 });
    expect(first.readings.get(items[2]!.id)).toEqual({ service: 'kinesis', openShardCount: 3 });
    clock += 30_000;
    expect((await read(items, clock)).calls).toEqual({ kinesis: 1 });
    expect(await moto.recordedRequests('AssumeRole')).toHaveLength(1);
  });

  it('fails only the triggers of a role that cannot be assumed, saying what to grant', async () => {
    const scaler = await moto.createIamUser('stream-scaler', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'kinesis:ListShards', Resource: '*' }] });
    const factory = new AwsClientFactory(moto.awsClientFactoryOptions({ baseCredentials: async () => scaler.credentials, endpoints: { kinesis: kinesis.endpoint } }));
    const role = 'arn:aws:iam::123456789012:role/untrusted';
    const denied = streamItem('denied', { streamName: 'clicks', awsRoleArn: role }).item;
    const own = streamItem('own', { streamName: 'clicks' }).item;
    await moto.enforceIam(true);
    try {
      const { readings } = await createTriggerReader({ clientFactory: factory })([denied, own], 0);
      expect(readings.get(denied.id)).toMatchObject({ code: 'AccessDenied', message: expect.stringContaining(`cannot assume role ${role}: grant sts:AssumeRole`) });
      expect(readings.get(own.id)).toEqual({ service: 'kinesis', openShardCount: 3 });
    } finally {
      await moto.enforceIam(false);
    }
  });

  it('a role the trigger assumes describes its streams under the DescribeStreamSummary limit: past it, a stream reuses its previous pass reading or waits its turn', async () => {
    for (const name of ['orders-0', 'orders-1', 'orders-2']) await kinesis.createStream(name, 1);
    const clock = new DiscreteClock(1_000);
    // A share of 0.1 calls a second: a turn every 10 s, so a third stream's turn is 20 s away.
    const kinesisLimit = new KinesisCallLimit(clock, 0.1);
    const read = createTriggerReader({ clientFactory: new AwsClientFactory(moto.awsClientFactoryOptions({ baseCredentials: credentials, endpoints: { kinesis: kinesis.endpoint } })), kinesisLimit });
    const items = ['orders-0', 'orders-1', 'orders-2'].flatMap((streamName) =>
      ['a', 'b'].map((consumer) => streamItem(`${streamName}-${consumer}`, { streamName, shardCount: '1', awsRoleArn: STREAM_READER }).item),
    );

    // First pass: nothing to reuse, so every stream is read once, in turns 10 s apart (the bucket starts empty).
    const first = await clock.run(read(items, clock.now()));
    expect(first.calls).toEqual({ kinesis: 3, sts: 1 });
    expect(clock.now()).toBe(31_000);
    expect(items.map((item) => first.readings.get(item.id))).toEqual(items.map(() => ({ service: 'kinesis', openShardCount: 1 })));

    // Next pass: orders-0 waits 10 s for a fresh reading; the others' turns are over 12 s away, so
    // they reuse their reading of the pass before (orders-2 does not see the split yet).
    await kinesis.client.send(new SplitShardCommand({ StreamName: 'orders-2', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '85070591730234615865843651857942052864' }));
    await kinesis.waitActive('orders-2');
    const second = await clock.run(read(items, clock.now()));
    expect(second.calls).toEqual({ kinesis: 1 });
    expect(second.readings.get(items[4]!.id)).toEqual({ service: 'kinesis', openShardCount: 1 });

    // The pass after: orders-1 and orders-2 were read two passes ago, so they go first and orders-2 sees the split.
    clock.advanceTo(56_000);
    const third = await clock.run(read(items, clock.now()));
    expect(third.calls).toEqual({ kinesis: 2 });
    expect(third.readings.get(items[5]!.id)).toEqual({ service: 'kinesis', openShardCount: 2 });
  });

  it('a cold container reuses the described readings stored in the state table (dynalite) by the container before it, and reads as before when the table fails', async () => {
    const streams = ['cold-0', 'cold-1', 'cold-2', 'cold-3'];
    for (const name of streams) await kinesis.createStream(name, 1);
    const db = await startDynalite();
    try {
      await createStateTable(db.client, 'state');
      const store = new DynamoDbKinesisReadingStore({ client: db.client, tableName: 'state' });
      const clientFactory = new AwsClientFactory(moto.awsClientFactoryOptions({ baseCredentials: credentials, endpoints: { kinesis: kinesis.endpoint } }));
      const items = streams.map((streamName) => streamItem(`${streamName}-consumer`, { streamName, shardCount: '1', awsRoleArn: STREAM_READER }).item);
      const clock = new DiscreteClock(1_000);
      // A turn every 10 s: four streams would take 40 s, past the 12 s a fresh reading is worth.
      const container = (options: ConstructorParameters<typeof KinesisCallLimit>[2]) => createTriggerReader({ clientFactory, kinesisLimit: new KinesisCallLimit(clock, 0.1, options) });

      // The first container has nothing stored to reuse: every stream waits its turn, and it stores what it read.
      const first = await clock.run(container({ store })(items, clock.now()));
      expect(first.calls).toEqual({ kinesis: 4, sts: 1 });
      expect((await store.load(items.map((item) => awsKinesisStreamTrigger.readRequest(item.trigger, 0)!.key))).size).toBe(4);

      // A minute later the next invocation lands on a fresh container: one stream read in its turn,
      // three reused (cold-3's split shows at its next read, the pass after: one pass late, as a warm reuse).
      await kinesis.client.send(new SplitShardCommand({ StreamName: 'cold-3', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '85070591730234615865843651857942052864' }));
      await kinesis.waitActive('cold-3');
      clock.advanceTo(61_000);
      const cold = await clock.run(container({ store })(items, clock.now()));
      expect(cold.calls).toEqual({ kinesis: 1 });
      expect(clock.now()).toBe(71_000);
      expect(items.map((item) => cold.readings.get(item.id))).toEqual(streams.map(() => ({ service: 'kinesis', openShardCount: 1 })));

      // A table that cannot be read: the streams wait for their turn, as without a store, and the pass is whole.
      const problems: string[] = [];
      clock.advanceTo(121_000);
      const broken = new DynamoDbKinesisReadingStore({ client: db.client, tableName: 'no-such-table' });
      const fallback = await clock.run(container({ store: broken, onProblem: (problem) => problems.push(problem) })(items, clock.now()));
      expect(fallback.calls).toEqual({ kinesis: 4 });
      expect(fallback.readings.get(items[3]!.id)).toEqual({ service: 'kinesis', openShardCount: 2 });
      expect(problems[0]).toContain('stored Kinesis readings of 4 stream(s) not loaded (DynamoDB BatchGetItem on table no-such-table failed: ResourceNotFoundException');
    } finally {
      await db.close();
    }
  });

  it('names kinesis:DescribeStreamSummary, the action KEDA documents, when an assumed role is refused it', async () => {
    const proxy = await startFaultProxy({ target: kinesis.endpoint, protocol: 'aws-json' });
    proxy.inject({ match: (request) => request.headers['x-amz-target'] === 'Kinesis_20131202.DescribeStreamSummary', fault: 'denied' });
    try {
      const factory = new AwsClientFactory(moto.awsClientFactoryOptions({ baseCredentials: credentials, endpoints: { kinesis: proxy.url }, maxAttempts: 1 }));
      const refused = streamItem('refused', { streamName: 'clicks', awsRoleArn: STREAM_READER }).item;
      const { readings } = await createTriggerReader({ clientFactory: factory })([refused], 0);
      expect(readings.get(refused.id)).toMatchObject({ code: 'AccessDeniedException', message: expect.stringContaining('grant kinesis:DescribeStreamSummary on arn:aws:kinesis:us-east-1:*:stream/clicks') });
      expect(readings.get(refused.id)).toMatchObject({ message: expect.stringContaining(STREAM_READER) });
    } finally {
      await proxy.close();
    }
  });

  it('reports a hung AssumeRole as STS, not as a Kinesis endpoint problem, and reads the rest', async () => {
    // STS behind the wire-level fault proxy: AssumeRole is read and never answered.
    const proxy = await startFaultProxy({ target: moto.endpoint, protocol: 'aws-query' });
    proxy.inject({ match: (request) => request.body.includes('Action=AssumeRole'), fault: 'hang' });
    try {
      const factory = new AwsClientFactory({
        baseCredentials: credentials,
        stsClient: new STSClient({ ...moto.clientConfig('us-east-1'), endpoint: proxy.url, credentials }),
        endpoints: { kinesis: kinesis.endpoint },
      });
      const role = 'arn:aws:iam::123456789012:role/stream-reader';
      const stuck = streamItem('stuck', { streamName: 'clicks', awsRoleArn: role }).item;
      const own = streamItem('own', { streamName: 'clicks' }).item;
      const { readings } = await createTriggerReader({ clientFactory: factory, callTimeoutMs: 1_000 })([stuck, own], 0);
      const error = readings.get(stuck.id) as TriggerError;
      expect(error.code).toBe('StsTimeout');
      expect(error.message).toContain(`STS AssumeRole for ${role} got no answer in time`);
      expect(error.message).not.toMatch(/kinesis/i);
      expect(readings.get(own.id)).toEqual({ service: 'kinesis', openShardCount: 3 });
    } finally {
      await proxy.close();
    }
  });
});
