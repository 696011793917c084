/**
 * What ScaledJob polls cost in calls (issue 17, docs/performance.md §15): N bundled ScaledJobs in M
 * namespaces polled by the pod scaler's tick, with the real Jobs adapter on a real kube-apiserver
 * (as the pod scaler's EKS identity, through a recording proxy that counts the requests on the
 * wire) and the real DynamoDB state store on dynalite (commands counted by a client middleware).
 * Trigger reads are given (the read plan's own cost is docs/performance.md §1). Three invocations
 * a minute apart, two polls each (pollingInterval 30, KEDA's default): a backlog of 2 messages per ScaledJob (Jobs
 * created), the same backlog with those Jobs running (nothing created), then an empty queue with
 * the Jobs finished (idle).
 *
 *   npx tsx bench/scaled-job-calls.ts [--sizes 10,100] [--namespaces 5]
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchV1Api } from '@kubernetes/client-node';
import { KubernetesJobsApi } from '../lambdas/adapters/kubernetes/kubernetes-jobs-api';
import { MemoryStateStore } from '../lambdas/adapters/state/memory-state-store';
import { createStateTable } from '../lambdas/adapters/state/dynamodb-state-store';
import { DynamoDbScaledJobStateStore } from '../lambdas/adapters/state/scaled-job-state-store';
import { parseManifests } from '../lambdas/engine/spec/parse-manifests';
import type { ScaleTargetApi } from '../lambdas/adapters/kubernetes/scale-target-api';
import { runTick } from '../lambdas/pod-scaler/tick';
import type { TriggerReader } from '../lambdas/pod-scaler/tick-types';
import { startDynalite } from '../test/support/dynalite';
import { startFaultProxy } from '../test/support/fault-proxy';
import { KUBE_TEST_TLS_CERT, KUBE_TEST_TLS_KEY } from '../test/support/kube-tls-fixture';
import { POD_SCALER_IDENTITY, startRealKubeApiServer } from '../test/support/real-kube-apiserver';
import { repoFile } from '../test/support/keda-crds';
import { isMain, writeResult } from './support/output';
import { formatTable } from './support/table';

export interface ScaledJobCallsRow {
  scaledJobs: number;
  namespaces: number;
  invocation: string;
  jobLists: number;
  podLists: number;
  jobCreates: number;
  jobDeletes: number;
  stateReads: number;
  stateWrites: number;
  triggerReads: number;
  created: number;
}

const START = Date.UTC(2026, 11, 2, 9, 0, 0);

function fleetYaml(size: number, namespaces: number): string {
  return Array.from(
    { length: size },
    (_, i) => `
apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata: { name: job-${i}, namespace: ns-${i % namespaces} }
spec:
  pollingInterval: 30
  maxReplicaCount: 10
  successfulJobsHistoryLimit: 100
  jobTargetRef: { template: { spec: { containers: [{ name: worker, image: public.ecr.aws/docker/library/busybox:1.36 }] } } }
  triggers:
    - type: aws-sqs-queue
      metadata: { queueURL: "https://sqs.eu-west-1.amazonaws.com/123456789012/queue-${i}", awsRegion: eu-west-1, queueLength: "1" }
`,
  ).join('---\n');
}

export async function runScaledJobCalls(sizes: readonly number[], namespaces: number): Promise<ScaledJobCallsRow[]> {
  const kube = await startRealKubeApiServer();
  const proxy = await startFaultProxy({ target: kube.endpoint, protocol: 'kubernetes', tls: { cert: KUBE_TEST_TLS_CERT, key: KUBE_TEST_TLS_KEY }, targetCa: kube.caPem });
  const dynalite = await startDynalite();
  const rows: ScaledJobCallsRow[] = [];
  try {
    await kube.apply(repoFile('deploy/rbac.yaml'));
    for (let n = 0; n < namespaces; n += 1) await kube.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `ns-${n}` } }]);
    const batch = kube.adminKubeConfig().makeApiClient(BatchV1Api);
    const dynamoCalls: string[] = [];
    const client = new DynamoDBClient({ endpoint: dynalite.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
    client.middlewareStack.add((next, context) => async (args) => {
      dynamoCalls.push(String(context.commandName));
      return next(args);
    }, { step: 'initialize', name: 'countCommands' });

    for (const [run, size] of sizes.entries()) {
      for (let n = 0; n < namespaces; n += 1) await batch.deleteCollectionNamespacedJob({ namespace: `ns-${n}`, propagationPolicy: 'Background' });
      const table = `scaled-jobs-${run}`;
      await createStateTable(client, table);
      const parsed = parseManifests(fleetYaml(size, namespaces));
      if (parsed.errors.length > 0) throw new Error(parsed.errors.map((issue) => issue.message).join('\n'));
      let now = START;
      let backlog = 2;
      let triggerReads = 0;
      const readTriggers: TriggerReader = async (items) => {
        triggerReads += items.length;
        return {
          readings: new Map(items.map((item) => [item.id, { service: 'sqs' as const, attributes: { ApproximateNumberOfMessages: '0', ApproximateNumberOfMessagesNotVisible: String(backlog), ApproximateNumberOfMessagesDelayed: '0' } }])),
          calls: { sqs: items.length },
        };
      };
      let pass = 0;
      const jobsApi = new KubernetesJobsApi(kube.kubeConfigAs(POD_SCALER_IDENTITY, undefined, { endpoint: proxy.url, caPem: KUBE_TEST_TLS_CERT }), { now: () => now, passOf: () => pass, callTimeoutMs: 30_000 });
      const states = new DynamoDbScaledJobStateStore({ client, tableName: table });
      const deps = {
        config: { defaultCluster: { name: 'bench', region: 'eu-west-1' }, clusters: [], scaledObjects: [], scaledJobs: parsed.scaledJobs, nodeGroups: [] },
        clock: { now: () => now, sleep: async (ms: number) => void (now += ms) },
        stateStore: new MemoryStateStore(),
        scaleTargets: async () => ({ recordEvent: async () => undefined }) as unknown as ScaleTargetApi,
        readTriggers,
        jobs: async () => jobsApi,
        scaledJobStates: states,
        beginPass: () => void (pass += 1),
      };
      const invocations = [
        { name: 'backlog: Jobs created', before: async () => undefined },
        { name: 'same backlog, Jobs running', before: async () => undefined },
        {
          name: 'idle: queue empty, Jobs finished',
          before: async () => {
            backlog = 0;
            // The Jobs finish: their status written as the Job controller would.
            for (let n = 0; n < namespaces; n += 1) {
              for (const job of (await batch.listNamespacedJob({ namespace: `ns-${n}` })).items) {
                const at = new Date(now).toISOString();
                await kube.writeStatus({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: job.metadata!.name!, namespace: `ns-${n}` } }, {
                  startTime: at, completionTime: at, succeeded: 1, ready: 0, terminating: 0, uncountedTerminatedPods: {},
                  conditions: [{ type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: at }, { type: 'Complete', status: 'True', lastTransitionTime: at }],
                });
              }
            }
          },
        },
      ];
      for (const invocation of invocations) {
        await invocation.before();
        proxy.requests.length = 0;
        dynamoCalls.length = 0;
        triggerReads = 0;
        const summary = await runTick(deps, { deadline: now + 55_000, windowMs: 60_000 });
        const requests = proxy.requests;
        rows.push({
          scaledJobs: size,
          namespaces,
          invocation: invocation.name,
          jobLists: requests.filter((request) => request.method === 'GET' && /\/jobs(\?|$)/.test(request.path)).length,
          podLists: requests.filter((request) => request.method === 'GET' && /\/pods(\?|$)/.test(request.path)).length,
          jobCreates: requests.filter((request) => request.method === 'POST' && request.path.includes('/jobs')).length,
          jobDeletes: requests.filter((request) => request.method === 'DELETE').length,
          stateReads: dynamoCalls.filter((name) => name === 'BatchGetItemCommand').length,
          stateWrites: dynamoCalls.filter((name) => name === 'PutItemCommand').length,
          triggerReads,
          created: summary.scaledJobs?.created ?? 0,
        });
        now += 60_000 - (now % 60_000);
      }
    }
  } finally {
    await proxy.close();
    await kube.close();
    await dynalite.close();
  }
  return rows;
}

function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? (process.argv[index + 1] ?? fallback) : fallback;
}

if (isMain(import.meta.url)) {
  const sizes = argument('sizes', '10,100').split(',').map(Number);
  const namespaces = Number(argument('namespaces', '5'));
  const rows = await runScaledJobCalls(sizes, namespaces);
  console.log(
    formatTable(
      'ScaledJob polls: calls per invocation (two polls each, pollingInterval 30)',
      ['ScaledJobs', 'namespaces', 'invocation', 'Job LISTs', 'pod LISTs', 'Job POSTs', 'Job DELETEs', 'BatchGetItem', 'PutItem', 'trigger reads', 'Jobs created'],
      rows.map((row) => [row.scaledJobs, row.namespaces, row.invocation, row.jobLists, row.podLists, row.jobCreates, row.jobDeletes, row.stateReads, row.stateWrites, row.triggerReads, row.created]),
    ),
  );
  console.log(`written to ${await writeResult('scaled-job-calls', rows)}`);
}
