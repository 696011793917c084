/**
 * What KEDA's status on cluster ScaledObjects costs (issue 14): N annotated ScaledObjects on a real
 * kube-apiserver, listed by the cluster source and reported on by the status writer
 * (lambdas/adapters/kubernetes/scaled-object-status-api.ts) as the pod scaler's EKS identity,
 * through a recording proxy that counts the writes on the wire. Six invocations a minute apart:
 * the first sees every object new, then steady activity, then 10% of the objects turn inactive,
 * then steady again. Per invocation it prints the status PUTs, the Event POSTs and PATCHes, the
 * bytes PUT and the time the reports took (N reports, 32 at a time, as the tick runs them).
 *
 *   npx tsx bench/status-writes.ts [--sizes 100,1000]
 */
import { performance } from 'node:perf_hooks';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ClusterObjectSource, MANAGED_ANNOTATION } from '../lambdas/adapters/kubernetes/cluster-object-source';
import type { ScaleTargetApi } from '../lambdas/adapters/kubernetes/scale-target-api';
import { KubernetesScaledObjectStatusApi } from '../lambdas/adapters/kubernetes/scaled-object-status-api';
import type { ObjectOutcome } from '../lambdas/pod-scaler/object-source';
import { mapWithConcurrency } from '../lambdas/util/map-with-concurrency';
import { POD_SCALER_IDENTITY, startRealKubeApiServer } from '../test/support/real-kube-apiserver';
import { applyKedaCrds, repoFile } from '../test/support/keda-crds';
import { startFaultProxy } from '../test/support/fault-proxy';
import { KUBE_TEST_TLS_CERT, KUBE_TEST_TLS_KEY } from '../test/support/kube-tls-fixture';
import { isMain, writeResult } from './support/output';
import { formatTable } from './support/table';

export interface StatusWritesRow {
  objects: number;
  invocation: string;
  statusPuts: number;
  eventPosts: number;
  eventPatches: number;
  bytesPut: number;
  reportMs: number;
}

const NAMESPACE = 'fleet';
const START = Date.UTC(2026, 11, 2, 9, 0, 0);

function fleet(size: number): KubernetesObject[] {
  return Array.from({ length: size }, (_, i) => ({
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: `worker-${i}`, namespace: NAMESPACE, annotations: { [MANAGED_ANNOTATION]: 'true' } },
    spec: {
      scaleTargetRef: { name: `worker-${i}` },
      minReplicaCount: 0,
      maxReplicaCount: 50,
      triggers: [{ type: 'aws-sqs-queue', metadata: { queueURL: `https://sqs.eu-west-1.amazonaws.com/123456789012/queue-${i % 200}`, awsRegion: 'eu-west-1', queueLength: '5' } }],
    },
  }) as KubernetesObject);
}

/** The tick's outcome for one object: active holding 3 replicas, or inactive in its cooldown. */
function outcome(key: string, at: number, active: boolean, lastActiveTime: number): ObjectOutcome {
  return {
    key,
    at,
    paused: false,
    health: {},
    lastActiveTime,
    originalReplicaCount: 1,
    result: {
      key,
      cluster: 'bench',
      objectId: key,
      status: active ? 'active' : 'ready',
      active,
      currentReplicas: 3,
      desiredReplicas: 3,
      scaled: false,
      explanation: {
        rule: active ? 'tolerance' : 'cooldown',
        message: 'kept 3',
        steps: [],
        triggers: [{ index: 0, type: 'aws-sqs-queue', metricName: 's0-aws-sqs-queue', metricType: 'AverageValue', target: 5, value: active ? 15 : 0, active }],
      },
    },
  };
}

