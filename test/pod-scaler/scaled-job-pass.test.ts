/**
 * ScaledJobs in the pod scaler's tick (issue 17, lambdas/pod-scaler/scaled-job-pass.ts): polled
 * every pollingInterval inside the window, Jobs created as KEDA's executor computes them and capped
 * at maxReplicaCount, history cleaned to its limits, the node scaler told about the new Jobs' pods,
 * and a poll applied at most once when two invocations overlap.
 *
 * The Jobs port is in memory (memory-jobs.ts) and the SQS reading is given: the subject is the
 * pass. The adapter and the real handler are tested against the real kube-apiserver and moto in
 * test/real-servers/scaled-job-*.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../../lambdas/adapters/state/memory-state-store';
import { MemoryScaledJobStateStore, scaledJobStateKey } from '../../lambdas/adapters/state/scaled-job-state-store';
import type { ScalerConfig } from '../../lambdas/config/scaler-config';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import { runTick } from '../../lambdas/pod-scaler/tick';
import type { ScaleUpNotice, TickDependencies, TriggerReader } from '../../lambdas/pod-scaler/tick-types';
import { TriggerError } from '../../lambdas/triggers/trigger-definition';
import { CLUSTER, FakeClock, REGION } from './harness';
import { MemoryCluster } from './memory-cluster';
import { MemoryJobs } from './memory-jobs';

const START = Date.UTC(2026, 10, 22, 12, 0, 0);
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/111122223333/renders';

function scaledJob(options: { name?: string; namespace?: string; max?: number; polling?: number; extra?: string } = {}): string {
  return `
apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata: { name: ${options.name ?? 'render'}, namespace: ${options.namespace ?? 'media'} }
spec:
  pollingInterval: ${options.polling ?? 30}
  maxReplicaCount: ${options.max ?? 10}
  successfulJobsHistoryLimit: 2
  failedJobsHistoryLimit: 1
${options.extra ?? ''}
  jobTargetRef:
    parallelism: 1
    template:
      spec:
        containers:
          - name: worker
            image: public.ecr.aws/docker/library/busybox:1.36
            resources: { requests: { cpu: 500m, memory: 256Mi } }
  triggers:
    - type: aws-sqs-queue
      metadata: { queueURL: ${QUEUE}, queueLength: "1", awsRegion: ${REGION} }
`;
}

function configOf(yaml: string): ScalerConfig {
  const parsed = parseManifests(yaml, { file: 'jobs.yaml' });
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map((issue) => issue.message).join('\n'));
  return { defaultCluster: { name: CLUSTER, region: REGION }, clusters: [], scaledObjects: parsed.objects, scaledJobs: parsed.scaledJobs, nodeGroups: [], hpaSyncPeriodSeconds: 0 };
}

interface World {
  deps: TickDependencies;
  jobs: MemoryJobs;
  states: MemoryScaledJobStateStore;
  clock: FakeClock;
  notices: ScaleUpNotice[][];
  /** Messages waiting in the queue, as the next read answers. */
  backlog: { messages: number | 'fail' };
}

function world(yaml: string): World {
  const clock = new FakeClock(START);
  const jobs = new MemoryJobs();
  const states = new MemoryScaledJobStateStore();
  const notices: ScaleUpNotice[][] = [];
  const backlog: World['backlog'] = { messages: 0 };
  const readTriggers: TriggerReader = async (items) => ({
    readings: new Map(
      items.map((item) => [
        item.id,
        backlog.messages === 'fail' ? new TriggerError('AccessDenied on GetQueueAttributes', 'ReadFailed') : { service: 'sqs' as const, attributes: { ApproximateNumberOfMessages: String(backlog.messages), ApproximateNumberOfMessagesNotVisible: '0', ApproximateNumberOfMessagesDelayed: '0' } },
      ]),
    ),
    calls: { sqs: 1 },
  });
  const cluster = new MemoryCluster();
  const deps: TickDependencies = {
    config: configOf(yaml),
    clock,
    stateStore: new MemoryStateStore(),
    scaleTargets: async () => cluster,
    readTriggers,
    jobs: async () => jobs,
    scaledJobStates: states,
    onScaleUps: async (sent) => void notices.push(sent),
  };
  return { deps, jobs, states, clock, notices, backlog };
}

/** One scheduled minute from the world's current time. */
const tick = (w: World, windowMs = 60_000) => runTick(w.deps, { deadline: w.clock.now() + 55_000, windowMs });

