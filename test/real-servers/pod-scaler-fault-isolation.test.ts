/**
 * One broken thing never stops the others (issue 12), through the real handler and its production
 * wiring on real servers (test/pod-scaler/real-harness.ts): the Deployments live in a real
 * kube-apiserver reached with the pod scaler's EKS token, SQS and Lambda Invoke are moto, state is
 * in dynalite. Moved from test/pod-scaler/fault-isolation.test.ts with its assertions kept.
 *
 * Where the real servers differ, the set-up adapts (real server):
 *  - faults come from the wire-level proxy (test/support/fault-proxy.ts), not a client mock or the
 *    hand-written server's failNext: a 503 on the scale PATCH in front of the apiserver, and in
 *    front of moto's Lambda a 429 TooManyRequestsException, a 500 ServiceException, and a 200 HTML
 *    page (a proxy's answer). The SDK parses them as it would AWS's.
 *  - Lambda's own throttling message is "Rate Exceeded." (capital E), where the old mock wrote
 *    "Rate exceeded": the expected shard failure quotes the real one.
 *  - shard invocations are counted on the wire (the Lambda proxy's log): the harness's Lambda
 *    client makes one attempt per send, so a wire request is one Invoke the scaler sent.
 *  - each test has its own state table (reset()), so the warning names `harness.tableName()`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { captureLogs } from '../support/capture-logs';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { CLUSTER, configFrom, pollOnly, sqsObject } from '../pod-scaler/harness';
import { queueUrl, REAL_POD_SCALER_SKIP, useRealHarness, type RealHarness } from '../pod-scaler/real-harness';

/** Polled once a minute, so one scheduled invocation is one pass; on the moto queue `orders`. */
const sqsWorker = (name: string, extra = '') => sqsObject({ name, polling: 60, extra, queue: queueUrl('orders') });
const SHARD_INVOKE_PATH = '/2015-03-31/functions/pod-scaler/invocations';

const startedHarness = useRealHarness();
let harness: RealHarness;

beforeEach(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  harness = startedHarness();
  // 20 messages at 5 per replica: 4 replicas wanted.
  await harness.setBacklog(20);
});

/** Writes a raw item the scaler did not write (corrupted, newer, foreign). */
async function putRawItem(key: string, version: { N: string } | { S: string }, doc: string): Promise<void> {
  await harness.dynalite.client.send(new PutItemCommand({ TableName: harness.tableName(), Item: { pk: { S: key }, version, doc: { S: doc } } }));
}

describe.skipIf(REAL_POD_SCALER_SKIP)('a state item that does not decode (real kube-apiserver, moto, dynalite)', () => {
  it.each([
    { what: 'corrupted JSON', doc: '{"scaling": {"firstSee' },
    { what: 'a newer schema', doc: JSON.stringify({ schemaVersion: 9, data: { replicas: 2 } }) },
  ])('($what) affects only its object: warned with its key, fresh state, and every object scales', async ({ doc }) => {
    await harness.putDeployment('broken', 1);
    await harness.putDeployment('healthy', 1);
    await putRawItem(`${CLUSTER}/shop/broken`, { N: '7' }, doc);
    const config = pollOnly(sqsWorker('broken') + '---' + sqsWorker('healthy'));

    const { result: summary, lines } = await captureLogs(() => harness.tick(harness.handlerFor(config)));

    expect(summary).toMatchObject({ evaluated: 2, scaled: 2, errors: 0, warnings: 1 });
    expect(await harness.replicasOf('healthy')).toBe(4);
    expect(await harness.replicasOf('broken')).toBe(4);
    const warning = lines.find((line) => line.level === 'WARN' && line.scaledObject === `${CLUSTER}/shop/broken`);
    expect(String(warning?.warning)).toContain(`state item ${CLUSTER}/shop/broken in table ${harness.tableName()}`);
    expect(String(warning?.warning)).toContain('starts from fresh state');
    // The fresh state replaced the item (conditional on its version 7), so it decodes from now on.
    const loaded = await harness.store.loadMany([`${CLUSTER}/shop/broken`]);
    expect(loaded.undecodable.size).toBe(0);
    expect(loaded.states.get(`${CLUSTER}/shop/broken`)?.version).toBe(8);
  });

  it('without a usable version it cannot be overwritten safely: that object alone reports it and the fix', async () => {
    await harness.putDeployment('broken', 1);
    await harness.putDeployment('healthy', 1);
    await putRawItem(`${CLUSTER}/shop/broken`, { S: 'seven' }, '{}');
    const summary = await harness.tick(harness.handlerFor(pollOnly(sqsWorker('broken') + '---' + sqsWorker('healthy'))));
    expect(summary).toMatchObject({ evaluated: 2, scaled: 1, errors: 1 });
    expect(await harness.replicasOf('healthy')).toBe(4);
    expect(await harness.replicasOf('broken')).toBe(1);
  });
});