export async function runStatusWrites(sizes: readonly number[]): Promise<StatusWritesRow[]> {
  const kube = await startRealKubeApiServer();
  const proxy = await startFaultProxy({ target: kube.endpoint, protocol: 'kubernetes', tls: { cert: KUBE_TEST_TLS_CERT, key: KUBE_TEST_TLS_KEY }, targetCa: kube.caPem });
  const rows: StatusWritesRow[] = [];
  try {
    await applyKedaCrds(kube);
    await kube.apply(repoFile('deploy/rbac-live-objects.yaml'));
    await kube.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NAMESPACE } }]);
    let applied = 0;
    for (const size of [...sizes].sort((a, b) => a - b)) {
      const all = fleet(size);
      // A fresh container per size, and the objects of the previous size back to no status.
      for (const object of all.slice(0, applied)) await kube.writeStatus(object, null as unknown as Record<string, unknown>);
      for (let start = applied; start < size; start += 200) await kube.apply(all.slice(start, Math.min(size, start + 200)));
      applied = size;
      let now = START;
      const config = kube.kubeConfigAs(POD_SCALER_IDENTITY, undefined, { endpoint: proxy.url, caPem: KUBE_TEST_TLS_CERT });
      const api = new KubernetesScaledObjectStatusApi(config, { now: () => now, callTimeoutMs: 30_000 });
      const source = new ClusterObjectSource({
        kubeConfigFor: async () => config,
        scaleTargets: async () => ({}) as ScaleTargetApi,
        stateStore: { listAll: async () => [] },
        now: () => now,
        callTimeoutMs: 30_000,
        reporterFor: (_cluster, listed, object) => api.reporterFor(listed, object),
      });
      const cluster = { name: kube.clusterName, region: 'eu-west-1', objectSource: 'cluster' as const };
      const invocations: Array<{ name: string; inactive: number }> = [
        { name: 'first (every object new)', inactive: 0 },
        { name: 'steady, active', inactive: 0 },
        { name: 'steady, active', inactive: 0 },
        { name: 'steady, active', inactive: 0 },
        { name: '10% turn inactive', inactive: Math.round(size / 10) },
        { name: 'steady', inactive: Math.round(size / 10) },
      ];
      let lastActive = START;
      for (const invocation of invocations) {
        const snapshot = await source.load(cluster, now + 60_000);
        if (snapshot.objects.length !== size) throw new Error(`expected ${size} objects, listed ${snapshot.objects.length}`);
        proxy.requests.length = 0;
        const began = performance.now();
        await mapWithConcurrency(snapshot.objects, 32, async ({ key, reporter }, index) => {
          const active = index >= invocation.inactive;
          await reporter.report(outcome(key, now, active, active ? now : lastActive));
        });
        const reportMs = performance.now() - began;
        const writes = proxy.requests.filter((request) => request.method !== 'GET');
        rows.push({
          objects: size,
          invocation: invocation.name,
          statusPuts: writes.filter((request) => request.method === 'PUT' && request.path.endsWith('/status')).length,
          eventPosts: writes.filter((request) => request.method === 'POST' && request.path.includes('/events')).length,
          eventPatches: writes.filter((request) => request.method === 'PATCH' && request.path.includes('/events/')).length,
          bytesPut: writes.filter((request) => request.method === 'PUT').reduce((sum, request) => sum + Buffer.byteLength(request.body), 0),
          reportMs: Math.round(reportMs),
        });
        if (api.counts.failures > 0) throw new Error(`${api.counts.failures} reports failed`);
        // The objects that turned inactive were last active before that invocation, and stay so.
        if (invocation.inactive === 0) lastActive = now;
        now += 60_000;
      }
    }
  } finally {
    await proxy.close();
    await kube.close();
  }
  return rows;
}

export function statusWritesTable(rows: readonly StatusWritesRow[]): string {
  return formatTable(
    'KEDA status on cluster ScaledObjects: writes on the wire per invocation (one report per object, 32 at a time)',
    ['objects', 'invocation', 'status PUTs', 'Event POSTs', 'Event PATCHes', 'bytes PUT', 'report ms'],
    rows.map((row) => [row.objects, row.invocation, row.statusPuts, row.eventPosts, row.eventPatches, row.bytesPut, row.reportMs]),
  );
}

if (isMain(import.meta.url)) {
  const index = process.argv.indexOf('--sizes');
  const sizes = (index >= 0 ? process.argv[index + 1]! : '100,1000').split(',').map(Number);
  const rows = await runStatusWrites(sizes);
  console.log(statusWritesTable(rows));
  console.log(`JSON: ${await writeResult('status-writes', rows)}`);
}
