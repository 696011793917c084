/**
 * aws-dynamodb-streams parsing and metric step, from KEDA v2.20
 * `pkg/scalers/aws_dynamodb_streams_scaler.go` (awsDynamoDBStreamsMetadata tags: shardCount default 2,
 * activationShardCount default 0, tableName and awsRegion required; GetMetricSpecForScaling's metric
 * name; GetMetricsAndActivity: shards > activationShardCount).
 */
import { describe, expect, it } from 'vitest';
import { awsDynamoDbStreamsTrigger } from '../../lambdas/triggers/aws-dynamodb-streams';
import { parseWith, parsedTrigger } from '../adapters/aws/trigger-fixtures';

const base = { tableName: 'orders', awsRegion: 'eu-west-1' };

describe('aws-dynamodb-streams parse', () => {
  it('applies KEDA defaults: shardCount 2, activationShardCount 0; metric s<i>-aws-dynamodb-streams-<table>', () => {
    expect(parsedTrigger(awsDynamoDbStreamsTrigger, base, { index: 1 })).toMatchObject({
      metricName: 's1-aws-dynamodb-streams-orders',
      target: 2,
      activationTarget: 0,
      params: { tableName: 'orders', shardCount: 2, activationShardCount: 0 },
      aws: { region: 'eu-west-1' },
    });
  });

  it.each([
    [{ tableName: '' }, 'tableName'],
    [{ awsRegion: '' }, 'awsRegion'],
    [{ shardCount: '1.5' }, 'shardCount'],
    [{ shardCount: '0' }, 'shardCount'],
    [{ activationShardCount: 'x' }, 'activationShardCount'],
  ])('%o is an error on %s', (metadata, field) => {
    const result = parseWith(awsDynamoDbStreamsTrigger, { ...base, ...metadata });
    expect(result.parsed).toBeUndefined();
    expect(result.errors.map((e) => e.field)).toEqual([`spec.triggers[0].metadata.${field}`]);
  });
});

describe('aws-dynamodb-streams toMetric and read key', () => {
  it.each([
    [{}, 4, true],
    [{}, 0, false],
    [{ activationShardCount: '4' }, 4, false],
    [{ activationShardCount: '3' }, 4, true],
  ])('metadata %o with %d shards → active %s', (metadata, shardCount, active) => {
    const trigger = parsedTrigger(awsDynamoDbStreamsTrigger, { ...base, ...metadata });
    expect(awsDynamoDbStreamsTrigger.toMetric(trigger, { service: 'dynamodbstreams', shardCount }, 0)).toEqual({ value: shardCount, active });
  });

  it('keys reads by source and table, so objects on one table share them', () => {
    const a = awsDynamoDbStreamsTrigger.readRequest(parsedTrigger(awsDynamoDbStreamsTrigger, base), 0);
    const b = awsDynamoDbStreamsTrigger.readRequest(parsedTrigger(awsDynamoDbStreamsTrigger, { ...base, shardCount: '8' }), 0);
    const c = awsDynamoDbStreamsTrigger.readRequest(parsedTrigger(awsDynamoDbStreamsTrigger, { ...base, awsRegion: 'us-east-1' }), 0);
    expect(a).toMatchObject({ service: 'dynamodbstreams', tableName: 'orders' });
    expect(a?.key).toBe(b?.key);
    expect(a?.key).not.toBe(c?.key);
  });
});
