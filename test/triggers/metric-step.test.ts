import { describe, expect, it } from 'vitest';
import { awsCloudwatchTrigger } from '../../lambdas/triggers/aws-cloudwatch';
import { awsKinesisStreamTrigger } from '../../lambdas/triggers/aws-kinesis-stream';
import { awsSqsQueueTrigger } from '../../lambdas/triggers/aws-sqs-queue';
import { cronTrigger } from '../../lambdas/triggers/cron';
import { toTriggerResults } from '../../lambdas/triggers/metric-step';
import { TriggerError, type Reading, type TriggerDefinition } from '../../lambdas/triggers/trigger-definition';
import { parsedTrigger, scaledObject, sqsUrl } from '../adapters/aws/trigger-fixtures';

const region = { awsRegion: 'eu-west-1' };
const cw = { ...region, namespace: 'App', metricName: 'Backlog', dimensionName: 'Name', dimensionValue: 'x', targetMetricValue: '5', minMetricValue: '1' };
const now = Date.parse('2024-05-01T15:04:05Z');
const key = 'prod/jobs/orders';

describe('toTriggerResults: from raw readings to metric values', () => {
  it.each<[string, TriggerDefinition, Record<string, string>, Reading | TriggerError | undefined, unknown]>([
    ['sqs sum with in-flight', awsSqsQueueTrigger, { ...region, queueURL: sqsUrl('q') }, { service: 'sqs', attributes: { ApproximateNumberOfMessages: '8', ApproximateNumberOfMessagesNotVisible: '4' } }, { ok: true, value: 12, active: true }],
    ['sqs without in-flight, below activation', awsSqsQueueTrigger, { ...region, queueURL: 'q', scaleOnInFlight: 'false', activationQueueLength: '8' }, { service: 'sqs', attributes: { ApproximateNumberOfMessages: '8', ApproximateNumberOfMessagesNotVisible: '4' } }, { ok: true, value: 8, active: false }],
    ['sqs with delayed', awsSqsQueueTrigger, { ...region, queueURL: 'q', scaleOnDelayed: 'true' }, { service: 'sqs', attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: '0', ApproximateNumberOfMessagesDelayed: '2' } }, { ok: true, value: 2, active: true }],
    ['sqs missing attribute', awsSqsQueueTrigger, { ...region, queueURL: 'q' }, { service: 'sqs', attributes: { ApproximateNumberOfMessages: '8' } }, { ok: false, code: 'MissingAttribute', error: expect.stringContaining('ApproximateNumberOfMessagesNotVisible') }],
    ['kinesis open shards', awsKinesisStreamTrigger, { ...region, streamName: 's' }, { service: 'kinesis', openShardCount: 6 }, { ok: true, value: 6, active: true }],
    ['kinesis at activation', awsKinesisStreamTrigger, { ...region, streamName: 's', activationShardCount: '6' }, { service: 'kinesis', openShardCount: 6 }, { ok: true, value: 6, active: false }],
    ['cloudwatch newest datapoint', awsCloudwatchTrigger, cw, { service: 'cloudwatch', hasResult: true, values: [3.25, 9] }, { ok: true, value: 3.25, active: true }],
    ['cloudwatch no results', awsCloudwatchTrigger, cw, { service: 'cloudwatch', hasResult: false, values: [] }, { ok: true, value: 1, active: true }],
    ['cloudwatch empty series, strict', awsCloudwatchTrigger, { ...cw, ignoreNullValues: 'false' }, { service: 'cloudwatch', hasResult: true, values: [] }, { ok: false, code: 'EmptyMetricData', error: expect.any(String) }],
    ['read failure', awsSqsQueueTrigger, { ...region, queueURL: 'q' }, new TriggerError('SQS GetQueueAttributes denied', 'AccessDenied'), { ok: false, error: 'SQS GetQueueAttributes denied', code: 'AccessDenied' }],
    ['no reading at all', awsKinesisStreamTrigger, { ...region, streamName: 's' }, undefined, { ok: false, code: 'NoReading', error: expect.any(String) }],
    ['cron inside its window', cronTrigger, { timezone: 'Etc/UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '4' }, undefined, { ok: true, value: 4, active: true }],
  ])('%s', (_, definition, metadata, reading, expected) => {
    const trigger = parsedTrigger(definition, metadata);
    const results = toTriggerResults(scaledObject('orders', [trigger]), key, new Map([[`${key}#0`, reading]]), now);
    expect(results).toEqual([{ index: 0, ...(expected as object) }]);
  });

  it('gives one result per trigger in order, a broken trigger never hiding the others', () => {
    const triggers = [
      parsedTrigger(awsSqsQueueTrigger, { ...region, queueURL: 'q' }, { index: 0 }),
      parsedTrigger(awsKinesisStreamTrigger, { ...region, streamName: 's' }, { index: 1 }),
      { ...parsedTrigger(awsKinesisStreamTrigger, { ...region, streamName: 's' }, { index: 2 }), type: 'redis' },
    ];
    const readings = new Map<string, Reading | TriggerError | undefined>([
      [`${key}#0`, new TriggerError('timed out', 'Timeout')],
      [`${key}#1`, { service: 'kinesis', openShardCount: 1 }],
    ]);
    expect(toTriggerResults(scaledObject('orders', triggers), key, readings, now)).toEqual([
      { index: 0, ok: false, error: 'timed out', code: 'Timeout' },
      { index: 1, ok: true, value: 1, active: true },
      { index: 2, ok: false, error: 'unsupported trigger type "redis"', code: 'UnsupportedTrigger' },
    ]);
  });
});
