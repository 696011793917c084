/**
 * The cluster's OutcomeReporter (lambdas/adapters/kubernetes/scaled-object-status-api.ts) on a real
 * kube-apiserver with deploy/crds/ and deploy/rbac-live-objects.yaml applied, as the pod scaler's
 * EKS identity, through a recording proxy that counts the calls on the wire:
 * - `kubectl get so` (the server's Table) shows READY/ACTIVE/FALLBACK/PAUSED and TRIGGERS from the
 *   status the reporter wrote;
 * - a second pass with nothing new makes no status write at all;
 * - a stale resourceVersion is a 409, counted, not thrown, and not retried in the same pass;
 * - a ScaledObject the parser refuses shows Ready=False with the parser's message, and one Warning;
 * - the same Event twice is one Event with count 2 (a POST then a PATCH).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CoreV1Api, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import {
  POD_SCALER_IDENTITY,
  REAL_KUBE_SKIP,
  REAL_KUBE_START_TIMEOUT_MS,
  startRealKubeApiServer,
  type RealKubeApiServer,
} from '../support/real-kube-apiserver';
import { applyKedaCrds, repoFile } from '../support/keda-crds';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { KUBE_TEST_TLS_CERT, KUBE_TEST_TLS_KEY } from '../support/kube-tls-fixture';
import { KubernetesScaledObjectStatusApi } from '../../lambdas/adapters/kubernetes/scaled-object-status-api';
import type { ListedScaledObject } from '../../lambdas/adapters/kubernetes/cluster-object-source';
import { parseManifestObjects } from '../../lambdas/engine/spec/parse-manifests';
import { formatIssue } from '../../lambdas/engine/spec/issues';
import type { ObjectOutcome } from '../../lambdas/pod-scaler/object-source';
import type { ObjectTickResult } from '../../lambdas/pod-scaler/tick-types';
import type { KedaScaledObjectStatus } from '../../lambdas/engine/keda/scaled-object-status';

const NS = 'shop';
const START = Date.UTC(2026, 11, 2, 8, 0, 0);
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/111122223333/orders';

type Listed = KubernetesObject & { metadata: { name: string; namespace: string; uid: string; resourceVersion: string }; status?: KedaScaledObjectStatus };

function manifest(name: string, queueLength = '5'): KubernetesObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name, namespace: NS, annotations: { 'eks-lambda-scaler.io/managed': 'true' } },
    spec: { scaleTargetRef: { name: `${name}-worker` }, minReplicaCount: 1, maxReplicaCount: 7, triggers: [{ type: 'aws-sqs-queue', metadata: { queueURL: QUEUE, queueLength, awsRegion: 'us-east-1' } }] },
  } as KubernetesObject;
}

function listedOf(object: Listed): ListedScaledObject {
  return { namespace: object.metadata.namespace, name: object.metadata.name, uid: object.metadata.uid, resourceVersion: object.metadata.resourceVersion, raw: object as unknown as Record<string, unknown> };
}

/** An active pass that scaled nothing: the tick's result as the source's reporter receives it. */
function activeOutcome(name: string, at: number): ObjectOutcome {
  const result: ObjectTickResult = {
    key: `test/${NS}/${name}`,
    cluster: 'test',
    objectId: `${NS}/${name}`,
    status: 'active',
    active: true,
    currentReplicas: 2,
    desiredReplicas: 2,
    scaled: false,
    explanation: { rule: 'tolerance', message: 'kept 2', steps: [], triggers: [{ index: 0, type: 'aws-sqs-queue', metricName: 's0-aws-sqs-queue', metricType: 'AverageValue', target: 5, value: 10, active: true }] },
  };
  return { key: result.key, at, result, paused: false, health: {}, lastActiveTime: at, originalReplicaCount: 3 };
}

