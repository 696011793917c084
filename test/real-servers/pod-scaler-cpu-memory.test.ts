/**
 * examples/cron-plus-cpu.yaml (php-apache with a weekday cron floor and a cpu Utilization trigger)
 * through the real pod scaler handler: the Deployment, its Pods and their status live in a real
 * kube-apiserver (HTTPS, deploy/rbac.yaml, EKS tokens); state is on dynalite
 * (test/pod-scaler/real-harness.ts).
 *
 * PodMetrics: in a cluster, metrics.k8s.io is served by metrics-server behind the apiserver
 * through API aggregation (an APIService backed by a Service). The test apiserver has no
 * aggregation set up and nothing to aggregate to: its proxy cannot reach a Service (Endpoints
 * may not name loopback addresses, and there is no kube-proxy), and metrics-server would need
 * kubelets to scrape. So the group is answered at the wire, by the recording proxy that already
 * sits between the scaler and the apiserver, in metrics-server's shape (PodMetricsList, RFC 3339
 * timestamp, Go duration window), for `/apis/metrics.k8s.io/` only; every other request (the pods,
 * the scale subresource, RBAC) reaches the real apiserver. RBAC for the group is checked on the
 * real apiserver in rbac-allow-deny.test.ts. Without the rule the real apiserver answers the group
 * with its own 404, as a cluster without metrics-server does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FaultRule } from '../support/fault-proxy';
import { CLUSTER, configFrom } from '../pod-scaler/harness';
import { REAL_POD_SCALER_SKIP, REAL_POD_SCALER_START_TIMEOUT_MS, startRealHarness, type RealHarness } from '../pod-scaler/real-harness';

const EXAMPLE = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'cron-plus-cpu.yaml'), 'utf8');
const NAMESPACE = 'web';
const WEB = { namespace: NAMESPACE };
const KEY = `${CLUSTER}/${NAMESPACE}/php-apache`;
const METRICS_PATH = `/apis/metrics.k8s.io/v1beta1/namespaces/${NAMESPACE}/pods`;
/** Monday 2026-11-23 09:00 UTC = 10:00 in Europe/Berlin: inside the example's 08:00-18:00 weekday window. */
const MONDAY_MORNING = Date.UTC(2026, 10, 23, 9, 0, 0);
/** Monday 2026-11-23 20:00 UTC = 21:00 in Berlin: outside the window. */
const MONDAY_EVENING = Date.UTC(2026, 10, 23, 20, 0, 0);
const POD_NAMES = ['php-apache-a', 'php-apache-b'];

let harness: RealHarness;

beforeAll(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  harness = await startRealHarness();
  await harness.kube.apply(`{apiVersion: v1, kind: Namespace, metadata: {name: ${NAMESPACE}}}`);
}, REAL_POD_SCALER_START_TIMEOUT_MS);

afterAll(async () => {
  await harness?.close();
});

/** The php-apache Deployment at `replicas`, and two Running, Ready pods of it (started an hour ago) with a 200m CPU request. */
async function startAt(start: number, replicas: number): Promise<void> {
  await harness.reset();
  harness.clock.time = start;
  const core = harness.kube.adminKubeConfig().makeApiClient(CoreV1Api);
  // Unbound pods (no nodeName) are deleted at once: no kubelet has to confirm.
  await core.deleteCollectionNamespacedPod({ namespace: NAMESPACE, gracePeriodSeconds: 0 });
  const container = { name: 'php-apache', image: 'registry.k8s.io/hpa-example', resources: { requests: { cpu: '200m' } } };
  await harness.kube.apply([
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'php-apache', namespace: NAMESPACE },
      spec: { replicas, selector: { matchLabels: { app: 'php-apache' } }, template: { metadata: { labels: { app: 'php-apache' } }, spec: { containers: [container] } } },
    } as never,
  ]);
  const hourAgo = new Date(start - 3_600_000).toISOString();
  for (const name of POD_NAMES) {
    const [pod] = await harness.kube.apply([{ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: NAMESPACE, labels: { app: 'php-apache' } }, spec: { containers: [container] } } as never]);
    // What the kubelet would report: running and Ready for an hour.
    await harness.kube.writeStatus(pod!, { phase: 'Running', startTime: hourAgo, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: hourAgo }] });
  }
}

