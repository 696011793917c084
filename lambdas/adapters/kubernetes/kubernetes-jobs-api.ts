/**
 * JobsApi over the real Kubernetes API (batch/v1 Jobs and core/v1 pods through kubernetes-rest.ts;
 * no generated client classes, test/infra/bundle-contents.test.ts enforces it).
 *
 * KEDA's executor LISTs the Jobs of each ScaledJob three times a poll and the pods of every
 * unfinished Job once or twice more (scale_jobs.go). Here one namespace costs one Job LIST
 * (selector: the `scaledjob.keda.sh/name` label exists) and, only when some Job is unfinished, one
 * pod LIST (same selector: KEDA puts the label on the pod template), taken once per pass and shared
 * by every ScaledJob of the namespace (docs/performance.md, the ScaledJob section).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { JOB_NAME_LABEL, type OwnedJob } from '../../engine/keda/scaled-job-jobs';
import type { CountedPod } from '../../engine/keda/scaled-job-counts';
import { SCALED_JOB_GENERATION_ANNOTATION, SCALED_JOB_NAME_LABEL } from '../../engine/spec/scaled-job';
import { ApiException } from './client-node-parts';
import { toKubernetesApiError, type ApiCall } from './kubernetes-api-errors';
import { KubernetesRest } from './kubernetes-rest';
import type { JobsApi, PropagationPolicy } from './jobs-api';
import { assertPathSegment } from './path-segments';
import { DEFAULT_KUBERNETES_CALL_TIMEOUT_MS, withRequestTimeout } from './request-timeout';

export interface KubernetesJobsApiOptions {
  now?: () => number;
  /** Longest one API request may take, ms (default DEFAULT_KUBERNETES_CALL_TIMEOUT_MS). */
  callTimeoutMs?: number;
  /** The tick's current pass: a namespace's lists answer that pass only. Without it, every call lists afresh. */
  passOf?: () => number;
}

interface JobLike {
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string };
  status?: { completionTime?: string; conditions?: { type?: string; status?: string; lastTransitionTime?: string }[] };
}

interface PodLike {
  metadata?: { labels?: Record<string, string> };
  status?: { phase?: string; conditions?: { type?: string; status?: string }[] };
}

export class KubernetesJobsApi implements JobsApi {
  private readonly rest: KubernetesRest;
  private readonly now: () => number;
  private readonly passOf: (() => number) | undefined;
  private readonly endpoint: string | undefined;
  private readonly lists = new Map<string, { pass: number; jobs: Promise<Map<string, OwnedJob[]>> }>();

  constructor(kubeConfig: KubeConfig, options: KubernetesJobsApiOptions = {}) {
    withRequestTimeout(kubeConfig, options.callTimeoutMs ?? DEFAULT_KUBERNETES_CALL_TIMEOUT_MS);
    this.endpoint = kubeConfig.getCurrentCluster()?.server;
    this.rest = new KubernetesRest(kubeConfig);
    this.now = options.now ?? Date.now;
    this.passOf = options.passOf;
  }

  /**
   * A ScaledJob is polled once per pass and counts only its own Jobs, so the creates and deletes of
   * the pass never make the pass's list wrong for another ScaledJob: it is not taken again.
   */
  ownedJobs(namespace: string): Promise<Map<string, OwnedJob[]>> {
    assertPathSegment(namespace, 'namespace');
    const pass = this.passOf?.();
    const cached = this.lists.get(namespace);
    if (pass !== undefined && cached?.pass === pass) return cached.jobs;
    const jobs = this.listOwnedJobs(namespace);
    if (pass !== undefined) {
      this.lists.set(namespace, { pass, jobs });
      // A failed list fails this pass's ScaledJobs of the namespace once, not once each; the next pass lists again.
      jobs.catch(() => undefined);
    }
    return jobs;
  }

