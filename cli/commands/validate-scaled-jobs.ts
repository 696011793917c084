/**
 * How `validate` shows a ScaledJob that parsed: one `ok` line (the Job count range, the strategy and
 * the triggers), and its entry in the `-o json|yaml` document.
 */
import type { LoadedScaledJob } from '../manifests';

/** `ok  media/thumbnails  (examples/sqs-scaledjob.yaml: ScaledJob, 0-50 Jobs, strategy accurate, aws-sqs-queue)`. */
export function describeScaledJob({ job, file }: LoadedScaledJob, wide: boolean): string {
  const triggers = job.triggers.map((t) => (wide ? `${t.type} ${t.metricName} target ${t.target}` : t.type)).join(', ');
  const paused = job.paused ? ', paused' : '';
  return `ok  ${job.id}  (${file}: ScaledJob, ${job.minReplicaCount}-${job.maxReplicaCount} Jobs, strategy ${job.scalingStrategy.strategy}${paused}, ${triggers})`;
}

export function scaledJobDocument({ job, file }: LoadedScaledJob): Record<string, unknown> {
  return {
    id: job.id,
    file,
    ...(job.cluster ? { cluster: job.cluster } : {}),
    minReplicaCount: job.minReplicaCount,
    maxReplicaCount: job.maxReplicaCount,
    pollingInterval: job.pollingInterval,
    scalingStrategy: job.scalingStrategy,
    successfulJobsHistoryLimit: job.successfulJobsHistoryLimit,
    failedJobsHistoryLimit: job.failedJobsHistoryLimit,
    paused: job.paused,
    triggers: job.triggers.map((t) => ({ type: t.type, metricName: t.metricName, target: t.target })),
  };
}
