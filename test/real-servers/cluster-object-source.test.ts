/**
 * ScaledObjects read from the cluster (issue 14), through the pod scaler's real handler and
 * production runtime: a real kube-apiserver with deploy/crds/, deploy/rbac.yaml and
 * deploy/rbac-live-objects.yaml applied, reached as the pod scaler's EKS identity through the
 * recording proxy (test/pod-scaler/real-harness.ts), moto for SQS, dynalite for state.
 *
 * Objects are applied as `kubectl apply` does (server-side apply), annotated and deleted between
 * ticks with no redeploy: the handler of each test is one Lambda container built once.
 */
import { CoreV1Api, CustomObjectsApi, RbacAuthorizationV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ScalerConfig } from '../../lambdas/config/scaler-config';
import { KEDA_FINALIZER, MANAGED_ANNOTATION, OWNED_BY_KEDA_REASON } from '../../lambdas/adapters/kubernetes/cluster-object-source';
import { CLUSTER, REGION } from '../pod-scaler/harness';
import { NAMESPACE, queueUrl, REAL_POD_SCALER_SKIP, REAL_POD_SCALER_START_TIMEOUT_MS, startRealHarness, type RealHarness } from '../pod-scaler/real-harness';
import { KEDA_CRD_FILES, POD_SCALER_IDENTITY, statusOf, waitForEstablished } from '../support/real-kube-apiserver';
import { MOTO_ACCOUNT_ID } from '../support/moto-server';
import { captureLogs } from '../support/capture-logs';

const repoFile = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const KEDA = { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects' };
const RBAC_FOR_NAMESPACES = fileURLToPath(new URL('../../deploy/rbac-for-namespaces.sh', import.meta.url));

/** The deployment's configuration when this cluster's objects live in the cluster: nothing bundled. */
function clusterSourced(extra: Partial<ScalerConfig> = {}): ScalerConfig {
  return { defaultCluster: { name: CLUSTER, region: REGION, objectSource: 'cluster' }, clusters: [], scaledObjects: [], nodeGroups: [], ...extra };
}

interface LiveObjectOptions {
  managed?: boolean;
  annotations?: Record<string, string>;
  finalizers?: string[];
  queue?: string;
  queueLength?: string;
  restore?: boolean;
  namespace?: string;
}

/** A ScaledObject `shop/<name>` on a moto queue (5 messages per replica) scaling the Deployment of the same name. */
function liveObject(name: string, options: LiveObjectOptions = {}): KubernetesObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: {
      name,
      namespace: options.namespace ?? NAMESPACE,
      annotations: { ...(options.managed === false ? {} : { [MANAGED_ANNOTATION]: 'true' }), ...options.annotations },
      ...(options.finalizers ? { finalizers: options.finalizers } : {}),
    },
    spec: {
      scaleTargetRef: { name },
      pollingInterval: 30,
      cooldownPeriod: 300,
      minReplicaCount: 0,
      maxReplicaCount: 20,
      ...(options.restore ? { advanced: { restoreToOriginalReplicaCount: true } } : {}),
      triggers: [{ type: 'aws-sqs-queue', metadata: { queueURL: queueUrl(options.queue ?? 'orders'), awsRegion: REGION, queueLength: options.queueLength ?? '5' } }],
    },
  } as KubernetesObject;
}

let harness: RealHarness;
let custom: CustomObjectsApi;

const deleteObject = (name: string) => custom.deleteNamespacedCustomObject({ ...KEDA, namespace: NAMESPACE, name });
/**
 * One container's handler after `orders` (restoreToOriginalReplicaCount, taken over at 2 replicas)
 * was scaled to 10 and then deleted with kubectl.
 */
async function scaledThenDeleted() {
  await harness.putDeployment('orders', 2);
  await harness.setBacklog(47);
  await harness.kube.apply([liveObject('orders', { restore: true })]);
  const handler = harness.handlerFor(clusterSourced());
  await harness.tick(handler);
  expect(await harness.replicasOf('orders')).toBe(10);
  await deleteObject('orders');
  return handler;
}
const nextMinute = () => harness.clock.advance(60_000 - (harness.clock.now() % 60_000));

