/**
 * The tick through the ObjectSource seam (lambdas/pod-scaler/object-source.ts): it scales what the
 * sources yield, sends each object's outcome and events to that object's reporter, reports rejected
 * objects without evaluating them, and a source that fails or hangs costs only its own cluster.
 *
 * The sources here are written for the test: the subject is the tick's use of the port, whose two
 * implementations are tested on their own (the bundled one by every existing tick test, the cluster
 * one against the real kube-apiserver in test/real-servers/cluster-object-source.test.ts).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { KubernetesEvent } from '../../lambdas/adapters/kubernetes/scale-target-api';
import { MemoryStateStore } from '../../lambdas/adapters/state/memory-state-store';
import { AwsClientFactory } from '../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../lambdas/adapters/aws/read-plan';
import type { ClusterRef } from '../../lambdas/config/scaler-config';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import { SOURCE_LOAD_BUDGET_MS } from '../../lambdas/pod-scaler/load-sources';
import type { ObjectOutcome, ObjectSource, OutcomeReporter, SourceSnapshot } from '../../lambdas/pod-scaler/object-source';
import { runTick } from '../../lambdas/pod-scaler/tick';
import type { TickDependencies, TickSummary } from '../../lambdas/pod-scaler/tick-types';
import { cronObject, FakeClock } from './harness';
import { MemoryCluster } from './memory-cluster';

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const CLUSTERS: ClusterRef[] = [
  { name: 'live', region: 'us-east-1', objectSource: 'cluster' },
  { name: 'other', region: 'us-east-1', objectSource: 'cluster' },
];

/** The parsed cron object `shop/<name>` (5 replicas wanted all day), as a source yields it for cluster `cluster`. */
const cronIn = (cluster: string, name: string) => ({ ...parseManifests(cronObject(name)).objects[0]!, cluster });

/** A reporter that remembers what it was given. */
function recordingReporter(): OutcomeReporter & { outcomes: ObjectOutcome[]; events: KubernetesEvent[] } {
  const outcomes: ObjectOutcome[] = [];
  const events: KubernetesEvent[] = [];
  return { outcomes, events, report: async (outcome) => void outcomes.push(outcome), event: async (event) => void events.push(event) };
}

function snapshotSource(snapshot: (cluster: ClusterRef) => Promise<SourceSnapshot>): ObjectSource {
  return { load: (cluster) => snapshot(cluster) };
}

const never = <T>() => new Promise<T>(() => undefined);

function deps(sources: Record<string, ObjectSource>, clusters: Record<string, MemoryCluster>): TickDependencies {
  return {
    config: { defaultCluster: CLUSTERS[0]!, clusters: CLUSTERS.slice(1), scaledObjects: [], nodeGroups: [], hpaSyncPeriodSeconds: 0 },
    objectSources: CLUSTERS.map((cluster) => ({ cluster, source: sources[cluster.name]! })),
    clock: new FakeClock(START),
    stateStore: new MemoryStateStore(),
    scaleTargets: async (cluster) => clusters[cluster]!,
    readTriggers: createTriggerReader({ clientFactory: new AwsClientFactory({ baseCredentials: async () => ({ accessKeyId: 'a', secretAccessKey: 'b' }) }) }),
  };
}

const empty: SourceSnapshot = { objects: [], rejected: [], removed: [], version: 'empty' };

