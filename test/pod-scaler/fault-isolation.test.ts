/**
 * One broken thing never stops the others (issue 12), through the real handler and its production
 * wiring: dynalite for state, the Kubernetes API test server, mocked SQS / EKS / Lambda.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { CLUSTER, TABLE, configFrom, pollOnly, putDeployment, replicasOf, sqsObject, startHarness, type Harness } from './harness';
import { captureLogs } from '../support/capture-logs';

/** Polled once a minute, so one scheduled invocation is one pass. */
const sqsWorker = (name: string, extra = '') => sqsObject({ name, polling: 60, extra });

const sqs = mockClient(SQSClient);
let harness: Harness;

beforeEach(async () => {
  harness = await startHarness();
  sqs.reset();
  // 20 messages at 5 per replica: 4 replicas wanted.
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '20', ApproximateNumberOfMessagesNotVisible: '0' } });
});

afterEach(async () => {
  await harness.close();
});

/** Writes a raw item the scaler did not write (corrupted, newer, foreign). */
async function putRawItem(key: string, version: string, doc: string): Promise<void> {
  await harness.dynalite.client.send(new PutItemCommand({ TableName: TABLE, Item: { pk: { S: key }, version: { N: version }, doc: { S: doc } } }));
}

describe('a state item that does not decode', () => {
  it.each([
    { what: 'corrupted JSON', doc: '{"scaling": {"firstSee' },
    { what: 'a newer schema', doc: JSON.stringify({ schemaVersion: 9, data: { replicas: 2 } }) },
  ])('($what) affects only its object: warned with its key, fresh state, and every object scales', async ({ doc }) => {
    putDeployment(harness.kube, 'shop', 'broken', 1);
    putDeployment(harness.kube, 'shop', 'healthy', 1);
    await putRawItem(`${CLUSTER}/shop/broken`, '7', doc);
    const config = pollOnly(sqsWorker('broken') + '---' + sqsWorker('healthy'));

    const { result: summary, lines } = await captureLogs(() => harness.tick(harness.handlerFor(config)));

    expect(summary).toMatchObject({ evaluated: 2, scaled: 2, errors: 0, warnings: 1 });
    expect(replicasOf(harness.kube, 'shop', 'healthy')).toBe(4);
    expect(replicasOf(harness.kube, 'shop', 'broken')).toBe(4);
    const warning = lines.find((line) => line.level === 'WARN' && line.scaledObject === `${CLUSTER}/shop/broken`);
    expect(String(warning?.warning)).toContain(`state item ${CLUSTER}/shop/broken in table ${TABLE}`);
    expect(String(warning?.warning)).toContain('starts from fresh state');
    // The fresh state replaced the item (conditional on its version 7), so it decodes from now on.
    const loaded = await harness.store.loadMany([`${CLUSTER}/shop/broken`]);
    expect(loaded.undecodable.size).toBe(0);
    expect(loaded.states.get(`${CLUSTER}/shop/broken`)?.version).toBe(8);
  });

  it('without a usable version it cannot be overwritten safely: that object alone reports it and the fix', async () => {
    putDeployment(harness.kube, 'shop', 'broken', 1);
    putDeployment(harness.kube, 'shop', 'healthy', 1);
    await harness.dynalite.client.send(
      new PutItemCommand({ TableName: TABLE, Item: { pk: { S: `${CLUSTER}/shop/broken` }, version: { S: 'seven' }, doc: { S: '{}' } } }),
    );
    const summary = await harness.tick(harness.handlerFor(pollOnly(sqsWorker('broken') + '---' + sqsWorker('healthy'))));
    expect(summary).toMatchObject({ evaluated: 2, scaled: 1, errors: 1 });
    expect(replicasOf(harness.kube, 'shop', 'healthy')).toBe(4);
    expect(replicasOf(harness.kube, 'shop', 'broken')).toBe(1);
  });
});

