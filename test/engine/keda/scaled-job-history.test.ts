/**
 * History cleanup and the running/pending counts, against KEDA v2.20's
 * `pkg/scaling/executor/scale_jobs_test.go` (TestCleanUp*, TestGetPendingJobCount,
 * TestAreAllPendingPodConditionsFulfilledBugScenario). Rows citing scale_jobs.go pin behaviour
 * upstream has no test for; rows marked "beyond KEDA" are our documented choice.
 */
import { describe, expect, it } from 'vitest';
import { selectHistoryJobsToDelete, type HistoryJob } from '../../../lambdas/engine/keda/scaled-job-history';
import { countScaledJobJobs, type CountedPod } from '../../../lambdas/engine/keda/scaled-job-counts';

const complete = (name: string, completionTime: string): HistoryJob => ({ name, outcome: 'Complete', completionTime });
const failed = (name: string, finishedAt: string): HistoryJob => ({ name, outcome: 'Failed', finishedAt });

describe('selectHistoryJobsToDelete', () => {
  const rows: { name: string; jobs: HistoryJob[]; successful: number; failed: number; deleted: string[]; source: string }[] = [
    {
      name: 'the oldest Complete Job over the limit',
      jobs: [complete('name1', '2020-07-29T15:37:00Z'), complete('name2', '2020-07-29T15:36:00Z'), complete('name3', '2020-07-29T15:38:00Z')],
      successful: 2, failed: 2, deleted: ['name2'], source: 'scale_jobs_test.go TestCleanUpNormalCase',
    },
    {
      name: 'Complete and Failed each to their own limit, oldest first',
      jobs: [
        complete('success1', '2020-07-29T15:37:00Z'), complete('success2', '2020-07-29T15:36:00Z'), complete('success3', '2020-07-29T15:35:00Z'),
        failed('fail1', '2020-07-29T15:37:00Z'), failed('fail2', '2020-07-29T15:36:00Z'), failed('fail3', '2020-07-29T15:38:00Z'),
      ],
      successful: 1, failed: 2, deleted: ['success3', 'success2', 'fail2'], source: 'scale_jobs_test.go TestCleanUpMixedCaseWithSortByTime',
    },
    {
      name: 'defaults of 100 each',
      jobs: [
        complete('success0', '2020-07-29T15:35:00Z'),
        ...Array.from({ length: 100 }, (_, i) => complete(`success${i + 1}`, '2020-07-29T15:40:00Z')),
        failed('fail101', '2020-07-29T15:35:00Z'),
        ...Array.from({ length: 100 }, (_, i) => failed(`fail${i + 102}`, '2020-07-29T15:40:00Z')),
      ],
      successful: 100, failed: 100, deleted: ['success0', 'fail101'], source: 'scale_jobs_test.go TestCleanUpDefaultValue',
    },
    { name: 'limit 0 deletes every finished Job', jobs: [complete('a', '2020-07-29T15:35:00Z'), failed('b', '2020-07-29T15:35:00Z')], successful: 0, failed: 0, deleted: ['a', 'b'], source: 'scale_jobs.go deleteJobsWithHistoryLimit' },
    { name: 'running Jobs are never deleted', jobs: [{ name: 'running' }, complete('done', '2020-07-29T15:35:00Z')], successful: 0, failed: 0, deleted: ['done'], source: 'scale_jobs.go cleanUp: only Complete/Failed' },
    {
      name: 'a Failed Job without completionTime is ordered by when it failed, then by creation',
      jobs: [{ name: 'late', outcome: 'Failed', finishedAt: '2020-07-29T15:40:00Z' }, { name: 'b', outcome: 'Failed', createdAt: '2020-07-29T15:01:00Z' }, { name: 'a', outcome: 'Failed', createdAt: '2020-07-29T15:00:00Z' }],
      successful: 100, failed: 1, deleted: ['a', 'b'], source: 'beyond KEDA: byCompletedTime leaves Failed Jobs (no completionTime) in arbitrary order',
    },
  ];
  it.each(rows)('$name ($source)', ({ jobs, successful, failed: failedLimit, deleted }) => {
    const selected = selectHistoryJobsToDelete(jobs, { successfulJobsHistoryLimit: successful, failedJobsHistoryLimit: failedLimit });
    expect(selected.map((job) => job.name)).toEqual(deleted);
  });
});

