/** Kinesis reads through the real SDK, over HTTP/1.1, against kinesalite on loopback. */
import { SplitShardCommand } from '@aws-sdk/client-kinesis';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../../lambdas/adapters/aws/read-plan';
import { awsKinesisStreamTrigger } from '../../../lambdas/triggers/aws-kinesis-stream';
import { toTriggerResults } from '../../../lambdas/triggers/metric-step';
import type { TriggerError } from '../../../lambdas/triggers/trigger-definition';
import { startKinesalite, type RunningKinesalite } from '../../support/kinesalite';
import { parsedTrigger, scaledObject } from './trigger-fixtures';

const credentials = async () => ({ accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' });
let kinesis: RunningKinesalite;
const sts = mockClient(STSClient);

beforeAll(async () => {
  kinesis = await startKinesalite();
  await kinesis.createStream('clicks', 2);
});
afterAll(async () => {
  sts.restore();
  await kinesis.close();
});

function streamItem(object: string, metadata: Record<string, string>) {
  const trigger = parsedTrigger(awsKinesisStreamTrigger, { awsRegion: 'us-east-1', ...metadata });
  return { object: scaledObject(object, [trigger]), item: { id: `prod/jobs/${object}#0`, trigger } };
}

describe('aws-kinesis-stream against kinesalite', () => {
  it('reads the open shard count, and follows a reshard between two reads', async () => {
    const read = createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials, endpoints: { kinesis: kinesis.endpoint } }) });
    const { object, item } = streamItem('consumer', { streamName: 'clicks', shardCount: '1', activationShardCount: '2' });

    const before = await read([item], 1_000);
    expect(before.calls).toEqual({ kinesis: 1 });
    expect(toTriggerResults(object, 'prod/jobs/consumer', before.readings, 1_000)).toEqual([{ index: 0, ok: true, value: 2, active: false }]);

    await kinesis.client.send(new SplitShardCommand({ StreamName: 'clicks', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: '85070591730234615865843651857942052864' }));
    await kinesis.waitActive('clicks');

    const after = await read([item], 2_000);
    expect(toTriggerResults(object, 'prod/jobs/consumer', after.readings, 2_000)).toEqual([{ index: 0, ok: true, value: 3, active: true }]);
  });

  it('uses awsEndpoint from the metadata, and names a missing stream and its region', async () => {
    const read = createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials }) });
    const { item } = streamItem('lost', { streamName: 'missing', awsEndpoint: kinesis.endpoint });
    const { readings } = await read([item], 0);
    const error = readings.get(item.id) as TriggerError;
    expect(error.code).toBe('ResourceNotFoundException');
    expect(error.message).toContain('stream missing does not exist in us-east-1: check streamName and awsRegion');
  });

  it('signs with an assumed role, assuming it once for many reads until near expiry', async () => {
    let clock = Date.now();
    sts.on(AssumeRoleCommand).callsFake(() => ({ Credentials: { AccessKeyId: 'ASIAROLE', SecretAccessKey: 'role-secret', SessionToken: 'token', Expiration: new Date(clock + 3_600_000) } }));
    const factory = new AwsClientFactory({ baseCredentials: credentials, stsClient: new STSClient({ region: 'us-east-1', credentials }), endpoints: { kinesis: kinesis.endpoint }, now: () => clock });
    const read = createTriggerReader({ clientFactory: factory });
    const role = 'arn:aws:iam::123456789012:role/stream-reader';
    const items = ['a', 'b', 'c'].map((name) => streamItem(name, { streamName: 'clicks', awsRoleArn: role }).item);

    const first = await read(items, clock);
    expect(first.calls).toEqual({ kinesis: 1, sts: 1 });
    expect(first.readings.get(items[2]!.id)).toEqual({ service: 'kinesis', openShardCount: 3 });
    clock += 30_000;
    expect((await read(items, clock)).calls).toEqual({ kinesis: 1 });
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('fails only the triggers of a role that cannot be assumed, saying what to grant', async () => {
    sts.reset();
    sts.on(AssumeRoleCommand).rejects(Object.assign(new Error('not authorized to perform: sts:AssumeRole'), { name: 'AccessDenied' }));
    const factory = new AwsClientFactory({ baseCredentials: credentials, stsClient: new STSClient({ region: 'us-east-1', credentials }), endpoints: { kinesis: kinesis.endpoint } });
    const role = 'arn:aws:iam::123456789012:role/untrusted';
    const denied = streamItem('denied', { streamName: 'clicks', awsRoleArn: role }).item;
    const own = streamItem('own', { streamName: 'clicks' }).item;
    const { readings } = await createTriggerReader({ clientFactory: factory })([denied, own], 0);
    expect(readings.get(denied.id)).toMatchObject({ code: 'AccessDenied', message: expect.stringContaining(`cannot assume role ${role}: grant sts:AssumeRole`) });
    expect(readings.get(own.id)).toEqual({ service: 'kinesis', openShardCount: 3 });
  });

  it('reports a hung AssumeRole as STS, not as a Kinesis endpoint problem, and reads the rest', async () => {
    sts.reset();
    sts.on(AssumeRoleCommand).callsFake(() => new Promise(() => undefined)); // STS never answers
    const factory = new AwsClientFactory({ baseCredentials: credentials, stsClient: new STSClient({ region: 'us-east-1', credentials }), endpoints: { kinesis: kinesis.endpoint } });
    const role = 'arn:aws:iam::123456789012:role/stream-reader';
    const stuck = streamItem('stuck', { streamName: 'clicks', awsRoleArn: role }).item;
    const own = streamItem('own', { streamName: 'clicks' }).item;
    const { readings } = await createTriggerReader({ clientFactory: factory, callTimeoutMs: 50 })([stuck, own], 0);
    const error = readings.get(stuck.id) as TriggerError;
    expect(error.code).toBe('StsTimeout');
    expect(error.message).toContain(`STS AssumeRole for ${role} got no answer in time`);
    expect(error.message).not.toMatch(/kinesis/i);
    expect(readings.get(own.id)).toEqual({ service: 'kinesis', openShardCount: 3 });
  });
});
