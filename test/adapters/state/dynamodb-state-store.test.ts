import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore, createStateTable } from '../../../lambdas/adapters/state/dynamodb-state-store';
import { startDynalite } from '../../support/dynalite';
import { startFaultProxy } from '../../support/fault-proxy';
import type { RunningDynalite } from '../../support/dynalite';
import { busyState, legacyItem, storedState } from './state-fixtures';
import { itemBytes } from '../../../bench/support/dynamodb-item-size';

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
      lastDecision: { at: 5, fromReplicas: 1, desiredReplicas: 3, applied: true, explanation: { rule: 'hpa', message: 'scaled 1 → 3' } },
    });
    expect(await store.save(item, 0)).toBe('saved');
    const loaded = (await store.loadMany(['prod/jobs/orders'])).states.get('prod/jobs/orders');
    expect(loaded).toEqual({ ...item, version: 1 });
  });

  it('upgrade: an item written in format 1 loads whole, and is rewritten in format 2 (1 write unit) conditionally on its version', async () => {
    const { store, tableName } = await freshStore();
    const old = { ...busyState(), expiresAt: 1_800_000_000 };
    await db.client.send(new PutItemCommand({ TableName: tableName, Item: legacyItem(old, 41) }));

    const loaded = (await store.loadMany([old.key])).states.get(old.key);
    expect(loaded).toEqual({ ...old, version: 41 });
    expect((await store.listAll()).map((state) => state.key)).toEqual([old.key]);

    expect(await store.save(loaded!, 40)).toBe('conflict');
    expect(await store.save(loaded!, 41)).toBe('saved');
    const raw = (await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: old.key } } }))).Item!;
    expect(Object.keys(raw).sort()).toEqual(['d', 'expiresAt', 'pk', 'version']);
    expect(itemBytes(raw)).toBeLessThanOrEqual(1024);
    expect(itemBytes(legacyItem(old, 41))).toBeGreaterThan(2048);
    const { rule, message } = old.lastDecision!.explanation;
    expect((await store.loadMany([old.key])).states.get(old.key)).toEqual({
      ...old,
      version: 42,
      lastDecision: { ...old.lastDecision!, explanation: { rule, message } },
    });
  });

  it('writes expiresAt as a top-level number attribute for DynamoDB TTL', async () => {
    const { store, tableName } = await freshStore();
    await store.save(storedState('prod/jobs/gone', { expiresAt: 1_800_000_000 }), 0);
    const raw = await db.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'prod/jobs/gone' } } }));
    expect(raw.Item?.expiresAt).toEqual({ N: '1800000000' });
    expect(raw.Item?.version).toEqual({ N: '1' });
    const loaded = (await store.loadMany(['prod/jobs/gone'])).states;
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
    const loaded = (await store.loadMany([key])).states.get(key);
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
    const loaded = (await store.loadMany([...keys, 'prod/ns/missing', keys[0]!])).states;
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

describe('DynamoDbStateStore errors name the service, the operation and the table', () => {
  it.each([
    { operation: 'BatchGetItem', call: (store: DynamoDbStateStore) => store.loadMany(['prod/a/b']) },
    { operation: 'PutItem', call: (store: DynamoDbStateStore) => store.save(storedState('prod/a/b'), 0) },
    { operation: 'Scan', call: (store: DynamoDbStateStore) => store.listAll() },
  ])('$operation on a table that does not exist', async ({ operation, call }) => {
    const store = new DynamoDbStateStore({ client: db.client, tableName: 'no-such-table' });
    await expect(call(store)).rejects.toThrow(
      new RegExp(`^DynamoDB ${operation} on table no-such-table failed: ResourceNotFoundException: .*; the table does not exist in this account and region: check STATE_TABLE_NAME`),
    );
  });
});

