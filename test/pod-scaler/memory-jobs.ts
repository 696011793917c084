/**
 * An in-memory Jobs port for tick tests whose subject is the ScaledJob pass (scheduling, claims,
 * counts, history, notices), not the Kubernetes adapter (kubernetes-jobs-api.ts is tested against
 * the real kube-apiserver in test/real-servers/scaled-job-jobs-api.test.ts). Names are unique per
 * namespace, as the API server keeps them: a second create of a name answers `exists`.
 */
import type { JobsApi, PropagationPolicy } from '../../lambdas/adapters/kubernetes/jobs-api';
import type { OwnedJob } from '../../lambdas/engine/keda/scaled-job-jobs';

export interface MemoryJob {
  namespace: string;
  name: string;
  manifest: Record<string, unknown>;
  /** Set by the test: the Job finished. */
  outcome?: 'Complete' | 'Failed';
  completionTime?: string;
  /** Set by the test: a pod of the Job runs. */
  podPhase?: string;
}

export class MemoryJobs implements JobsApi {
  readonly jobs = new Map<string, MemoryJob>();
  readonly deleted: { name: string; propagationPolicy: PropagationPolicy }[] = [];
  creates = 0;
  lists = 0;
  /** Namespaces whose list fails (403), as a missing RBAC rule would. */
  readonly forbidden = new Set<string>();

  async ownedJobs(namespace: string): Promise<Map<string, OwnedJob[]>> {
    this.lists += 1;
    if (this.forbidden.has(namespace)) throw new Error(`forbidden: list jobs.batch in namespace ${namespace}`);
    const byScaledJob = new Map<string, OwnedJob[]>();
    for (const job of this.jobs.values()) {
      if (job.namespace !== namespace) continue;
      const metadata = job.manifest.metadata as { labels: Record<string, string>; annotations?: Record<string, string> };
      const scaledJob = metadata.labels['scaledjob.keda.sh/name']!;
      const generation = metadata.annotations?.['scaledjob.keda.sh/generation'];
      const owned: OwnedJob = {
        name: job.name,
        namespace,
        scaledJob,
        ...(job.outcome ? { outcome: job.outcome } : {}),
        ...(job.completionTime ? { completionTime: job.completionTime } : {}),
        ...(generation === undefined ? {} : { generation }),
        pods: job.podPhase ? [{ phase: job.podPhase, trueConditions: [] }] : [],
      };
      byScaledJob.set(scaledJob, [...(byScaledJob.get(scaledJob) ?? []), owned]);
    }
    return byScaledJob;
  }

  async createJob(namespace: string, manifest: Record<string, unknown>): Promise<'created' | 'exists'> {
    this.creates += 1;
    const name = (manifest.metadata as { name: string }).name;
    const id = `${namespace}/${name}`;
    if (this.jobs.has(id)) return 'exists';
    this.jobs.set(id, { namespace, name, manifest });
    return 'created';
  }

  async deleteJob(namespace: string, name: string, propagationPolicy: PropagationPolicy): Promise<void> {
    this.jobs.delete(`${namespace}/${name}`);
    this.deleted.push({ name, propagationPolicy });
  }

  /** Jobs of a ScaledJob, unfinished ones only when `running`. */
  of(scaledJob: string, running = false): MemoryJob[] {
    return [...this.jobs.values()].filter(
      (job) => (job.manifest.metadata as { labels: Record<string, string> }).labels['scaledjob.keda.sh/name'] === scaledJob && (!running || !job.outcome),
    );
  }
}
