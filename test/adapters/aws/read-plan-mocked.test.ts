/**
 * The read-plan behaviours moto cannot produce, against SDK clients mocked at `send`
 * (aws-sdk-client-mock). Everything moto can answer lives in read-plan.test.ts; each case here says
 * why it cannot (see also test/real-servers/README.md):
 * - AccessDenied on SQS and CloudWatch: moto writes IAM denials as XML even for these JSON-protocol
 *   services, so the SDK sees a deserialization error instead of AccessDenied.
 * - An invalid metric-math expression: moto does not validate expressions (it answers an empty series).
 * - NextToken paging: moto answers GetMetricData in one page whatever its size.
 * - A query with no result entry: moto answers every query, if only with an empty series.
 * - Reading once per metric period: the mocked answer changes between passes, so a reused reading
 *   is told apart from a fresh one; and the failed read that must not be kept is a throttle, which
 *   moto cannot produce on demand.
 */
import { CloudWatchClient, GetMetricDataCommand, type GetMetricDataCommandInput } from '@aws-sdk/client-cloudwatch';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../../lambdas/adapters/aws/read-plan';
import type { TriggerReadItem } from '../../../lambdas/pod-scaler/tick-types';
import { awsCloudwatchTrigger } from '../../../lambdas/triggers/aws-cloudwatch';
import { awsSqsQueueTrigger } from '../../../lambdas/triggers/aws-sqs-queue';
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
  it('names the IAM action and queue ARN on AccessDenied', async () => {
    const denied = Object.assign(new Error('User: arn:aws:sts::123456789012:assumed-role/scaler is not authorized to perform: sqs:getqueueattributes'), { name: 'AccessDenied' });
    sqs.on(GetQueueAttributesCommand).rejects(denied);
    const item = sqsItem('a', 'orders');
    const { readings } = await reader()([item], now);
    expect(readings.get(item.id)).toMatchObject({ code: 'AccessDenied', message: expect.stringContaining("grant sqs:GetQueueAttributes on arn:aws:sqs:eu-west-1:123456789012:orders to the scaler's IAM role") });
  });
});

describe('CloudWatch reads', () => {
  it('reads each query once per metric period: the HPA syncs between polls reuse the reading', async () => {
    let value = 1;
    cloudwatch.on(GetMetricDataCommand).callsFake(answerMetrics(() => [value]));
    const read = reader();
    // Period 60 s (window aligned to the minute); queue depths on SQS are read every pass.
    const item = cwItem('per-minute', { metricStatPeriod: '60', metricCollectionTime: '60' });
    const queue = sqsItem('worker', 'orders');
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '5' } });
    const minute = Date.parse('2024-05-01T15:04:00Z');
    const passes = [0, 15_000, 30_000, 45_000].map((offset) => minute + offset);
    const outcomes = [];
    for (const at of passes) {
      value += 1;
      outcomes.push(await read([item, queue], at));
    }
    expect(outcomes.map((outcome) => outcome.calls)).toEqual([
      { cloudwatch: 1, sqs: 1 },
      { sqs: 1 },
      { sqs: 1 },
      { sqs: 1 },
    ]);
    expect(outcomes.map((outcome) => outcome.readings.get(item.id))).toEqual(Array.from({ length: 4 }, () => ({ service: 'cloudwatch', hasResult: true, values: [2] })));
    // The next period is a new window: read again.
    const next = await read([item], minute + 60_000);
    expect(next.calls).toEqual({ cloudwatch: 1 });
    expect(next.readings.get(item.id)).toEqual({ service: 'cloudwatch', hasResult: true, values: [5] });
  });

  it('never keeps a failed CloudWatch read: the next pass asks again', async () => {
    cloudwatch.on(GetMetricDataCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'Throttling' })).callsFake(answerMetrics(() => [3]));
    const read = reader();
    const item = cwItem('flaky', { metricStatPeriod: '60', metricCollectionTime: '60' });
    const first = await read([item], now);
    expect(first.readings.get(item.id)).toBeInstanceOf(TriggerError);
    const second = await read([item], now + 15_000);
    expect(second.calls).toEqual({ cloudwatch: 1 });
    expect(second.readings.get(item.id)).toEqual({ service: 'cloudwatch', hasResult: true, values: [3] });
  });

  it('maps a query with no result entry to minMetricValue', async () => {
    cloudwatch.on(GetMetricDataCommand).callsFake(answerMetrics(() => undefined));
    const missing = cwItem('missing', { minMetricValue: '3', ignoreNullValues: 'false' });
    const { readings } = await reader()([missing], now);
    expect(readings.get(missing.id)).toEqual({ service: 'cloudwatch', hasResult: false, values: [] });
    expect(awsCloudwatchTrigger.toMetric(missing.trigger, readings.get(missing.id) as never, now).value).toBe(3);
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
