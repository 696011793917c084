/**
 * ScaledJobs through the pod scaler's real handler and production runtime (issue 17), against a
 * real kube-apiserver (HTTPS, RBAC from deploy/rbac.yaml, EKS tokens) behind the recording fault
 * proxy, moto (SQS, Lambda Invoke, EKS DescribeCluster) and dynalite: test/pod-scaler/real-harness.ts.
 * The API server validates every Job the scaler creates; no controller manager runs, so Jobs never
 * start or finish on their own: a test writes a finished Job's status itself, as the Job controller
 * would.
 *
 * Each test uses its own namespace (the harness resets only `shop`).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BatchV1Api } from '@kubernetes/client-node';
import type { ScalerConfig } from '../../lambdas/config/scaler-config';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import { CLUSTER, REGION, sqsObject } from '../pod-scaler/harness';
import { queueUrl, REAL_POD_SCALER_SKIP, REAL_POD_SCALER_START_TIMEOUT_MS, START_TIME, startRealHarness, type RealHarness } from '../pod-scaler/real-harness';

let harness: RealHarness;

beforeAll(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  // examples/sqs-scaledjob.yaml reads its own queue in eu-west-1 (moto's account is the example's).
  harness = await startRealHarness({ queues: [{ name: 'thumbnails', region: 'eu-west-1' }] });
}, REAL_POD_SCALER_START_TIMEOUT_MS);

afterAll(async () => {
  await harness?.close();
});

beforeEach(async () => {
  if (!REAL_POD_SCALER_SKIP) await harness.reset();
});

function scaledJob(namespace: string, options: { name?: string; max?: number; polling?: number; successfulHistory?: number; failedHistory?: number } = {}): string {
  return `
apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata: { name: ${options.name ?? 'render'}, namespace: ${namespace} }
spec:
  pollingInterval: ${options.polling ?? 30}
  maxReplicaCount: ${options.max ?? 10}
  successfulJobsHistoryLimit: ${options.successfulHistory ?? 100}
  failedJobsHistoryLimit: ${options.failedHistory ?? 100}
  jobTargetRef:
    backoffLimit: 2
    template:
      spec:
        containers:
          - name: worker
            image: public.ecr.aws/docker/library/busybox:1.36
            command: ["sh", "-c", "echo one message"]
            resources: { requests: { cpu: 250m, memory: 128Mi } }
  triggers:
    - type: aws-sqs-queue
      metadata: { queueURL: "${queueUrl('orders')}", queueLength: "1", awsRegion: ${REGION} }
`;
}

function configOf(yaml: string): ScalerConfig {
  const parsed = parseManifests(yaml, { file: 'jobs.yaml' });
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map((issue) => issue.message).join('\n'));
  return { defaultCluster: { name: CLUSTER, region: REGION }, clusters: [], scaledObjects: parsed.objects, scaledJobs: parsed.scaledJobs, nodeGroups: [], hpaSyncPeriodSeconds: 0 };
}

async function namespace(name: string): Promise<void> {
  await harness.kube.apply(`{apiVersion: v1, kind: Namespace, metadata: {name: ${name}}}`);
}

interface JobView {
  name: string;
  labels: Record<string, string>;
  conditions: string[];
}

async function jobsIn(ns: string): Promise<JobView[]> {
  const batch = harness.kube.adminKubeConfig().makeApiClient(BatchV1Api);
  const list = await batch.listNamespacedJob({ namespace: ns, labelSelector: 'scaledjob.keda.sh/name' });
  return list.items
    .map((job) => ({
      name: job.metadata!.name!,
      labels: job.metadata!.labels ?? {},
      conditions: (job.status?.conditions ?? []).filter((condition) => condition.status === 'True').map((condition) => condition.type),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** A Job of the ScaledJob that finished at `finishedAt` (epoch ms), as the Job controller would record it. */
