/**
 * examples/dynamodb-jobs.yaml through the real pod scaler handler: the Query goes over the real SDK
 * to dynalite (the same dynalite that holds the scaler's state, in another table), the target is
 * a real kube-apiserver reached with the pod scaler's EKS token (test/pod-scaler/real-harness.ts).
 * dynalite, not moto, for the Query: see test/real-servers/README.md.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CreateTableCommand, DeleteItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { configFrom } from '../pod-scaler/harness';
import { REAL_POD_SCALER_SKIP, REAL_POD_SCALER_START_TIMEOUT_MS, startRealHarness, type RealHarness } from '../pod-scaler/real-harness';

const EXAMPLE = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'dynamodb-jobs.yaml'), 'utf8');
let harness: RealHarness;
const BILLING = { namespace: 'billing' };

async function putJobs(count: number, attempts: number, from = 0): Promise<void> {
  for (let id = from; id < from + count; id += 1) {
    await harness.dynalite.client.send(new PutItemCommand({ TableName: 'jobs', Item: { queue: { S: 'invoices' }, id: { S: String(id) }, attempts: { N: String(attempts) } } }));
  }
}

beforeAll(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  harness = await startRealHarness();
  await harness.dynalite.client.send(new CreateTableCommand({
    TableName: 'jobs',
    AttributeDefinitions: [{ AttributeName: 'queue', AttributeType: 'S' }, { AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'queue', KeyType: 'HASH' }, { AttributeName: 'id', KeyType: 'RANGE' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
}, REAL_POD_SCALER_START_TIMEOUT_MS);

afterAll(async () => {
  await harness?.close();
});

beforeEach(async () => {
  if (!REAL_POD_SCALER_SKIP) await harness.reset();
});

describe.skipIf(REAL_POD_SCALER_SKIP)('aws-dynamodb through the real handler (examples/dynamodb-jobs.yaml)', () => {
  it('scales from zero on pending jobs, counting only those under the retry limit', async () => {
    await harness.putDeployment('invoice-jobs', 0, BILLING);
    const handler = harness.handlerFor(configFrom(EXAMPLE), {}, { dynamodb: harness.dynalite.endpoint });

    await putJobs(2, 5); // filtered out: attempts < 5 fails
    const idle = await harness.tick(handler);
    expect(idle.errors).toBe(0);
    expect(idle.calls.dynamodb).toBeGreaterThan(0);
    expect(await harness.replicasOf('invoice-jobs', BILLING)).toBe(0);

    // 35 pending jobs: KEDA 0 → 1, the HPA ceil(35 / 10) = 4 (legacy cap max(2, 4) = 4).
    await putJobs(35, 0, 100);
    harness.clock.advance(60_000);
    await harness.tick(handler);
    expect(await harness.replicasOf('invoice-jobs', BILLING)).toBe(4);

    // A missing table is an error on the object, never a zero: the count holds.
    await harness.dynalite.client.send(new DeleteItemCommand({ TableName: 'jobs', Key: { queue: { S: 'invoices' }, id: { S: '100' } } }));
    const broken = harness.handlerFor(configFrom(EXAMPLE.replace('tableName: jobs', 'tableName: jobs-gone')), {}, { dynamodb: harness.dynalite.endpoint });
    harness.clock.advance(60_000);
    const failed = await harness.tick(broken);
    expect(failed.errors).toBeGreaterThan(0);
    expect(await harness.replicasOf('invoice-jobs', BILLING)).toBe(4);
  });
});