  async createJob(namespace: string, manifest: Record<string, unknown>): Promise<'created' | 'exists'> {
    assertPathSegment(namespace, 'namespace');
    const name = (manifest.metadata as { name?: string } | undefined)?.name ?? '';
    try {
      await this.rest.create({ group: 'batch', version: 'v1', resource: 'jobs', namespace }, manifest);
      return 'created';
    } catch (error) {
      if (error instanceof ApiException && error.code === 409 && reasonOf(error.body) === 'AlreadyExists') return 'exists';
      throw toKubernetesApiError(error, { verb: 'create', group: 'batch', resource: 'jobs', namespace, object: `Job ${name}` }, this.now(), this.endpoint);
    }
  }

  async deleteJob(namespace: string, name: string, propagationPolicy: PropagationPolicy): Promise<void> {
    assertPathSegment(namespace, 'namespace');
    assertPathSegment(name, 'Job name');
    try {
      await this.rest.delete({ group: 'batch', version: 'v1', resource: 'jobs', namespace, name }, { propagationPolicy });
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return;
      throw toKubernetesApiError(error, { verb: 'delete', group: 'batch', resource: 'jobs', namespace, object: `Job ${name}` }, this.now(), this.endpoint);
    }
  }

  private async listOwnedJobs(namespace: string): Promise<Map<string, OwnedJob[]>> {
    const jobs = await this.call({ verb: 'list', group: 'batch', resource: 'jobs', namespace }, () =>
      this.rest.get<{ items?: JobLike[] }>({ group: 'batch', version: 'v1', resource: 'jobs', namespace }, { labelSelector: SCALED_JOB_NAME_LABEL }),
    );
    const owned = (jobs.items ?? []).map(ownedJobOf).filter((job): job is OwnedJob => job !== undefined);
    if (owned.some((job) => job.outcome === undefined)) {
      const pods = await this.call({ verb: 'list', group: '', resource: 'pods', namespace }, () =>
        this.rest.get<{ items?: PodLike[] }>({ group: '', version: 'v1', resource: 'pods', namespace }, { labelSelector: SCALED_JOB_NAME_LABEL }),
      );
      const byJob = new Map<string, CountedPod[]>();
      for (const pod of pods.items ?? []) {
        const job = pod.metadata?.labels?.[JOB_NAME_LABEL];
        if (job === undefined) continue;
        const trueConditions = (pod.status?.conditions ?? []).filter((condition) => condition.status === 'True' && condition.type).map((condition) => condition.type!);
        byJob.set(job, [...(byJob.get(job) ?? []), { ...(pod.status?.phase ? { phase: pod.status.phase } : {}), trueConditions }]);
      }
      for (const job of owned) job.pods = byJob.get(job.name) ?? [];
    }
    const byScaledJob = new Map<string, OwnedJob[]>();
    for (const job of owned) byScaledJob.set(job.scaledJob, [...(byScaledJob.get(job.scaledJob) ?? []), job]);
    return byScaledJob;
  }

  private async call<T>(call: ApiCall, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toKubernetesApiError(error, call, this.now(), this.endpoint);
    }
  }
}

function ownedJobOf(job: JobLike): OwnedJob | undefined {
  const name = job.metadata?.name;
  const scaledJob = job.metadata?.labels?.[SCALED_JOB_NAME_LABEL];
  if (!name || scaledJob === undefined) return undefined;
  // isJobFinished: a Complete or Failed condition with status True.
  const finished = (job.status?.conditions ?? []).find((condition) => (condition.type === 'Complete' || condition.type === 'Failed') && condition.status === 'True');
  const generation = job.metadata?.annotations?.[SCALED_JOB_GENERATION_ANNOTATION];
  return {
    name,
    namespace: job.metadata?.namespace ?? '',
    scaledJob,
    ...(finished ? { outcome: finished.type as 'Complete' | 'Failed' } : {}),
    ...(job.status?.completionTime ? { completionTime: job.status.completionTime } : {}),
    ...(finished?.lastTransitionTime ? { finishedAt: finished.lastTransitionTime } : {}),
    ...(job.metadata?.creationTimestamp ? { createdAt: job.metadata.creationTimestamp } : {}),
    ...(generation === undefined ? {} : { generation }),
    pods: [],
  };
}

function reasonOf(body: unknown): string | undefined {
  try {
    return (typeof body === 'string' ? (JSON.parse(body) as { reason?: string }) : (body as { reason?: string } | undefined))?.reason;
  } catch {
    return undefined;
  }
}