beforeAll(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  harness = await startRealHarness();
  for (const file of KEDA_CRD_FILES) await harness.kube.apply(repoFile(`deploy/crds/${file}`));
  for (const file of KEDA_CRD_FILES) await waitForEstablished(harness.kube, file.replace(/\.yaml$/, ''));
  await harness.kube.apply(repoFile('deploy/rbac-live-objects.yaml'));
  custom = harness.kube.adminKubeConfig().makeApiClient(CustomObjectsApi);
  // A just-Established CRD's storage answers 429 "storage is (re)initializing" for a moment; statusOf retries it.
  for (const plural of ['scaledobjects', 'triggerauthentications']) {
    expect(await statusOf(() => custom.listNamespacedCustomObject({ ...KEDA, plural, namespace: NAMESPACE }))).toBe(200);
  }
  expect(await statusOf(() => custom.listClusterCustomObject({ ...KEDA, plural: 'clustertriggerauthentications' }))).toBe(200);
}, REAL_POD_SCALER_START_TIMEOUT_MS);

afterAll(async () => {
  await harness?.close();
});

beforeEach(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  await harness.reset();
  // The cluster-wide binding, which a test may have narrowed to namespaces.
  await harness.kube.apply(repoFile('deploy/rbac-live-objects.yaml'));
  // Every namespace: a test may use another one than `shop`.
  const { items } = (await custom.listClusterCustomObject(KEDA)) as { items: KubernetesObject[] };
  for (const item of items) {
    if (item.metadata?.finalizers?.length) await harness.kube.mergePatch({ ...item, apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject' }, { metadata: { finalizers: null } });
    await custom.deleteNamespacedCustomObject({ ...KEDA, namespace: item.metadata!.namespace!, name: item.metadata!.name! });
  }
});

describe.skipIf(REAL_POD_SCALER_SKIP)('ScaledObjects read from the cluster, on a real kube-apiserver', () => {
  it('scales an object applied with kubectl at the next pass, stops at paused=true and resumes when the annotation goes', async () => {
    await harness.putDeployment('orders', 0);
    await harness.putDeployment('other', 0);
    await harness.setBacklog(47); // ceil(47 / 5) = 10
    const handler = harness.handlerFor(clusterSourced());

    const empty = await harness.tick(handler);
    expect(empty).toMatchObject({ evaluated: 0, scaled: 0 });

    // `other` is not opted in: a ScaledObject without the annotation is never acted on.
    await harness.kube.apply([liveObject('orders'), liveObject('other', { managed: false })]);
    nextMinute();
    const first = await harness.tick(handler);
    // Four passes in the minute (a KEDA poll every 30 s, HPA syncs between): 0 -> 4 -> 8 -> 10, as for a bundled object.
    expect(first).toMatchObject({ evaluated: 4, errors: 0, scaled: 3 });
    expect(harness.patchedReplicas()).toEqual([4, 8, 10]);
    expect(first.sourceProblems).toBeUndefined();
    expect(await harness.replicasOf('orders')).toBe(10);
    expect(await harness.replicasOf('other')).toBe(0);

    await harness.kube.mergePatch(liveObject('orders'), { metadata: { annotations: { 'autoscaling.keda.sh/paused': 'true' } } });
    await harness.setBacklog(100);
    nextMinute();
    const patchesBefore = harness.patchedReplicas().length;
    await harness.tick(handler);
    expect(harness.patchedReplicas()).toHaveLength(patchesBefore);
    expect(await harness.replicasOf('orders')).toBe(10);

    await harness.kube.mergePatch(liveObject('orders'), { metadata: { annotations: { 'autoscaling.keda.sh/paused': null } } });
    nextMinute();
    await harness.tick(handler);
    expect(await harness.replicasOf('orders')).toBe(20);
  });

  it('tells the observer the maximum of an object read from the cluster: pinned at maxReplicaCount is logged for attention', async () => {
    await harness.putDeployment('orders', 20);
    await harness.setBacklog(200); // wants 40, capped at maxReplicaCount 20
    await harness.kube.apply([liveObject('orders')]);
    const { lines } = await captureLogs(() => harness.tick(harness.handlerFor(clusterSourced())));
    expect(lines.filter((line) => line.condition === 'atMaxReplicas')).toEqual([
      expect.objectContaining({ level: 'WARN', scaledObject: `${CLUSTER}/shop/orders`, desiredReplicas: 20, maxReplicas: 20 }),
    ]);
  });

  it('honours paused-scale-out added between ticks, and force-activation, from the next pass', async () => {
    await harness.putDeployment('orders', 2);
    await harness.setBacklog(10); // ceil(10 / 5) = 2: active, and already at its count
    await harness.kube.apply([liveObject('orders')]);
    const handler = harness.handlerFor(clusterSourced());
    await harness.tick(handler);
    expect(await harness.replicasOf('orders')).toBe(2);
    await harness.kube.mergePatch(liveObject('orders'), { metadata: { annotations: { 'autoscaling.keda.sh/paused-scale-out': 'true' } } });
    await harness.setBacklog(47);
    nextMinute();
    await harness.tick(handler);
    expect(await harness.replicasOf('orders')).toBe(2);

    await harness.setBacklog(0);
    await harness.putDeployment('idle', 0);
    await harness.kube.apply([liveObject('idle', { annotations: { 'autoscaling.keda.sh/force-activation': 'true' } })]);
    nextMinute();
    await harness.tick(handler);
    // Forced active with no backlog: KEDA takes it from 0 to minReplicaCount's floor of 1.
    expect(await harness.replicasOf('idle')).toBe(1);
  });

  it('reads only the configured namespaces (LISTs per namespace) with RBAC bound only there, and an object outside them is neither scaled nor restored', async () => {
    const billing = { namespace: 'billing' };
    await harness.putDeployment('orders', 2);
    await harness.putDeployment('invoices', 0, billing);
    await harness.setBacklog(47);
    await harness.kube.apply([liveObject('orders', { restore: true }), liveObject('invoices', { ...billing, queue: 'other' })]);
    // First every namespace: `orders` (restoreToOriginalReplicaCount, taken over at 2) scales to 10.
    await harness.tick(harness.handlerFor(clusterSourced()));
    expect(await harness.replicasOf('orders')).toBe(10);
    harness.proxy.requests.length = 0;

    // Then only `billing`, with the RBAC bound only there (deploy/rbac-for-namespaces.sh --live-objects):
    // `orders` is outside the LIST, but not deleted, so it is left as it is.
    const rbac = harness.kube.adminKubeConfig().makeApiClient(RbacAuthorizationV1Api);
    await rbac.deleteClusterRoleBinding({ name: 'eks-lambda-scaler-live-objects' });
    await harness.kube.apply(execFileSync(RBAC_FOR_NAMESPACES, ['--live-objects', 'billing'], { encoding: 'utf8' }));
    nextMinute();
    await harness.setBacklog(47);
    const onlyBilling = clusterSourced({ defaultCluster: { name: CLUSTER, region: REGION, objectSource: 'cluster', namespaces: ['billing'] } });
    const asPodScaler = harness.kube.kubeConfigAs(POD_SCALER_IDENTITY).makeApiClient(CustomObjectsApi);
    const summary = await harness.tick(harness.handlerFor(onlyBilling));
    // The narrowed RBAC was in force: the scaler's identity may list ScaledObjects in billing only.
    const listIn = (namespace: string) => statusOf(() => asPodScaler.listNamespacedCustomObject({ ...KEDA, namespace }));
    expect([await listIn('billing'), await listIn(NAMESPACE)]).toEqual([200, 403]);
    expect(summary.sourceProblems).toBeUndefined();
    expect(summary.restored).toEqual({ removed: 0, restored: 0, failures: [] });
    expect(summary.evaluated).toBe(4); // invoices only, four passes
    expect(await harness.replicasOf('invoices', billing)).toBe(10);
    expect(await harness.replicasOf('orders')).toBe(10);
    const lists = harness.proxy.requests.filter((request) => request.method === 'GET' && request.path.startsWith('/apis/keda.sh/')).map((request) => request.path.split('?')[0]);
    // A set: the adapter retries a LIST the server sheds with 429 once.
    expect([...new Set(lists)].sort()).toEqual([
      '/apis/keda.sh/v1alpha1/clustertriggerauthentications',
      '/apis/keda.sh/v1alpha1/namespaces/billing/scaledjobs', // issue 17: no ScaledJob CRD here, a 404 that means "none"
      '/apis/keda.sh/v1alpha1/namespaces/billing/scaledobjects',
      '/apis/keda.sh/v1alpha1/namespaces/billing/triggerauthentications',
    ]);
  });

  it('holds the target at paused-replicas from the next pass', async () => {
    await harness.putDeployment('orders', 3);
    await harness.kube.apply([liveObject('orders', { annotations: { 'autoscaling.keda.sh/paused-replicas': '1' } })]);
    await harness.tick(harness.handlerFor(clusterSourced()));
    expect(await harness.replicasOf('orders')).toBe(1);
  });

  it('restores the original replica count when an object asking for it is deleted, with no redeploy', async () => {
    const handler = await scaledThenDeleted();
    nextMinute();
    const after = await harness.tick(handler);
    expect(after.restored).toEqual({ removed: 1, restored: 1, failures: [] });
    expect(await harness.replicasOf('orders')).toBe(2);

    // Done once: a later invocation, even in a new container, restores nothing more.
    nextMinute();
    const later = await harness.tick(harness.handlerFor(clusterSourced()));
    expect(later.restored).toEqual({ removed: 0, restored: 0, failures: [] });
  });

  it('restores nothing when the LIST fails, and restores once it answers again', async () => {
    const handler = await scaledThenDeleted();
    harness.proxy.inject({ match: (request) => request.method === 'GET' && request.path.startsWith('/apis/keda.sh/v1alpha1/scaledobjects'), fault: '5xx' });
    nextMinute();
    const failed = await harness.tick(handler);
    expect(failed.restored).toEqual({ removed: 0, restored: 0, failures: [] });
    expect(failed.sourceProblems).toHaveLength(1);
    expect(failed.sourceProblems![0]).toContain(`the ScaledObjects of cluster ${CLUSTER} could not be read, so none of them was evaluated and none counts as removed`);
    expect(failed.sourceProblems![0]).toContain('scaledobjects');
    expect(await harness.replicasOf('orders')).toBe(10);

    harness.proxy.clear();
    nextMinute();
    const recovered = await harness.tick(handler);
    expect(recovered.restored).toEqual({ removed: 1, restored: 1, failures: [] });
    expect(await harness.replicasOf('orders')).toBe(2);
  });

  it("leaves an object carrying KEDA's finalizer alone, with one Warning Event on it across containers", async () => {
    await harness.putDeployment('orders', 1);
    await harness.setBacklog(47);
    await harness.kube.apply([liveObject('orders', { finalizers: [KEDA_FINALIZER] })]);

    const first = await harness.tick(harness.handlerFor(clusterSourced()));
    nextMinute();
    await harness.tick(harness.handlerFor(clusterSourced()));
    expect(first).toMatchObject({ evaluated: 0, scaled: 0 });
    expect(harness.patchedReplicas()).toEqual([]);
    expect(await harness.replicasOf('orders')).toBe(1);

    const events = (await harness.kube.adminKubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: NAMESPACE })).items;
    const warnings = events.filter((event) => event.reason === OWNED_BY_KEDA_REASON);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ type: 'Warning', involvedObject: { kind: 'ScaledObject', name: 'orders', apiVersion: 'keda.sh/v1alpha1' } });
    expect(warnings[0]!.message).toContain('docs/migrate-from-keda.md');
  });

  it('rejects a bad object with the parser’s message while the others scale', async () => {
    await harness.putDeployment('orders', 0);
    await harness.putDeployment('other', 0);
    await harness.setBacklog(47);
    await harness.kube.apply([liveObject('orders'), liveObject('other', { queue: 'other', queueLength: 'many' })]);
    const summary = await harness.tick(harness.handlerFor(clusterSourced()));
    expect(await harness.replicasOf('orders')).toBe(10);
    expect(await harness.replicasOf('other')).toBe(0);
    expect(summary.rejected).toHaveLength(1);
    expect(summary.rejected![0]).toMatch(new RegExp(`^${CLUSTER}/shop/other: error: shop/other: spec\\.triggers\\[0\\]\\.metadata\\.queueLength: `));
  });

  it('rejects an object whose queue is outside the allowed ARN patterns, naming the IAM statement to add', async () => {
    await harness.putDeployment('orders', 0);
    await harness.putDeployment('other', 0);
    await harness.setBacklog(47);
    await harness.kube.apply([liveObject('orders'), liveObject('other', { queue: 'other' })]);
    const allowed = clusterSourced({ clusterObjectPermissions: { queueArns: [`arn:aws:sqs:${REGION}:${MOTO_ACCOUNT_ID}:ord*`] } });
    const summary = await harness.tick(harness.handlerFor(allowed, { SCALER_ACCOUNT_ID: MOTO_ACCOUNT_ID }));
    expect(await harness.replicasOf('orders')).toBe(10);
    expect(await harness.replicasOf('other')).toBe(0);
    const arn = `arn:aws:sqs:${REGION}:${MOTO_ACCOUNT_ID}:other`;
    expect(summary.rejected).toEqual([
      `${CLUSTER}/shop/other: spec.triggers: sqs:GetQueueAttributes on ${arn} is outside the access the scaler was given: ` +
        `add "${arn}" (or a pattern that matches it) to clusterObjectPermissions.queueArns in the construct, which grants the pod scaler's role ` +
        `{"Effect":"Allow","Action":["sqs:GetQueueAttributes"],"Resource":"${arn}"}`,
    ]);
  });
});