/** metrics.k8s.io as metrics-server answers it: each pod's CPU usage, for the selector the scaler sends. */
function podMetrics(cpuByPod: Record<string, string>): FaultRule {
  return {
    match: (request) => request.method === 'GET' && request.path === METRICS_PATH,
    fault: {
      respond: (request) => {
        // The scaler lists the namespace whole (no selector) and selects itself; a selector other than the target's selects nothing here.
        const selector = request.query.get('labelSelector');
        const selected = selector === null || selector === 'app=php-apache';
        const items = Object.entries(cpuByPod).map(([name, cpu]) => ({
          metadata: { name, namespace: NAMESPACE, labels: { app: 'php-apache' }, creationTimestamp: new Date(harness.clock.now()).toISOString() },
          timestamp: new Date(harness.clock.now() - 10_000).toISOString(),
          window: '30s',
          containers: [{ name: 'php-apache', usage: { cpu, memory: '24Mi' } }],
        }));
        const body = JSON.stringify({ kind: 'PodMetricsList', apiVersion: 'metrics.k8s.io/v1beta1', metadata: {}, items: selected ? items : [] });
        return { status: 200, headers: { 'content-type': 'application/json' }, body };
      },
    },
  };
}

async function storedState() {
  return (await harness.store.loadMany([KEY])).states.get(KEY)!;
}

describe.skipIf(REAL_POD_SCALER_SKIP)('cpu triggers through the real handler (examples/cron-plus-cpu.yaml)', () => {
  it('outside the cron window CPU drives: 2 pods at 100% of their request against a 50% target → 4', async () => {
    await startAt(MONDAY_EVENING, 2);
    harness.proxy.inject(podMetrics({ 'php-apache-a': '200m', 'php-apache-b': '200m' }));
    const handler = harness.handlerFor(configFrom(EXAMPLE));

    const summary = await harness.tick(handler);
    expect(summary.errors).toBe(0);
    // The first pass takes 2 → 4 (ratio 2 over 2 ready pods; the legacy cap max(2 × 2, 4) allows it).
    // The later passes still see the 2 pods at 100% (no controller makes the new ones): 2 × 2 = 4, kept.
    expect(harness.patchedReplicas()).toEqual([4]);
    expect(await harness.replicasOf('php-apache', WEB)).toBe(4);

    // One list of the namespace's PodMetrics, and one of its pods, per pass (the selector is matched in the scaler).
    const metricsCalls = harness.proxy.requests.filter((request) => request.path === METRICS_PATH);
    expect(metricsCalls.length).toBe(summary.passes);
    expect(metricsCalls.every((request) => !request.query.has('labelSelector'))).toBe(true);
    const podLists = harness.proxy.requests.filter((request) => request.method === 'GET' && request.path === `/api/v1/namespaces/${NAMESPACE}/pods`);
    expect(podLists.length).toBe(summary.passes);

    const state = await storedState();
    // The stored decision keeps the rule and the message (format 2 state items drop per-trigger rows).
    expect(state.lastDecision!.explanation.message).toContain('s1-cpu 100 / 50% → 4 replicas');
  });

  it('inside the window the cron floor of 4 beats idle CPU (the HPA takes the max)', async () => {
    await startAt(MONDAY_MORNING, 2);
    harness.proxy.inject(podMetrics({ 'php-apache-a': '10m', 'php-apache-b': '12m' }));
    const handler = harness.handlerFor(configFrom(EXAMPLE));

    const summary = await harness.tick(handler);
    expect(summary.errors).toBe(0);
    expect(await harness.replicasOf('php-apache', WEB)).toBe(4);
    const { explanation } = (await storedState()).lastDecision!;
    // 22m of 400m requested is 5% → ceil(0.1 × 2) = 1; cron asks for 4.
    expect(explanation.message).toMatch(/^scaled 2 → 4: s0-cron-\S+ 4 \/ 1 → 4 replicas, s1-cpu 5 \/ 50% → 1 replicas$/);
  });

  it('without metrics-server the real apiserver answers the group with 404: the status names the add-on, and cron still scales', async () => {
    await startAt(MONDAY_MORNING, 2);
    const handler = harness.handlerFor(configFrom(EXAMPLE));

    await harness.tick(handler);
    expect(await harness.replicasOf('php-apache', WEB)).toBe(4);
    const state = await storedState();
    expect(state.status).toBe('error');
    expect(state.statusReason).toContain('install metrics-server (the EKS add-on: aws eks create-addon --cluster-name <cluster> --addon-name metrics-server)');
    // A cpu metric failing is the HPA's problem, not KEDA's: the object stays active on its cron trigger.
    expect(state.active).toBe(true);
  });
});
