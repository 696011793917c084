import { describe, expect, it } from 'vitest';
import { awsKinesisStreamTrigger } from '../../lambdas/triggers/aws-kinesis-stream';
import { parseWith, parsedTrigger } from '../adapters/aws/trigger-fixtures';

const base = { streamName: 'clicks', awsRegion: 'eu-west-1' };

describe('aws-kinesis-stream parse', () => {
  it('applies KEDA defaults: shardCount 2, activationShardCount 0', () => {
    expect(parsedTrigger(awsKinesisStreamTrigger, base, { index: 1 })).toMatchObject({
      metricName: 's1-aws-kinesis-clicks',
      target: 2,
      activationTarget: 0,
      params: { streamName: 'clicks' },
      aws: { region: 'eu-west-1' },
    });
  });

  it('normalizes the stream name in the metric name', () => {
    expect(parsedTrigger(awsKinesisStreamTrigger, { ...base, streamName: 'app.clicks:v2' }).metricName).toBe('s0-aws-kinesis-app-clicks-v2');
  });

  it.each([
    [{ streamName: '' }, 'streamName'],
    [{ awsRegion: '' }, 'awsRegion'],
    [{ shardCount: '2.5' }, 'shardCount'],
    [{ shardCount: '0' }, 'shardCount'],
    [{ activationShardCount: '05' }, 'activationShardCount'],
  ])('%o is an error on %s', (metadata, field) => {
    const result = parseWith(awsKinesisStreamTrigger, { ...base, ...metadata });
    expect(result.parsed).toBeUndefined();
    expect(result.errors.map((e) => e.field)).toEqual([`spec.triggers[0].metadata.${field}`]);
  });

  it('knows the static credential keys and identityOwner', () => {
    const result = parseWith(awsKinesisStreamTrigger, { ...base, awsAccessKeyID: 'x', awsSecretAccessKeyFromEnv: 'Y', identityOwner: 'pod' });
    expect(result.warnings).toEqual([]);
  });
});

describe('aws-kinesis-stream toMetric', () => {
  it.each([
    [{}, 4, 4, true],
    [{}, 0, 0, false],
    [{ activationShardCount: '4' }, 4, 4, false],
    [{ activationShardCount: '3' }, 4, 4, true],
  ])('metadata %o with %d open shards -> %d (active %s)', (metadata, openShardCount, value, active) => {
    const trigger = parsedTrigger(awsKinesisStreamTrigger, { ...base, ...metadata });
    expect(awsKinesisStreamTrigger.toMetric(trigger, { service: 'kinesis', openShardCount }, 0)).toEqual({ value, active });
  });

  it('fails without a Kinesis reading', () => {
    expect(() => awsKinesisStreamTrigger.toMetric(parsedTrigger(awsKinesisStreamTrigger, base), undefined, 0)).toThrow(/no Kinesis reading/);
  });

  it('keys reads by source and stream', () => {
    const a = awsKinesisStreamTrigger.readRequest(parsedTrigger(awsKinesisStreamTrigger, base), 0);
    const b = awsKinesisStreamTrigger.readRequest(parsedTrigger(awsKinesisStreamTrigger, { ...base, shardCount: '8' }), 0);
    const c = awsKinesisStreamTrigger.readRequest(parsedTrigger(awsKinesisStreamTrigger, { ...base, awsEndpoint: 'http://127.0.0.1:1' }), 0);
    expect(a).toMatchObject({ service: 'kinesis', streamName: 'clicks' });
    expect(a?.key).toBe(b?.key);
    expect(a?.key).not.toBe(c?.key);
  });
});
