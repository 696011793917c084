/**
 * The Jobs adapter (lambdas/adapters/kubernetes/kubernetes-jobs-api.ts) against a real
 * kube-apiserver, reached as the pod scaler's IAM identity (EKS token) with deploy/rbac.yaml
 * applied: the server validates the Jobs it creates, enforces the names (409 AlreadyExists),
 * applies the label selectors and the propagation policy, and refuses what RBAC does not grant.
 * No controller manager runs: the tests write Job and pod status as the controllers would.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesJobsApi } from '../../lambdas/adapters/kubernetes/kubernetes-jobs-api';
import { jobManifest, jobName } from '../../lambdas/engine/keda/scaled-job-jobs';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import type { ScaledJobSpec } from '../../lambdas/engine/spec/scaled-job';
import {
  NODE_SCALER_IDENTITY,
  POD_SCALER_IDENTITY,
  REAL_KUBE_SKIP,
  REAL_KUBE_START_TIMEOUT_MS,
  startRealKubeApiServer,
  type RealKubeApiServer,
} from '../support/real-kube-apiserver';

const RBAC_YAML = readFileSync(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8');
const NAMESPACE = 'media';

const spec: ScaledJobSpec = parseManifests(`
apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata: { name: render, namespace: ${NAMESPACE}, labels: { team: video } }
spec:
  jobTargetRef:
    parallelism: 1
    template:
      spec:
        containers: [{ name: worker, image: public.ecr.aws/docker/library/busybox:1.36 }]
  triggers:
    - type: aws-sqs-queue
      metadata: { queueURL: "https://sqs.us-east-1.amazonaws.com/111122223333/renders", queueLength: "1", awsRegion: us-east-1 }
`).scaledJobs[0]!;

describe.skipIf(REAL_KUBE_SKIP)('the Jobs adapter on a real kube-apiserver', () => {
  let kube: RealKubeApiServer;
  let api: KubernetesJobsApi;

  beforeAll(async () => {
    kube = await startRealKubeApiServer({ identities: [POD_SCALER_IDENTITY, NODE_SCALER_IDENTITY] });
    await kube.apply(RBAC_YAML);
    await kube.apply(`{apiVersion: v1, kind: Namespace, metadata: {name: ${NAMESPACE}}}`);
    api = new KubernetesJobsApi(kube.kubeConfigAs(POD_SCALER_IDENTITY));
  }, REAL_KUBE_START_TIMEOUT_MS);

  afterAll(async () => {
    await kube?.close();
  });

  it('creates the Job KEDA would (the server accepts it), and a second create of the same name answers exists', async () => {
    const name = jobName('render', 1, 0);
    expect(await api.createJob(NAMESPACE, jobManifest(spec, name, 1))).toBe('created');
    expect(await api.createJob(NAMESPACE, jobManifest(spec, name, 1))).toBe('exists');
    const stored = await kube.read<{ apiVersion: string; kind: string; metadata: { labels: Record<string, string> }; spec: { template: { metadata: { labels: Record<string, string> }; spec: { restartPolicy: string } } } }>(
      'batch/v1',
      'Job',
      NAMESPACE,
      name,
    );
    expect(stored?.metadata.labels).toMatchObject({ 'scaledjob.keda.sh/name': 'render', team: 'video', 'app.kubernetes.io/managed-by': 'eks-lambda-scaler' });
    // The server adds its own selector labels to the template; ours stay.
    expect(stored?.spec.template.metadata.labels).toMatchObject({ 'scaledjob.keda.sh/name': 'render', 'job-name': name });
    expect(stored?.spec.template.spec.restartPolicy).toBe('OnFailure');
  });

  it("lists the ScaledJobs' Jobs of a namespace with the pods of the unfinished ones, as KEDA counts them", async () => {
    const running = jobName('render', 2, 0);
    const waiting = jobName('render', 2, 1);
    const done = jobName('render', 2, 2);
    for (const name of [running, waiting, done]) await api.createJob(NAMESPACE, jobManifest(spec, name, 2));
    // A pod that runs, for `running` (the Job controller would make it; none runs here).
    const [pod] = await kube.apply([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${running}-pod`, namespace: NAMESPACE, labels: { 'scaledjob.keda.sh/name': 'render', 'job-name': running } },
        spec: { restartPolicy: 'OnFailure', containers: [{ name: 'worker', image: 'public.ecr.aws/docker/library/busybox:1.36' }] },
      } as never,
    ]);
    await kube.writeStatus(pod!, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }] });
    const finishedAt = new Date(Date.UTC(2026, 10, 22, 11, 0, 0)).toISOString();
    const doneJob = await kube.read('batch/v1', 'Job', NAMESPACE, done);
    await kube.writeStatus(doneJob!, {
      startTime: finishedAt,
      completionTime: finishedAt,
      succeeded: 1,
      ready: 0,
      terminating: 0,
      uncountedTerminatedPods: {},
      conditions: [
        { type: 'SuccessCriteriaMet', status: 'True', lastTransitionTime: finishedAt, lastProbeTime: finishedAt },
        { type: 'Complete', status: 'True', lastTransitionTime: finishedAt, lastProbeTime: finishedAt },
      ],
    });

    const owned = (await api.ownedJobs(NAMESPACE)).get('render') ?? [];
    const byName = new Map(owned.map((job) => [job.name, job]));
    expect(byName.get(running)).toMatchObject({ scaledJob: 'render', pods: [{ phase: 'Running', trueConditions: ['Ready', 'PodScheduled'] }] });
    expect(byName.get(running)?.outcome).toBeUndefined();
    expect(byName.get(waiting)).toMatchObject({ pods: [] });
    expect(byName.get(done)).toMatchObject({ outcome: 'Complete', completionTime: '2026-11-22T11:00:00Z' });
  });

  it('deletes a Job with the propagation policy, and a Job already gone is not an error', async () => {
    const name = jobName('render', 3, 0);
    await api.createJob(NAMESPACE, jobManifest(spec, name, 3));
    await api.deleteJob(NAMESPACE, name, 'Background');
    expect(await kube.read('batch/v1', 'Job', NAMESPACE, name)).toBeUndefined();
    await expect(api.deleteJob(NAMESPACE, name, 'Foreground')).resolves.toBeUndefined();
  });

  it('names the RBAC rule to add when its group may not list Jobs', async () => {
    const refused = new KubernetesJobsApi(kube.kubeConfigAs(NODE_SCALER_IDENTITY));
    await expect(refused.ownedJobs(NAMESPACE)).rejects.toThrow(/forbidden.*apiGroups: \["batch"\], resources: \["jobs"\], verbs: \["list"\]/s);
  });
});
