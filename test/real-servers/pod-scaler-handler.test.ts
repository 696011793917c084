/**
 * The pod scaler through its real handler and production runtime, against a real kube-apiserver
 * (HTTPS, RBAC from deploy/rbac.yaml, EKS tokens) reached through a recording proxy, moto (SQS,
 * Lambda Invoke, EKS DescribeCluster) and dynalite: test/pod-scaler/real-harness.ts. Moved here
 * from test/pod-scaler/ with its assertions unchanged; where the real servers differ from the
 * hand-written one, the set-up says how (see the comments marked "real server").
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startRealKubeApiServer, REAL_KUBE_START_TIMEOUT_MS } from '../support/real-kube-apiserver';
import { configFrom, pollOnly, sqsObject, CLUSTER, REGION } from '../pod-scaler/harness';
import { carryForward } from '../../lambdas/adapters/state/carried-forward';
import { scheduledTimesAround } from '../../lambdas/pod-scaler/pass-schedule';
import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { queueUrl, REAL_POD_SCALER_SKIP, REAL_POD_SCALER_START_TIMEOUT_MS, START_TIME, startRealHarness, type RealHarness } from '../pod-scaler/real-harness';

let harness: RealHarness;
/** A ScaledObject on the moto queue `orders` (or `queue`), otherwise as the harness writes it. */
const sqsOn = (options: Parameters<typeof sqsObject>[0] = {}): string => sqsObject({ queue: queueUrl('orders'), ...options });

beforeAll(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  harness = await startRealHarness();
}, REAL_POD_SCALER_START_TIMEOUT_MS);

afterAll(async () => {
  await harness?.close();
});

beforeEach(async () => {
  if (!REAL_POD_SCALER_SKIP) await harness.reset();
});

