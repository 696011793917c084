import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createStateTable, DynamoDbStateStore } from '../../lambdas/adapters/state/dynamodb-state-store';
import type { StoredObjectState } from '../../lambdas/adapters/state/state-store';
import { startDynalite, type RunningDynalite } from '../support/dynalite';
import { cli } from './cli-harness';

const TABLE = 'scaler-state';
const MINUTE = 60_000;

function item(overrides: Partial<StoredObjectState> & Pick<StoredObjectState, 'key' | 'objectId'>, now: number): StoredObjectState {
  const [, namespace, name] = overrides.key.split('/');
  return {
    cluster: overrides.key.split('/')[0]!,
    version: 0,
    scaling: { firstSeenAt: now - 3 * 60 * MINUTE, scaleUpEvents: [], scaleDownEvents: [], health: {} },
    status: 'active',
    active: true,
    currentReplicas: 5,
    evaluatedAt: now - 10_000,
    summary: {
      target: { namespace: namespace!, apiVersion: 'apps/v1', kind: 'Deployment', name: name! },
      minReplicaCount: 0,
      maxReplicaCount: 20,
      triggerTypes: ['aws-sqs-queue'],
      restoreToOriginalReplicaCount: false,
    },
    ...overrides,
  };
}

describe('status', () => {
  let db: RunningDynalite;
  let env: Record<string, string>;
  const now = Date.now();

  beforeAll(async () => {
    db = await startDynalite();
    await createStateTable(db.client, TABLE);
    const store = new DynamoDbStateStore({ client: db.client, tableName: TABLE });
    const explanation = { rule: 'hpa' as const, message: 'scaled 2 → 5: s0-aws-sqs-orders 47 / 10 → 5 replicas', triggers: [], steps: [] };
    await store.save(
      item({
        key: 'prod/jobs/orders-worker',
        objectId: 'jobs/orders-worker',
        lastScaleAt: now - 4 * MINUTE,
        lastDecision: { at: now - 4 * MINUTE, fromReplicas: 2, desiredReplicas: 5, applied: true, explanation },
      }, now),
      0,
    );
    await store.save(
      item({
        key: 'prod/web/api',
        objectId: 'web/api',
        status: 'error',
        statusReason: 'Deployment web/api not found: create it or fix scaleTargetRef.name',
        active: false,
        summary: {
          target: { namespace: 'web', apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'api' },
          minReplicaCount: 2,
          maxReplicaCount: 6,
          triggerTypes: ['cron', 'aws-cloudwatch'],
          restoreToOriginalReplicaCount: false,
        },
      }, now),
      0,
    );
    env = { AWS_ACCESS_KEY_ID: 'AKIDLOCAL', AWS_SECRET_ACCESS_KEY: 'local-secret', AWS_REGION: 'us-east-1' };
  });

  afterAll(async () => {
    await db.close();
  });

  it('prints one row per ScaledObject like kubectl get scaledobject, with the last scale and why', async () => {
    const outcome = await cli(['status', '--table', TABLE, '--endpoint', db.endpoint], env);
    const lines = outcome.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAMESPACE\s+NAME\s+SCALETARGETKIND\s+SCALETARGETNAME\s+MIN\s+MAX\s+TRIGGERS\s+READY\s+ACTIVE\s+FALLBACK\s+PAUSED\s+REPLICAS\s+LAST SCALE\s+AGE\s+WHY$/);
    expect(lines[1]).toMatch(/^jobs\s+orders-worker\s+Deployment\s+orders-worker\s+0\s+20\s+aws-sqs-queue\s+True\s+True\s+False\s+False\s+5\s+4m ago \(2->5\)\s+3h\s+hpa: scaled 2 → 5: s0-aws-sqs-orders 47 \/ 10 → 5 replicas$/);
    expect(lines[2]).toMatch(/^web\s+api\s+StatefulSet\s+api\s+2\s+6\s+cron,aws-cloudwatch\s+False\s+False\s+False\s+False\s+5\s+<none>\s+3h\s+Deployment web\/api not found: create it or fix scaleTargetRef.name$/);
    // An object in error is a finding.
    expect(outcome.code).toBe(1);
  });

  it('takes the table from STATE_TABLE_NAME and can print JSON', async () => {
    const outcome = await cli(['status', '--endpoint', db.endpoint, '--output', 'json'], { ...env, STATE_TABLE_NAME: TABLE });
    const items = JSON.parse(outcome.stdout) as StoredObjectState[];
    expect(items.map((i) => i.key)).toEqual(['prod/jobs/orders-worker', 'prod/web/api']);
  });

  it('says clearly when the table does not exist', async () => {
    const outcome = await cli(['status', '--table', 'nope', '--endpoint', db.endpoint], env);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('cannot read state table nope: no such table (check --table and --region)');
  });

  it('needs a table name (exit 2)', async () => {
    const outcome = await cli(['status'], env);
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain('name the state table with --table NAME or env STATE_TABLE_NAME');
  });

  it('keeps one namespace with -n, prints yaml with -o yaml, and the cluster column with -o wide', async () => {
    const jobs = await cli(['status', '--table', TABLE, '--endpoint', db.endpoint, '-n', 'jobs', '-o', 'yaml'], env);
    expect(jobs.code).toBe(0); // the object in error is in another namespace
    expect((parse(jobs.stdout) as StoredObjectState[]).map((item) => item.key)).toEqual(['prod/jobs/orders-worker']);
    const wide = await cli(['status', '--table', TABLE, '--endpoint', db.endpoint, '-o', 'wide'], env);
    expect(wide.stdout).toMatch(/^CLUSTER\s+NAMESPACE\s+NAME/);
    expect(wide.stdout).toMatch(/^prod\s+jobs\s+orders-worker/m);
  });
});
