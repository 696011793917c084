/**
 * Which finished Jobs of a ScaledJob to delete so at most `successfulJobsHistoryLimit` Complete and
 * `failedJobsHistoryLimit` Failed Jobs remain, oldest first (KEDA's scale_jobs.go cleanUp and
 * deleteJobsWithHistoryLimit). Pure: the Job list in, names out.
 *
 * Beyond KEDA: KEDA orders by status.completionTime, which a Failed Job never has, so which failed
 * Jobs it deletes is arbitrary. Here a Job without completionTime is ordered by when it finished
 * (its Complete/Failed condition's lastTransitionTime), then by creation time, then by name, so the
 * choice is always the oldest and is the same on every invocation.
 */

export type FinishedOutcome = 'Complete' | 'Failed';

/** The parts of a batch/v1 Job the selection reads. */
export interface HistoryJob {
  name: string;
  /** The finished condition that is True, if any (running Jobs are never deleted). */
  outcome?: FinishedOutcome;
  /** status.completionTime (RFC 3339). */
  completionTime?: string;
  /** lastTransitionTime of the True Complete/Failed condition. */
  finishedAt?: string;
  /** metadata.creationTimestamp. */
  createdAt?: string;
}

export interface HistoryLimits {
  successfulJobsHistoryLimit: number;
  failedJobsHistoryLimit: number;
}

export interface HistoryDeletion {
  name: string;
  outcome: FinishedOutcome;
}

/** The Jobs to delete, oldest first, Complete ones before Failed ones (KEDA's order of calls). */
export function selectHistoryJobsToDelete(jobs: readonly HistoryJob[], limits: HistoryLimits): HistoryDeletion[] {
  const excess = (outcome: FinishedOutcome, limit: number): HistoryDeletion[] => {
    const finished = jobs.filter((job) => job.outcome === outcome).sort(oldestFirst);
    if (finished.length <= limit) return [];
    return finished.slice(0, finished.length - limit).map((job) => ({ name: job.name, outcome }));
  };
  return [...excess('Complete', limits.successfulJobsHistoryLimit), ...excess('Failed', limits.failedJobsHistoryLimit)];
}

function oldestFirst(a: HistoryJob, b: HistoryJob): number {
  return compareTime(finishTime(a), finishTime(b)) || compareTime(a.createdAt, b.createdAt) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

function finishTime(job: HistoryJob): string | undefined {
  return job.completionTime ?? job.finishedAt;
}

/** Unknown times sort first: a Job whose finish time is unknown is treated as the oldest. */
function compareTime(a: string | undefined, b: string | undefined): number {
  const left = a === undefined ? Number.NEGATIVE_INFINITY : Date.parse(a);
  const right = b === undefined ? Number.NEGATIVE_INFINITY : Date.parse(b);
  const l = Number.isNaN(left) ? Number.NEGATIVE_INFINITY : left;
  const r = Number.isNaN(right) ? Number.NEGATIVE_INFINITY : right;
  return l === r ? 0 : l < r ? -1 : 1;
}
