/**
 * What reading ScaledObjects from a cluster costs per tick (issue 14): N annotated ScaledObjects
 * and their TriggerAuthentications on a real kube-apiserver (test/support/real-kube-apiserver.ts),
 * read by the cluster source adapter as the pod scaler's EKS identity. Per N it prints the LIST
 * calls per load, the bytes those LISTs carry, the first load (LIST and parse) and a steady-state
 * load (LIST, every resourceVersion unchanged, so the previous parse is reused), and the peak RSS.
 *
 *   npx tsx bench/cluster-source.ts [--sizes 100,1000] [--repeats 5]
 */
import { performance } from 'node:perf_hooks';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { ClusterObjectSource, MANAGED_ANNOTATION } from '../lambdas/adapters/kubernetes/cluster-object-source';
import type { ScaleTargetApi } from '../lambdas/adapters/kubernetes/scale-target-api';
import { KEDA_CRD_FILES, POD_SCALER_IDENTITY, startRealKubeApiServer, waitForEstablished } from '../test/support/real-kube-apiserver';
import { isMain, REPO_ROOT, writeResult } from './support/output';
import { formatTable } from './support/table';

export interface ClusterSourceRow {
  objects: number;
  listsPerLoad: number;
  listBytes: number;
  firstLoadMs: number;
  steadyLoadMs: number;
  peakRssMiB: number;
}

const NAMESPACES = 10;

function fleet(size: number): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (let ns = 0; ns < NAMESPACES; ns++) {
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `team-${ns}` } });
    objects.push({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'TriggerAuthentication',
      metadata: { name: 'queue-reader', namespace: `team-${ns}` },
      spec: { podIdentity: { provider: 'aws', roleArn: `arn:aws:iam::123456789012:role/team-${ns}-reader` } },
    } as KubernetesObject);
  }
  for (let i = 0; i < size; i++) {
    const namespace = `team-${i % NAMESPACES}`;
    objects.push({
      apiVersion: 'keda.sh/v1alpha1',
      kind: 'ScaledObject',
      metadata: { name: `worker-${i}`, namespace, annotations: { [MANAGED_ANNOTATION]: 'true' } },
      spec: {
        scaleTargetRef: { name: `worker-${i}` },
        minReplicaCount: 0,
        maxReplicaCount: 50,
        triggers: [
          {
            type: 'aws-sqs-queue',
            authenticationRef: { name: 'queue-reader' },
            metadata: { queueURL: `https://sqs.eu-west-1.amazonaws.com/123456789012/queue-${i % 200}`, awsRegion: 'eu-west-1', queueLength: '5' },
          },
        ],
      },
    } as KubernetesObject);
  }
  return objects;
}

export async function runClusterSource(sizes: readonly number[], repeats: number): Promise<ClusterSourceRow[]> {
  const kube = await startRealKubeApiServer();
  const rows: ClusterSourceRow[] = [];
  try {
    for (const file of KEDA_CRD_FILES) await kube.apply(readFileSync(join(REPO_ROOT, 'deploy', 'crds', file), 'utf8'));
    for (const file of KEDA_CRD_FILES) await waitForEstablished(kube, file.replace(/\.yaml$/, ''));
    await kube.apply(readFileSync(join(REPO_ROOT, 'deploy', 'rbac-live-objects.yaml'), 'utf8'));
    await untilServed(kube);
    let applied = 0;
    for (const size of [...sizes].sort((a, b) => a - b)) {
      const all = fleet(size);
      // Apply in chunks: only what the previous size did not create.
      const fresh = all.filter((object) => object.kind !== 'ScaledObject' || Number(object.metadata!.name!.split('-')[1]) >= applied);
      for (let start = 0; start < fresh.length; start += 200) await kube.apply(fresh.slice(start, start + 200));
      applied = size;

      const listBytes = (
        await Promise.all(
          PLURALS.map((plural) => kube.adminGet(`/apis/keda.sh/v1alpha1/${plural}`)),
        )
      ).reduce((sum, body) => sum + Buffer.byteLength(body), 0);

      const first: number[] = [];
      const steady: number[] = [];
      const listsBefore = await kedaLists(kube);
      for (let repeat = 0; repeat < repeats; repeat++) {
        // A new adapter is a cold Lambda container: its first load parses, the next reuses the parse.
        const source = new ClusterObjectSource({
          kubeConfigFor: async () => kube.kubeConfigAs(POD_SCALER_IDENTITY),
          scaleTargets: async () => ({}) as ScaleTargetApi,
          stateStore: { listAll: async () => [] },
          now: () => Date.now(),
          callTimeoutMs: 30_000,
        });
        const cluster = { name: kube.clusterName, region: 'eu-west-1', objectSource: 'cluster' as const };
        let began = performance.now();
        const loaded = await source.load(cluster, Date.now() + 60_000);
        first.push(performance.now() - began);
        if (loaded.objects.length !== size) throw new Error(`expected ${size} objects, loaded ${loaded.objects.length} (rejected: ${loaded.rejected[0]?.reason ?? 'none'})`);
        began = performance.now();
        await source.load(cluster, Date.now() + 60_000);
        steady.push(performance.now() - began);
      }
      const listsPerLoad = (await kedaLists(kube) - listsBefore) / (2 * repeats);
      rows.push({
        objects: size,
        listsPerLoad,
        listBytes,
        firstLoadMs: Math.round(median(first)),
        steadyLoadMs: Math.round(median(steady)),
        peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
      });
    }
  } finally {
    await kube.close();
  }
  return rows;
}

const PLURALS = ['scaledobjects', 'triggerauthentications', 'clustertriggerauthentications'];

/** A just-Established CRD's storage answers 429 "storage is (re)initializing" for a moment. */
async function untilServed(kube: Awaited<ReturnType<typeof startRealKubeApiServer>>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await Promise.all(PLURALS.map((plural) => kube.adminGet(`/apis/keda.sh/v1alpha1/${plural}`)));
      return;
    } catch (error) {
      if (attempt >= 50) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/** LIST requests the server answered for keda.sh kinds so far, from its own metrics (apiserver_request_total). */
async function kedaLists(kube: Awaited<ReturnType<typeof startRealKubeApiServer>>): Promise<number> {
  const metrics = await kube.adminGet('/metrics', 'text/plain');
  return metrics
    .split('\n')
    .filter((line) => line.startsWith('apiserver_request_total{') && line.includes('group="keda.sh"') && line.includes('verb="LIST"'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

export function clusterSourceTable(rows: readonly ClusterSourceRow[]): string {
  return formatTable(
    'Cluster source, one load (median): LIST calls, bytes listed, first load (LIST + parse), steady load (LIST, parse reused)',
    ['objects', 'LISTs', 'bytes listed', 'first load ms', 'steady load ms', 'peak RSS MiB'],
    rows.map((row) => [row.objects, row.listsPerLoad, row.listBytes, row.firstLoadMs, row.steadyLoadMs, row.peakRssMiB]),
  );
}

if (isMain(import.meta.url)) {
  const arg = (name: string) => {
    const index = process.argv.indexOf(`--${name}`);
    return index >= 0 ? process.argv[index + 1] : undefined;
  };
  const sizes = (arg('sizes') ?? '100,1000').split(',').map(Number);
  const rows = await runClusterSource(sizes, Number(arg('repeats') ?? 5));
  console.log(clusterSourceTable(rows));
  console.log(`JSON: ${await writeResult('cluster-source', rows)}`);
}