describe.skipIf(REAL_POD_SCALER_SKIP)('fan-out to shards (Lambda Invoke to moto through the fault proxy)', () => {
  const twoShards = () => pollOnly(sqsWorker('w0') + '---' + sqsWorker('w1'));
  const shardInvokes = () => harness.lambdaProxy.requests.filter((request) => request.method === 'POST' && request.path === SHARD_INVOKE_PATH);
  const shardInvokeRule = (request: { method: string; path: string }) => request.method === 'POST' && request.path === SHARD_INVOKE_PATH;

  it('retries a failed shard invoke once and then reports it, while the other shard is handed over and the restore step runs', async () => {
    await harness.putDeployment('w0', 1);
    await harness.putDeployment('w1', 1);
    harness.lambdaProxy.inject({ match: (request) => shardInvokeRule(request) && request.body.includes('"shard":1'), fault: 'throttle' });
    const summary = await harness.tick(harness.handlerFor(twoShards(), { MAX_OBJECTS_PER_INVOCATION: '1' }));

    expect(shardInvokes()).toHaveLength(3); // the first shard once, the second twice
    expect(summary.shardFailures).toHaveLength(1);
    expect(summary.shardFailures![0]).toMatch(/^shard 2 of 2 \(1 objects\) could not be invoked: Rate Exceeded/);
    // Sharded, the scheduled invocation evaluates none itself: the handed-over shard does.
    expect(summary).toMatchObject({ shards: 2, evaluated: 0, restored: { failures: [] } });
    expect(await harness.moto.lambdaInvocations('pod-scaler')).toHaveLength(1);
  });

  it('counts an invoke answered with anything but 202 (a proxy page) as not handed over', async () => {
    await harness.putDeployment('w0', 1);
    harness.lambdaProxy.inject({ match: shardInvokeRule, fault: 'malformed' }); // 200 with an HTML page
    const summary = await harness.tick(harness.handlerFor(twoShards(), { MAX_OBJECTS_PER_INVOCATION: '1' }));
    expect(summary.shardFailures?.[0]).toContain('Lambda Invoke of pod-scaler answered 200, not 202: the event was not queued');
  });

  it('hands the shard over when the retry succeeds', async () => {
    await harness.putDeployment('w0', 1);
    harness.lambdaProxy.inject({ match: shardInvokeRule, fault: '5xx', times: 1 }); // then moto answers 202
    const summary = await harness.tick(harness.handlerFor(twoShards(), { MAX_OBJECTS_PER_INVOCATION: '1' }));
    expect(shardInvokes()).toHaveLength(3); // both shards, one of them twice
    expect(summary.shardFailures).toBeUndefined();
    expect(await harness.moto.lambdaInvocations('pod-scaler')).toHaveLength(2);
  });
});

describe.skipIf(REAL_POD_SCALER_SKIP)('restore on removal (a 503 on the scale PATCH from the proxy in front of the apiserver)', () => {
  it('retries a failed restore at the next invocation instead of setting the expiry', async () => {
    await harness.putDeployment('orders', 2);
    const restoring = configFrom(sqsWorker('orders', '  advanced:\n    restoreToOriginalReplicaCount: true'));
    await harness.tick(harness.handlerFor(restoring));
    expect(await harness.replicasOf('orders')).toBe(4);

    const removed = { ...restoring, scaledObjects: [] };
    harness.clock.advance(60_000);
    harness.proxy.inject({ match: (request) => request.method === 'PATCH' && request.path.endsWith('/scale'), fault: '5xx', times: 1 });
    const handler = harness.handlerFor(removed);
    const failed = await harness.tick(handler);
    expect(failed.restored).toMatchObject({ removed: 1, restored: 0 });
    expect(failed.restored!.failures[0]).toContain(`${CLUSTER}/shop/orders`);
    const owed = (await harness.store.loadMany([`${CLUSTER}/shop/orders`])).states.get(`${CLUSTER}/shop/orders`)!;
    expect(owed.expiresAt).toBeUndefined();
    expect(owed.statusReason).toContain('retried by the next invocation');

    harness.clock.advance(60_000);
    const retried = await harness.tick(handler);
    expect(retried.restored).toEqual({ removed: 1, restored: 1, failures: [] });
    expect(await harness.replicasOf('orders')).toBe(2);
    const done = (await harness.store.loadMany([`${CLUSTER}/shop/orders`])).states.get(`${CLUSTER}/shop/orders`)!;
    expect(done.expiresAt).toBeGreaterThan(harness.clock.now() / 1000);
  });
});

describe.skipIf(REAL_POD_SCALER_SKIP)('two overlapping scheduled invocations', () => {
  it('count losing the race as an overlap (INFO), not as an object error (WARN), and patch once', async () => {
    await harness.putDeployment('orders', 1);
    const config = pollOnly(sqsWorker('orders'));
    const { result: summaries, lines } = await captureLogs(() =>
      Promise.all([harness.tick(harness.handlerFor(config)), harness.tick(harness.handlerFor(config))]),
    );

    expect(harness.patchedReplicas()).toHaveLength(1);
    expect(summaries.map((summary) => summary.errors)).toEqual([0, 0]);
    expect(summaries.map((summary) => summary.overlapped).sort()).toEqual([0, 1]);
    expect(lines.filter((line) => line.level === 'WARN')).toEqual([]);
    expect(lines.some((line) => line.level === 'INFO' && line.message === 'objects evaluated by an overlapping invocation')).toBe(true);
  });
});
