/**
 * The Jobs of one ScaledJob as KEDA's executor sees them, and the Jobs a poll creates. Pure: the
 * adapter (adapters/kubernetes/kubernetes-jobs-api.ts) turns the API's Jobs and pods into
 * `OwnedJob`s, and sends the manifests built here.
 *
 * Upstream: kedacore/keda pkg/scaling/executor/scale_jobs.go (generateJobs; the counts and the
 * history selection are scaled-job-counts.ts and scaled-job-history.ts).
 */
import { SCALED_JOB_GENERATION_ANNOTATION, SCALED_JOB_NAME_LABEL, type ScaledJobSpec } from '../spec/scaled-job';
import type { CountedJob, CountedPod } from './scaled-job-counts';
import type { HistoryJob } from './scaled-job-history';

/** Our label on each created Job and its pods: the poll that created it, so the node scaler finds that batch's pods. */
export const SCALED_JOB_POLL_LABEL = 'eks-lambda-scaler.io/scaledjob-poll';
/** The Job controller's label on a Job's pods (KEDA lists a Job's pods by it). */
export const JOB_NAME_LABEL = 'job-name';
/** Kubernetes caps the Job name at 63 characters: it becomes the `job-name` label value of its pods. */
const MAX_JOB_NAME = 63;

/**
 * One Job labelled `scaledjob.keda.sh/name`, with what KEDA's executor reads of it: the history
 * fields (scaled-job-history.ts) and its pods (scaled-job-counts.ts; label `job-name`, read only
 * for unfinished Jobs).
 */
export interface OwnedJob extends HistoryJob {
  namespace: string;
  /** The `scaledjob.keda.sh/name` label value: the ScaledJob it belongs to. */
  scaledJob: string;
  /** The `scaledjob.keda.sh/generation` annotation, when present. */
  generation?: string;
  pods: CountedPod[];
}

/** The Jobs as KEDA's counts take them (a Complete or Failed condition True = finished). */
export function countedJobs(jobs: readonly OwnedJob[]): CountedJob[] {
  return jobs.map((job) => ({ finished: job.outcome !== undefined, pods: job.pods }));
}

/**
 * The name of the `index`th Job (from 0) of poll `sequence`: the same for every invocation that
 * makes that poll, so a second create of it answers 409 AlreadyExists instead of a second Job.
 * KEDA uses generateName (`<name>-<random>`); a random suffix could not be deduplicated.
 */
export function jobName(scaledJobName: string, sequence: number, index: number): string {
  const suffix = `-${sequence.toString(36)}-${index.toString(36)}`;
  const stem = scaledJobName.slice(0, MAX_JOB_NAME - suffix.length).replace(/[-.]+$/, '');
  return `${stem}${suffix}`;
}

/** The ScaledJob in the cluster that owns the Jobs (cluster source only: bundled ScaledJobs have no object). */
export interface JobOwner {
  uid: string;
}

/**
 * The `batch/v1` Job a poll creates, as KEDA's generateJobs builds it: the JobSpec copied from
 * `jobTargetRef`, KEDA's labels on the Job and `scaledjob.keda.sh/name` on its pod template, the
 * ScaledJob's labels (less the excluded ones) and annotations, the generation annotation, and
 * `restartPolicy: OnFailure` when the template sets none (a Job refuses `Always`). Ours beyond
 * KEDA: the poll label, and `managed-by: eks-lambda-scaler` (these Jobs are not KEDA's operator's).
 */
export function jobManifest(spec: ScaledJobSpec, name: string, sequence: number, owner?: JobOwner, generation?: string): Record<string, unknown> {
  const poll = String(sequence);
  const labels: Record<string, string> = {
    'app.kubernetes.io/name': spec.name,
    'app.kubernetes.io/part-of': spec.name,
    'app.kubernetes.io/managed-by': 'eks-lambda-scaler',
  };
  const excluded = new Set(spec.excludedJobLabels);
  for (const [key, value] of Object.entries(spec.labels)) if (!excluded.has(key)) labels[key] = value;
  labels[SCALED_JOB_NAME_LABEL] = spec.name;
  labels[SCALED_JOB_POLL_LABEL] = poll;

  const jobSpec = structuredClone(spec.jobTargetRef.spec) as { template?: { metadata?: { labels?: Record<string, string> }; spec?: { restartPolicy?: string } } };
  const template = (jobSpec.template ??= {});
  const templateMetadata = (template.metadata ??= {});
  templateMetadata.labels = { ...(templateMetadata.labels ?? {}), [SCALED_JOB_NAME_LABEL]: spec.name, [SCALED_JOB_POLL_LABEL]: poll };
  const podSpec = (template.spec ??= {});
  if (!podSpec.restartPolicy) podSpec.restartPolicy = 'OnFailure';

  const effectiveGeneration = generation ?? (spec.generation === undefined ? undefined : String(spec.generation));
  const annotations: Record<string, string> = {
    ...(effectiveGeneration === undefined ? {} : { [SCALED_JOB_GENERATION_ANNOTATION]: effectiveGeneration }),
    ...spec.annotations,
  };
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: spec.namespace,
      labels,
      annotations,
      ...(owner
        ? { ownerReferences: [{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledJob', name: spec.name, uid: owner.uid, controller: true, blockOwnerDeletion: true }] }
        : {}),
    },
    spec: jobSpec,
  };
}

/** Pods one Job runs at once (`parallelism`, Kubernetes' default 1): what the node scaler must find room for. */
export function podsPerJob(spec: ScaledJobSpec): number {
  const parallelism = spec.jobTargetRef.parallelism;
  return parallelism === undefined ? 1 : Math.max(0, parallelism);
}
