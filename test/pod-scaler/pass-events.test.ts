/**
 * A pass's Kubernetes Events are sent after every object of the pass has been patched
 * (lambdas/pod-scaler/pass-events.ts): a patch is the work, an Event the courtesy. The subject is
 * the tick's ordering, so the cluster is the in-memory scale-target port that records its writes;
 * the Event adapter itself is tested against the real kube-apiserver (test/real-servers/).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MemoryCluster } from './memory-cluster';
import { MemoryStateStore } from '../../lambdas/adapters/state/memory-state-store';
import { AwsClientFactory } from '../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../lambdas/adapters/aws/read-plan';
import { REPORT_BUDGET_MS, runTick } from '../../lambdas/pod-scaler/tick';
import type { TickDependencies, TickSummary } from '../../lambdas/pod-scaler/tick-types';
import { FakeClock, configFrom, cronObject } from './harness';

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const NAMES = ['a', 'b', 'c', 'd', 'e'];

function deps(cluster: MemoryCluster): TickDependencies {
  return {
    config: { ...configFrom(NAMES.map((name) => cronObject(name)).join('---')), hpaSyncPeriodSeconds: 0 },
    clock: new FakeClock(START),
    stateStore: new MemoryStateStore(),
    scaleTargets: async () => cluster,
    readTriggers: createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }) }) }),
  };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("a pass's Events", () => {
  it('are sent once every object of the pass is patched, one ScaledUp per object', async () => {
    // The last object's patch answers 50 ms after the others: their Events still wait for it.
    const cluster = new MemoryCluster({ defaultReplicas: 1, patchMs: { e: 50 } });
    const tick = runTick(deps(cluster), { deadline: START + 55_000, windowMs: 0 });
    await vi.advanceTimersByTimeAsync(50);
    const summary = await tick;

    expect(summary).toMatchObject({ evaluated: 5, scaled: 5, errors: 0 });
    const firstEvent = cluster.writes.findIndex((write) => write.startsWith('event'));
    expect(cluster.writes.slice(0, firstEvent).sort()).toEqual(NAMES.map((name) => `patch ${name} 4`));
    expect(cluster.writes.slice(firstEvent).sort()).toEqual(NAMES.map((name) => `event ${name} ScaledUp`));
  });

  it('that never answer cost their budget, not the summary: the objects are scaled and reported', async () => {
    const cluster = new MemoryCluster({ defaultReplicas: 1, hang: { event: true } });
    let summary: TickSummary | undefined;
    void runTick(deps(cluster), { deadline: START + 55_000, windowMs: 0 }).then((done) => (summary = done));

    await vi.advanceTimersByTimeAsync(REPORT_BUDGET_MS - 1);
    expect(summary).toBeUndefined();
    expect([...cluster.replicas.values()]).toEqual([4, 4, 4, 4, 4]);
    await vi.advanceTimersByTimeAsync(1);
    expect(summary).toMatchObject({ evaluated: 5, scaled: 5, errors: 0 });
  });
});