describe('countScaledJobJobs: pending Jobs', () => {
  const conditions = ['Ready', 'PodScheduled'];
  const pod = (phase: string | undefined, trueConditions: string[] = []): CountedPod => ({ ...(phase ? { phase } : {}), trueConditions });
  const rows: { pods: CountedPod[]; conditions: string[]; pending: number; source: string }[] = [
    { pods: [pod('Succeeded')], conditions: [], pending: 0, source: 'scale_jobs_test.go TestGetPendingJobCount (PodSucceeded)' },
    { pods: [pod('Running')], conditions: [], pending: 0, source: 'scale_jobs_test.go TestGetPendingJobCount (PodRunning)' },
    { pods: [pod('Failed')], conditions: [], pending: 1, source: 'scale_jobs_test.go TestGetPendingJobCount (PodFailed)' },
    { pods: [pod('Pending')], conditions: [], pending: 1, source: 'scale_jobs_test.go TestGetPendingJobCount (PodPending)' },
    { pods: [pod('Unknown')], conditions: [], pending: 1, source: 'scale_jobs_test.go TestGetPendingJobCount (PodUnknown)' },
    { pods: [], conditions: [], pending: 1, source: 'scale_jobs.go isAnyPodRunningOrCompleted: no pod yet' },
    { pods: [pod(undefined)], conditions, pending: 1, source: 'scale_jobs_test.go TestGetPendingJobCount (no conditions)' },
    { pods: [pod(undefined, ['Ready'])], conditions, pending: 1, source: 'scale_jobs_test.go TestGetPendingJobCount (Ready only)' },
    { pods: [pod(undefined, ['PodScheduled'])], conditions, pending: 1, source: 'scale_jobs_test.go TestGetPendingJobCount (PodScheduled only)' },
    { pods: [pod(undefined, ['Ready', 'PodScheduled'])], conditions, pending: 0, source: 'scale_jobs_test.go TestGetPendingJobCount (both)' },
    { pods: [pod(undefined, ['Ready', 'PodScheduled']), pod(undefined, ['Ready', 'PodScheduled'])], conditions, pending: 0, source: 'scale_jobs_test.go TestAreAllPendingPodConditionsFulfilledBugScenario' },
    { pods: [pod(undefined, ['Ready', 'PodScheduled']), pod(undefined, ['Ready'])], conditions, pending: 0, source: 'scale_jobs_test.go TestGetPendingJobCount (2 pods, 1 has all)' },
    { pods: [pod(undefined, ['Ready']), pod(undefined, ['PodScheduled'])], conditions, pending: 1, source: 'scale_jobs_test.go TestGetPendingJobCount (2 pods, neither has all)' },
    { pods: [pod(undefined), pod(undefined, ['Ready']), pod(undefined, ['Ready', 'PodScheduled'])], conditions, pending: 0, source: 'scale_jobs_test.go TestGetPendingJobCount (3 pods, 1 has all)' },
    { pods: [pod(undefined), pod(undefined, ['Ready']), pod(undefined, ['PodScheduled'])], conditions, pending: 1, source: 'scale_jobs_test.go TestGetPendingJobCount (3 pods, none has all)' },
    { pods: [pod('Running', ['Ready'])], conditions: [], pending: 0, source: 'scale_jobs_test.go TestGetPendingJobCount (empty conditions list)' },
  ];
  it.each(rows)('$source', ({ pods, conditions: required, pending }) => {
    expect(countScaledJobJobs([{ finished: false, pods }], required)).toEqual({ running: 1, pending });
  });

  it('finished Jobs are neither running nor pending (scale_jobs.go isJobFinished)', () => {
    expect(countScaledJobJobs([{ finished: true, pods: [] }, { finished: false, pods: [pod('Running')] }], [])).toEqual({ running: 1, pending: 0 });
  });
});
