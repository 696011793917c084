/**
 * The read plan against SDK clients mocked at `send` (aws-sdk-client-mock): what is called, how
 * often, and how answers and failures map back to triggers. The calls per pass are a tested property.
 */
import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, GetQueueUrlCommand, QueueDoesNotExist, SQSClient } from '@aws-sdk/client-sqs';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../../lambdas/adapters/aws/read-plan';
import type { TriggerReadItem } from '../../../lambdas/pod-scaler/tick-types';
import { awsCloudwatchTrigger } from '../../../lambdas/triggers/aws-cloudwatch';
import { awsSqsQueueTrigger } from '../../../lambdas/triggers/aws-sqs-queue';
import { cronTrigger } from '../../../lambdas/triggers/cron';
import { TriggerError } from '../../../lambdas/triggers/trigger-definition';
import { parsedTrigger, sqsUrl } from './trigger-fixtures';

const sqs = mockClient(SQSClient);
const cloudwatch = mockClient(CloudWatchClient);
const sts = mockClient(STSClient);
const credentials = async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' });
const now = Date.parse('2024-05-01T15:04:05Z');

function reader(concurrency?: number) {
  return createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials, stsClient: new STSClient({ region: 'eu-west-1', credentials }) }), ...(concurrency ? { concurrency } : {}) });
}

const sqsItem = (object: string, queue: string, metadata: Record<string, string> = {}, index = 0): TriggerReadItem => ({
  id: `prod/jobs/${object}#${index}`,
  trigger: parsedTrigger(awsSqsQueueTrigger, { queueURL: queue.includes('/') ? queue : sqsUrl(queue), awsRegion: 'eu-west-1', ...metadata }, { index }),
});

const cwItem = (object: string, metadata: Record<string, string> = {}): TriggerReadItem => ({
  id: `prod/jobs/${object}#0`,
  trigger: parsedTrigger(awsCloudwatchTrigger, { namespace: 'App', metricName: 'Backlog', dimensionName: 'Name', dimensionValue: object, targetMetricValue: '10', minMetricValue: '0', awsRegion: 'eu-west-1', ...metadata }),
});

/** Answers every query of a GetMetricData call with `valueOf(dimension value)`. */
function answerMetrics(valueOf: (name: string) => number[] | undefined) {
  return (input: GetMetricDataCommandInput) => ({
    MetricDataResults: (input.MetricDataQueries ?? []).flatMap((query) => {
      const values = valueOf(query.MetricStat?.Metric?.Dimensions?.[0]?.Value ?? query.Expression ?? '');
      return values ? [{ Id: query.Id, Label: 'x', Values: values }] : [];
    }),
  });
}

beforeEach(() => {
  sqs.reset();
  cloudwatch.reset();
  sts.reset();
});
afterAll(() => {
  sqs.restore();
  cloudwatch.restore();
  sts.restore();
});

