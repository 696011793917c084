/**
 * A decision is applied at most once, and recorded scale events agree with what the cluster did
 * (issue 12). Deterministic interleavings of two evaluations of one object: the real tick, the
 * real Kubernetes adapter against the Kubernetes API test server, the real read plan (SQS
 * mocked), and the in-memory state store (DynamoDB's conditional-write semantics). The only
 * stand-in is a gate in front of the scale API that holds one evaluation at a chosen step.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsClientFactory } from '../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../lambdas/adapters/aws/read-plan';
import { KubernetesScaleTargetApi } from '../../lambdas/adapters/kubernetes/kubernetes-scale-target-api';
import type { ScaleTargetApi } from '../../lambdas/adapters/kubernetes/scale-target-api';
import { MemoryStateStore } from '../../lambdas/adapters/state/memory-state-store';
import type { SaveResult, StateStore } from '../../lambdas/adapters/state/state-store';
import { runTick } from '../../lambdas/pod-scaler/tick';
import type { TickDependencies } from '../../lambdas/pod-scaler/tick-types';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-api-server';
import { CLUSTER, FakeClock, configFrom, putDeployment, replicasOf, sqsObject } from './harness';

const KEY = `${CLUSTER}/shop/orders`;

/** One scale-up policy of `pods` per 5 minutes, so the history decides what the next evaluation may add. */
const withPolicy = (pods: number) =>
  configFrom(
    sqsObject({
      polling: 60,
      behavior: `
  advanced:
    horizontalPodAutoscalerConfig:
      behavior:
        scaleUp:
          policies:
            - {type: Pods, value: ${pods}, periodSeconds: 300}`,
    }),
  );
// The case: the backlog wants 12 (+2) and the policy would allow +4, so a second evaluation
// that starts from the old count applies the same +2 again and the history says +4.
const roomyPolicy = withPolicy(4);
// Pods 2 per 5 minutes: one +2 step, then the rate limit holds, so a phantom +2 blocks scale-up.
const tightPolicy = withPolicy(2);
let config = roomyPolicy;

const sqs = mockClient(SQSClient);
let kube: KubeApiServer;
let clock: FakeClock;
let store: MemoryStateStore;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** The real adapter, with `before` run ahead of the chosen calls (to hold the caller there). */
function gated(api: ScaleTargetApi, before: { getScale?: () => Promise<void>; patch?: () => Promise<void> }): ScaleTargetApi {
  return Object.assign(Object.create(api) as ScaleTargetApi, {
    getScale: async (...args: Parameters<ScaleTargetApi['getScale']>) => {
      await before.getScale?.();
      return api.getScale(...args);
    },
    patchScaleReplicas: async (...args: Parameters<ScaleTargetApi['patchScaleReplicas']>) => {
      await before.patch?.();
      return api.patchScaleReplicas(...args);
    },
  });
}

function depsWith(api: ScaleTargetApi, stateStore: StateStore = store): TickDependencies {
  const clientFactory = new AwsClientFactory({ baseCredentials: async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }), now: () => clock.now() });
  return { config, clock, stateStore, scaleTargets: async () => api, readTriggers: createTriggerReader({ clientFactory }) };
}

function setBacklog(messages: number): void {
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: String(messages), ApproximateNumberOfMessagesNotVisible: '0' } });
}

const patches = () => kube.requests.filter((request) => request.method === 'PATCH' && request.path.endsWith('/scale'));
const scaleUpHistory = async () => (await store.loadMany([KEY])).states.get(KEY)!.scaling.scaleUpEvents.reduce((sum, event) => sum + event.replicas, 0);
const evaluation = (deps: TickDependencies) => runTick(deps, { deadline: clock.now() + 50_000, windowMs: 0 });

beforeEach(async () => {
  kube = await startKubeApiServer();
  clock = new FakeClock(Date.UTC(2026, 10, 22, 12, 0, 0));
  store = new MemoryStateStore();
  sqs.reset();
  setBacklog(60); // 12 replicas at 5 messages each
  config = roomyPolicy;
  putDeployment(kube, 'shop', 'orders', 10);
});

afterEach(async () => {
  await kube.close();
});

