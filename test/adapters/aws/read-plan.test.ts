/**
 * The read plan against moto through the real SDK clients: what is called, how often (counted by
 * the scaler and seen on the wire by moto), and how answers and failures map back to triggers.
 * The calls per pass are a tested property. What moto cannot produce stays in read-plan-mocked.test.ts.
 */
import { CloudWatchClient, PutMetricDataCommand, type MetricDatum } from '@aws-sdk/client-cloudwatch';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../../lambdas/adapters/aws/read-plan';
import type { TriggerReadItem } from '../../../lambdas/pod-scaler/tick-types';
import { awsCloudwatchTrigger } from '../../../lambdas/triggers/aws-cloudwatch';
import { awsSqsQueueTrigger } from '../../../lambdas/triggers/aws-sqs-queue';
import { cronTrigger } from '../../../lambdas/triggers/cron';
import { TriggerError } from '../../../lambdas/triggers/trigger-definition';
import { MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../../support/moto-server';
import { parsedTrigger, sqsUrl } from './trigger-fixtures';

const REGION = 'eu-west-1';
const now = Date.parse('2024-05-01T15:04:05Z');
/** Inside the window every default trigger reads at `now`: [14:55, 15:00). */
const inWindow = new Date('2024-05-01T14:57:00Z');

const sqsItem = (object: string, queue: string, metadata: Record<string, string> = {}, index = 0): TriggerReadItem => ({
  id: `prod/jobs/${object}#${index}`,
  trigger: parsedTrigger(awsSqsQueueTrigger, { queueURL: queue.includes('/') ? queue : sqsUrl(queue), awsRegion: REGION, ...metadata }, { index }),
});

const cwItem = (object: string, metadata: Record<string, string> = {}): TriggerReadItem => ({
  id: `prod/jobs/${object}#0`,
  trigger: parsedTrigger(awsCloudwatchTrigger, { namespace: 'App', metricName: 'Backlog', dimensionName: 'Name', dimensionValue: object, targetMetricValue: '10', minMetricValue: '0', awsRegion: REGION, ...metadata }),
});

describe.skipIf(MOTO_SKIP)('read plan against moto', () => {
  let moto: MotoServer;
  let sqs: SQSClient;
  let cloudwatch: CloudWatchClient;
  beforeAll(async () => {
    moto = await startMoto();
    sqs = new SQSClient(moto.clientConfig(REGION));
    cloudwatch = new CloudWatchClient(moto.clientConfig(REGION));
  }, MOTO_START_TIMEOUT_MS);
  afterAll(async () => {
    sqs?.destroy();
    cloudwatch?.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    await moto.recordRequests();
  });

  /** A fresh factory is a fresh Lambda container: nothing cached. */
  const reader = (concurrency?: number) => createTriggerReader({ clientFactory: new AwsClientFactory(moto.awsClientFactoryOptions()), ...(concurrency ? { concurrency } : {}) });

  /** A queue holding `visible` messages, `inFlight` received and not deleted, and `delayed` not yet visible. */
  async function queueWith(name: string, counts: { visible?: number; inFlight?: number; delayed?: number } = {}): Promise<void> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const send = async (count: number, delay: number) => {
      for (let sent = 0; sent < count; sent += 10) {
        const entries = Array.from({ length: Math.min(10, count - sent) }, (_, i) => ({ Id: `m${sent + i}`, MessageBody: 'work', DelaySeconds: delay }));
        await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: entries }));
      }
    };
    await send((counts.visible ?? 0) + (counts.inFlight ?? 0), 0);
    for (let received = 0; received < (counts.inFlight ?? 0); ) {
      const answer = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: Math.min(10, (counts.inFlight ?? 0) - received), VisibilityTimeout: 600 }));
      received += answer.Messages?.length ?? 0;
    }
    await send(counts.delayed ?? 0, 900);
    // The setup's own calls are not the scaler's.
    await moto.recordRequests();
  }

  async function putMetrics(data: MetricDatum[]): Promise<void> {
    for (let start = 0; start < data.length; start += 500) {
      await cloudwatch.send(new PutMetricDataCommand({ Namespace: 'App', MetricData: data.slice(start, start + 500) }));
    }
    await moto.recordRequests();
  }
  const backlog = (name: string, value: number, extra: Partial<MetricDatum> = {}): MetricDatum => ({
    MetricName: 'Backlog',
    Dimensions: [{ Name: 'Name', Value: name }],
    Value: value,
    Timestamp: inWindow,
    Unit: 'Count',
    ...extra,
  });

  describe('SQS (JSON protocol)', () => {
    it.each([
      // [scaleOnInFlight, scaleOnDelayed, attributes asked, value]: visible 4, in flight 3, delayed 2.
      ['true', 'false', ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'], 7],
      ['false', 'true', ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'], 6],
      ['true', 'true', ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'], 9],
      ['false', 'false', ['ApproximateNumberOfMessages'], 4],
    ])('scaleOnInFlight=%s scaleOnDelayed=%s asks only for %j and sums to %d', async (scaleOnInFlight, scaleOnDelayed, asked, value) => {
      await queueWith('orders', { visible: 4, inFlight: 3, delayed: 2 });
      const item = sqsItem('a', 'orders', { scaleOnInFlight, scaleOnDelayed });
      const { readings, calls } = await reader()([item], now);
      const sent = await moto.recordedRequests('GetQueueAttributes');
      expect(sent.map((request) => JSON.parse(request.body))).toEqual([{ QueueUrl: sqsUrl('orders'), AttributeNames: asked }]);
      expect(awsSqsQueueTrigger.toMetric(item.trigger, readings.get(item.id) as never, now)).toEqual({ value, active: true });
      expect(calls).toEqual({ sqs: 1 });
    });

    it.each([
      [1, 1],
      [10, 1],
      [10, 3],
      [40, 7],
    ])('%d objects over %d queues make one call per queue', async (objects, queues) => {
      for (let q = 0; q < queues; q++) await queueWith(`queue-${q}`, { visible: q + 1, delayed: 1 });
      // Every third object also counts delayed messages: same queue, so still one call (the union).
      const items = Array.from({ length: objects }, (_, i) => sqsItem(`o${i}`, `queue-${i % queues}`, i % 3 === 0 ? { scaleOnDelayed: 'true' } : {}));
      const { readings, calls } = await reader(4)(items, now);
      expect(calls).toEqual({ sqs: queues });
      expect(await moto.recordedRequests('GetQueueAttributes')).toHaveLength(queues);
      for (const [i, item] of items.entries()) {
        const expected = (i % queues) + 1 + (i % 3 === 0 ? 1 : 0);
        expect(awsSqsQueueTrigger.toMetric(item.trigger, readings.get(item.id) as never, now).value).toBe(expected);
      }
    });

    it('resolves a bare queue name once, then keeps the URL for the life of the container', async () => {
      await queueWith('bare', { visible: 2 });
      const read = reader();
      const first = await read([sqsItem('a', 'x', { queueURL: 'bare' })], now);
      const second = await read([sqsItem('a', 'x', { queueURL: 'bare' })], now + 30_000);
      expect((await moto.recordedRequests('GetQueueUrl')).map((request) => JSON.parse(request.body))).toEqual([{ QueueName: 'bare' }]);
      expect(await moto.recordedRequests('GetQueueAttributes')).toHaveLength(2);
      expect([first.calls, second.calls]).toEqual([{ sqs: 2 }, { sqs: 1 }]);
      expect(second.readings.get('prod/jobs/a#0')).toMatchObject({ service: 'sqs', attributes: { ApproximateNumberOfMessages: '2' } });
    });

    it('names the queue and region when the queue does not exist, failing only its triggers', async () => {
      await queueWith('here', { visible: 3 });
      const gone = sqsItem('a', 'gone');
      const here = sqsItem('b', 'here');
      const { readings } = await reader()([gone, here], now);
      const error = readings.get(gone.id) as TriggerError;
      expect(error).toBeInstanceOf(TriggerError);
      expect(error.code).toBe('QueueDoesNotExist');
      expect(error.message).toContain(`queue ${sqsUrl('gone')} does not exist in eu-west-1: check queueURL and awsRegion`);
      expect(readings.get(here.id)).toEqual({ service: 'sqs', attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '0' } });
    });

    it('names a bare queue name that does not resolve', async () => {
      const item = sqsItem('a', 'x', { queueURL: 'nowhere' });
      const { readings, calls } = await reader()([item], now);
      expect(readings.get(item.id)).toMatchObject({ code: 'QueueDoesNotExist' });
      expect(calls).toEqual({ sqs: 1 });
    });

    it('reads in the trigger\'s awsRegion: a queue made in another region is not found there, and the error says to check awsRegion', async () => {
      await queueWith('orders', { visible: 2 });
      const wrongRegion = sqsItem('a', 'orders', { awsRegion: 'us-east-1' });
      const { readings } = await reader()([wrongRegion], now);
      expect(readings.get(wrongRegion.id)).toMatchObject({ code: 'QueueDoesNotExist', message: expect.stringContaining('does not exist in us-east-1: check queueURL and awsRegion') });
      expect((await moto.recordedRequests('GetQueueAttributes')).map((request) => request.region)).toEqual(['us-east-1']);
    });

    it('sends reads to the trigger\'s awsEndpoint when it names one', async () => {
      await queueWith('orders', { visible: 2 });
      const item = sqsItem('a', 'orders', { awsEndpoint: moto.endpoint });
      // No endpoint configured on the factory: only the metadata points at moto.
      const read = createTriggerReader({ clientFactory: new AwsClientFactory({ ...moto.awsClientFactoryOptions(), endpoints: {} }) });
      const { readings } = await read([item], now);
      expect(readings.get(item.id)).toMatchObject({ service: 'sqs', attributes: { ApproximateNumberOfMessages: '2' } });
    });

    it('settles triggers with no I/O (cron) as undefined without any call', async () => {
      const cron = { id: 'prod/jobs/c#0', trigger: parsedTrigger(cronTrigger, { timezone: 'Etc/UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '3' }) };
      const { readings, calls } = await reader()([cron], now);
      expect(readings.has(cron.id)).toBe(true);
      expect(readings.get(cron.id)).toBeUndefined();
      expect(calls).toEqual({});
      expect(await moto.recordedRequests()).toEqual([]);
    });
  });

  describe('CloudWatch GetMetricData', () => {
    it.each([
      [1, 1],
      [500, 1],
      [501, 2],
      [1200, 3],
    ])('%d triggers with one window make %d GetMetricData calls', async (count, expectedCalls) => {
      await putMetrics(Array.from({ length: count }, (_, i) => backlog(`m${i}`, i)));
      const items = Array.from({ length: count }, (_, i) => cwItem(`m${i}`));
      // moto answers a 500-query GetMetricData in seconds on a busy machine; this row is about
      // batching, so the per-attempt and per-read timeouts (5 s in production) are not what it tests:
      // a timed-out attempt would be retried and counted twice on moto's wire.
      const batching = createTriggerReader({ clientFactory: new AwsClientFactory({ ...moto.awsClientFactoryOptions(), callTimeoutMs: 60_000 }), callTimeoutMs: 60_000 });
      const { readings, calls } = await batching(items, now);
      expect(calls).toEqual({ cloudwatch: expectedCalls });
      const sent = (await moto.recordedRequests('GetMetricData')).map((request) => JSON.parse(request.body) as { MetricDataQueries: { Id: string }[]; StartTime: number; EndTime: number; ScanBy: string });
      expect(sent.map((input) => input.MetricDataQueries.length).sort((a, b) => b - a)).toEqual(Array.from({ length: expectedCalls }, (_, i) => Math.min(500, count - i * 500)));
      for (const input of sent) {
        expect(input).toMatchObject({ ScanBy: 'TimestampDescending', StartTime: Date.parse('2024-05-01T14:55:00Z') / 1000, EndTime: Date.parse('2024-05-01T15:00:00Z') / 1000 });
        const ids = input.MetricDataQueries.map((query) => query.Id);
        expect(new Set(ids).size).toBe(ids.length);
      }
      for (const [i, item] of items.entries()) expect(awsCloudwatchTrigger.toMetric(item.trigger, readings.get(item.id) as never, now).value).toBe(i);
    });

    it('sends the KEDA query shape on the wire, honours Stat and Unit, and dedupes equal queries', async () => {
      await putMetrics([backlog('same', 4), backlog('same', 5), backlog('same', 100, { Unit: 'Seconds' })]);
      const a = cwItem('same', { metricStat: 'Sum', metricUnit: 'Count', awsAccountId: '210987654321' });
      const b = { ...cwItem('same', { metricStat: 'Sum', metricUnit: 'Count', awsAccountId: '210987654321' }), id: 'prod/jobs/other#0' };
      const { readings, calls } = await reader()([a, b], now);
      expect(calls).toEqual({ cloudwatch: 1 });
      const [sent] = await moto.recordedRequests('GetMetricData');
      expect(JSON.parse(sent!.body).MetricDataQueries).toEqual([
        {
          Id: 'els_0',
          MetricStat: { Metric: { Namespace: 'App', MetricName: 'Backlog', Dimensions: [{ Name: 'Name', Value: 'same' }] }, Period: 300, Stat: 'Sum', Unit: 'Count' },
          ReturnData: true,
          AccountId: '210987654321',
        },
      ]);
      // The Seconds datapoint is left out by the Unit: 4 + 5.
      expect(readings.get(a.id)).toEqual({ service: 'cloudwatch', hasResult: true, values: [9] });
      expect(readings.get(b.id)).toBe(readings.get(a.id));
    });

    it('puts different windows in separate calls', async () => {
      await putMetrics([backlog('a', 1), backlog('b', 1), backlog('c', 1), backlog('d', 1)]);
      const items = [cwItem('a'), cwItem('b'), cwItem('c', { metricEndTimeOffset: '300' }), cwItem('d', { metricStatPeriod: '60', metricCollectionTime: '60' })];
      const { calls } = await reader()(items, now);
      expect(calls).toEqual({ cloudwatch: 3 });
      const windows = (await moto.recordedRequests('GetMetricData')).map((request) => JSON.parse(request.body) as { StartTime: number; MetricDataQueries: unknown[] });
      expect(windows.map((input) => `${new Date(input.StartTime * 1000).toISOString()}/${input.MetricDataQueries.length}`).sort()).toEqual([
        '2024-05-01T14:50:00.000Z/1',
        '2024-05-01T14:55:00.000Z/2',
        '2024-05-01T15:03:00.000Z/1',
      ]);
    });

    it('maps an empty series to minMetricValue, and to an error without ignoreNullValues', async () => {
      const ignored = cwItem('empty', { minMetricValue: '4' });
      const strict = { ...cwItem('empty', { minMetricValue: '5', ignoreNullValues: 'false' }), id: 'prod/jobs/strict#0' };
      const { readings } = await reader()([ignored, strict], now);
      expect(readings.get(ignored.id)).toEqual({ service: 'cloudwatch', hasResult: true, values: [] });
      expect(awsCloudwatchTrigger.toMetric(ignored.trigger, readings.get(ignored.id) as never, now).value).toBe(4);
      expect(() => awsCloudwatchTrigger.toMetric(strict.trigger, readings.get(strict.id) as never, now)).toThrow(/ignoreNullValues is false/);
    });

    it('reads the newest period first (ScanBy TimestampDescending)', async () => {
      await putMetrics([backlog('trend', 3, { Timestamp: new Date('2024-05-01T14:52:00Z') }), backlog('trend', 8, { Timestamp: inWindow })]);
      const item = cwItem('trend', { metricCollectionTime: '600' });
      const { readings } = await reader()([item], now);
      expect(readings.get(item.id)).toEqual({ service: 'cloudwatch', hasResult: true, values: [8, 3] });
      expect(awsCloudwatchTrigger.toMetric(item.trigger, readings.get(item.id) as never, now).value).toBe(8);
    });
  });

  describe('roles (STS AssumeRole)', () => {
    const roleA = 'arn:aws:iam::123456789012:role/a';

    it('groups reads by role, signing with the assumed credentials and assuming each role once across passes', async () => {
      await queueWith('orders', { visible: 1 });
      const items = [sqsItem('x', 'orders', { awsRoleArn: roleA }), sqsItem('y', 'orders'), sqsItem('z', 'orders', { awsRoleArn: roleA })];
      const read = reader();
      // Same queue, two sources (the role and the scaler's own): two reads, one AssumeRole.
      expect((await read(items, now)).calls).toEqual({ sqs: 2, sts: 1 });
      expect((await read(items, now + 30_000)).calls).toEqual({ sqs: 2 });
      const assumed = await moto.recordedRequests('AssumeRole');
      expect(assumed.map((request) => Object.fromEntries(new URLSearchParams(request.body)))).toEqual([
        expect.objectContaining({ RoleArn: roleA, RoleSessionName: 'eks-lambda-scaler' }),
      ]);
      // The role's reads were signed with the key AssumeRole issued, the others with the scaler's own.
      const signers = new Set((await moto.recordedRequests('GetQueueAttributes')).map((request) => request.accessKeyId));
      expect(signers.size).toBe(2);
      expect([...signers].some((key) => key.startsWith('ASIA'))).toBe(true);
    });

    it('fails only the triggers of a role the scaler may not assume (a real AccessDenied), and assumes it once allowed', async () => {
      await queueWith('orders', { visible: 1 });
      const scaler = await moto.createIamUser('scaler', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sqs:GetQueueAttributes', Resource: '*' }] });
      const read = createTriggerReader({ clientFactory: new AwsClientFactory(moto.awsClientFactoryOptions({ baseCredentials: async () => scaler.credentials })) });
      const denied = sqsItem('denied', 'orders', { awsRoleArn: roleA });
      const own = sqsItem('own', 'orders');
      await moto.enforceIam(true);
      try {
        const { readings } = await read([denied, own], now);
        expect(readings.get(denied.id)).toMatchObject({ code: 'AccessDenied', message: expect.stringContaining(`cannot assume role ${roleA}: grant sts:AssumeRole on it to the scaler's IAM role`) });
        expect((readings.get(denied.id) as TriggerError).message).not.toContain(scaler.credentials.secretAccessKey);
        expect(readings.get(own.id)).toMatchObject({ service: 'sqs', attributes: { ApproximateNumberOfMessages: '1' } });
      } finally {
        await moto.enforceIam(false);
      }
      // A refusal is not cached: the next pass asks again.
      const { readings, calls } = await read([denied], now + 30_000);
      expect(readings.get(denied.id)).toMatchObject({ service: 'sqs' });
      expect(calls).toEqual({ sqs: 1, sts: 1 });
    });
  });

  it('reads SQS and CloudWatch of many objects in one pass: one call per queue plus one per CloudWatch window', async () => {
    await queueWith('orders', { visible: 5 });
    await queueWith('emails', { visible: 1 });
    await putMetrics([backlog('x', 2), backlog('y', 3)]);
    const items = [sqsItem('a', 'orders'), sqsItem('b', 'orders'), sqsItem('c', 'emails'), cwItem('x'), cwItem('y'), sqsItem('d', 'gone')];
    const { readings, calls } = await reader()(items, now);
    expect(calls).toEqual({ sqs: 3, cloudwatch: 1 });
    expect((await moto.recordedRequests()).map((request) => request.operation).sort()).toEqual(['GetMetricData', 'GetQueueAttributes', 'GetQueueAttributes', 'GetQueueAttributes']);
    expect(readings.get('prod/jobs/d#0')).toMatchObject({ code: 'QueueDoesNotExist' });
    expect(awsCloudwatchTrigger.toMetric(items[4]!.trigger, readings.get(items[4]!.id) as never, now).value).toBe(3);
  });
});
