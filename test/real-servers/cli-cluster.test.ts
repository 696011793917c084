/**
 * The CLI against a live cluster (issue 14 items 7 and 8), on a real kube-apiserver with
 * deploy/crds/ applied, through a kubeconfig file the test writes as a user would have one:
 * - `validate --cluster` lists the cluster's ScaledObjects and TriggerAuthentications and checks
 *   them with the scaler's own parser (authenticationRef resolved across the lists);
 * - `status --cluster` prints KEDA's columns from the status the pod scaler's reporter wrote, and
 *   the parser's message for an object it refused;
 * - `status --cluster -o yaml` is a v1 List (as `kubectl get so -o yaml`), which validate and
 *   simulate read back;
 * - `--context` picks a context, names the ones there are when it is wrong, and an unreachable
 *   cluster is a setup error (exit 2), never a crash.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { KubernetesObject } from '@kubernetes/client-node';
import { REAL_KUBE_SKIP, REAL_KUBE_START_TIMEOUT_MS, startRealKubeApiServer, type RealKubeApiServer } from '../support/real-kube-apiserver';
import { applyKedaCrds } from '../support/keda-crds';
import { captureIo, cli } from '../cli/cli-harness';
import { runCli } from '../../cli/main';
import { KubernetesScaledObjectStatusApi } from '../../lambdas/adapters/kubernetes/scaled-object-status-api';
import { parseManifestObjects } from '../../lambdas/engine/spec/parse-manifests';
import { formatIssue } from '../../lambdas/engine/spec/issues';
import type { ObjectOutcome } from '../../lambdas/pod-scaler/object-source';

const QUEUE = 'https://sqs.us-east-1.amazonaws.com/111122223333/orders';
type Stored = KubernetesObject & { metadata: { name: string; namespace: string; uid: string; resourceVersion: string } };

function scaledObject(namespace: string, name: string, metadata: Record<string, string>, authenticationRef?: string): KubernetesObject {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name, namespace, annotations: { 'eks-lambda-scaler.io/managed': 'true' } },
    spec: {
      scaleTargetRef: { name: `${name}-worker` },
      minReplicaCount: 0,
      maxReplicaCount: 10,
      triggers: [{ type: 'aws-sqs-queue', metadata, ...(authenticationRef ? { authenticationRef: { name: authenticationRef } } : {}) }],
    },
  } as KubernetesObject;
}

describe.skipIf(REAL_KUBE_SKIP)('CLI --cluster on a real kube-apiserver', () => {
  let kube: RealKubeApiServer;
  let kubeconfig: string;
  let refusedMessage: string;

  beforeAll(async () => {
    kube = await startRealKubeApiServer();
    await applyKedaCrds(kube);
    await kube.apply(['shop', 'billing'].map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })));
    await kube.apply([
      { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'orders-reader', namespace: 'shop' }, spec: { podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::111122223333:role/orders-reader' } } } as KubernetesObject,
      scaledObject('shop', 'orders', { queueURL: QUEUE, queueLength: '5', awsRegion: 'us-east-1' }, 'orders-reader'),
      scaledObject('shop', 'refunds', { queueURL: QUEUE, queueLength: 'five', awsRegion: 'us-east-1' }),
      scaledObject('billing', 'invoices', { queueURL: QUEUE, queueLength: '10', awsRegion: 'us-east-1' }),
    ]);

    // The status the pod scaler's reporter writes: orders active, refunds refused by the parser.
    const reporterApi = new KubernetesScaledObjectStatusApi(kube.adminKubeConfig(), { now: () => Date.now() });
    const read = async (name: string) => (await kube.read<Stored>('keda.sh/v1alpha1', 'ScaledObject', 'shop', name))!;
    const listed = (object: Stored) => ({ namespace: object.metadata.namespace, name: object.metadata.name, uid: object.metadata.uid, resourceVersion: object.metadata.resourceVersion, raw: object as unknown as Record<string, unknown> });
    const orders = await read('orders');
    const parsed = parseManifestObjects([await kube.read('keda.sh/v1alpha1', 'TriggerAuthentication', 'shop', 'orders-reader'), orders]);
    const outcome: ObjectOutcome = {
      key: 'c/shop/orders',
      at: Date.now(),
      paused: false,
      health: {},
      lastActiveTime: Date.now(),
      result: {
        key: 'c/shop/orders', cluster: 'c', objectId: 'shop/orders', status: 'active', active: true, currentReplicas: 3, desiredReplicas: 3, scaled: false,
        explanation: { rule: 'tolerance', message: 'kept 3', steps: [], triggers: [{ index: 0, type: 'aws-sqs-queue', metricName: 's0-aws-sqs-queue', metricType: 'AverageValue', target: 5, value: 15, active: true }] },
      },
    };
    await reporterApi.reporterFor(listed(orders), parsed.objects[0]).report(outcome);
    const refunds = await read('refunds');
    refusedMessage = parseManifestObjects([refunds]).errors.map(formatIssue).join('; ');
    await reporterApi.reporterFor(listed(refunds), undefined).report({ ...outcome, key: 'c/shop/refunds', invalidSpec: refusedMessage });

    // A kubeconfig file as `aws eks update-kubeconfig` would leave one, plus a context that cannot be reached.
    const admin = JSON.parse(kube.adminKubeConfig().exportConfig()) as { clusters: { name: string; cluster: Record<string, unknown> }[]; users: unknown[]; contexts: { name: string; context: Record<string, unknown> }[] };
    admin.clusters.push({ name: 'gone', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority-data': admin.clusters[0]!.cluster['certificate-authority-data'] } });
    admin.contexts.push({ name: 'gone', context: { cluster: 'gone', user: admin.contexts[0]!.context.user } });
    kubeconfig = join(mkdtempSync(join(tmpdir(), 'cli-cluster-')), 'config');
    writeFileSync(kubeconfig, JSON.stringify(admin));
  }, REAL_KUBE_START_TIMEOUT_MS);
  afterAll(() => kube?.close());

  it('validate --cluster checks every live object with the parser, authentications resolved', async () => {
    const outcome = await cli(['validate', '--cluster', '--kubeconfig', kubeconfig]);
    expect(outcome.stderr).not.toMatch(/cannot list/);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain('shop/refunds');
    expect(outcome.stderr).toContain('queueLength');
    expect(outcome.stderr).toMatch(/2 ScaledObjects in cluster real-kube: 1 error/);
    expect(outcome.stdout).toContain('ok  shop/orders  (cluster real-kube: Deployment orders-worker, 0-10 replicas, aws-sqs-queue)');
    expect(outcome.stdout).toContain('ok  billing/invoices');
  });

  it('validate --cluster -n lists one namespace; KUBECONFIG is read as kubectl reads it', async () => {
    const outcome = await cli(['validate', '--cluster', '-n', 'billing', '-o', 'json'], { KUBECONFIG: kubeconfig });
    expect(outcome.code).toBe(0);
    const document = JSON.parse(outcome.stdout) as { ok: boolean; files: string[]; objects: { id: string; file: string }[] };
    expect(document).toMatchObject({ ok: true, files: ['cluster real-kube'], objects: [{ id: 'billing/invoices', file: 'cluster real-kube' }] });
  });

  it('status --cluster shows KEDA columns from the written status, and the parser message of a refused object', async () => {
    const outcome = await cli(['status', '--cluster', '--kubeconfig', kubeconfig, '-A']);
    expect(outcome.code).toBe(1); // shop/refunds is Ready=False
    const [header, ...rows] = outcome.stdout.trimEnd().split('\n').map((line) => line.split(/\s{3,}/));
    expect(header).toEqual(['NAMESPACE', 'NAME', 'SCALETARGETKIND', 'SCALETARGETNAME', 'MIN', 'MAX', 'TRIGGERS', 'AUTHENTICATIONS', 'READY', 'ACTIVE', 'FALLBACK', 'PAUSED', 'AGE', 'WHY']);
    expect(rows[0]!.slice(0, 2)).toEqual(['billing', 'invoices']);
    expect(rows[0]!.at(-1)).toBe('no status yet: the pod scaler writes it at its next pass');
    expect(rows[1]!.slice(0, 12)).toEqual(['shop', 'orders', 'apps/v1.Deployment', 'orders-worker', '0', '10', 'aws-sqs-queue', 'orders-reader', 'True', 'True', 'False', 'False']);
    expect(rows[2]!.slice(0, 2)).toEqual(['shop', 'refunds']);
    expect(rows[2]!.slice(-6, -2)).toEqual(['False', 'Unknown', 'Unknown', 'False']);
    expect(rows[2]!.at(-1)).toBe(refusedMessage);
  });

  it('status --cluster -o yaml is a v1 List that validate and simulate read back', async () => {
    const listed = await cli(['status', '--cluster', '--kubeconfig', kubeconfig, '-n', 'shop', '-o', 'yaml']);
    const list = parse(listed.stdout) as { apiVersion: string; kind: string; items: Array<{ kind: string; metadata: Record<string, unknown>; status?: unknown }> };
    expect(list).toMatchObject({ apiVersion: 'v1', kind: 'List' });
    expect(list.items.map((item) => item.metadata.name)).toEqual(['orders', 'refunds']);
    expect(list.items[0]!.metadata).not.toHaveProperty('managedFields');

    const io = { ...captureIo(), readStdin: async () => listed.stdout };
    expect(await runCli(['validate', '-'], io)).toBe(1);
    expect(io.err.join('')).toContain('refunds');
    expect(io.out.join('')).toContain('ok  shop/orders');

    const only = join(mkdtempSync(join(tmpdir(), 'cli-list-')), 'so.yaml');
    writeFileSync(only, listed.stdout.replace(/queueLength: five/, 'queueLength: "5"'));
    const simulated = await cli(['simulate', only, '--scenario', 'step', '--duration', '10m', '--no-report', '-o', 'json']);
    expect(simulated.stderr).not.toContain('error');
    expect(simulated.code).toBe(0);
    expect((JSON.parse(simulated.stdout) as { runs: { label: string }[] }).runs.map((run) => run.label)).toEqual(['shop/orders', 'shop/refunds']);
  });

  it('--context picks a context; an unknown one names those there are; an unreachable cluster is exit 2', async () => {
    const unknown = await cli(['status', '--cluster', '--kubeconfig', kubeconfig, '--context', 'prod']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('has no context "prod" (it has: real-kube, gone)');

    const gone = await cli(['validate', '--cluster', '--kubeconfig', kubeconfig, '--context', 'gone']);
    expect(gone.code).toBe(2);
    expect(gone.stderr).toMatch(/cannot list ScaledObjects in context gone: could not reach https:\/\/127\.0\.0\.1:1/);

    const withoutCluster = await cli(['status', '--context', 'real-kube']);
    expect(withoutCluster.code).toBe(2);
    expect(withoutCluster.stderr).toContain('add --cluster');
  });
});