describe('ScaledJobs in the tick', () => {
  it('creates one Job per message, capped at maxReplicaCount, and tells the node scaler about their pods', async () => {
    const w = world(scaledJob({ max: 4 }));
    w.backlog.messages = 7;
    const summary = await tick(w, 1);
    expect(summary.scaledJobs).toMatchObject({ polls: 1, created: 4, errors: 0 });
    expect(w.jobs.of('render').map((job) => job.name)).toEqual(['render-1-0', 'render-1-1', 'render-1-2', 'render-1-3']);
    const manifest = w.jobs.of('render')[0]!.manifest as { metadata: { labels: Record<string, string> }; spec: { template: { metadata: { labels: Record<string, string> }; spec: { restartPolicy: string } } } };
    expect(manifest.metadata.labels).toMatchObject({ 'scaledjob.keda.sh/name': 'render', 'eks-lambda-scaler.io/scaledjob-poll': '1' });
    expect(manifest.spec.template.metadata.labels).toMatchObject({ 'scaledjob.keda.sh/name': 'render', 'eks-lambda-scaler.io/scaledjob-poll': '1' });
    // scale_jobs.go generateJobs: a template without restartPolicy gets OnFailure (a Job refuses Always).
    expect(manifest.spec.template.spec.restartPolicy).toBe('OnFailure');
    expect(w.notices).toEqual([
      [
        expect.objectContaining({
          cluster: CLUSTER,
          namespace: 'media',
          kind: 'Job',
          name: 'render',
          fromReplicas: 0,
          toReplicas: 4,
          jobPods: { template: expect.objectContaining({ containers: expect.any(Array) }), selector: { 'scaledjob.keda.sh/name': 'render', 'eks-lambda-scaler.io/scaledjob-poll': '1' } },
        }),
      ],
    ]);
  });

  it('counts the Jobs still running at the next poll (default strategy: maxScale − running)', async () => {
    const w = world(scaledJob({ max: 10 }));
    w.backlog.messages = 3;
    await tick(w, 1);
    expect(w.jobs.of('render', true)).toHaveLength(3);
    // Two of the three are still running, one finished; the queue now holds 5 (3 in flight + 2 new).
    w.jobs.of('render')[0]!.outcome = 'Complete';
    w.backlog.messages = 5;
    w.clock.advance(30_000);
    const summary = await tick(w, 1);
    expect(summary.scaledJobs?.results[0]).toMatchObject({ running: 2, created: 3 });
    expect(w.jobs.of('render', true)).toHaveLength(5);
  });

  it('polls every pollingInterval inside the window', async () => {
    const w = world(scaledJob({ polling: 20 }));
    w.backlog.messages = 1;
    const summary = await tick(w);
    // Offsets 0, 20 and 40 s; each poll finds the previous Job still running and the same message (default strategy).
    expect(summary.scaledJobs?.polls).toBe(3);
    expect(summary.scaledJobs?.created).toBe(1);
  });

  it('cleans finished Jobs down to successfulJobsHistoryLimit and failedJobsHistoryLimit, oldest first, in the background', async () => {
    const w = world(scaledJob({ max: 10 }));
    w.backlog.messages = 5;
    await tick(w, 1);
    const made = w.jobs.of('render');
    made.slice(0, 3).forEach((job, index) => Object.assign(job, { outcome: 'Complete', completionTime: new Date(START + index * 1000).toISOString() }));
    made.slice(3).forEach((job, index) => Object.assign(job, { outcome: 'Failed', completionTime: new Date(START + index * 1000).toISOString() }));
    w.backlog.messages = 0;
    w.clock.advance(30_000);
    const summary = await tick(w, 1);
    expect(summary.scaledJobs?.deleted).toBe(2);
    expect(w.jobs.deleted).toEqual([
      { name: 'render-1-0', propagationPolicy: 'Background' },
      { name: 'render-1-3', propagationPolicy: 'Background' },
    ]);
  });

  it('two overlapping invocations of the same poll create its Jobs once', async () => {
    const w = world(scaledJob({ max: 10 }));
    w.backlog.messages = 3;
    const [first, second] = await Promise.all([tick(w, 1), tick(w, 1)]);
    expect(w.jobs.of('render')).toHaveLength(3);
    expect([first.scaledJobs?.overlapped, second.scaledJobs?.overlapped].sort()).toEqual([0, 1]);
    expect((first.scaledJobs?.created ?? 0) + (second.scaledJobs?.created ?? 0)).toBe(3);
  });

  it('a repeated create of a poll (state lost after the claim) answers AlreadyExists and makes no second Job', async () => {
    const w = world(scaledJob({ max: 10 }));
    w.backlog.messages = 2;
    await tick(w, 1);
    // The claim is undone, as if the invocation's write had been lost and the poll made again.
    w.states.items.delete(scaledJobStateKey(CLUSTER, 'media', 'render'));
    w.clock.advance(30_000);
    const summary = await tick(w, 1);
    expect(w.jobs.creates).toBe(2 + 0);
    expect(summary.scaledJobs?.results[0]).toMatchObject({ running: 2, created: 0 });
    expect(w.jobs.of('render')).toHaveLength(2);
  });

  it('a ScaledJob whose Jobs cannot be listed fails alone; the other is polled', async () => {
    const w = world(`${scaledJob({ name: 'render', namespace: 'media' })}\n---\n${scaledJob({ name: 'thumbs', namespace: 'images' })}`);
    w.jobs.forbidden.add('media');
    w.backlog.messages = 2;
    const summary = await tick(w, 1);
    const byId = new Map(summary.scaledJobs!.results.map((result) => [result.objectId, result]));
    expect(byId.get('media/render')).toMatchObject({ status: 'error', created: 0 });
    expect(byId.get('media/render')?.error).toContain('forbidden');
    expect(byId.get('images/thumbs')).toMatchObject({ status: 'active', created: 2 });
    expect(summary.errors).toBe(1);
  });

  it('a trigger that fails creates nothing and says so (KEDA: Ready False, TriggerError)', async () => {
    const w = world(scaledJob());
    w.backlog.messages = 'fail';
    const summary = await tick(w, 1);
    expect(summary.scaledJobs?.results[0]).toMatchObject({ status: 'error', created: 0, triggersFailing: 'all' });
    expect(w.jobs.of('render')).toHaveLength(0);
  });

  it('a paused ScaledJob creates nothing and reads nothing', async () => {
    const w = world(scaledJob({}).replace('metadata: { name: render, namespace: media }', 'metadata: { name: render, namespace: media, annotations: { autoscaling.keda.sh/paused: "true" } }'));
    w.backlog.messages = 4;
    const summary = await tick(w, 1);
    expect(summary.scaledJobs?.results[0]).toMatchObject({ status: 'paused', created: 0 });
    expect(w.jobs.lists).toBe(0);
  });

  it.each([
    { rollout: '', deleted: [{ name: 'render-old', propagationPolicy: 'Background' }], source: 'scaledjob_controller.go deletePreviousVersionScaleJobs: default (immediate) deletes, background' },
    { rollout: '  rollout: { propagationPolicy: foreground }', deleted: [{ name: 'render-old', propagationPolicy: 'Foreground' }], source: 'same, rollout.propagationPolicy foreground' },
    { rollout: '  rollout: { strategy: gradual }', deleted: [], source: 'same, gradual: "Not deleting jobs owned by the previous version"' },
  ])('a cluster ScaledJob of a newer generation: $source', async ({ rollout, deleted }) => {
    const w = world(scaledJob({ extra: rollout }));
    w.deps.config.scaledJobs = w.deps.config.scaledJobs!.map((spec) => ({ ...spec, generation: 2 }));
    w.jobs.jobs.set('media/render-old', {
      namespace: 'media',
      name: 'render-old',
      manifest: { metadata: { name: 'render-old', labels: { 'scaledjob.keda.sh/name': 'render' }, annotations: { 'scaledjob.keda.sh/generation': '1' } } },
    });
    w.backlog.messages = 1;
    const summary = await tick(w, 1);
    expect(w.jobs.deleted).toEqual(deleted);
    // The deleted Job no longer counts as running: the poll creates one for the message.
    expect(summary.scaledJobs?.results[0]).toMatchObject({ running: deleted.length === 0 ? 1 : 0, created: deleted.length === 0 ? 0 : 1 });
    const made = w.jobs.of('render').find((job) => job.name !== 'render-old');
    if (made) expect((made.manifest.metadata as { annotations: Record<string, string> }).annotations['scaledjob.keda.sh/generation']).toBe('2');
  });

  it('shards and alarm evaluations leave ScaledJobs to the scheduled invocation', async () => {
    const w = world(scaledJob());
    w.backlog.messages = 4;
    const summary = await runTick(w.deps, { deadline: START + 55_000, onlyObjects: ['shop/web'], windowMs: 0 });
    expect(summary.scaledJobs).toBeUndefined();
    expect(w.jobs.of('render')).toHaveLength(0);
  });
});
