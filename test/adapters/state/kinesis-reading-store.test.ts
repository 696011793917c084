/**
 * The stored Kinesis readings against dynalite: round trip, a lost race loses nothing, a foreign
 * item is ignored and written over, the items stay out of the ScaledObject state, and each is one
 * write unit.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore, createStateTable } from '../../../lambdas/adapters/state/dynamodb-state-store';
import { DynamoDbKinesisReadingStore, kinesisReadingKey, KINESIS_READING_KEY_PREFIX } from '../../../lambdas/adapters/state/kinesis-reading-store';
import { startDynalite, type RunningDynalite } from '../../support/dynalite';
import { itemBytes } from '../../../bench/support/dynamodb-item-size';
import { storedState } from './state-fixtures';

let db: RunningDynalite;
let tables = 0;

async function freshTable(): Promise<{ store: DynamoDbKinesisReadingStore; tableName: string }> {
  tables += 1;
  const tableName = `readings-${tables}`;
  await createStateTable(db.client, tableName);
  return { store: new DynamoDbKinesisReadingStore({ client: db.client, tableName }), tableName };
}

const role = 'arn:aws:iam::111122223333:role/stream-reader';
const clicks = `kinesis|us-east-1|${role}|secret-external-id||clicks`;
const orders = 'kinesis|us-east-1||||orders';

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.close();
});

describe('DynamoDbKinesisReadingStore against dynalite', () => {
  it('round-trips readings by read-plan key; a stream never stored is absent', async () => {
    const { store } = await freshTable();
    expect(await store.save(clicks, { openShardCount: 4, readAt: 1_000 })).toBe('saved');
    expect(await store.save(orders, { openShardCount: 1, readAt: 2_000 })).toBe('saved');
    const loaded = await store.load([clicks, orders, 'kinesis|us-east-1||||never-read']);
    expect(loaded).toEqual(new Map([[clicks, { openShardCount: 4, readAt: 1_000 }], [orders, { openShardCount: 1, readAt: 2_000 }]]));
  });

  it('loads more streams than one BatchGetItem holds', async () => {
    const { store } = await freshTable();
    const keys = Array.from({ length: 130 }, (_, i) => `kinesis|us-east-1||||stream-${i}`);
    for (const [i, key] of keys.entries()) await store.save(key, { openShardCount: i, readAt: 5_000 });
    const loaded = await store.load(keys);
    expect(loaded.size).toBe(130);
    expect(loaded.get(keys[129]!)).toEqual({ openShardCount: 129, readAt: 5_000 });
  });

  it('never writes an older reading over a newer one: a lost race is "stale" and changes nothing', async () => {
    const { store } = await freshTable();
    expect(await store.save(clicks, { openShardCount: 8, readAt: 20_000 })).toBe('saved');
    expect(await store.save(clicks, { openShardCount: 4, readAt: 10_000 })).toBe('stale');
    expect(await store.save(clicks, { openShardCount: 4, readAt: 20_000 })).toBe('stale');
    expect((await store.load([clicks])).get(clicks)).toEqual({ openShardCount: 8, readAt: 20_000 });
    expect(await store.save(clicks, { openShardCount: 6, readAt: 30_000 })).toBe('saved');
    expect((await store.load([clicks])).get(clicks)).toEqual({ openShardCount: 6, readAt: 30_000 });
  });

  it('keeps nothing of the trigger authentication: the key is a hash; one write unit; expires a day after the reading', async () => {
    const { store, tableName } = await freshTable();
    await store.save(clicks, { openShardCount: 4, readAt: 1_700_000_000_000 });
    const item = (await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: kinesisReadingKey(clicks) } } }))).Item!;
    expect(item.pk!.S).toMatch(new RegExp(`^${KINESIS_READING_KEY_PREFIX}[0-9a-f]{32}$`));
    expect(JSON.stringify(item)).not.toMatch(/secret-external-id|111122223333|clicks/);
    expect(item.expiresAt).toEqual({ N: String(1_700_000_000 + 24 * 3600) });
    expect(itemBytes(item)).toBeLessThanOrEqual(1024);
  });

  it('ignores an item that is not a reading, and writes over it', async () => {
    const { store, tableName } = await freshTable();
    await db.client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: kinesisReadingKey(orders) }, readAt: { S: 'yesterday' }, openShardCount: { S: 'two' } } }));
    expect((await store.load([orders])).size).toBe(0);
    expect(await store.save(orders, { openShardCount: 2, readAt: 1_000 })).toBe('saved');
    expect((await store.load([orders])).get(orders)).toEqual({ openShardCount: 2, readAt: 1_000 });
  });

  it('stays out of the ScaledObject state: listAll (restore-on-removal, status) skips the readings', async () => {
    const { store, tableName } = await freshTable();
    const states = new DynamoDbStateStore({ client: db.client, tableName });
    await states.save(storedState('prod/jobs/orders'), 0);
    await store.save(orders, { openShardCount: 2, readAt: 1_000 });
    expect((await states.listAll()).map((state) => state.key)).toEqual(['prod/jobs/orders']);
  });

  it('names the table and the fix when it is missing', async () => {
    const store = new DynamoDbKinesisReadingStore({ client: db.client, tableName: 'no-such-table' });
    await expect(store.load([orders])).rejects.toThrow(/DynamoDB BatchGetItem on table no-such-table failed: ResourceNotFoundException.*check STATE_TABLE_NAME/);
    await expect(store.save(orders, { openShardCount: 2, readAt: 1_000 })).rejects.toThrow(/DynamoDB PutItem for item kinesis-reading\/[0-9a-f]{32} in table no-such-table failed/);
  });
});