describe('DynamoDbStateStore with items it cannot decode', () => {
  // Corrupted, written by a newer version, or foreign: each affects only its own key.
  it.each([
    { problem: 'a document that is not JSON', doc: '{"scaling":', version: '4', expected: /not JSON/ },
    { problem: 'a document of another shape', doc: JSON.stringify({ schema: 2, data: {} }), version: '4', expected: /no scaling object/ },
    { problem: 'events that are not lists', doc: JSON.stringify({ ...storedState('x'), scaling: { firstSeenAt: 1, scaleUpEvents: 3, scaleDownEvents: [], health: {} } }), version: '4', expected: /scaleUpEvents/ },
    { problem: 'a version that is not a number', doc: JSON.stringify(storedState('x')), version: '2.5', expected: /version attribute is "2.5", not a whole number/ },
  ])('reports $problem with its key and loads the other items', async ({ doc, version, expected }) => {
    const { store, tableName } = await freshStore();
    await store.save(storedState('prod/jobs/good'), 0);
    await db.client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'prod/jobs/bad' }, version: { N: version }, doc: { S: doc } } }));
    const loaded = await store.loadMany(['prod/jobs/good', 'prod/jobs/bad']);
    expect([...loaded.states.keys()]).toEqual(['prod/jobs/good']);
    const bad = loaded.undecodable.get('prod/jobs/bad');
    expect(bad?.problem).toMatch(expected);
    expect(bad?.problem).toContain(`state item prod/jobs/bad in table ${tableName}`);
    expect(bad?.version).toBe(version === '4' ? 4 : undefined);
    // listAll skips it and keeps the rest; the item stays in the table.
    expect((await store.listAll()).map((state) => state.key)).toEqual(['prod/jobs/good']);
    // A fresh state replaces it, conditional on the version it had.
    if (bad?.version !== undefined) expect(await store.save(storedState('prod/jobs/bad'), bad.version)).toBe('saved');
  });
});

/**
 * dynalite never leaves keys unprocessed, so the first BatchGetItem answer is dynalite's own, reshaped
 * on the wire by the fault proxy (test/support/fault-proxy.ts) as DynamoDB answers under load: one of
 * the two items moved to UnprocessedKeys. The retry is a real request to dynalite. (It was a client mock.)
 */
describe('DynamoDbStateStore UnprocessedKeys handling (dynalite behind the fault proxy)', () => {
  it('retries unprocessed keys until every key is read', async () => {
    const { store: writer, tableName } = await freshStore();
    for (const key of ['prod/a/1', 'prod/a/2']) expect(await writer.save(storedState(key), 0)).toBe('saved');
    const proxy = await startFaultProxy({ target: db.endpoint, protocol: 'aws-json' });
    const client = new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, endpoint: proxy.url });
    try {
      proxy.inject({
        match: (request) => request.operation === 'BatchGetItem',
        times: 1,
        fault: {
          rewrite: (body) => {
            const answer = JSON.parse(body) as { Responses: Record<string, Array<{ pk: { S: string } }>>; UnprocessedKeys?: unknown };
            const held = answer.Responses[tableName]!.filter((item) => item.pk.S === 'prod/a/2');
            answer.Responses[tableName] = answer.Responses[tableName]!.filter((item) => item.pk.S !== 'prod/a/2');
            answer.UnprocessedKeys = { [tableName]: { Keys: held.map((item) => ({ pk: item.pk })) } };
            return JSON.stringify(answer);
          },
        },
      });
      const sleeps: number[] = [];
      const store = new DynamoDbStateStore({ client, tableName, sleep: async (ms) => void sleeps.push(ms) });
      const loaded = (await store.loadMany(['prod/a/1', 'prod/a/2'])).states;
      expect([...loaded.keys()].sort()).toEqual(['prod/a/1', 'prod/a/2']);
      const batchGets = proxy.requests.filter((request) => request.operation === 'BatchGetItem');
      expect(batchGets).toHaveLength(2);
      expect((JSON.parse(batchGets[1]!.body) as { RequestItems: Record<string, { Keys: unknown }> }).RequestItems[tableName]?.Keys).toEqual([{ pk: { S: 'prod/a/2' } }]);
      expect(sleeps).toHaveLength(1);
    } finally {
      client.destroy();
      await proxy.close();
    }
  });
});