describe('a decision is applied at most once', () => {
  it('an alarm-driven and a scheduled evaluation interleaved between claim and patch: one +2 patch, +2 in the history', async () => {
    const real = new KubernetesScaleTargetApi(kube.kubeConfig());
    const alarmClaimed = deferred();
    const releaseAlarmPatch = deferred();
    // The alarm-driven evaluation claims 10 → 12, then is held just before its patch.
    const alarm = evaluation(
      depsWith(
        gated(real, {
          patch: async () => {
            alarmClaimed.resolve();
            await releaseAlarmPatch.promise;
          },
        }),
      ),
    );
    await alarmClaimed.promise;
    // Meanwhile the scheduled evaluation loads the claimed state and reads the scale (still 10).
    const scheduled = await evaluation(depsWith(real));
    releaseAlarmPatch.resolve();
    const alarmSummary = await alarm;

    expect(alarmSummary).toMatchObject({ scaled: 1, errors: 0 });
    expect(scheduled).toMatchObject({ scaled: 0, errors: 0, overlapped: 1 });
    expect(patches()).toHaveLength(1);
    expect(replicasOf(kube, 'shop', 'orders')).toBe(12);
    expect(await scaleUpHistory()).toBe(2);
  });

  it('a scheduled evaluation that read the scale before the claim conflicts on the version and stands back', async () => {
    const real = new KubernetesScaleTargetApi(kube.kubeConfig());
    const scheduledRead = deferred();
    const releaseScheduled = deferred();
    const scheduled = evaluation(
      depsWith(
        gated(real, {
          getScale: async () => {
            scheduledRead.resolve();
            await releaseScheduled.promise;
          },
        }),
      ),
    );
    await scheduledRead.promise;
    const alarm = await evaluation(depsWith(real));
    releaseScheduled.resolve();
    expect(alarm).toMatchObject({ scaled: 1 });
    expect(await scheduled).toMatchObject({ scaled: 0, errors: 0, overlapped: 1 });
    expect(patches()).toHaveLength(1);
    expect(await scaleUpHistory()).toBe(2);
  });
});

describe('recorded scale events agree with the cluster', () => {
  it('drops the phantom event of a claim whose patch failed and whose revert lost a race, so scale-up is not blocked', async () => {
    config = tightPolicy;
    setBacklog(100); // 20 wanted: each evaluation may add 2
    const real = new KubernetesScaleTargetApi(kube.kubeConfig());
    kube.failNext({ method: 'PATCH', path: /\/scale$/, status: 503 });
    let saves = 0;
    // The revert (the write after the failed patch) loses a race to another writer.
    const racing: StateStore = {
      loadMany: (keys) => store.loadMany(keys),
      listAll: () => store.listAll(),
      save: async (item, expected): Promise<SaveResult> => ((saves += 1) === 2 ? 'conflict' : store.save(item, expected)),
    };
    const failed = await evaluation(depsWith(real, racing));
    expect(failed.results[0]?.error).toContain('the state still records the claim');
    expect(await scaleUpHistory()).toBe(2); // the claim's event, though nothing changed in the cluster
    expect(replicasOf(kube, 'shop', 'orders')).toBe(10);

    clock.advance(60_000);
    const next = await evaluation(depsWith(real));
    expect(next.results[0]?.warnings?.[0]).toMatch(/was recorded but the target is still at 10: its patch never landed/);
    expect(next).toMatchObject({ scaled: 1, errors: 0 });
    expect(replicasOf(kube, 'shop', 'orders')).toBe(12);
    expect(await scaleUpHistory()).toBe(2);
  });

  it('keeps the event when the target was changed after the patch (by a person): it did happen', async () => {
    config = tightPolicy;
    const real = new KubernetesScaleTargetApi(kube.kubeConfig());
    await evaluation(depsWith(real));
    expect(replicasOf(kube, 'shop', 'orders')).toBe(12);
    putDeployment(kube, 'shop', 'orders', 11);
    clock.advance(60_000);
    const next = await evaluation(depsWith(real));
    expect(next).toMatchObject({ scaled: 0, errors: 0, overlapped: 0 });
    expect(next.results[0]?.warnings).toBeUndefined();
    expect(await scaleUpHistory()).toBe(2);
  });
});
