import { describe, expect, it } from 'vitest';
import { classifyEvent, SHARD_EVENT_SOURCE } from '../../lambdas/pod-scaler/invocation-event';
import { planShards } from '../../lambdas/pod-scaler/shards';
import { objectsForAlarm } from '../../lambdas/pod-scaler/alarm-match';

describe('classifyEvent', () => {
  it('reads a CloudWatch alarm state change routed by EventBridge', () => {
    const event = {
      source: 'aws.cloudwatch',
      'detail-type': 'CloudWatch Alarm State Change',
      detail: {
        alarmName: 'orders-backlog',
        state: { value: 'ALARM' },
        configuration: {
          metrics: [
            {
              id: 'm1',
              metricStat: {
                metric: { namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: 'orders' } },
                period: 60,
                stat: 'Maximum',
              },
            },
          ],
        },
      },
    };
    expect(classifyEvent(event)).toEqual({
      kind: 'alarm',
      alarmName: 'orders-backlog',
      state: 'ALARM',
      metrics: [{ namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: 'orders' } }],
    });
  });

  it('reads a shard event', () => {
    expect(classifyEvent({ source: SHARD_EVENT_SOURCE, shard: 2, of: 3, objectIds: ['a/b'] })).toEqual({
      kind: 'shard',
      shard: 2,
      of: 3,
      objectIds: ['a/b'],
    });
  });

  it.each([{}, null, undefined, { source: 'aws.scheduler' }, { 'detail-type': 'Scheduled Event' }])(
    'treats anything else as the scheduled tick: %j',
    (event) => {
      expect(classifyEvent(event)).toEqual({ kind: 'schedule' });
    },
  );
});

describe('planShards', () => {
  it.each([
    { count: 0, max: 10, sizes: [] },
    { count: 10, max: 10, sizes: [10] },
    { count: 11, max: 10, sizes: [10, 1] },
    { count: 2500, max: 1000, sizes: [1000, 1000, 500] },
  ])('$count objects at $max per invocation', ({ count, max, sizes }) => {
    const ids = Array.from({ length: count }, (_, i) => `ns/o${i}`);
    const shards = planShards(ids, max);
    expect(shards.map((shard) => shard.length)).toEqual(sizes);
    expect(shards.flat()).toEqual(ids);
  });
});

describe('objectsForAlarm', () => {
  const object = (id: string, type: string, metadata: Record<string, string>) =>
    ({ id, triggers: [{ type, metadata }] }) as unknown as import('../../lambdas/engine/spec/scaled-object').ScaledObject;
  const objects = [
    object('a/queue', 'aws-sqs-queue', { queueURL: 'https://sqs.eu-west-1.amazonaws.com/1/orders' }),
    object('a/stream', 'aws-kinesis-stream', { streamName: 'clicks' }),
    object('a/latency', 'aws-cloudwatch', { namespace: 'App', metricName: 'Latency', dimensionName: 'Service;Stage', dimensionValue: 'api;prod' }),
  ];
  it.each([
    [{ namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: 'orders' } }, ['a/queue']],
    [{ namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: 'other' } }, []],
    [{ namespace: 'AWS/Kinesis', name: 'IncomingRecords', dimensions: { StreamName: 'clicks' } }, ['a/stream']],
    [{ namespace: 'App', name: 'Latency', dimensions: { Service: 'api', Stage: 'prod' } }, ['a/latency']],
    [{ namespace: 'App', name: 'Latency', dimensions: { Service: 'api', Stage: 'dev' } }, []],
    [{ namespace: 'App', name: 'Latency', dimensions: { Service: 'api' } }, []],
  ])('%j speaks for %j', (metric, ids) => {
    expect(objectsForAlarm(objects, [metric])).toEqual(ids);
  });
});