describe('SQS reads', () => {
  it('asks only for the attributes the trigger sums', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '4', ApproximateNumberOfMessagesDelayed: '2' } });
    const item = sqsItem('a', 'orders', { scaleOnInFlight: 'false', scaleOnDelayed: 'true' });
    const { readings, calls } = await reader()([item], now);
    expect(sqs.commandCalls(GetQueueAttributesCommand)[0]?.args[0].input).toEqual({ QueueUrl: sqsUrl('orders'), AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesDelayed'] });
    expect(awsSqsQueueTrigger.toMetric(item.trigger, readings.get(item.id) as never, now)).toEqual({ value: 6, active: true });
    expect(calls).toEqual({ sqs: 1 });
  });

  it.each([
    [1, 1],
    [10, 1],
    [10, 3],
    [40, 7],
  ])('%d objects over %d queues make one call per queue', async (objects, queues) => {
    sqs.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl: string }) => ({
      Attributes: { ApproximateNumberOfMessages: String(input.QueueUrl.length), ApproximateNumberOfMessagesNotVisible: '0', ApproximateNumberOfMessagesDelayed: '1' },
    }));
    // Every third object also counts delayed messages: same queue, so still one call (the union).
    const items = Array.from({ length: objects }, (_, i) => sqsItem(`o${i}`, `queue-${i % queues}`, i % 3 === 0 ? { scaleOnDelayed: 'true' } : {}));
    const { readings, calls } = await reader(4)(items, now);
    expect(calls).toEqual({ sqs: queues });
    expect(sqs.commandCalls(GetQueueAttributesCommand)).toHaveLength(queues);
    for (const [i, item] of items.entries()) {
      const expected = sqsUrl(`queue-${i % queues}`).length + (i % 3 === 0 ? 1 : 0);
      expect(awsSqsQueueTrigger.toMetric(item.trigger, readings.get(item.id) as never, now).value).toBe(expected);
    }
  });

  it('resolves a bare queue name once, then keeps the URL for the life of the container', async () => {
    sqs.on(GetQueueUrlCommand).resolves({ QueueUrl: sqsUrl('bare') });
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '1' } });
    const read = reader();
    const first = await read([sqsItem('a', 'x', { queueURL: 'bare' })], now);
    const second = await read([sqsItem('a', 'x', { queueURL: 'bare' })], now + 30_000);
    expect(sqs.commandCalls(GetQueueUrlCommand).map((call) => call.args[0].input)).toEqual([{ QueueName: 'bare' }]);
    expect(sqs.commandCalls(GetQueueAttributesCommand).map((call) => call.args[0].input.QueueUrl)).toEqual([sqsUrl('bare'), sqsUrl('bare')]);
    expect([first.calls, second.calls]).toEqual([{ sqs: 2 }, { sqs: 1 }]);
  });

  it('names the queue and region when the queue does not exist, failing only its triggers', async () => {
    sqs.on(GetQueueAttributesCommand, { QueueUrl: sqsUrl('gone') }).rejects(new QueueDoesNotExist({ message: 'The specified queue does not exist.', $metadata: {} }));
    sqs.on(GetQueueAttributesCommand, { QueueUrl: sqsUrl('here') }).resolves({ Attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '0' } });
    const gone = sqsItem('a', 'gone');
    const here = sqsItem('b', 'here');
    const { readings } = await reader()([gone, here], now);
    const error = readings.get(gone.id) as TriggerError;
    expect(error).toBeInstanceOf(TriggerError);
    expect(error.code).toBe('QueueDoesNotExist');
    expect(error.message).toContain(`queue ${sqsUrl('gone')} does not exist in eu-west-1: check queueURL and awsRegion`);
    expect(readings.get(here.id)).toEqual({ service: 'sqs', attributes: { ApproximateNumberOfMessages: '3', ApproximateNumberOfMessagesNotVisible: '0' } });
  });

  it('names the IAM action and queue ARN on AccessDenied', async () => {
    const denied = Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/scaler is not authorized to perform: sqs:getqueueattributes'), { name: 'AccessDenied' });
    sqs.on(GetQueueAttributesCommand).rejects(denied);
    const item = sqsItem('a', 'orders');
    const { readings } = await reader()([item], now);
    expect(readings.get(item.id)).toMatchObject({ code: 'AccessDenied', message: expect.stringContaining("grant sqs:GetQueueAttributes on arn:aws:sqs:eu-west-1:123456789012:orders to the scaler's IAM role") });
  });

  it('settles triggers with no I/O (cron) as undefined without any call', async () => {
    const cron = { id: 'prod/jobs/c#0', trigger: parsedTrigger(cronTrigger, { timezone: 'Etc/UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '3' }) };
    const { readings, calls } = await reader()([cron], now);
    expect(readings.has(cron.id)).toBe(true);
    expect(readings.get(cron.id)).toBeUndefined();
    expect(calls).toEqual({});
  });
});

describe('CloudWatch reads', () => {
  it.each([
    [1, 1],
    [500, 1],
    [501, 2],
    [1200, 3],
  ])('%d triggers with one window make %d GetMetricData calls', async (count, expectedCalls) => {
    cloudwatch.on(GetMetricDataCommand).callsFake(answerMetrics((name) => [Number(name.slice(1))]));
    const items = Array.from({ length: count }, (_, i) => cwItem(`m${i}`));
    const { readings, calls } = await reader()(items, now);
    expect(calls).toEqual({ cloudwatch: expectedCalls });
    const sent = cloudwatch.commandCalls(GetMetricDataCommand).map((call) => call.args[0].input);
    expect(sent.map((input) => input.MetricDataQueries?.length).sort((a, b) => (b ?? 0) - (a ?? 0))).toEqual(Array.from({ length: expectedCalls }, (_, i) => Math.min(500, count - i * 500)));
    for (const input of sent) {
      expect(input).toMatchObject({ ScanBy: 'TimestampDescending', StartTime: new Date('2024-05-01T14:55:00Z'), EndTime: new Date('2024-05-01T15:00:00Z') });
      const ids = input.MetricDataQueries?.map((q) => q.Id) ?? [];
      expect(new Set(ids).size).toBe(ids.length);
    }
    for (const [i, item] of items.entries()) expect(awsCloudwatchTrigger.toMetric(item.trigger, readings.get(item.id) as never, now).value).toBe(i);
  });

  it('sends the KEDA query shape and dedupes equal queries', async () => {
    cloudwatch.on(GetMetricDataCommand).callsFake(answerMetrics(() => [9, 1]));
    const a = cwItem('same', { metricStat: 'Sum', metricUnit: 'Count', awsAccountId: '210987654321' });
    const b = { ...cwItem('same', { metricStat: 'Sum', metricUnit: 'Count', awsAccountId: '210987654321' }), id: 'prod/jobs/other#0' };
    const { readings, calls } = await reader()([a, b], now);
    expect(calls).toEqual({ cloudwatch: 1 });
    expect(cloudwatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input.MetricDataQueries).toEqual([
      {
        Id: 'els_0',
        MetricStat: { Metric: { Namespace: 'App', MetricName: 'Backlog', Dimensions: [{ Name: 'Name', Value: 'same' }] }, Period: 300, Stat: 'Sum', Unit: 'Count' },
        ReturnData: true,
        AccountId: '210987654321',
      },
    ]);
    expect(readings.get(a.id)).toEqual({ service: 'cloudwatch', hasResult: true, values: [9, 1] });
    expect(readings.get(b.id)).toBe(readings.get(a.id));
  });

  it('puts different windows in separate calls', async () => {
    cloudwatch.on(GetMetricDataCommand).callsFake(answerMetrics(() => [1]));
    const items = [cwItem('a'), cwItem('b'), cwItem('c', { metricEndTimeOffset: '300' }), cwItem('d', { metricStatPeriod: '60', metricCollectionTime: '60' })];
    const { calls } = await reader()(items, now);
    expect(calls).toEqual({ cloudwatch: 3 });
    const windows = cloudwatch.commandCalls(GetMetricDataCommand).map((call) => `${call.args[0].input.StartTime?.toISOString()}/${call.args[0].input.MetricDataQueries?.length}`);
    expect(windows.sort()).toEqual(['2024-05-01T14:50:00.000Z/1', '2024-05-01T14:55:00.000Z/2', '2024-05-01T15:03:00.000Z/1']);
  });

  it('maps empty results to minMetricValue, and an empty series to an error only without ignoreNullValues', async () => {
    cloudwatch.on(GetMetricDataCommand).callsFake(answerMetrics((name) => (name === 'missing' ? undefined : [])));
    const missing = cwItem('missing', { minMetricValue: '3', ignoreNullValues: 'false' });
    const ignored = cwItem('empty', { minMetricValue: '4' });
    const strict = { ...cwItem('empty', { minMetricValue: '5', ignoreNullValues: 'false' }), id: 'prod/jobs/strict#0' };
    const { readings } = await reader()([missing, ignored, strict], now);
    expect(readings.get(missing.id)).toEqual({ service: 'cloudwatch', hasResult: false, values: [] });
    expect(awsCloudwatchTrigger.toMetric(missing.trigger, readings.get(missing.id) as never, now).value).toBe(3);
    expect(awsCloudwatchTrigger.toMetric(ignored.trigger, readings.get(ignored.id) as never, now).value).toBe(4);
    expect(() => awsCloudwatchTrigger.toMetric(strict.trigger, readings.get(strict.id) as never, now)).toThrow(/ignoreNullValues is false/);
  });

  it('follows NextToken and joins the pages of each series', async () => {
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'els_0', Label: 'a', Values: [5] }], NextToken: 'page-2' })
      .resolvesOnce({ MetricDataResults: [{ Id: 'els_0', Label: 'a', Values: [4] }, { Id: 'els_1', Label: 'b', Values: [8] }] });
    const items = [cwItem('a'), cwItem('b')];
    const { readings, calls } = await reader()(items, now);
    expect(calls).toEqual({ cloudwatch: 2 });
    expect(cloudwatch.commandCalls(GetMetricDataCommand)[1]?.args[0].input.NextToken).toBe('page-2');
    expect(readings.get(items[0]!.id)).toEqual({ service: 'cloudwatch', hasResult: true, values: [5, 4] });
    expect(readings.get(items[1]!.id)).toEqual({ service: 'cloudwatch', hasResult: true, values: [8] });
  });

  it('isolates an invalid query that fails the whole call, so the other triggers still read', async () => {
    cloudwatch.on(GetMetricDataCommand).callsFake((input: GetMetricDataCommandInput) => {
      if (input.MetricDataQueries?.some((q) => q.Expression === 'BROKEN(')) {
        throw Object.assign(new Error('The value BROKEN( for parameter MetricDataQueries.member.1.Expression is not valid.'), { name: 'InvalidParameterValue' });
      }
      return answerMetrics(() => [2])(input);
    });
    const items = [...Array.from({ length: 7 }, (_, i) => cwItem(`ok${i}`)), { ...cwItem('bad', { expression: 'BROKEN(' }) }];
    const { readings } = await reader()(items, now);
    const bad = readings.get(items[7]!.id) as TriggerError;
    expect(bad).toMatchObject({ code: 'InvalidParameterValue', message: expect.stringContaining('expression "BROKEN("') });
    for (const item of items.slice(0, 7)) expect(readings.get(item.id)).toEqual({ service: 'cloudwatch', hasResult: true, values: [2] });
  });

  it('reports AccessDenied on GetMetricData with resource *', async () => {
    cloudwatch.on(GetMetricDataCommand).rejects(Object.assign(new Error('not authorized to perform: cloudwatch:GetMetricData'), { name: 'AccessDenied' }));
    const item = cwItem('a');
    const { readings } = await reader()([item], now);
    expect((readings.get(item.id) as TriggerError).message).toContain("grant cloudwatch:GetMetricData on * to the scaler's IAM role");
  });
});

