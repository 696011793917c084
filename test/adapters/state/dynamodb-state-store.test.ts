import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchGetItemCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbStateStore, createStateTable } from '../../../lambdas/adapters/state/dynamodb-state-store';
import { startDynalite } from '../../support/dynalite';
import type { RunningDynalite } from '../../support/dynalite';
import { storedState } from './state-fixtures';

let db: RunningDynalite;
let tableCount = 0;

async function freshStore(): Promise<{ store: DynamoDbStateStore; tableName: string }> {
  tableCount += 1;
  const tableName = `state-${tableCount}`;
  await createStateTable(db.client, tableName);
  return { store: new DynamoDbStateStore({ client: db.client, tableName }), tableName };
}

beforeAll(async () => {
  db = await startDynalite();
});
afterAll(async () => {
  await db.close();
});

describe('DynamoDbStateStore against dynalite', () => {
  it('round-trips an item and bumps its version', async () => {
    const { store } = await freshStore();
    const item = storedState('prod/jobs/orders', {
      lastDecision: {
        at: 5,
        fromReplicas: 1,
        desiredReplicas: 3,
        applied: true,
        explanation: { summary: 'x' } as never,
      },
    });
    expect(await store.save(item, 0)).toBe('saved');
    const loaded = (await store.loadMany(['prod/jobs/orders'])).get('prod/jobs/orders');
    expect(loaded).toEqual({ ...item, version: 1 });
  });

  it('writes expiresAt as a top-level number attribute for DynamoDB TTL', async () => {
    const { store, tableName } = await freshStore();
    await store.save(storedState('prod/jobs/gone', { expiresAt: 1_800_000_000 }), 0);
    const raw = await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'prod/jobs/gone' } } }));
    expect(raw.Item?.expiresAt).toEqual({ N: '1800000000' });
    expect(raw.Item?.version).toEqual({ N: '1' });
    const loaded = await store.loadMany(['prod/jobs/gone']);
    expect(loaded.get('prod/jobs/gone')?.expiresAt).toBe(1_800_000_000);
  });

  it.each([
    { name: 'first write', setupVersions: 0 },
    { name: 'later write', setupVersions: 3 },
  ])('lets exactly one of two writers from the same version win ($name)', async ({ setupVersions }) => {
    const { store } = await freshStore();
    const key = 'prod/jobs/race';
    for (let v = 0; v < setupVersions; v += 1) expect(await store.save(storedState(key), v)).toBe('saved');
    const results = await Promise.all([
      store.save(storedState(key, { currentReplicas: 4 }), setupVersions),
      store.save(storedState(key, { currentReplicas: 7 }), setupVersions),
    ]);
    expect([...results].sort()).toEqual(['conflict', 'saved']);
    const winner = results[0] === 'saved' ? 4 : 7;
    const loaded = (await store.loadMany([key])).get(key);
    expect(loaded?.version).toBe(setupVersions + 1);
    expect(loaded?.currentReplicas).toBe(winner);
  });

  it('reports a conflict when the expected version is stale or the item is new', async () => {
    const { store } = await freshStore();
    expect(await store.save(storedState('prod/a/b'), 1)).toBe('conflict');
    expect(await store.save(storedState('prod/a/b'), 0)).toBe('saved');
    expect(await store.save(storedState('prod/a/b'), 0)).toBe('conflict');
    expect(await store.save(storedState('prod/a/b'), 1)).toBe('saved');
  });

  it('loads more than 100 keys through chunked BatchGetItem, skipping missing keys', async () => {
    const { store } = await freshStore();
    const keys = Array.from({ length: 230 }, (_, i) => `prod/ns/obj-${i}`);
    for (const key of keys) await store.save(storedState(key), 0);
    const loaded = await store.loadMany([...keys, 'prod/ns/missing', keys[0]!]);
    expect(loaded.size).toBe(230);
    expect(loaded.get('prod/ns/obj-229')?.objectId).toBe('ns/obj-229');
    expect(loaded.has('prod/ns/missing')).toBe(false);
  });

  it('lists every item across Scan pages', async () => {
    const { store } = await freshStore();
    // ~5 KB per item so 300 items exceed Scan's 1 MB page.
    const padding = 'x'.repeat(5_000);
    for (let i = 0; i < 300; i += 1) await store.save(storedState(`prod/ns/big-${i}`, { statusReason: padding }), 0);
    let scans = 0;
    db.client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ScanCommand') scans += 1;
        return next(args);
      },
      { step: 'initialize', name: 'countScans' },
    );
    try {
      const all = await store.listAll();
      expect(all).toHaveLength(300);
      expect(new Set(all.map((s) => s.key)).size).toBe(300);
      expect(scans).toBeGreaterThan(1);
    } finally {
      db.client.middlewareStack.remove('countScans');
    }
  });
});

describe('DynamoDbStateStore UnprocessedKeys handling', () => {
  it('retries unprocessed keys until every key is read', async () => {
    const client = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    const mock = mockClient(client);
    const item = (key: string) => ({ pk: { S: key }, version: { N: '2' }, doc: { S: JSON.stringify({ cluster: 'prod' }) } });
    mock
      .on(BatchGetItemCommand)
      .resolvesOnce({
        Responses: { t: [item('prod/a/1')] },
        UnprocessedKeys: { t: { Keys: [{ pk: { S: 'prod/a/2' } }] } },
      })
      .resolvesOnce({ Responses: { t: [item('prod/a/2')] } });
    const sleeps: number[] = [];
    const store = new DynamoDbStateStore({ client, tableName: 't', sleep: async (ms) => void sleeps.push(ms) });
    const loaded = await store.loadMany(['prod/a/1', 'prod/a/2']);
    expect([...loaded.keys()].sort()).toEqual(['prod/a/1', 'prod/a/2']);
    expect(mock.commandCalls(BatchGetItemCommand)[1]!.args[0].input.RequestItems?.t?.Keys).toEqual([{ pk: { S: 'prod/a/2' } }]);
    expect(sleeps).toHaveLength(1);
  });
});
