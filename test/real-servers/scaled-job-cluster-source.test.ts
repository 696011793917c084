/**
 * ScaledJobs read from the cluster (issue 17 with the cluster source of issue 14), through the pod
 * scaler's real handler: a real kube-apiserver with deploy/crds/ (the ScaledJob CRD included),
 * deploy/rbac.yaml and deploy/rbac-live-objects.yaml applied, reached as the pod scaler's EKS
 * identity; moto for SQS, dynalite for state (test/pod-scaler/real-harness.ts).
 */
import { BatchV1Api, CoreV1Api, CustomObjectsApi, type KubernetesObject } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ScalerConfig } from '../../lambdas/config/scaler-config';
import { CLUSTER, REGION } from '../pod-scaler/harness';
import { queueUrl, REAL_POD_SCALER_SKIP, REAL_POD_SCALER_START_TIMEOUT_MS, startRealHarness, type RealHarness } from '../pod-scaler/real-harness';
import { KEDA_CRD_FILES, statusOf, waitForEstablished } from '../support/real-kube-apiserver';

const repoFile = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const SCALED_JOBS = { group: 'keda.sh', version: 'v1alpha1', plural: 'scaledjobs' };
const NS = 'render-live';


function clusterSourced(): ScalerConfig {
  return { defaultCluster: { name: CLUSTER, region: REGION, objectSource: 'cluster' }, clusters: [], scaledObjects: [], nodeGroups: [], hpaSyncPeriodSeconds: 0 };
}

function liveScaledJob(name: string, options: { managed?: boolean; broken?: boolean } = {}): KubernetesObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledJob',
    metadata: { name, namespace: NS, annotations: options.managed === false ? {} : { 'eks-lambda-scaler.io/managed': 'true' } },
    spec: {
      pollingInterval: 60,
      maxReplicaCount: 5,
      // Broken: the CRD accepts a jobTargetRef without a pod template; the scaler's parser does not.
      jobTargetRef: options.broken ? { parallelism: 1 } : { template: { spec: { containers: [{ name: 'worker', image: 'public.ecr.aws/docker/library/busybox:1.36' }] } } },
      triggers: [{ type: 'aws-sqs-queue', metadata: { queueURL: queueUrl('orders'), awsRegion: REGION, queueLength: '1' } }],
    },
  } as KubernetesObject;
}

let harness: RealHarness;
let custom: CustomObjectsApi;

beforeAll(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  harness = await startRealHarness();
  for (const file of KEDA_CRD_FILES) await harness.kube.apply(repoFile(`deploy/crds/${file}`));
  for (const file of KEDA_CRD_FILES) await waitForEstablished(harness.kube, file.replace(/\.yaml$/, ''));
  await harness.kube.apply(repoFile('deploy/rbac-live-objects.yaml'));
  await harness.kube.apply(`{apiVersion: v1, kind: Namespace, metadata: {name: ${NS}}}`);
  custom = harness.kube.adminKubeConfig().makeApiClient(CustomObjectsApi);
  expect(await statusOf(() => custom.listNamespacedCustomObject({ ...SCALED_JOBS, namespace: NS }))).toBe(200);
  expect(await statusOf(() => custom.listNamespacedCustomObject({ group: 'keda.sh', version: 'v1alpha1', plural: 'scaledobjects', namespace: NS }))).toBe(200);
}, REAL_POD_SCALER_START_TIMEOUT_MS);

afterAll(async () => {
  await harness?.close();
});

beforeEach(async () => {
  if (!REAL_POD_SCALER_SKIP) await harness.reset();
});

describe.skipIf(REAL_POD_SCALER_SKIP)('ScaledJobs read from the cluster, on a real kube-apiserver', () => {
  it('creates the Jobs of a managed ScaledJob, owned by it, and writes its status and events; an unmanaged one is left alone; a broken one gets Ready=False', async () => {
    await harness.setBacklog(3);
    await harness.kube.apply([liveScaledJob('render'), liveScaledJob('manual', { managed: false }), liveScaledJob('broken', { broken: true })]);
    const summary = await harness.tick(harness.handlerFor(clusterSourced()));
    expect(summary.scaledJobs).toMatchObject({ polls: 1, created: 3, errors: 0 });
    expect(summary.rejected?.join('\n')).toMatch(/broken.*jobTargetRef/s);

    const batch = harness.kube.adminKubeConfig().makeApiClient(BatchV1Api);
    const jobs = (await batch.listNamespacedJob({ namespace: NS })).items;
    expect(jobs).toHaveLength(3);
    const render = (await custom.getNamespacedCustomObject({ ...SCALED_JOBS, namespace: NS, name: 'render' })) as { metadata: { uid: string; generation: number }; status?: { conditions?: { type: string; status: string; reason: string }[]; lastActiveTime?: string } };
    for (const job of jobs) {
      expect(job.metadata?.ownerReferences).toEqual([expect.objectContaining({ kind: 'ScaledJob', name: 'render', uid: render.metadata.uid, controller: true })]);
      expect(job.metadata?.annotations?.['scaledjob.keda.sh/generation']).toBe(String(render.metadata.generation));
      expect(job.metadata?.name).toMatch(/^render-/);
    }
    expect(render.status?.conditions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'Ready', status: 'True', reason: 'ScaledJobReady' }),
        expect.objectContaining({ type: 'Active', status: 'True', reason: 'ScalerActive' }),
      ]),
    );
    expect(render.status?.lastActiveTime).toBeDefined();

    const broken = (await custom.getNamespacedCustomObject({ ...SCALED_JOBS, namespace: NS, name: 'broken' })) as { status?: { conditions?: { type: string; status: string; reason: string }[] } };
    expect(broken.status?.conditions).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'Ready', status: 'False', reason: 'ScaledJobCheckFailed' })]));
    const manual = (await custom.getNamespacedCustomObject({ ...SCALED_JOBS, namespace: NS, name: 'manual' })) as { status?: unknown };
    expect(manual.status).toBeUndefined();

    const core = harness.kube.adminKubeConfig().makeApiClient(CoreV1Api);
    const events = (await core.listNamespacedEvent({ namespace: NS })).items;
    expect(events.map((event) => [event.involvedObject.kind, event.involvedObject.name, event.reason])).toEqual(
      expect.arrayContaining([
        ['ScaledJob', 'render', 'ScaledJobActive'],
        ['ScaledJob', 'render', 'KEDAJobsCreated'],
      ]),
    );
  });
});
