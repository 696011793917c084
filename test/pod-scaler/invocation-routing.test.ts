import { describe, expect, it } from 'vitest';
import { classifyEvent, SHARD_EVENT_SOURCE } from '../../lambdas/pod-scaler/invocation-event';
import { planShards } from '../../lambdas/pod-scaler/shards';

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
