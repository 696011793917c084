/**
 * Running and pending Jobs of a ScaledJob, as KEDA counts them (scale_jobs.go getRunningJobCount,
 * getPendingJobCount, isAnyPodRunningOrCompleted, areAllPendingPodConditionsFulfilled). Pure over
 * the Jobs and their pods as plain data; the adapter lists them (label `job-name` for pods).
 */

export interface CountedPod {
  /** status.phase: Pending, Running, Succeeded, Failed, Unknown. */
  phase?: string;
  /** status.conditions types whose status is "True". */
  trueConditions: readonly string[];
}

export interface CountedJob {
  /** True when a Complete or Failed condition is True. */
  finished: boolean;
  pods: readonly CountedPod[];
}

export interface JobCounts {
  running: number;
  pending: number;
}

export function countScaledJobJobs(jobs: readonly CountedJob[], pendingPodConditions: readonly string[]): JobCounts {
  let running = 0;
  let pending = 0;
  for (const job of jobs) {
    if (job.finished) continue;
    running++;
    if (isJobPending(job, pendingPodConditions)) pending++;
  }
  return { running, pending };
}

/** Not pending once a pod has every listed condition True; with none listed, once a pod runs or succeeded. */
export function isJobPending(job: CountedJob, pendingPodConditions: readonly string[]): boolean {
  if (pendingPodConditions.length > 0) {
    const required = new Set(pendingPodConditions);
    return !job.pods.some((pod) => new Set(pod.trueConditions.filter((type) => required.has(type))).size === required.size);
  }
  return !job.pods.some((pod) => pod.phase === 'Succeeded' || pod.phase === 'Running');
}