describe.skipIf(REAL_KUBE_SKIP)('ScaledObject status and Events on a real kube-apiserver', () => {
  let kube: RealKubeApiServer;
  let proxy: FaultProxy;
  let scalerConfig: KubeConfig;
  let clock = START;

  const read = async (name: string) => (await kube.read<Listed>('keda.sh/v1alpha1', 'ScaledObject', NS, name))!;
  const writes = () => proxy.requests.filter((request) => request.method !== 'GET');
  const newApi = () => new KubernetesScaledObjectStatusApi(scalerConfig, { now: () => clock, callTimeoutMs: 15_000 });
  const table = async (name: string) =>
    (JSON.parse(await kube.adminGet(`/apis/keda.sh/v1alpha1/namespaces/${NS}/scaledobjects/${name}`, TABLE)) as { rows: Array<{ cells: unknown[] }> }).rows[0]!.cells;

  beforeAll(async () => {
    kube = await startRealKubeApiServer();
    await applyKedaCrds(kube);
    await kube.apply(repoFile('deploy/rbac.yaml'));
    await kube.apply(repoFile('deploy/rbac-live-objects.yaml'));
    await kube.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }]);
    proxy = await startFaultProxy({ target: kube.endpoint, protocol: 'kubernetes', tls: { cert: KUBE_TEST_TLS_CERT, key: KUBE_TEST_TLS_KEY }, targetCa: kube.caPem });
    scalerConfig = kube.kubeConfigAs(POD_SCALER_IDENTITY, undefined, { endpoint: proxy.url, caPem: KUBE_TEST_TLS_CERT });
  }, REAL_KUBE_START_TIMEOUT_MS);
  afterAll(async () => {
    await proxy?.close();
    await kube?.close();
  });
  beforeEach(() => {
    proxy.requests.length = 0;
    clock = START;
  });

  it('writes KEDA status once, `kubectl get so` shows it, and a steady second pass writes nothing', async () => {
    await kube.apply([manifest('orders')]);
    const listed = await read('orders');
    const [object] = parseManifestObjects([listed]).objects;
    const api = newApi();

    await api.reporterFor(listedOf(listed), object).report(activeOutcome('orders', clock));
    expect(writes().map((request) => request.operation)).toEqual([
      `PUT /apis/keda.sh/v1alpha1/namespaces/${NS}/scaledobjects/orders/status`,
      `POST /api/v1/namespaces/${NS}/events`, // ScaledObjectReady: the object was not Ready before
    ]);
    expect((await table('orders')).slice(0, 11)).toEqual(['orders', 'apps/v1.Deployment', 'orders-worker', 1, 7, 'True', 'True', 'False', 'False', 'aws-sqs-queue', '']);
    const stored = (await read('orders')).status!;
    expect(stored.lastActiveTime).toBe('2026-12-02T08:00:00Z');
    expect(stored.originalReplicaCount).toBe(3);
    expect(stored.conditions!.find((condition) => condition.type === 'Active')).toEqual({
      type: 'Active', status: 'True', reason: 'ScalerActive', message: 'Scaling is performed because triggers are active',
    });

    // The next pass lists the object again; still active a minute later: nothing to write.
    proxy.requests.length = 0;
    clock += 60_000;
    await api.reporterFor(listedOf(await read('orders')), object).report(activeOutcome('orders', clock));
    expect(writes()).toEqual([]);
    expect(api.counts).toMatchObject({ statusWrites: 1, statusUnchanged: 1, statusConflicts: 0, failures: 0 });
  });

  it('a resourceVersion older than the object is a 409: counted, not thrown, one request and no Event; the next pass writes both', async () => {
    await kube.apply([manifest('edited')]);
    const stale = await read('edited');
    const [object] = parseManifestObjects([stale]).objects;
    await kube.mergePatch(stale, { metadata: { labels: { team: 'orders' } } });
    const api = newApi();
    await api.reporterFor(listedOf(stale), object).report(activeOutcome('edited', clock));
    expect(writes().map((request) => request.method)).toEqual(['PUT']);
    expect(api.counts).toMatchObject({ statusWrites: 0, statusConflicts: 1, failures: 0 });

    // The next pass lists the new version: the status is written, and its Event recorded once.
    proxy.requests.length = 0;
    await api.reporterFor(listedOf(await read('edited')), object).report(activeOutcome('edited', clock));
    expect(writes().map((request) => request.method)).toEqual(['PUT', 'POST']);
    expect(api.counts.statusWrites).toBe(1);
    expect((await table('edited'))[5]).toBe('True');
  });

  it('an object the parser refuses shows Ready=False with the parser message, and one Warning Event', async () => {
    await kube.apply([manifest('broken', 'five')]);
    const listed = await read('broken');
    const parsed = parseManifestObjects([listed]);
    expect(parsed.objects).toEqual([]);
    const reason = parsed.errors.map(formatIssue).join('; ');
    expect(reason).toMatch(/queueLength/);
    const api = newApi();
    const outcome = { ...activeOutcome('broken', clock), invalidSpec: reason };

    await api.reporterFor(listedOf(listed), undefined).report(outcome);
    expect((await table('broken')).slice(5, 9)).toEqual(['False', 'Unknown', 'Unknown', 'False']);
    const ready = (await read('broken')).status!.conditions!.find((condition) => condition.type === 'Ready');
    expect(ready).toEqual({ type: 'Ready', status: 'False', reason: 'ScaledObjectCheckFailed', message: reason });

    // Every later pass refuses it again: no write, no new Event.
    proxy.requests.length = 0;
    await api.reporterFor(listedOf(await read('broken')), undefined).report(outcome);
    expect(writes()).toEqual([]);

    const events = await kube.adminKubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: NS, fieldSelector: `involvedObject.uid=${listed.metadata.uid}` });
    expect(events.items.map((event) => [event.type, event.reason, event.message, event.involvedObject.kind])).toEqual([['Warning', 'ScaledObjectCheckFailed', reason, 'ScaledObject']]);
  });

  it('a status write that hangs ends at the call timeout: the failure is reported, never thrown', async () => {
    await kube.apply([manifest('hung')]);
    const listed = await read('hung');
    const problems: string[] = [];
    // Its own KubeConfig: the timeout is armed once per KubeConfig.
    const config = kube.kubeConfigAs(POD_SCALER_IDENTITY, undefined, { endpoint: proxy.url, caPem: KUBE_TEST_TLS_CERT });
    const api = new KubernetesScaledObjectStatusApi(config, { now: () => clock, callTimeoutMs: 1_000, onProblem: (message) => problems.push(message) });
    proxy.inject({ match: (request) => request.method === 'PUT', fault: 'hang', times: 1 });
    try {
      await api.reporterFor(listedOf(listed), parseManifestObjects([listed]).objects[0]).report(activeOutcome('hung', clock));
    } finally {
      proxy.clear();
    }
    expect(api.counts).toMatchObject({ statusWrites: 0, failures: 1 });
    expect(problems).toEqual([expect.stringMatching(/^ScaledObject shop\/hung: status not written: the Kubernetes API at .* did not answer in time .*update scaledobjects\/status/)]);
  });

  it('the same Event twice within the window is one Event with count 2 (POST, then PATCH)', async () => {
    await kube.apply([manifest('noisy')]);
    const listed = await read('noisy');
    const reporter = newApi().reporterFor(listedOf(listed), parseManifestObjects([listed]).objects[0]);
    const event = { type: 'Warning' as const, reason: 'KEDAScalerFailed', message: 's0-aws-sqs-queue: AccessDenied' };
    await reporter.event(event);
    clock += 30_000;
    await reporter.event(event);
    expect(writes().map((request) => request.method)).toEqual(['POST', 'PATCH']);
    const events = await kube.adminKubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: NS, fieldSelector: `involvedObject.uid=${listed.metadata.uid}` });
    expect(events.items.map((item) => [item.reason, item.count, item.source?.component])).toEqual([['KEDAScalerFailed', 2, 'eks-lambda-scaler']]);
    expect(new Date(events.items[0]!.lastTimestamp!).getTime()).toBe(START + 30_000);
  });
});
