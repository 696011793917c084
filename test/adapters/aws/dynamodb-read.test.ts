/** aws-dynamodb reads through the real SDK and the real read plan, against dynalite on loopback. */
import { CreateTableCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../../lambdas/adapters/aws/read-plan';
import { awsDynamoDbTrigger } from '../../../lambdas/triggers/aws-dynamodb';
import { toTriggerResults } from '../../../lambdas/triggers/metric-step';
import type { TriggerError } from '../../../lambdas/triggers/trigger-definition';
import { startDynalite, type RunningDynalite } from '../../support/dynalite';
import { parsedTrigger, scaledObject } from './trigger-fixtures';

const credentials = async () => ({ accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' });
let db: RunningDynalite;

const QUERY = {
  tableName: 'jobs',
  awsRegion: 'us-east-1',
  keyConditionExpression: '#q = :queue',
  expressionAttributeNames: '{"#q": "queue"}',
  expressionAttributeValues: '{":queue": {"S": "invoices"}}',
  targetValue: '2',
};

beforeAll(async () => {
  db = await startDynalite();
  await db.client.send(new CreateTableCommand({
    TableName: 'jobs',
    AttributeDefinitions: [{ AttributeName: 'queue', AttributeType: 'S' }, { AttributeName: 'id', AttributeType: 'S' }, { AttributeName: 'status', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'queue', KeyType: 'HASH' }, { AttributeName: 'id', KeyType: 'RANGE' }],
    GlobalSecondaryIndexes: [{ IndexName: 'by-status', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  const rows: [string, string, string, number][] = [
    ['invoices', '1', 'pending', 0],
    ['invoices', '2', 'pending', 3],
    ['invoices', '3', 'done', 0],
    ['invoices', '4', 'pending', 1],
    ['emails', '1', 'pending', 0],
  ];
  for (const [queue, id, status, attempts] of rows) {
    await db.client.send(new PutItemCommand({ TableName: 'jobs', Item: { queue: { S: queue }, id: { S: id }, status: { S: status }, attempts: { N: String(attempts) } } }));
  }
});
afterAll(async () => {
  await db.close();
});

function item(object: string, metadata: Record<string, string>) {
  const trigger = parsedTrigger(awsDynamoDbTrigger, { ...QUERY, ...metadata });
  return { object: scaledObject(object, [trigger]), item: { id: `prod/jobs/${object}#0`, trigger } };
}

describe('aws-dynamodb against dynalite', () => {
  it('counts the items a key condition matches, with a filter, and on an index', async () => {
    const read = createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials, endpoints: { dynamodb: db.endpoint } }) });
    const all = item('all', {});
    const filtered = item('filtered', { filterExpression: 'attempts < :max', expressionAttributeValues: '{":queue": {"S": "invoices"}, ":max": {"N": "2"}}' });
    const byStatus = item('by-status', { indexName: 'by-status', keyConditionExpression: '#s = :s', expressionAttributeNames: '{"#s": "status"}', expressionAttributeValues: '{":s": {"S": "pending"}}' });

    const { readings, calls } = await read([all.item, filtered.item, byStatus.item], 1_000);
    expect(calls).toEqual({ dynamodb: 3 });
    expect(toTriggerResults(all.object, 'prod/jobs/all', readings, 1_000)).toEqual([{ index: 0, ok: true, value: 4, active: true }]);
    // attempts 0, 3, 0, 1 in invoices: three below 2.
    expect(toTriggerResults(filtered.object, 'prod/jobs/filtered', readings, 1_000)).toEqual([{ index: 0, ok: true, value: 3, active: true }]);
    expect(toTriggerResults(byStatus.object, 'prod/jobs/by-status', readings, 1_000)).toEqual([{ index: 0, ok: true, value: 4, active: true }]);
  });

  it('reads one Query for two objects asking the same question', async () => {
    const read = createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials, endpoints: { dynamodb: db.endpoint } }) });
    const a = item('a', {});
    const b = item('b', { targetValue: '5', activationTargetValue: '4' });
    const { readings, calls } = await read([a.item, b.item], 1_000);
    expect(calls).toEqual({ dynamodb: 1 });
    expect(toTriggerResults(b.object, 'prod/jobs/b', readings, 1_000)).toEqual([{ index: 0, ok: true, value: 4, active: false }]);
  });

  it('uses awsEndpoint from the metadata, and names a missing table and its region', async () => {
    const read = createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials }) });
    const lost = item('lost', { tableName: 'missing', awsEndpoint: db.endpoint });
    const { readings } = await read([lost.item], 0);
    const error = readings.get(lost.item.id) as TriggerError;
    expect(error.code).toBe('ResourceNotFoundException');
    expect(error.message).toContain('table missing does not exist in us-east-1: check tableName and awsRegion');
  });

  it('a key condition DynamoDB refuses is an error naming the table, never a zero', async () => {
    const read = createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: credentials, endpoints: { dynamodb: db.endpoint } }) });
    const bad = item('bad', { keyConditionExpression: '#q > :queue' });
    const { readings } = await read([bad.item], 0);
    const error = readings.get(bad.item.id) as TriggerError;
    expect(error.code).toBe('ValidationException');
    expect(error.message).toContain('table jobs');
  });
});