describe('the tick through the ObjectSource seam', () => {
  it("scales what a source yields, and sends the object's events and its outcome (once per invocation) to its reporter", async () => {
    const reporter = recordingReporter();
    const live = new MemoryCluster({ defaultReplicas: 1 });
    const source = snapshotSource(async () => ({ ...empty, objects: [{ object: cronIn('live', 'web'), key: 'live/shop/web', reporter }] }));
    const summary = await runTick(deps({ live: source, other: snapshotSource(async () => empty) }, { live }), { deadline: START + 55_000, windowMs: 30_000 });

    expect(summary).toMatchObject({ evaluated: 1, scaled: 1, errors: 0 });
    expect(live.replicas.get('web')).toBe(4); // the HPA's legacy cap from 1: max(2 × 1, 4)
    expect(reporter.events).toEqual([{ type: 'Normal', reason: 'ScaledUp', message: expect.stringContaining('ScaledObject shop/web') }]);
    expect(reporter.outcomes).toEqual([
      {
        key: 'live/shop/web',
        at: START,
        result: expect.objectContaining({ key: 'live/shop/web', status: 'active', scaled: true, currentReplicas: 1, desiredReplicas: 4 }),
        paused: false,
        health: {},
        lastActiveTime: START,
        originalReplicaCount: 1,
        scaleTarget: { namespace: 'shop', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' },
      },
    ]);
  });

  it('reports a rejected object with its reason, never evaluates it, and lists it in the summary', async () => {
    const reporter = recordingReporter();
    const reason = 'error: shop/bad: spec.triggers[0].metadata.queueLength: "many" is not a number';
    const source = snapshotSource(async () => ({ ...empty, rejected: [{ key: 'live/shop/bad', cluster: 'live', namespace: 'shop', name: 'bad', reason, reporter }] }));
    const summary = await runTick(deps({ live: source, other: snapshotSource(async () => empty) }, {}), { deadline: START + 55_000 });

    expect(summary).toMatchObject({ evaluated: 0, rejected: [`live/shop/bad: ${reason}`] });
    expect(reporter.outcomes).toEqual([expect.objectContaining({ key: 'live/shop/bad', invalidSpec: reason, result: expect.objectContaining({ status: 'error', scaled: false }) })]);
  });

  it('reports nothing in a dry run', async () => {
    const reporter = recordingReporter();
    const source = snapshotSource(async () => ({ ...empty, objects: [{ object: cronIn('live', 'web'), key: 'live/shop/web', reporter }] }));
    await runTick(deps({ live: source, other: snapshotSource(async () => empty) }, { live: new MemoryCluster({ defaultReplicas: 1 }) }), { deadline: START + 55_000, dryRun: true });
    expect(reporter.outcomes).toEqual([]);
  });

  it("a source that fails costs its own cluster only, named in the summary's source problems", async () => {
    const other = new MemoryCluster({ defaultReplicas: 1 });
    const failing = snapshotSource(async () => {
      throw new Error('list scaledobjects (API group keda.sh) in namespace (all namespaces): 503');
    });
    const healthy = snapshotSource(async () => ({ ...empty, objects: [{ object: cronIn('other', 'api'), key: 'other/shop/api', reporter: recordingReporter() }] }));
    const summary = await runTick(deps({ live: failing, other: healthy }, { other }), { deadline: START + 55_000, windowMs: 0 });

    expect(summary).toMatchObject({ evaluated: 1, scaled: 1 });
    expect(summary.sourceProblems).toEqual([
      'the ScaledObjects of cluster live could not be read, so none of them was evaluated and none counts as removed: list scaledobjects (API group keda.sh) in namespace (all namespaces): 503',
    ]);
  });
});

describe('a source that never answers', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('holds back its own cluster for its budget only; the other cluster scales', async () => {
    const other = new MemoryCluster({ defaultReplicas: 1 });
    const healthy = snapshotSource(async () => ({ ...empty, objects: [{ object: cronIn('other', 'api'), key: 'other/shop/api', reporter: recordingReporter() }] }));
    let summary: TickSummary | undefined;
    void runTick(deps({ live: { load: never }, other: healthy }, { other }), { deadline: START + 55_000, windowMs: 0 }).then((done) => (summary = done));
    await vi.advanceTimersByTimeAsync(SOURCE_LOAD_BUDGET_MS - 1);
    expect(summary).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(summary).toMatchObject({ evaluated: 1, scaled: 1 });
    expect(summary?.sourceProblems?.[0]).toContain('the ScaledObjects of cluster live could not be read');
    expect(summary?.sourceProblems?.[0]).toContain('did not finish within 15 s');
    expect(other.replicas.get('api')).toBe(4);
  });
});