async function finishedJob(ns: string, scaledJobName: string, name: string, outcome: 'Complete' | 'Failed', finishedAt: number): Promise<void> {
  const [job] = await harness.kube.apply([
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name, namespace: ns, labels: { 'scaledjob.keda.sh/name': scaledJobName } },
      spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'worker', image: 'public.ecr.aws/docker/library/busybox:1.36' }] } } },
    } as never,
  ]);
  const at = new Date(finishedAt).toISOString();
  const started = new Date(finishedAt - 60_000).toISOString();
  const conditions =
    outcome === 'Complete'
      ? [
          { type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: at, lastProbeTime: at },
          { type: 'Complete', status: 'True', lastTransitionTime: at, lastProbeTime: at },
        ]
      : [
          { type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded', message: 'failed', lastTransitionTime: at, lastProbeTime: at },
          { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'failed', lastTransitionTime: at, lastProbeTime: at },
        ];
  await harness.kube.writeStatus(job!, {
    startTime: started,
    ...(outcome === 'Complete' ? { completionTime: at, succeeded: 1 } : { failed: 1 }),
    conditions,
    ready: 0,
    terminating: 0,
    uncountedTerminatedPods: {},
  });
}

describe.skipIf(REAL_POD_SCALER_SKIP)('ScaledJobs through the real handler, on the real kube-apiserver and moto', () => {
  it('creates one Job per message on the queue, capped at maxReplicaCount, and the next poll counts them running', async () => {
    await namespace('render-cap');
    await harness.setBacklog(7);
    const summary = await harness.tick(harness.handlerFor(configOf(scaledJob('render-cap', { max: 4 }))));
    // Polls at 0 and 30 s: the first creates min(7, 4); the second finds 4 running (default strategy: 4 − 4 = 0).
    expect(summary.scaledJobs).toMatchObject({ polls: 2, created: 4, errors: 0 });
    const jobs = await jobsIn('render-cap');
    expect(jobs.map((job) => job.name)).toEqual(['render-1-0', 'render-1-1', 'render-1-2', 'render-1-3']);
    expect(jobs[0]!.labels).toMatchObject({ 'scaledjob.keda.sh/name': 'render', 'app.kubernetes.io/managed-by': 'eks-lambda-scaler' });
    expect(await harness.sqsReads()).toBe(2);
  });

  it('prunes finished Jobs to the history limits, oldest first', async () => {
    await namespace('render-history');
    for (let index = 0; index < 3; index += 1) await finishedJob('render-history', 'render', `done-${index}`, 'Complete', START_TIME - (10 - index) * 60_000);
    for (let index = 0; index < 2; index += 1) await finishedJob('render-history', 'render', `failed-${index}`, 'Failed', START_TIME - (10 - index) * 60_000);
    await harness.setBacklog(0);
    const summary = await harness.tick(harness.handlerFor(configOf(scaledJob('render-history', { successfulHistory: 1, failedHistory: 1 }))));
    expect(summary.scaledJobs).toMatchObject({ created: 0, deleted: 3, errors: 0 });
    // The API server deletes a Job at once (background propagation, no finalizer), so the LIST shows the survivors.
    expect((await jobsIn('render-history')).map((job) => job.name)).toEqual(['done-2', 'failed-1']);
    const deletes = harness.proxy.requests.filter((request) => request.method === 'DELETE');
    expect(deletes.map((request) => JSON.parse(request.body) as { propagationPolicy: string }).every((body) => body.propagationPolicy === 'Background')).toBe(true);
  });

  it('two invocations racing over the same poll create its Jobs once', async () => {
    await namespace('render-race');
    await harness.setBacklog(3);
    const config = configOf(scaledJob('render-race', { polling: 60 }));
    const [one, two] = await Promise.all([harness.tick(harness.handlerFor(config)), harness.tick(harness.handlerFor(config))]);
    expect((one.scaledJobs?.created ?? 0) + (two.scaledJobs?.created ?? 0)).toBe(3);
    expect((one.scaledJobs?.overlapped ?? 0) + (two.scaledJobs?.overlapped ?? 0)).toBe(1);
    expect(await jobsIn('render-race')).toHaveLength(3);
    const creates = harness.proxy.requests.filter((request) => request.method === 'POST' && request.path.includes('/jobs'));
    expect(creates).toHaveLength(3);
  });

  it('a ScaledJob whose Jobs cannot be created fails alone: the other ScaledJob and the ScaledObject are scaled', async () => {
    await namespace('render-denied');
    await namespace('render-fine');
    await harness.putDeployment('orders', 0);
    await harness.setBacklog(2);
    harness.proxy.inject({ match: (request) => request.path.startsWith('/apis/batch/v1/namespaces/render-denied/'), fault: 'denied' });
    const yaml = [scaledJob('render-denied'), scaledJob('render-fine'), sqsObject({ queue: queueUrl('orders'), polling: 60 })].join('\n---\n');
    const summary = await harness.tick(harness.handlerFor(configOf(yaml)));
    const byId = new Map(summary.scaledJobs!.results.map((result) => [result.objectId, result]));
    expect(byId.get('render-denied/render')?.error).toMatch(/batch/);
    expect(await jobsIn('render-fine')).toHaveLength(2);
    expect(await harness.replicasOf('orders')).toBe(1);
    expect(summary.scaled).toBe(1);
  });

  it("tells the node scaler about the new Jobs' pods in the same pass, with their pod template", async () => {
    await namespace('render-nodes');
    await harness.setBacklog(2);
    await harness.tick(harness.handlerFor(configOf(scaledJob('render-nodes', { polling: 60 })), { NODE_SCALER_FUNCTION_NAME: 'node-scaler' }));
    const invokes = await harness.moto.lambdaInvocations('node-scaler');
    expect(invokes).toHaveLength(1);
    expect(invokes[0]!.payload).toEqual({
      source: 'eks-lambda-scaler.pod-scaler',
      scaleUps: [
        {
          cluster: CLUSTER,
          namespace: 'render-nodes',
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: 'render',
          fromReplicas: 0,
          toReplicas: 2,
          jobPods: {
            template: expect.objectContaining({ containers: [expect.objectContaining({ name: 'worker', resources: { requests: { cpu: '250m', memory: '128Mi' } } })] }),
            selector: { 'scaledjob.keda.sh/name': 'render', 'eks-lambda-scaler.io/scaledjob-poll': '1' },
          },
        },
      ],
    });
  });

  it('runs examples/sqs-scaledjob.yaml end to end: one Job per message, the next minute counts the running ones and finished ones are not', async () => {
    await namespace('media');
    const example = readFileSync(new URL('../../examples/sqs-scaledjob.yaml', import.meta.url), 'utf8');
    const handler = harness.handlerFor(configOf(example), { NODE_SCALER_FUNCTION_NAME: 'node-scaler' });
    await harness.setBacklog(5);
    const first = await harness.tick(handler);
    // pollingInterval 15: polls at 0, 15, 30 and 45 s; the first creates 5, the others find them running.
    expect(first.scaledJobs).toMatchObject({ polls: 4, created: 5, errors: 0 });
    expect(first.sourceProblems).toBeUndefined();
    const made = await jobsIn('media');
    expect(made.map((job) => job.name)).toEqual(['thumbnails-1-0', 'thumbnails-1-1', 'thumbnails-1-2', 'thumbnails-1-3', 'thumbnails-1-4']);
    const stored = await harness.kube.read<{ apiVersion: string; kind: string; spec: { activeDeadlineSeconds: number; backoffLimit: number; template: { spec: { restartPolicy: string } } } }>('batch/v1', 'Job', 'media', 'thumbnails-1-0');
    expect(stored?.spec).toMatchObject({ activeDeadlineSeconds: 900, backoffLimit: 2, template: { spec: { restartPolicy: 'Never' } } });
    expect((await harness.moto.lambdaInvocations('node-scaler')).map((invoke) => (invoke.payload as { scaleUps: { toReplicas: number }[] }).scaleUps[0]!.toReplicas)).toEqual([5]);

    // Three Jobs finish (their messages deleted); four new messages arrive: 2 in flight + 4 waiting.
    for (const name of made.slice(0, 3).map((job) => job.name)) {
      const job = await harness.kube.read('batch/v1', 'Job', 'media', name);
      const at = new Date(harness.clock.now()).toISOString();
      await harness.kube.writeStatus(job!, {
        startTime: at,
        completionTime: at,
        succeeded: 1,
        ready: 0,
        terminating: 0,
        uncountedTerminatedPods: {},
        conditions: [
          { type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: at, lastProbeTime: at },
          { type: 'Complete', status: 'True', lastTransitionTime: at, lastProbeTime: at },
        ],
      });
    }
    await harness.setBacklog(6);
    harness.clock.advance(60_000 - (harness.clock.now() % 60_000));
    const second = await harness.tick(handler);
    // Default strategy: 6 messages need 6 Jobs, 2 run: 4 more at the first poll, none after.
    expect(second.scaledJobs).toMatchObject({ created: 4, deleted: 0, errors: 0 });
    const all = await jobsIn('media');
    expect(all).toHaveLength(9);
    expect(all.filter((job) => job.conditions.includes('Complete'))).toHaveLength(3);
  });
});