describe.skipIf(REAL_POD_SCALER_SKIP)('pod scaler, end to end through the real handler, on the real kube-apiserver and moto', () => {
  it('scales from zero on an SQS backlog, then down after the stabilization window, then to zero after cooldown', async () => {
    await harness.putDeployment('orders', 0);
    const handler = harness.handlerFor(configFrom(sqsOn()));

    await harness.setBacklog(47); // HPA wants ceil(47 / 5) = 10
    const first = await harness.tick(handler);
    // 0 s, a KEDA poll: KEDA activates 0 -> 1, the HPA (no behavior: legacy cap max(2x, 4)) takes
    // 1 -> 4; 15 s, an HPA sync: 4 -> 8 (cap 8); 30 s, a poll: 8 -> 10; 45 s: holds at 10.
    expect(harness.patchedReplicas()).toEqual([4, 8, 10]);
    expect(first).toMatchObject({ trigger: 'schedule', passes: 4, evaluated: 4, scaled: 3, errors: 0, shards: 1 });
    expect(first.calls.sqs).toBe(4);

    harness.clock.advance(30_000);
    await harness.tick(handler);
    expect(await harness.replicasOf('orders')).toBe(10);

    // The backlog drains to 10 messages: the HPA wants 2, but legacy stabilization keeps the highest
    // recommendation of the last 300 s.
    await harness.setBacklog(10);
    const drainedAt = harness.clock.now();
    while (harness.clock.now() - drainedAt < 240_000) {
      harness.clock.advance(60_000 - (harness.clock.now() % 60_000));
      await harness.tick(handler);
      expect(await harness.replicasOf('orders')).toBe(10);
    }
    for (let i = 0; i < 3; i++) {
      harness.clock.advance(60_000 - (harness.clock.now() % 60_000));
      await harness.tick(handler);
    }
    expect(await harness.replicasOf('orders')).toBe(2);

    // Empty queue: inactive; KEDA waits cooldownPeriod (300 s) after the last active time, then 0.
    await harness.setBacklog(0);
    const idleSince = harness.clock.now();
    harness.clock.advance(60_000);
    await harness.tick(handler);
    expect(await harness.replicasOf('orders')).toBeGreaterThan(0);
    while (harness.clock.now() - idleSince < 420_000) {
      harness.clock.advance(60_000);
      await harness.tick(handler);
    }
    expect(await harness.replicasOf('orders')).toBe(0);

    const state = (await harness.store.loadMany([`${CLUSTER}/shop/orders`])).states.get(`${CLUSTER}/shop/orders`)!;
    expect(state.lastDecision?.explanation.rule).toBe('scale-to-zero');
    expect(state.scaling.originalReplicaCount).toBe(0);

    const events = await harness.events();
    expect(events.length).toBe(harness.patchedReplicas().length);
    expect(events.every((event) => event.involvedObject.name === 'orders' && event.message?.includes('shop/orders'))).toBe(true);
  });

  it('scales up by policy steps when a behavior block limits the rate', async () => {
    await harness.putDeployment('orders', 1);
    const behavior = `
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleUp:
          policies:
            - {type: Pods, value: 2, periodSeconds: 60}`;
    const handler = harness.handlerFor(configFrom(sqsOn({ behavior })));
    await harness.setBacklog(100); // wants 20
    await harness.tick(handler);
    // Pods 2 per 60 s: +2 in the first pass, nothing more within the same 60 s period.
    expect(harness.patchedReplicas()).toEqual([3]);
    harness.clock.advance(30_000);
    await harness.tick(handler);
    expect(harness.patchedReplicas()).toEqual([3, 5]);
  });

  it('honours pollingInterval 15 s: four evaluations in one invocation, one SQS call each', async () => {
    await harness.putDeployment('orders', 2);
    await harness.setBacklog(10);
    const summary = await harness.tick(harness.handlerFor(configFrom(sqsOn({ polling: 15 }))));
    expect(summary.passes).toBe(4);
    expect(summary.evaluated).toBe(4);
    expect(await harness.sqsReads()).toBe(4);
  });

  it('reads a queue shared by two ScaledObjects once per pass', async () => {
    await harness.putDeployment('a', 1);
    await harness.putDeployment('b', 1);
    await harness.setBacklog(5);
    const config = pollOnly(sqsOn({ name: 'a' }) + '\n---\n' + sqsOn({ name: 'b' }));
    const summary = await harness.tick(harness.handlerFor(config));
    expect(summary.evaluated).toBe(4);
    expect(await harness.sqsReads()).toBe(2);
  });

  it('falls back after failureThreshold consecutive failures', async () => {
    await harness.putDeployment('orders', 2);
    // Real server: moto cannot answer SQS AccessDenied in the JSON protocol (test/real-servers/README.md),
    // so the failing read is a queue that does not exist (a real QueueDoesNotExist); KEDA counts any failure.
    const extra = `  fallback:
    failureThreshold: 3
    replicas: 6`;
    const handler = harness.handlerFor(configFrom(sqsOn({ extra, queue: queueUrl('missing') })));
    // Polls and HPA syncs both count failures (KEDA counts on both paths): 1, 2, 3 at 0, 15, 30 s;
    // the 4th, at 45 s, is beyond the threshold. The fallback metric is target x 6, so the HPA
    // wants 6; its legacy cap max(2 x 2, 4) allows 4 first.
    await harness.tick(handler);
    expect(harness.patchedReplicas()).toEqual([4]);
    harness.clock.advance(15_000);
    await harness.tick(handler);
    expect(harness.patchedReplicas()).toEqual([4, 6]);
    const state = (await harness.store.loadMany([`${CLUSTER}/shop/orders`])).states.get(`${CLUSTER}/shop/orders`)!;
    expect(state.status).toBe('fallback');

    // Eight failing evaluations wrote one Warning per transition, not one per pass.
    const transitions = async () =>
      ((await harness.events()) as Array<{ type?: string; reason?: string }>)
        .filter((event) => event.reason !== 'ScaledUp' && event.reason !== 'ScaledDown')
        .map((event) => `${event.type} ${event.reason}`);
    // Sorted: Events recorded in one pass list in name order, which the server makes up.
    expect((await transitions()).sort()).toEqual(['Warning KEDAScalerFailed', 'Warning ScaledObjectFallbackActivated']);

    // The queue appears (a real CreateQueue in moto): the trigger recovers and the fallback ends.
    const sqs = new SQSClient(harness.moto.clientConfig(REGION));
    try {
      const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'missing' }));
      await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'job' })) }));
    } finally {
      sqs.destroy();
    }
    harness.clock.advance(15_000);
    await harness.tick(handler);
    expect((await transitions()).sort()).toEqual(['Normal ScaledObjectFallbackDeactivated', 'Normal ScalerRecovered', 'Warning KEDAScalerFailed', 'Warning ScaledObjectFallbackActivated']);
  });

  it('never fights an HPA that already targets the workload', async () => {
    await harness.putDeployment('orders', 2);
    await harness.kube.apply([
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'orders-cpu', namespace: 'shop' },
        spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders' }, minReplicas: 1, maxReplicas: 5 },
      } as never,
    ]);
    await harness.setBacklog(100);
    const summary = await harness.tick(harness.handlerFor(pollOnly(sqsOn())));
    expect(harness.patchedReplicas()).toEqual([]);
    expect(summary.errors).toBe(2);
    const state = (await harness.store.loadMany([`${CLUSTER}/shop/orders`])).states.get(`${CLUSTER}/shop/orders`)!;
    expect(state.status).toBe('error');
    expect(state.statusReason).toContain('HorizontalPodAutoscaler shop/orders-cpu already scales Deployment orders');
  });

  it('reports a deleted target without losing the object state, and the other objects carry on', async () => {
    await harness.putDeployment('a', 0);
    await harness.putDeployment('b', 0);
    await harness.setBacklog(20);
    const config = pollOnly(sqsOn({ name: 'a' }) + '\n---\n' + sqsOn({ name: 'b' }));
    const handler = harness.handlerFor(config);
    await harness.tick(handler);
    const before = (await harness.store.loadMany([`${CLUSTER}/shop/a`])).states.get(`${CLUSTER}/shop/a`)!;

    await harness.deleteDeployment('a');
    harness.clock.advance(60_000);
    // The state this invocation starts from: the stored one, with a steady first minute carried
    // forward (carried-forward.ts: its 30 s evaluation only repeated the claim's recommendation).
    const startedFrom = carryForward(before, scheduledTimesAround(30, harness.clock.now(), 60_000, 0).previous);
    await harness.tick(handler);
    const after = (await harness.store.loadMany([`${CLUSTER}/shop/a`])).states.get(`${CLUSTER}/shop/a`)!;
    expect(after.status).toBe('error');
    expect(after.statusReason).toMatch(/not found/i);
    expect(after.statusReason).toContain('Deployment a not found in namespace shop');
    expect(after.scaling.lastActiveTime).toBe(startedFrom.scaling.lastActiveTime);
    expect(after.scaling.recommendations).toEqual(startedFrom.scaling.recommendations);
    expect(await harness.replicasOf('b')).toBe(4);
  });

  it('names the missing RBAC permission when the API answers 403', async () => {
    await harness.putDeployment('orders', 1);
    // An injected fault: the real RBAC refusal is proven in pod-scaler-end-to-end.test.ts; here the
    // proxy answers the server's 403 for the namespace's Deployment list and this workload's scale GET it falls back to, which
    // deploy/rbac.yaml allows.
    harness.proxy.inject({ match: (request) => request.method === 'GET' && /deployments(\/orders\/scale)?$/.test(request.path), fault: 'denied', times: 10 });
    await harness.tick(harness.handlerFor(configFrom(sqsOn())));
    const state = (await harness.store.loadMany([`${CLUSTER}/shop/orders`])).states.get(`${CLUSTER}/shop/orders`)!;
    expect(state.status).toBe('error');
    expect(state.statusReason).toMatch(/get/);
    expect(state.statusReason).toMatch(/deployments\/scale/);
    expect(state.statusReason).toMatch(/rbac/i);
  });

  it('applies one decision once when two invocations overlap', async () => {
    await harness.putDeployment('orders', 0);
    await harness.setBacklog(47);
    const config = pollOnly(sqsOn({ polling: 60 }));
    const [one, two] = await Promise.all([harness.tick(harness.handlerFor(config)), harness.tick(harness.handlerFor(config))]);
    expect(one.scaled + two.scaled).toBe(1);
    expect(harness.patchedReplicas()).toHaveLength(1);
    const state = (await harness.store.loadMany([`${CLUSTER}/shop/orders`])).states.get(`${CLUSTER}/shop/orders`)!;
    expect(state.version).toBe(1);
  });

  it('evaluates at once the objects a CloudWatch alarm speaks for', async () => {
    await harness.putDeployment('orders', 0);
    await harness.putDeployment('other', 0);
    await harness.setBacklog(30);
    const config = configFrom(sqsOn() + '\n---\n' + sqsOn({ name: 'other', queue: queueUrl('other') }));
    const handler = harness.handlerFor(config);
    const alarm = {
      source: 'aws.cloudwatch',
      'detail-type': 'CloudWatch Alarm State Change',
      detail: {
        alarmName: 'orders-backlog',
        state: { value: 'ALARM' },
        configuration: {
          metrics: [{ metricStat: { metric: { namespace: 'AWS/SQS', name: 'ApproximateNumberOfMessagesVisible', dimensions: { QueueName: 'orders' } } } }],
        },
      },
    };
    const summary = await handler(alarm, { getRemainingTimeInMillis: () => 30_000 });
    expect(summary).toMatchObject({ trigger: 'alarm', alarm: 'orders-backlog', evaluated: 1, scaled: 1 });
    expect(await harness.replicasOf('orders')).toBe(4);
    expect(await harness.replicasOf('other')).toBe(0);
  });

  it('tells the node scaler about scale-ups in the same pass', async () => {
    await harness.putDeployment('orders', 0);
    await harness.setBacklog(47);
    await harness.tick(harness.handlerFor(pollOnly(sqsOn({ polling: 60 })), { NODE_SCALER_FUNCTION_NAME: 'node-scaler' }));
    const invokes = await harness.moto.lambdaInvocations('node-scaler');
    expect(invokes).toHaveLength(1);
    const payload = invokes[0]!.payload;
    expect(payload).toEqual({
      source: 'eks-lambda-scaler.pod-scaler',
      scaleUps: [{ cluster: CLUSTER, namespace: 'shop', apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders', fromReplicas: 0, toReplicas: 4 }],
    });
    expect(invokes[0]!.invocationType).toBe('Event');
  });

  it('fans out to shards when there are more objects than one invocation evaluates', async () => {
    const yaml = Array.from({ length: 5 }, (_, i) => sqsOn({ name: `w${i}`, polling: 60 })).join('\n---\n');
    for (let i = 0; i < 5; i++) await harness.putDeployment(`w${i}`, 1);
    await harness.setBacklog(5);
    const summary = await harness.tick(harness.handlerFor(pollOnly(yaml), { MAX_OBJECTS_PER_INVOCATION: '2' }));
    expect(summary.shards).toBe(3);
    // Every shard runs in its own invocation; the scheduled one evaluates none (issue 13, goal 8).
    expect(summary.evaluated).toBe(0);
    // The shards are invoked concurrently, so moto logs them in arrival order: compare in shard order.
    const shardEvents = (await harness.moto.lambdaInvocations('pod-scaler'))
      .map((invocation) => invocation.payload as { shard: number })
      .sort((a, b) => a.shard - b.shard);
    expect(shardEvents).toEqual([
      { source: 'eks-lambda-scaler.shard', shard: 0, of: 3, objectIds: [`${CLUSTER}/shop/w0`, `${CLUSTER}/shop/w1`] },
      { source: 'eks-lambda-scaler.shard', shard: 1, of: 3, objectIds: [`${CLUSTER}/shop/w2`, `${CLUSTER}/shop/w3`] },
      { source: 'eks-lambda-scaler.shard', shard: 2, of: 3, objectIds: [`${CLUSTER}/shop/w4`] },
    ]);
    // A shard invocation evaluates exactly its objects.
    const shardSummary = await harness.handlerFor(pollOnly(yaml))(shardEvents[2], { getRemainingTimeInMillis: () => 60_000 });
    expect(shardSummary).toMatchObject({ trigger: 'shard', evaluated: 1 });
    const firstShard = await harness.handlerFor(pollOnly(yaml))(shardEvents[0], { getRemainingTimeInMillis: () => 60_000 });
    expect(firstShard).toMatchObject({ trigger: 'shard', evaluated: 2 });
  });

  it('restores the original replica count when an object leaves the configuration', async () => {
    await harness.putDeployment('orders', 3);
    await harness.setBacklog(100);
    await harness.tick(harness.handlerFor(configFrom(sqsOn({ extra: '  advanced:\n    restoreToOriginalReplicaCount: true' }))));
    expect(await harness.replicasOf('orders')).toBeGreaterThan(3);

    harness.clock.advance(60_000);
    const summary = await harness.tick(harness.handlerFor({ ...configFrom(sqsOn({ name: 'else' })), scaledObjects: [] }));
    expect(summary.restored).toEqual({ removed: 1, restored: 1, failures: [] });
    expect(await harness.replicasOf('orders')).toBe(3);
    const state = (await harness.store.loadMany([`${CLUSTER}/shop/orders`])).states.get(`${CLUSTER}/shop/orders`)!;
    expect(state.expiresAt).toBeGreaterThan(harness.clock.now() / 1000);
  });

  it('never logs the EKS token or the AWS secret', async () => {
    const written: string[] = [];
    process.env.TEST_LOG_LEVEL = 'INFO';
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
    try {
      await harness.putDeployment('orders', 0);
      await harness.setBacklog(47);
      await harness.tick(harness.handlerFor(configFrom(sqsOn())));
    } finally {
      spy.mockRestore();
      delete process.env.TEST_LOG_LEVEL;
    }
    const output = written.join('');
    expect(output).toContain('"scaledObject":"test-cluster/shop/orders"');
    expect(output).toContain('"_aws"');
    // Exactly the dimension the dashboard and alarms query (no Powertools `service` dimension):
    // per-cluster counts by default, no per-object metric.
    expect(output).toContain('"Dimensions":[["Cluster"]]');
    expect(output).not.toContain('"Dimensions":[["ScaledObject"]]');
    expect(output).not.toContain('k8s-aws-v1.');
    expect(output).not.toContain('pod-scaler-test-secret');
  });

  it('never runs past the Lambda\'s remaining time: passes that would end after it are skipped', async () => {
    await harness.putDeployment('orders', 2);
    await harness.setBacklog(10);
    const handler = harness.handlerFor(configFrom(sqsOn({ polling: 15 })));
    // 20 s left, 3 s kept back: the passes at 0 s and 15 s fit, those at 30 s and 45 s do not.
    const summary = await handler({}, { getRemainingTimeInMillis: () => 20_000 });
    expect(summary).toMatchObject({ passes: 2, evaluated: 2, skippedForDeadline: 2 });
    expect(harness.clock.now() - START_TIME).toBeLessThan(17_000);
  });

  it('does not poll the triggers of a paused object, and holds or sets its count', async () => {
    await harness.putDeployment('held', 3);
    await harness.putDeployment('pinned', 3);
    await harness.setBacklog(100);
    const paused = (name: string, annotation: string) =>
      sqsOn({ name }).replace(`metadata: {name: ${name}, namespace: shop}`, `metadata: {name: ${name}, namespace: shop, annotations: {${annotation}}}`);
    const config = configFrom(paused('held', '"autoscaling.keda.sh/paused": "true"') + '\n---\n' + paused('pinned', '"autoscaling.keda.sh/paused-replicas": "1"'));
    const summary = await harness.tick(harness.handlerFor(config));
    expect(await harness.sqsReads()).toBe(0);
    expect(summary.calls.sqs ?? 0).toBe(0);
    expect(await harness.replicasOf('held')).toBe(3);
    expect(await harness.replicasOf('pinned')).toBe(1);
    const state = (await harness.store.loadMany([`${CLUSTER}/shop/held`])).states.get(`${CLUSTER}/shop/held`)!;
    expect(state.status).toBe('paused');
  });

  it('scales the same namespace/name in two clusters from one deployment, each in its own cluster', async () => {
    // Real server: a second real apiserver that accepts only tokens signed for "second", found through moto's DescribeCluster in eu-west-1.
    const second = await startRealKubeApiServer({ clusterName: 'second' });
    try {
      await second.apply(readFileSync(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8'));
      await harness.registerCluster('second', 'eu-west-1', second, 'API');
      await harness.putDeployment('orders', 0);
      await harness.putDeployment('orders', 0, { server: second });
      await harness.setBacklog(12); // 3 replicas
      const inSecond = sqsOn().replace('metadata: {name: orders, namespace: shop}', 'metadata: {name: orders, namespace: shop, annotations: {eks-lambda-scaler.io/cluster: second}}');
      const config = { ...pollOnly(sqsOn() + '\n---\n' + inSecond), clusters: [{ name: 'second', region: 'eu-west-1' }] };
      const summary = await harness.tick(harness.handlerFor(config));
      expect(summary.errors).toBe(0);
      expect(await harness.replicasOf('orders')).toBe(3);
      expect(await harness.replicasOf('orders', { server: second })).toBe(3);
      const keys = (await harness.store.listAll()).map((item) => item.key).sort();
      expect(keys).toEqual(['second/shop/orders', `${CLUSTER}/shop/orders`]);
      expect(await harness.sqsReads()).toBe(2); // one queue, read once per pass
    } finally {
      await second.close();
    }
  }, REAL_KUBE_START_TIMEOUT_MS);
});
