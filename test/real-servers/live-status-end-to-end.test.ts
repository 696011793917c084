/**
 * Issue 14, done-when 3 and 4, end to end: the pod scaler's real handler and production runtime
 * (cluster source, status reporter) against a real kube-apiserver with deploy/crds/,
 * deploy/rbac.yaml and deploy/rbac-live-objects.yaml, as the pod scaler's EKS identity through the
 * recording proxy; SQS in moto, state in dynalite (test/pod-scaler/real-harness.ts).
 * - after a tick `kubectl get so` (the server's Table) shows READY/ACTIVE/FALLBACK/PAUSED;
 * - a bad object shows Ready=False with the parser's message, and one Warning Event on it;
 * - a second tick in steady state makes no status write on the wire;
 * - `autoscaling.keda.sh/paused` turns PAUSED to True at the next tick.
 */
import { CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ScalerConfig } from '../../lambdas/config/scaler-config';
import { MANAGED_ANNOTATION } from '../../lambdas/adapters/kubernetes/cluster-object-source';
import { parseManifestObjects } from '../../lambdas/engine/spec/parse-manifests';
import { formatIssue } from '../../lambdas/engine/spec/issues';
import type { KedaScaledObjectStatus } from '../../lambdas/engine/keda/scaled-object-status';
import { CLUSTER, REGION } from '../pod-scaler/harness';
import { NAMESPACE, queueUrl, REAL_POD_SCALER_SKIP, REAL_POD_SCALER_START_TIMEOUT_MS, startRealHarness, type RealHarness } from '../pod-scaler/real-harness';
import { applyKedaCrds, repoFile } from '../support/keda-crds';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const CONFIG: ScalerConfig = { defaultCluster: { name: CLUSTER, region: REGION, objectSource: 'cluster' }, clusters: [], scaledObjects: [], nodeGroups: [] };

function scaledObject(name: string, queueLength: string): KubernetesObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name, namespace: NAMESPACE, annotations: { [MANAGED_ANNOTATION]: 'true' } },
    spec: { scaleTargetRef: { name }, minReplicaCount: 0, maxReplicaCount: 20, triggers: [{ type: 'aws-sqs-queue', metadata: { queueURL: queueUrl('orders'), awsRegion: REGION, queueLength } }] },
  } as KubernetesObject;
}

describe.skipIf(REAL_POD_SCALER_SKIP)('KEDA status on cluster ScaledObjects, through the pod scaler handler', () => {
  let harness: RealHarness;

  /** The row `kubectl get so` prints for an object, by column name. */
  async function row(name: string): Promise<Record<string, unknown>> {
    const table = JSON.parse(await harness.kube.adminGet(`/apis/keda.sh/v1alpha1/namespaces/${NAMESPACE}/scaledobjects/${name}`, TABLE)) as {
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[] }[];
    };
    return Object.fromEntries(table.columnDefinitions.map((column, index) => [column.name.toUpperCase(), table.rows[0]!.cells[index]]));
  }
  const statusWrites = () => harness.proxy.requests.filter((request) => request.method === 'PUT' && request.path.includes('/scaledobjects/'));
  const nextMinute = () => harness.clock.advance(60_000 - (harness.clock.now() % 60_000));

  beforeAll(async () => {
    harness = await startRealHarness();
    await applyKedaCrds(harness.kube);
    await harness.kube.apply(repoFile('deploy/rbac-live-objects.yaml'));
    await harness.reset();
  }, REAL_POD_SCALER_START_TIMEOUT_MS);
  afterAll(() => harness?.close());

  it('a tick writes KEDA status once; steady state writes none; the paused annotation shows at the next tick', async () => {
    await harness.putDeployment('orders', 0);
    await harness.putDeployment('refunds', 0);
    await harness.setBacklog(47);
    await harness.kube.apply([scaledObject('orders', '5'), scaledObject('refunds', 'five')]);
    const handler = harness.handlerFor(CONFIG);

    nextMinute();
    const first = await harness.tick(handler);
    expect(first.sourceProblems).toBeUndefined();
    expect(await harness.replicasOf('orders')).toBe(10);
    expect(await row('orders')).toMatchObject({ NAME: 'orders', SCALETARGETKIND: 'apps/v1.Deployment', READY: 'True', ACTIVE: 'True', FALLBACK: 'False', PAUSED: 'False', TRIGGERS: 'aws-sqs-queue' });
    expect(statusWrites().map((request) => request.path)).toEqual(
      expect.arrayContaining([`/apis/keda.sh/v1alpha1/namespaces/${NAMESPACE}/scaledobjects/orders/status`, `/apis/keda.sh/v1alpha1/namespaces/${NAMESPACE}/scaledobjects/refunds/status`]),
    );
    expect(statusWrites()).toHaveLength(2);

    // The refused object: Ready=False with the parser's own message.
    const refunds = (await harness.kube.read<KubernetesObject & { status?: KedaScaledObjectStatus }>('keda.sh/v1alpha1', 'ScaledObject', NAMESPACE, 'refunds'))!;
    const parserMessage = parseManifestObjects([refunds]).errors.map(formatIssue).join('; ');
    expect(await row('refunds')).toMatchObject({ READY: 'False', ACTIVE: 'Unknown' });
    expect(refunds.status!.conditions!.find((condition) => condition.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ScaledObjectCheckFailed' });
    expect(refunds.status!.conditions!.find((condition) => condition.type === 'Ready')!.message).toContain(parserMessage);

    const core = harness.kube.adminKubeConfig().makeApiClient(CoreV1Api);
    const eventsOf = async (name: string) =>
      (await core.listNamespacedEvent({ namespace: NAMESPACE, fieldSelector: `involvedObject.kind=ScaledObject,involvedObject.name=${name}` })).items.map((event) => `${event.type} ${event.reason}`);
    expect(await eventsOf('refunds')).toEqual(['Warning ScaledObjectCheckFailed']);
    expect(await eventsOf('orders')).toContain('Normal ScaledObjectReady');

    // Steady: the same backlog a minute later, the target already at 10. No status write at all.
    harness.proxy.requests.length = 0;
    nextMinute();
    await harness.tick(handler);
    expect(await harness.replicasOf('orders')).toBe(10);
    expect(statusWrites()).toEqual([]);
    expect(await eventsOf('refunds')).toEqual(['Warning ScaledObjectCheckFailed']);

    await harness.kube.mergePatch(scaledObject('orders', '5'), { metadata: { annotations: { 'autoscaling.keda.sh/paused': 'true' } } });
    nextMinute();
    await harness.tick(handler);
    expect(await row('orders')).toMatchObject({ READY: 'True', PAUSED: 'True' });
    expect(await eventsOf('orders')).toContain('Normal ScaledObjectPaused');
  });
});
