/**
 * What the ScaledJob pass needs from a cluster: the Jobs the ScaledJobs of a namespace own, and
 * creating and deleting Jobs. The real implementation is `kubernetes-jobs-api.ts` (batch/v1 over
 * kubernetes-rest.ts); tests drive it against a real kube-apiserver.
 */
import type { OwnedJob } from '../../engine/keda/scaled-job-jobs';

export type PropagationPolicy = 'Foreground' | 'Background';

export interface JobsApi {
  /**
   * Every Job of the namespace labelled `scaledjob.keda.sh/name`, with the pods of the unfinished
   * ones, grouped by ScaledJob name. One Job LIST and at most one pod LIST per namespace per pass,
   * whatever the number of ScaledJobs in it.
   */
  ownedJobs(namespace: string): Promise<Map<string, OwnedJob[]>>;
  /** Creates the Job; `exists` when a Job of that name is already there (409: this poll already made it). */
  createJob(namespace: string, manifest: Record<string, unknown>): Promise<'created' | 'exists'>;
  /** Deletes the Job and, by the policy, its pods; a Job already gone is not an error. */
  deleteJob(namespace: string, name: string, propagationPolicy: PropagationPolicy): Promise<void>;
}
