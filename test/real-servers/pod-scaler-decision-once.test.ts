/**
 * A decision is applied at most once, and recorded scale events agree with what the cluster did
 * (issue 12). Deterministic interleavings of two evaluations of one object: the real tick, the
 * real Kubernetes adapter against a real kube-apiserver (as the pod scaler's EKS identity, RBAC from
 * deploy/rbac.yaml), the real read plan against SQS in moto, and the in-memory state store
 * (DynamoDB's conditional-write semantics). The only stand-in is a gate in front of the scale API
 * that holds one evaluation at a chosen step. Moved from test/pod-scaler/decision-once.test.ts with
 * its assertions kept; the world is test/pod-scaler/real-harness.ts.
 *
 * Where the real servers differ, the set-up adapts (real server): the failed patch is a 503 the
 * wire-level proxy in front of the apiserver answers (the real server gives none on demand), and
 * the scale PATCHes are counted in that proxy's log; the backlog is real messages in a moto queue.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../lambdas/adapters/aws/read-plan';
import { KubernetesScaleTargetApi } from '../../lambdas/adapters/kubernetes/kubernetes-scale-target-api';
import type { ScaleTargetApi } from '../../lambdas/adapters/kubernetes/scale-target-api';
import { MemoryStateStore } from '../../lambdas/adapters/state/memory-state-store';
import type { SaveResult, StateStore } from '../../lambdas/adapters/state/state-store';
import { runTick } from '../../lambdas/pod-scaler/tick';
import type { TickDependencies } from '../../lambdas/pod-scaler/tick-types';
import { POD_SCALER_IDENTITY } from '../support/real-kube-apiserver';
import { CLUSTER, configFrom, sqsObject } from '../pod-scaler/harness';
import { queueUrl, REAL_POD_SCALER_SKIP, useRealHarness, type RealHarness } from '../pod-scaler/real-harness';

const KEY = `${CLUSTER}/shop/orders`;

/** One scale-up policy of `pods` per 5 minutes, so the history decides what the next evaluation may add. */
const withPolicy = (pods: number) =>
  configFrom(
    sqsObject({
      polling: 60,
      queue: queueUrl('orders'),
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

const startedHarness = useRealHarness();
let harness: RealHarness;
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
  const clock = harness.clock;
  const clientFactory = new AwsClientFactory(harness.moto.awsClientFactoryOptions({ baseCredentials: async () => ({ ...POD_SCALER_IDENTITY }), now: () => clock.now() }));
  return { config, clock, stateStore, scaleTargets: async () => api, readTriggers: createTriggerReader({ clientFactory }) };
}

const setBacklog = (messages: number) => harness.setBacklog(messages);
const patches = () => harness.patchedReplicas();
const replicasOfOrders = () => harness.replicasOf('orders');
const scaleUpHistory = async () => (await store.loadMany([KEY])).states.get(KEY)!.scaling.scaleUpEvents.reduce((sum, event) => sum + event.replicas, 0);
const evaluation = (deps: TickDependencies) => runTick(deps, { deadline: harness.clock.now() + 50_000, windowMs: 0 });

beforeEach(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  harness = startedHarness();
  store = new MemoryStateStore();
  await setBacklog(60); // 12 replicas at 5 messages each
  config = roomyPolicy;
  await harness.putDeployment('orders', 10);
});

describe.skipIf(REAL_POD_SCALER_SKIP)('a decision is applied at most once', () => {
  it('an alarm-driven and a scheduled evaluation interleaved between claim and patch: one +2 patch, +2 in the history', async () => {
    const real = new KubernetesScaleTargetApi(harness.scalerKubeConfig());
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
    expect(await replicasOfOrders()).toBe(12);
    expect(await scaleUpHistory()).toBe(2);
  });

  it('a scheduled evaluation that read the scale before the claim conflicts on the version and stands back', async () => {
    const real = new KubernetesScaleTargetApi(harness.scalerKubeConfig());
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

describe.skipIf(REAL_POD_SCALER_SKIP)('recorded scale events agree with the cluster', () => {
  it('drops the phantom event of a claim whose patch failed and whose revert lost a race, so scale-up is not blocked', async () => {
    config = tightPolicy;
    await setBacklog(100); // 20 wanted: each evaluation may add 2
    const real = new KubernetesScaleTargetApi(harness.scalerKubeConfig());
    harness.proxy.inject({ match: (request) => request.method === 'PATCH' && request.path.endsWith('/scale'), fault: '5xx', times: 1 });
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
    expect(await replicasOfOrders()).toBe(10);

    harness.clock.advance(60_000);
    const next = await evaluation(depsWith(real));
    expect(next.results[0]?.warnings?.[0]).toMatch(/was recorded but the target is still at 10: its patch never landed/);
    expect(next).toMatchObject({ scaled: 1, errors: 0 });
    expect(await replicasOfOrders()).toBe(12);
    expect(await scaleUpHistory()).toBe(2);
  });

  it('keeps the event when the target was changed after the patch (by a person): it did happen', async () => {
    config = tightPolicy;
    const real = new KubernetesScaleTargetApi(harness.scalerKubeConfig());
    await evaluation(depsWith(real));
    expect(await replicasOfOrders()).toBe(12);
    await harness.putDeployment('orders', 11);
    harness.clock.advance(60_000);
    const next = await evaluation(depsWith(real));
    expect(next).toMatchObject({ scaled: 0, errors: 0, overlapped: 0 });
    expect(next.results[0]?.warnings).toBeUndefined();
    expect(await scaleUpHistory()).toBe(2);
  });
});
