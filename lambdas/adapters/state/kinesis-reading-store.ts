/**
 * Each Kinesis stream's last reading (open shard count, when it was read), in the pod scaler's
 * state table under `pk = kinesis-reading/<hash of the read-plan key>`, so that a container with no
 * reading of its own (a cold one) can reuse it (adapters/aws/kinesis-call-limit.ts).
 *
 * One small item per stream (under 1 KB: one write unit a write, half a read unit a load), not one
 * per shard: a stream may be read by several shards and by alarm invocations, and which objects
 * make up a shard changes with the fleet. The limit writes an item only when its count changed or
 * it is due for a refresh. The key is a hash because the read-plan key holds the role ARN and
 * external ID of the trigger's authentication: nothing of it is stored.
 *
 * A write never puts an older reading over a newer one (condition on `readAt`), so two containers
 * racing lose nothing; an item that is not a reading (corrupted, foreign) is ignored on load and
 * written over. Items expire a day after their reading (the table's TTL attribute): a stream no
 * longer read leaves nothing behind.
 */
import { createHash } from 'node:crypto';
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetItemCommand, ConditionalCheckFailedException, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { KinesisReadingStore, StoredKinesisReading } from '../aws/kinesis-call-limit';
import { dynamoDbError } from './dynamodb-errors';
import { KEY_ATTRIBUTE, TTL_ATTRIBUTE } from './state-item-codec';

export const KINESIS_READING_KEY_PREFIX = 'kinesis-reading/';
/** How long an item outlives its reading: far past any reuse (5 minutes), so the TTL never races one. */
const EXPIRES_AFTER_SECONDS = 24 * 3600;
const BATCH_GET_LIMIT = 100;
/** UnprocessedKeys come back under throttling: a few more tries, then the rest go without (they are read instead). */
const MAX_UNPROCESSED_RETRIES = 3;

export function kinesisReadingKey(requestKey: string): string {
  return `${KINESIS_READING_KEY_PREFIX}${createHash('sha256').update(requestKey).digest('hex').slice(0, 32)}`;
}

export class DynamoDbKinesisReadingStore implements KinesisReadingStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async load(keys: readonly string[]): Promise<Map<string, StoredKinesisReading>> {
    const byItemKey = new Map([...new Set(keys)].map((key) => [kinesisReadingKey(key), key] as const));
    const itemKeys = [...byItemKey.keys()];
    const found = new Map<string, StoredKinesisReading>();
    for (let start = 0; start < itemKeys.length; start += BATCH_GET_LIMIT) {
      let pending: Record<string, AttributeValue>[] = itemKeys.slice(start, start + BATCH_GET_LIMIT).map((key) => ({ [KEY_ATTRIBUTE]: { S: key } }));
      for (let attempt = 0; pending.length > 0 && attempt <= MAX_UNPROCESSED_RETRIES; attempt += 1) {
        // Eventually consistent (half the read units): a reading a moment behind is still judged by its own readAt.
        const response = await this.client
          .send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending, ProjectionExpression: '#pk, openShardCount, readAt', ExpressionAttributeNames: { '#pk': KEY_ATTRIBUTE } } } }))
          .catch((error: unknown) => {
            throw dynamoDbError(error, 'BatchGetItem', this.tableName);
          });
        for (const item of response.Responses?.[this.tableName] ?? []) {
          const key = byItemKey.get(item[KEY_ATTRIBUTE]?.S ?? '');
          const reading = decode(item);
          if (key !== undefined && reading) found.set(key, reading);
        }
        pending = response.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  async save(key: string, reading: StoredKinesisReading): Promise<'saved' | 'stale'> {
    const itemKey = kinesisReadingKey(key);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            [KEY_ATTRIBUTE]: { S: itemKey },
            openShardCount: { N: String(reading.openShardCount) },
            readAt: { N: String(reading.readAt) },
            [TTL_ATTRIBUTE]: { N: String(Math.floor(reading.readAt / 1000) + EXPIRES_AFTER_SECONDS) },
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR NOT attribute_type(#readAt, :number) OR #readAt < :readAt',
          ExpressionAttributeNames: { '#pk': KEY_ATTRIBUTE, '#readAt': 'readAt' },
          ExpressionAttributeValues: { ':number': { S: 'N' }, ':readAt': { N: String(reading.readAt) } },
        }),
      );
      return 'saved';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') return 'stale';
      throw dynamoDbError(error, 'PutItem', this.tableName, itemKey);
    }
  }
}

function decode(item: Record<string, AttributeValue>): StoredKinesisReading | undefined {
  const openShardCount = Number(item.openShardCount?.N);
  const readAt = Number(item.readAt?.N);
  if (!Number.isInteger(openShardCount) || openShardCount < 0 || !Number.isFinite(readAt)) return undefined;
  return { openShardCount, readAt };
}

/** For the bench and unit tests: the same rule (never an older reading over a newer one), in memory. */
export class MemoryKinesisReadingStore implements KinesisReadingStore {
  readonly items = new Map<string, StoredKinesisReading>();

  async load(keys: readonly string[]): Promise<Map<string, StoredKinesisReading>> {
    const found = new Map<string, StoredKinesisReading>();
    for (const key of keys) {
      const item = this.items.get(key);
      if (item) found.set(key, { ...item });
    }
    return found;
  }

  async save(key: string, reading: StoredKinesisReading): Promise<'saved' | 'stale'> {
    const stored = this.items.get(key);
    if (stored && stored.readAt >= reading.readAt) return 'stale';
    this.items.set(key, { ...reading });
    return 'saved';
  }
}
