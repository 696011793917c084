/**
 * The conditional PutItem both per-group and per-ScaledJob state stores write with: the item's
 * version goes up by one, and the write succeeds only if the stored version is still the one read
 * (or, for version 0, if no item exists). A lost race is `'conflict'`, never an error: the caller
 * reloads and decides again, so a decision is applied at most once.
 */
import type { AttributeValue, DynamoDBClient, PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamoDbError } from './dynamodb-errors';

const KEY = 'pk';
const VERSION = 'version';
const DOCUMENT = 'doc';

export async function putVersioned(client: DynamoDBClient, tableName: string, key: string, document: unknown, expectedVersion: number): Promise<'saved' | 'conflict'> {
  const item: Record<string, AttributeValue> = {
    [KEY]: { S: key },
    [VERSION]: { N: String(expectedVersion + 1) },
    [DOCUMENT]: { S: JSON.stringify(document) },
  };
  const condition: Pick<PutItemCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> =
    expectedVersion === 0
      ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': KEY } }
      : {
          ConditionExpression: '#version = :expected',
          ExpressionAttributeNames: { '#version': VERSION },
          ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
        };
  try {
    await client.send(new PutItemCommand({ TableName: tableName, Item: item, ...condition }));
    return 'saved';
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') return 'conflict';
    throw dynamoDbError(error, 'PutItem', tableName, key);
  }
}
