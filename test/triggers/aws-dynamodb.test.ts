/**
 * aws-dynamodb parsing and metric step, row by row from KEDA v2.20
 * `pkg/scalers/aws_dynamodb_scaler.go` (awsDynamoDBMetadata tags, parseAwsDynamoDBMetadata,
 * json2Map, json2DynamoMap / attributeValueFromInterface, GetMetricsAndActivity) and its test
 * table `aws_dynamodb_scaler_test.go`.
 */
import { describe, expect, it } from 'vitest';
import { awsDynamoDbTrigger } from '../../lambdas/triggers/aws-dynamodb';
import { parseWith, parsedTrigger } from '../adapters/aws/trigger-fixtures';

const base = {
  tableName: 'jobs',
  awsRegion: 'eu-west-1',
  keyConditionExpression: '#k = :status',
  expressionAttributeNames: '{"#k": "status"}',
  expressionAttributeValues: '{":status": {"S": "pending"}}',
  targetValue: '10',
};

describe('aws-dynamodb parse', () => {
  it('reads the query, the target and activationTargetValue default 0; the metric is s<i>-aws-dynamodb-<table>', () => {
    expect(parsedTrigger(awsDynamoDbTrigger, { ...base, indexName: 'by-status', filterExpression: 'attempts < :max' }, { index: 2 })).toMatchObject({
      metricName: 's2-aws-dynamodb-jobs',
      target: 10,
      activationTarget: 0,
      params: {
        tableName: 'jobs',
        keyConditionExpression: '#k = :status',
        expressionAttributeNames: { '#k': 'status' },
        expressionAttributeValues: { ':status': { S: 'pending' } },
        indexName: 'by-status',
        filterExpression: 'attempts < :max',
        targetValue: 10,
        activationTargetValue: 0,
      },
      aws: { region: 'eu-west-1' },
    });
  });

  it('accepts every attribute type KEDA converts (S, N, BOOL, B, L, M, NULL)', () => {
    const values = '{":s": {"S": "a"}, ":n": {"N": "5"}, ":b": {"BOOL": true}, ":bin": {"B": "xyz"}, ":l": {"L": [{"N": "1"}]}, ":m": {"M": {"x": {"S": "y"}}}, ":z": {"NULL": true}}';
    expect(parseWith(awsDynamoDbTrigger, { ...base, expressionAttributeValues: values }).errors).toEqual([]);
  });

  it.each<[string, Record<string, string>, string, string]>([
    ['no tableName (required tag)', { tableName: '' }, 'tableName', 'missing required parameter'],
    ['no awsRegion', { awsRegion: '' }, 'awsRegion', 'missing required parameter'],
    ['no keyConditionExpression', { keyConditionExpression: '' }, 'keyConditionExpression', 'missing required parameter'],
    ['no expressionAttributeNames (ErrAwsDynamoNoExpressionAttributeNames)', { expressionAttributeNames: '' }, 'expressionAttributeNames', 'no expressionAttributeNames given'],
    ['invalid expressionAttributeNames (ErrAwsDynamoInvalidExpressionAttributeNames)', { expressionAttributeNames: '{#k: status}' }, 'expressionAttributeNames', 'invalid expressionAttributeNames'],
    ['empty expressionAttributeNames (ErrAwsDynamoEmptyExpressionAttributeNames)', { expressionAttributeNames: '{}' }, 'expressionAttributeNames', 'empty map'],
    ['no expressionAttributeValues (ErrAwsDynamoNoExpressionAttributeValues)', { expressionAttributeValues: '' }, 'expressionAttributeValues', 'no expressionAttributeValues given'],
    ['expressionAttributeValues not JSON', { expressionAttributeValues: '{":s": ' }, 'expressionAttributeValues', 'not a JSON object'],
    ['N as a JSON number (ErrAwsDynamoInvalidExpressionAttributeValues)', { expressionAttributeValues: '{":n": {"N": 5}}' }, 'expressionAttributeValues', 'N needs a number written as a string'],
    ['unknown attribute type', { expressionAttributeValues: '{":x": {"SS": ["a"]}}' }, 'expressionAttributeValues', 'unsupported data type for attribute value: SS'],
    ['a bare value', { expressionAttributeValues: '{":x": "pending"}' }, 'expressionAttributeValues', 'unsupported data type for attribute value'],
    ['no targetValue (ErrAwsDynamoNoTargetValue)', { targetValue: '' }, 'targetValue', 'no targetValue given'],
    ['targetValue not an integer', { targetValue: '2.5' }, 'targetValue', 'is not'],
    ['targetValue 0 (ours: the HPA rejects it)', { targetValue: '0' }, 'targetValue', 'not a positive number'],
    ['activationTargetValue not an integer', { activationTargetValue: 'x' }, 'activationTargetValue', 'is not'],
  ])('%s', (_label, metadata, field, message) => {
    const result = parseWith(awsDynamoDbTrigger, { ...base, ...metadata });
    expect(result.parsed).toBeUndefined();
    const issue = result.errors.find((candidate) => candidate.field === `spec.triggers[0].metadata.${field}`);
    expect(issue, JSON.stringify(result.errors)).toBeDefined();
    expect(issue!.message).toContain(message);
  });
});

describe('aws-dynamodb toMetric and read key', () => {
  it.each([
    [{}, 7, true],
    [{}, 0, false],
    [{ activationTargetValue: '7' }, 7, false],
    [{ activationTargetValue: '6' }, 7, true],
  ])('metadata %o with Count %d → active %s (GetMetricsAndActivity: count > activationTargetValue)', (metadata, count, active) => {
    const trigger = parsedTrigger(awsDynamoDbTrigger, { ...base, ...metadata });
    expect(awsDynamoDbTrigger.toMetric(trigger, { service: 'dynamodb', count }, 0)).toEqual({ value: count, active });
  });

  it('shares one Query between triggers asking the same question, whatever their targets', () => {
    const a = awsDynamoDbTrigger.readRequest(parsedTrigger(awsDynamoDbTrigger, base), 0);
    const b = awsDynamoDbTrigger.readRequest(parsedTrigger(awsDynamoDbTrigger, { ...base, targetValue: '3', activationTargetValue: '1' }), 0);
    const c = awsDynamoDbTrigger.readRequest(parsedTrigger(awsDynamoDbTrigger, { ...base, indexName: 'by-status' }), 0);
    expect(a).toMatchObject({ service: 'dynamodb', query: { tableName: 'jobs' } });
    expect(a?.key).toBe(b?.key);
    expect(a?.key).not.toBe(c?.key);
  });
});