describe('fan-out to shards', () => {
  const twoShards = () => pollOnly(sqsWorker('w0') + '---' + sqsWorker('w1'));
  const shardInvokes = () => harness.lambda.commandCalls(InvokeCommand).filter((call) => call.args[0].input.FunctionName === 'pod-scaler');

  it('retries a failed shard invoke once and then reports it, while the local shard and the restore step run', async () => {
    putDeployment(harness.kube, 'shop', 'w0', 1);
    putDeployment(harness.kube, 'shop', 'w1', 1);
    harness.lambda.on(InvokeCommand, { FunctionName: 'pod-scaler' }).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    const summary = await harness.tick(harness.handlerFor(twoShards(), { MAX_OBJECTS_PER_INVOCATION: '1' }));

    expect(shardInvokes()).toHaveLength(2);
    expect(summary.shardFailures).toHaveLength(1);
    expect(summary.shardFailures![0]).toMatch(/^shard 1 of 2 \(1 objects\) could not be invoked: Rate exceeded/);
    expect(summary).toMatchObject({ shards: 2, evaluated: 1, scaled: 1, restored: { failures: [] } });
    expect(replicasOf(harness.kube, 'shop', 'w0')).toBe(4);
  });

  it('counts an invoke answered with anything but 202 (a proxy page) as not handed over', async () => {
    putDeployment(harness.kube, 'shop', 'w0', 1);
    harness.lambda.on(InvokeCommand, { FunctionName: 'pod-scaler' }).resolves({ StatusCode: 200 });
    const summary = await harness.tick(harness.handlerFor(twoShards(), { MAX_OBJECTS_PER_INVOCATION: '1' }));
    expect(summary.shardFailures?.[0]).toContain('Lambda Invoke of pod-scaler answered 200, not 202: the event was not queued');
  });

  it('hands the shard over when the retry succeeds', async () => {
    putDeployment(harness.kube, 'shop', 'w0', 1);
    harness.lambda
      .on(InvokeCommand, { FunctionName: 'pod-scaler' })
      .rejectsOnce(Object.assign(new Error('Service unavailable'), { name: 'ServiceException' }))
      .resolves({ StatusCode: 202 });
    const summary = await harness.tick(harness.handlerFor(twoShards(), { MAX_OBJECTS_PER_INVOCATION: '1' }));
    expect(shardInvokes()).toHaveLength(2);
    expect(summary.shardFailures).toBeUndefined();
  });
});

describe('restore on removal', () => {
  it('retries a failed restore at the next invocation instead of setting the expiry', async () => {
    putDeployment(harness.kube, 'shop', 'orders', 2);
    const restoring = configFrom(sqsWorker('orders', '  advanced:\n    restoreToOriginalReplicaCount: true'));
    await harness.tick(harness.handlerFor(restoring));
    expect(replicasOf(harness.kube, 'shop', 'orders')).toBe(4);

    const removed = { ...restoring, scaledObjects: [] };
    harness.clock.advance(60_000);
    harness.kube.failNext({ method: 'PATCH', path: /\/scale$/, status: 503, times: 1 });
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
    expect(replicasOf(harness.kube, 'shop', 'orders')).toBe(2);
    const done = (await harness.store.loadMany([`${CLUSTER}/shop/orders`])).states.get(`${CLUSTER}/shop/orders`)!;
    expect(done.expiresAt).toBeGreaterThan(harness.clock.now() / 1000);
  });
});

describe('two overlapping scheduled invocations', () => {
  it('count losing the race as an overlap (INFO), not as an object error (WARN), and patch once', async () => {
    putDeployment(harness.kube, 'shop', 'orders', 1);
    const config = pollOnly(sqsWorker('orders'));
    const { result: summaries, lines } = await captureLogs(() =>
      Promise.all([harness.tick(harness.handlerFor(config)), harness.tick(harness.handlerFor(config))]),
    );

    const patches = harness.kube.requests.filter((request) => request.method === 'PATCH' && request.path.endsWith('/scale'));
    expect(patches).toHaveLength(1);
    expect(summaries.map((summary) => summary.errors)).toEqual([0, 0]);
    expect(summaries.map((summary) => summary.overlapped).sort()).toEqual([0, 1]);
    expect(lines.filter((line) => line.level === 'WARN')).toEqual([]);
    expect(lines.some((line) => line.level === 'INFO' && line.message === 'objects evaluated by an overlapping invocation')).toBe(true);
  });
});
