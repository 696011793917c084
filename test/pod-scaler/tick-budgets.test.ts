/**
 * A hung dependency holds back only the objects that need it, and the invocation always returns its
 * summary before its deadline (issue 12). A hang is a promise that never settles; time is the fake
 * timers' (the budgets use the platform timer) and the tick's FakeClock, so nothing sleeps.
 *
 * The clusters here are in-memory scale targets: the subject is the tick's scheduling, which no
 * local server can make hang on cue. The adapters' own timeouts are tested against real hung
 * sockets in test/adapters/kubernetes/kubernetes-faults.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ScaleTargetApi } from '../../lambdas/adapters/kubernetes/scale-target-api';
import { MemoryCluster } from './memory-cluster';
import { MemoryStateStore } from '../../lambdas/adapters/state/memory-state-store';
import type { StateStore } from '../../lambdas/adapters/state/state-store';
import { AwsClientFactory } from '../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../lambdas/adapters/aws/read-plan';
import { PREPARATION_BUDGET_MS, runTick } from '../../lambdas/pod-scaler/tick';
import { runInvocation, SHARD_INVOKE_BUDGET_MS, type InvocationSummary, type ShardEvent } from '../../lambdas/pod-scaler/run-invocation';
import { SHARD_EVENT_SOURCE } from '../../lambdas/pod-scaler/invocation-event';
import type { TickDependencies, TickSummary } from '../../lambdas/pod-scaler/tick-types';
import { FakeClock, configFrom, cronObject } from './harness';

const never = <T>() => new Promise<T>(() => undefined);

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const config = {
  ...configFrom(cronObject('web', 'healthy') + '---' + cronObject('api', 'stuck')),
  clusters: [
    { name: 'healthy', region: 'us-east-1' },
    { name: 'stuck', region: 'us-east-1' },
  ],
  hpaSyncPeriodSeconds: 0,
};

function deps(clusters: Record<string, Promise<ScaleTargetApi>>, stateStore: StateStore = new MemoryStateStore()): TickDependencies {
  return {
    config,
    clock: new FakeClock(START),
    stateStore,
    scaleTargets: (cluster) => clusters[cluster]!,
    readTriggers: createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }) }) }),
  };
}

/** Runs the tick until it settles, advancing fake time by `stepMs` at most `steps` times. */
async function settle(tick: Promise<TickSummary>, stepMs: number, steps: number): Promise<TickSummary | 'still running'> {
  let done: TickSummary | undefined;
  void tick.then((summary) => (done = summary));
  for (let i = 0; i < steps && done === undefined; i += 1) await vi.advanceTimersByTimeAsync(stepMs);
  await vi.advanceTimersByTimeAsync(0);
  return done ?? 'still running';
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('budgets', () => {
  it('a cluster whose discovery hangs holds back only its own objects; the others scale at once', async () => {
    const healthy = new MemoryCluster({ defaultReplicas: 1 });
    const tick = runTick(deps({ healthy: Promise.resolve(healthy), stuck: never() }), { deadline: START + 55_000, windowMs: 0 });

    // Before any budget runs out, the healthy cluster's object is already scaled.
    await vi.advanceTimersByTimeAsync(0);
    expect(healthy.replicas.get('web')).toBe(4); // the HPA's legacy cap from 1: max(2 × 1, 4)

    const summary = await settle(tick, 1_000, PREPARATION_BUDGET_MS / 1_000);
    expect(summary).toMatchObject({ evaluated: 2, scaled: 1, errors: 1 });
    const stuck = (summary as TickSummary).results.find((result) => result.key === 'stuck/shop/api');
    expect(stuck?.error).toContain('cluster stuck did not answer within 10 s while the scaler read Deployment shop/api');
  });

  it('a hung scale read of one object does not delay the other object of the same pass past the budget', async () => {
    const healthy = new MemoryCluster({ defaultReplicas: 1 });
    const tick = runTick(deps({ healthy: Promise.resolve(healthy), stuck: Promise.resolve(new MemoryCluster({ defaultReplicas: 1, hang: { getScale: true } })) }), {
      deadline: START + 55_000,
      windowMs: 0,
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(healthy.replicas.get('web')).toBe(4); // the HPA's legacy cap from 1: max(2 × 1, 4)
    expect(await settle(tick, 1_000, PREPARATION_BUDGET_MS / 1_000)).toMatchObject({ scaled: 1, errors: 1 });
  });

  it('in one cluster, an object whose scale read hangs does not hold back the others: they are patched at once (no phase barrier)', async () => {
    const cluster = new MemoryCluster({ defaultReplicas: 1, hang: { getScale: ['api'] } });
    const oneCluster = { ...config, scaledObjects: config.scaledObjects.map((object) => ({ ...object, cluster: 'healthy' })) };
    const tick = runTick({ ...deps({}), config: oneCluster, scaleTargets: async () => cluster }, { deadline: START + 55_000, windowMs: 0 });
    // Its batchmate's preparation never ends, so web's read waits only for the batch's 100 ms.
    await vi.advanceTimersByTimeAsync(99);
    expect(cluster.replicas.get('web')).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(cluster.replicas.get('web')).toBe(4);
    expect(await settle(tick, 1_000, PREPARATION_BUDGET_MS / 1_000)).toMatchObject({ scaled: 1, errors: 1 });
  });

  it('a patch that never answers: the invocation still returns its summary by its deadline', async () => {
    const hungPatch = new MemoryCluster({ defaultReplicas: 1, hang: { patch: true } });
    const tick = runTick(deps({ healthy: Promise.resolve(new MemoryCluster({ defaultReplicas: 1 })), stuck: Promise.resolve(hungPatch) }), {
      deadline: START + 20_000,
      windowMs: 0,
    });
    const summary = await settle(tick, 1_000, 20);
    expect(summary).toMatchObject({ evaluated: 2, scaled: 1, errors: 1 });
    const stuck = (summary as TickSummary).results.find((result) => result.key === 'stuck/shop/api');
    expect(stuck?.error).toContain('did not finish before the invocation deadline');
  });

  it('a state table that never answers: every object reports it and the summary still comes back', async () => {
    const hungStore: StateStore = { loadMany: never, save: never, listAll: never };
    const tick = runTick(deps({ healthy: Promise.resolve(new MemoryCluster({ defaultReplicas: 1 })), stuck: Promise.resolve(new MemoryCluster({ defaultReplicas: 1 })) }, hungStore), {
      deadline: START + 20_000,
      windowMs: 0,
    });
    const summary = await settle(tick, 1_000, 20);
    expect(summary).toMatchObject({ evaluated: 2, scaled: 0, errors: 2 });
    expect((summary as TickSummary).results[0]?.error).toContain('the state could not be read');
  });
});

describe('fan-out', () => {
  it('a shard invoke that never answers is reported after its budget; the other shard is handed over', async () => {
    const tickDeps = deps({ healthy: Promise.resolve(new MemoryCluster({ defaultReplicas: 1 })), stuck: Promise.resolve(new MemoryCluster({ defaultReplicas: 1 })) });
    const handedOver: ShardEvent[] = [];
    // The second shard's invoke hangs; the first is accepted.
    const invokeShard = (event: ShardEvent): Promise<void> => (event.shard === 1 ? never<void>() : (handedOver.push(event), Promise.resolve()));
    const invocation = runInvocation({ source: 'aws.scheduler' }, 60_000, { tick: tickDeps, maxObjectsPerInvocation: 1, invokeShard });
    let summary: InvocationSummary | undefined;
    void invocation.then((done) => (summary = done));
    await vi.advanceTimersByTimeAsync(SHARD_INVOKE_BUDGET_MS - 1);
    expect(summary).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(summary?.shardFailures).toEqual([expect.stringMatching(/^shard 2 of 2 \(1 objects\) could not be invoked: Lambda Invoke got no answer within 5 s/)]);
    // Sharded, the scheduled invocation evaluates none itself (issue 13, goal 8).
    expect(summary).toMatchObject({ shards: 2, evaluated: 0 });
    expect(handedOver).toEqual([{ source: SHARD_EVENT_SOURCE, shard: 0, of: 2, objectIds: [expect.any(String)] }]);
  });

  it('splits account-wide quotas among the invocations of one tick: the scheduled one and each shard', async () => {
    const tickDeps = deps({ healthy: Promise.resolve(new MemoryCluster({ defaultReplicas: 1 })), stuck: Promise.resolve(new MemoryCluster({ defaultReplicas: 1 })) });
    const shares: number[] = [];
    const runtime = { tick: tickDeps, maxObjectsPerInvocation: 1, invokeShard: async () => {}, shareQuotasAmong: (n: number) => shares.push(n) };
    const scheduled = runInvocation({ source: 'aws.scheduler' }, 60_000, runtime);
    await vi.advanceTimersByTimeAsync(60_000);
    await scheduled;
    const shard = runInvocation({ source: SHARD_EVENT_SOURCE, shard: 1, of: 2, objectIds: [] }, 60_000, runtime);
    await vi.advanceTimersByTimeAsync(60_000);
    await shard;
    expect(shares).toEqual([2, 2]);
  });
});
