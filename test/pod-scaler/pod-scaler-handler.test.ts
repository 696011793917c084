import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import { startKubeApiServer } from '../support/kube-api-server';
import { configFrom, pollOnly, putDeployment, replicasOf, sqsObject, startHarness, CLUSTER, type Harness } from './harness';

const sqs = mockClient(SQSClient);
let backlog = 0;
let harness: Harness;

function patchedReplicas(): number[] {
  return harness.kube.requests
    .filter((request) => request.method === 'PATCH' && request.path.endsWith('/scale'))
    .map((request) => (request.body as { spec: { replicas: number } }).spec.replicas);
}

beforeEach(async () => {
  harness = await startHarness();
  backlog = 0;
  sqs.reset();
  sqs.on(GetQueueAttributesCommand).callsFake(async () => ({
    Attributes: { ApproximateNumberOfMessages: String(backlog), ApproximateNumberOfMessagesNotVisible: '0' },
  }));
});

afterEach(async () => {
  await harness.close();
});

describe('pod scaler, end to end through the real handler', () => {
  it('scales from zero on an SQS backlog, then down after the stabilization window, then to zero after cooldown', async () => {
    putDeployment(harness.kube, 'shop', 'orders', 0);
    const handler = harness.handlerFor(configFrom(sqsObject()));

    backlog = 47; // HPA wants ceil(47 / 5) = 10
    const first = await harness.tick(handler);
    // 0 s, a KEDA poll: KEDA activates 0 -> 1, the HPA (no behavior: legacy cap max(2x, 4)) takes
    // 1 -> 4; 15 s, an HPA sync: 4 -> 8 (cap 8); 30 s, a poll: 8 -> 10; 45 s: holds at 10.
    expect(patchedReplicas()).toEqual([4, 8, 10]);
    expect(first).toMatchObject({ trigger: 'schedule', passes: 4, evaluated: 4, scaled: 3, errors: 0, shards: 1 });
    expect(first.calls.sqs).toBe(4);

    harness.clock.advance(30_000);
    await harness.tick(handler);
    expect(replicasOf(harness.kube, 'shop', 'orders')).toBe(10);

    // The backlog drains to 10 messages: the HPA wants 2, but legacy stabilization keeps the highest
    // recommendation of the last 300 s.
    backlog = 10;
    const drainedAt = harness.clock.now();
    while (harness.clock.now() - drainedAt < 240_000) {
      harness.clock.advance(60_000 - (harness.clock.now() % 60_000));
      await harness.tick(handler);
      expect(replicasOf(harness.kube, 'shop', 'orders')).toBe(10);
    }
    for (let i = 0; i < 3; i++) {
      harness.clock.advance(60_000 - (harness.clock.now() % 60_000));
      await harness.tick(handler);
    }
    expect(replicasOf(harness.kube, 'shop', 'orders')).toBe(2);

    // Empty queue: inactive; KEDA waits cooldownPeriod (300 s) after the last active time, then 0.
    backlog = 0;
    const idleSince = harness.clock.now();
    harness.clock.advance(60_000);
    await harness.tick(handler);
    expect(replicasOf(harness.kube, 'shop', 'orders')).toBeGreaterThan(0);
    while (harness.clock.now() - idleSince < 420_000) {
      harness.clock.advance(60_000);
      await harness.tick(handler);
    }
    expect(replicasOf(harness.kube, 'shop', 'orders')).toBe(0);

    const state = (await harness.store.loadMany([`${CLUSTER}/shop/orders`])).states.get(`${CLUSTER}/shop/orders`)!;
    expect(state.lastDecision?.explanation.rule).toBe('scale-to-zero');
    expect(state.scaling.originalReplicaCount).toBe(0);

    const events = harness.kube.list('Event', 'shop') as unknown as { reason: string; message: string; involvedObject: { name: string } }[];
    expect(events.length).toBe(patchedReplicas().length);
    expect(events.every((event) => event.involvedObject.name === 'orders' && event.message.includes('shop/orders'))).toBe(true);
  });

  it('scales up by policy steps when a behavior block limits the rate', async () => {
    putDeployment(harness.kube, 'shop', 'orders', 1);
    const behavior = `
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleUp:
          policies:
            - {type: Pods, value: 2, periodSeconds: 60}`;
    const handler = harness.handlerFor(configFrom(sqsObject({ behavior })));
    backlog = 100; // wants 20
    await harness.tick(handler);
    // Pods 2 per 60 s: +2 in the first pass, nothing more within the same 60 s period.
    expect(patchedReplicas()).toEqual([3]);
    harness.clock.advance(30_000);
    await harness.tick(handler);
    expect(patchedReplicas()).toEqual([3, 5]);
  });

  it('honours pollingInterval 15 s: four evaluations in one invocation, one SQS call each', async () => {
    putDeployment(harness.kube, 'shop', 'orders', 2);
    backlog = 10;
    const summary = await harness.tick(harness.handlerFor(configFrom(sqsObject({ polling: 15 }))));
    expect(summary.passes).toBe(4);
    expect(summary.evaluated).toBe(4);
    expect(sqs.commandCalls(GetQueueAttributesCommand)).toHaveLength(4);
  });

  it('reads a queue shared by two ScaledObjects once per pass', async () => {
    putDeployment(harness.kube, 'shop', 'a', 1);
    putDeployment(harness.kube, 'shop', 'b', 1);
    backlog = 5;
    const config = pollOnly(sqsObject({ name: 'a' }) + '\n---\n' + sqsObject({ name: 'b' }));
    const summary = await harness.tick(harness.handlerFor(config));
    expect(summary.evaluated).toBe(4);
    expect(sqs.commandCalls(GetQueueAttributesCommand)).toHaveLength(2);
  });

  it('falls back after failureThreshold consecutive failures', async () => {
    putDeployment(harness.kube, 'shop', 'orders', 2);
    sqs.reset();
    sqs.on(GetQueueAttributesCommand).rejects(Object.assign(new Error('Access to the resource is denied.'), { name: 'AccessDenied' }));
    const extra = `  fallback:
    failureThreshold: 3
    replicas: 6`;
    const handler = harness.handlerFor(configFrom(sqsObject({ extra })));
    // Polls and HPA syncs both count failures (KEDA counts on both paths): 1, 2, 3 at 0, 15, 30 s;
    // the 4th, at 45 s, is beyond the threshold. The fallback metric is target x 6, so the HPA
    // wants 6; its legacy cap max(2 x 2, 4) allows 4 first.
    await harness.tick(handler);
    expect(patchedReplicas()).toEqual([4]);
    harness.clock.advance(15_000);
    await harness.tick(handler);
    expect(patchedReplicas()).toEqual([4, 6]);
    const state = (await harness.store.loadMany([`${CLUSTER}/shop/orders`])).states.get(`${CLUSTER}/shop/orders`)!;
    expect(state.status).toBe('fallback');

    // Eight failing evaluations wrote one Warning per transition, not one per pass.
    const transitions = () =>
      (harness.kube.list('Event', 'shop') as unknown as { type: string; reason: string }[])
        .filter((event) => !event.reason.startsWith('Scaled'))
        .map((event) => `${event.type} ${event.reason}`);
    expect(transitions()).toEqual(['Warning KEDAScalerFailed', 'Warning FallbackEngaged']);

    sqs.reset();
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '10', ApproximateNumberOfMessagesNotVisible: '0' } });
    harness.clock.advance(15_000);
    await harness.tick(handler);
    expect(transitions()).toEqual(['Warning KEDAScalerFailed', 'Warning FallbackEngaged', 'Normal ScalerRecovered', 'Normal FallbackEnded']);
  });

  it('never fights an HPA that already targets the workload', async () => {
    putDeployment(harness.kube, 'shop', 'orders', 2);
    harness.kube.put('HorizontalPodAutoscaler', {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'orders-cpu', namespace: 'shop' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders' }, minReplicas: 1, maxReplicas: 5 },
    });
    backlog = 100;
    const summary = await harness.tick(harness.handlerFor(pollOnly(sqsObject())));
    expect(patchedReplicas()).toEqual([]);
    expect(summary.errors).toBe(2);
    const state = (await harness.store.loadMany([`${CLUSTER}/shop/orders`])).states.get(`${CLUSTER}/shop/orders`)!;
    expect(state.status).toBe('error');
    expect(state.statusReason).toContain('HorizontalPodAutoscaler shop/orders-cpu already scales Deployment orders');
  });

  it('reports a deleted target without losing the object state, and the other objects carry on', async () => {
    putDeployment(harness.kube, 'shop', 'a', 0);
    putDeployment(harness.kube, 'shop', 'b', 0);
    backlog = 20;
    const config = pollOnly(sqsObject({ name: 'a' }) + '\n---\n' + sqsObject({ name: 'b' }));
    const handler = harness.handlerFor(config);
    await harness.tick(handler);
    const before = (await harness.store.loadMany([`${CLUSTER}/shop/a`])).states.get(`${CLUSTER}/shop/a`)!;

    harness.kube.delete('Deployment', 'shop', 'a');
    harness.clock.advance(60_000);
    await harness.tick(handler);
    const after = (await harness.store.loadMany([`${CLUSTER}/shop/a`])).states.get(`${CLUSTER}/shop/a`)!;
    expect(after.status).toBe('error');
    expect(after.statusReason).toMatch(/not found/i);
    expect(after.statusReason).toContain('Deployment a not found in namespace shop');
    expect(after.scaling.lastActiveTime).toBe(before.scaling.lastActiveTime);
    expect(after.scaling.recommendations).toEqual(before.scaling.recommendations);
    expect(replicasOf(harness.kube, 'shop', 'b')).toBe(4);
  });

  it('names the missing RBAC permission when the API answers 403', async () => {
    putDeployment(harness.kube, 'shop', 'orders', 1);
    // Both the namespace's list and the scale GET it falls back to are refused.
    harness.kube.failNext({ method: 'GET', path: /deployments(\/orders\/scale)?$/, status: 403, times: 10 });
    await harness.tick(harness.handlerFor(configFrom(sqsObject())));
    const state = (await harness.store.loadMany([`${CLUSTER}/shop/orders`])).states.get(`${CLUSTER}/shop/orders`)!;
    expect(state.status).toBe('error');
    expect(state.statusReason).toMatch(/get/);
    expect(state.statusReason).toMatch(/deployments\/scale/);
    expect(state.statusReason).toMatch(/rbac/i);
  });

  it('applies one decision once when two invocations overlap', async () => {
    putDeployment(harness.kube, 'shop', 'orders', 0);
    backlog = 47;
    const config = pollOnly(sqsObject({ polling: 60 }));
    const [one, two] = await Promise.all([harness.tick(harness.handlerFor(config)), harness.tick(harness.handlerFor(config))]);
    expect(one.scaled + two.scaled).toBe(1);
    expect(patchedReplicas()).toHaveLength(1);
    const state = (await harness.store.loadMany([`${CLUSTER}/shop/orders`])).states.get(`${CLUSTER}/shop/orders`)!;
    expect(state.version).toBe(1);
  });

  it('evaluates at once the objects a CloudWatch alarm speaks for', async () => {
    putDeployment(harness.kube, 'shop', 'orders', 0);
    putDeployment(harness.kube, 'shop', 'other', 0);
    backlog = 30;
    const config = configFrom(sqsObject() + '\n---\n' + sqsObject({ name: 'other', queue: 'https://sqs.us-east-1.amazonaws.com/111122223333/other' }));
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
    expect(replicasOf(harness.kube, 'shop', 'orders')).toBe(4);
    expect(replicasOf(harness.kube, 'shop', 'other')).toBe(0);
  });

  it('tells the node scaler about scale-ups in the same pass', async () => {
    putDeployment(harness.kube, 'shop', 'orders', 0);
    backlog = 47;
    await harness.tick(harness.handlerFor(pollOnly(sqsObject({ polling: 60 })), { NODE_SCALER_FUNCTION_NAME: 'node-scaler' }));
    const invokes = harness.lambda.commandCalls(InvokeCommand).filter((call) => call.args[0].input.FunctionName === 'node-scaler');
    expect(invokes).toHaveLength(1);
    const payload = JSON.parse(Buffer.from(invokes[0]!.args[0].input.Payload as Uint8Array).toString('utf8'));
    expect(payload).toEqual({
      source: 'eks-lambda-scaler.pod-scaler',
      scaleUps: [{ cluster: CLUSTER, namespace: 'shop', apiVersion: 'apps/v1', kind: 'Deployment', name: 'orders', fromReplicas: 0, toReplicas: 4 }],
    });
    expect(invokes[0]!.args[0].input.InvocationType).toBe('Event');
  });

  it('fans out to shards when there are more objects than one invocation evaluates', async () => {
    const yaml = Array.from({ length: 5 }, (_, i) => sqsObject({ name: `w${i}`, polling: 60 })).join('\n---\n');
    for (let i = 0; i < 5; i++) putDeployment(harness.kube, 'shop', `w${i}`, 1);
    backlog = 5;
    const summary = await harness.tick(harness.handlerFor(pollOnly(yaml), { MAX_OBJECTS_PER_INVOCATION: '2' }));
    expect(summary.shards).toBe(3);
    expect(summary.evaluated).toBe(2);
    const shardCalls = harness.lambda.commandCalls(InvokeCommand).filter((call) => call.args[0].input.FunctionName === 'pod-scaler');
    const shardEvents = shardCalls.map((call) => JSON.parse(Buffer.from(call.args[0].input.Payload as Uint8Array).toString('utf8')));
    expect(shardEvents).toEqual([
      { source: 'eks-lambda-scaler.shard', shard: 1, of: 3, objectIds: [`${CLUSTER}/shop/w2`, `${CLUSTER}/shop/w3`] },
      { source: 'eks-lambda-scaler.shard', shard: 2, of: 3, objectIds: [`${CLUSTER}/shop/w4`] },
    ]);
    // A shard invocation evaluates exactly its objects.
    const shardSummary = await harness.handlerFor(pollOnly(yaml))(shardEvents[1], { getRemainingTimeInMillis: () => 60_000 });
    expect(shardSummary).toMatchObject({ trigger: 'shard', evaluated: 1 });
  });

  it('restores the original replica count when an object leaves the configuration', async () => {
    putDeployment(harness.kube, 'shop', 'orders', 3);
    backlog = 100;
    await harness.tick(harness.handlerFor(configFrom(sqsObject({ extra: '  advanced:\n    restoreToOriginalReplicaCount: true' }))));
    expect(replicasOf(harness.kube, 'shop', 'orders')).toBeGreaterThan(3);

    harness.clock.advance(60_000);
    const summary = await harness.tick(harness.handlerFor({ ...configFrom(sqsObject({ name: 'else' })), scaledObjects: [] }));
    expect(summary.restored).toEqual({ removed: 1, restored: 1, failures: [] });
    expect(replicasOf(harness.kube, 'shop', 'orders')).toBe(3);
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
      putDeployment(harness.kube, 'shop', 'orders', 0);
      backlog = 47;
      await harness.tick(harness.handlerFor(configFrom(sqsObject())));
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
    putDeployment(harness.kube, 'shop', 'orders', 2);
    backlog = 10;
    const handler = harness.handlerFor(configFrom(sqsObject({ polling: 15 })));
    // 20 s left, 3 s kept back: the passes at 0 s and 15 s fit, those at 30 s and 45 s do not.
    const summary = await handler({}, { getRemainingTimeInMillis: () => 20_000 });
    expect(summary).toMatchObject({ passes: 2, evaluated: 2, skippedForDeadline: 2 });
    expect(harness.clock.now() - Date.UTC(2026, 10, 22, 12, 0, 0)).toBeLessThan(17_000);
  });

  it('does not poll the triggers of a paused object, and holds or sets its count', async () => {
    putDeployment(harness.kube, 'shop', 'held', 3);
    putDeployment(harness.kube, 'shop', 'pinned', 3);
    backlog = 100;
    const paused = (name: string, annotation: string) =>
      sqsObject({ name }).replace(`metadata: {name: ${name}, namespace: shop}`, `metadata: {name: ${name}, namespace: shop, annotations: {${annotation}}}`);
    const config = configFrom(paused('held', '"autoscaling.keda.sh/paused": "true"') + '\n---\n' + paused('pinned', '"autoscaling.keda.sh/paused-replicas": "1"'));
    const summary = await harness.tick(harness.handlerFor(config));
    expect(sqs.commandCalls(GetQueueAttributesCommand)).toHaveLength(0);
    expect(summary.calls.sqs ?? 0).toBe(0);
    expect(replicasOf(harness.kube, 'shop', 'held')).toBe(3);
    expect(replicasOf(harness.kube, 'shop', 'pinned')).toBe(1);
    const state = (await harness.store.loadMany([`${CLUSTER}/shop/held`])).states.get(`${CLUSTER}/shop/held`)!;
    expect(state.status).toBe('paused');
  });

  it('scales the same namespace/name in two clusters from one deployment, each in its own cluster', async () => {
    const second = await startKubeApiServer({ authenticate: (header) => header?.startsWith('Bearer k8s-aws-v1.') ?? false });
    try {
      harness.eks.on(DescribeClusterCommand, { name: 'second' }).resolves({
        cluster: {
          name: 'second',
          endpoint: second.url,
          certificateAuthority: { data: Buffer.from(second.caPem).toString('base64') },
          accessConfig: { authenticationMode: 'API' },
          status: 'ACTIVE',
        },
      });
      putDeployment(harness.kube, 'shop', 'orders', 0);
      putDeployment(second, 'shop', 'orders', 0);
      backlog = 12; // 3 replicas
      const inSecond = sqsObject().replace('metadata: {name: orders, namespace: shop}', 'metadata: {name: orders, namespace: shop, annotations: {eks-lambda-scaler.io/cluster: second}}');
      const config = { ...pollOnly(sqsObject() + '\n---\n' + inSecond), clusters: [{ name: 'second', region: 'eu-west-1' }] };
      const summary = await harness.tick(harness.handlerFor(config));
      expect(summary.errors).toBe(0);
      expect(replicasOf(harness.kube, 'shop', 'orders')).toBe(3);
      expect(replicasOf(second, 'shop', 'orders')).toBe(3);
      const keys = (await harness.store.listAll()).map((item) => item.key).sort();
      expect(keys).toEqual(['second/shop/orders', `${CLUSTER}/shop/orders`]);
      expect(sqs.commandCalls(GetQueueAttributesCommand)).toHaveLength(2); // one queue, read once per pass
    } finally {
      await second.close();
    }
  });
});