describe('roles', () => {
  it('groups reads by role, assuming each role (mocked STS) at most once across passes', async () => {
    sts.on(AssumeRoleCommand).callsFake((input: { RoleArn: string }) => ({
      Credentials: { AccessKeyId: `AK-${input.RoleArn.slice(-1)}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(Date.now() + 3_600_000) },
    }));
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '1', ApproximateNumberOfMessagesNotVisible: '0' } });
    const roleA = 'arn:aws:iam::123456789012:role/a';
    const items = [sqsItem('x', 'orders', { awsRoleArn: roleA }), sqsItem('y', 'orders'), sqsItem('z', 'orders', { awsRoleArn: roleA })];
    const factory = new AwsClientFactory({ baseCredentials: credentials, stsClient: new STSClient({ region: 'eu-west-1', credentials }) });
    const read = createTriggerReader({ clientFactory: factory });
    // Same queue, two sources (the role and the scaler's own): two calls.
    expect((await read(items, now)).calls).toEqual({ sqs: 2 });
    // Mocked clients never sign, so fetch the role's credentials as a signing client would.
    const { calls } = await countCalls(() => factory.credentialsFor({ region: 'eu-west-1', roleArn: roleA })!());
    const again = await countCalls(() => factory.credentialsFor({ region: 'eu-west-1', roleArn: roleA })!());
    expect([calls, again.calls]).toEqual([{ sts: 1 }, {}]);
    expect(sts.commandCalls(AssumeRoleCommand).map((call) => call.args[0].input)).toEqual([{ RoleArn: roleA, RoleSessionName: 'eks-lambda-scaler' }]);
  });
});

async function countCalls<T>(work: () => Promise<T>) {
  const { countAwsCalls } = await import('../../../lambdas/adapters/aws/call-counter');
  return countAwsCalls(work);
}
