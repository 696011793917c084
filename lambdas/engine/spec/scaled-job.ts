/**
 * The normalized, validated form of a KEDA `keda.sh/v1alpha1` ScaledJob: one Kubernetes Job per
 * unit of work, created by the poll and never scaled down (so a busy worker is never killed).
 *
 * Plain JSON-serializable data with KEDA's defaults applied (apis/keda/v1alpha1/scaledjob_types.go
 * and pkg/scaling/executor/scale_jobs.go). The calculation lives in engine/keda/scaled-job-scaling.ts.
 */
import type { ParsedTrigger } from '../../triggers/trigger-definition';

/** Label KEDA puts on every Job (and pod template) it creates for a ScaledJob; how Jobs are found again. */
export const SCALED_JOB_NAME_LABEL = 'scaledjob.keda.sh/name';
/** Annotation on each Job: the ScaledJob's metadata.generation it was made from (rollout uses it). */
export const SCALED_JOB_GENERATION_ANNOTATION = 'scaledjob.keda.sh/generation';
/** Comma-separated ScaledJob labels KEDA does not copy onto the Jobs. */
export const SCALED_JOB_EXCLUDED_LABELS_ANNOTATION = 'scaledjob.keda.sh/job-excluded-labels';

/** KEDA's defaults (scaledjob_types.go, scale_jobs.go). */
export const DEFAULT_SCALED_JOB_POLLING_INTERVAL = 30;
export const DEFAULT_SUCCESSFUL_JOBS_HISTORY_LIMIT = 100;
export const DEFAULT_FAILED_JOBS_HISTORY_LIMIT = 100;
export const DEFAULT_SCALED_JOB_MIN_REPLICA_COUNT = 0;
export const DEFAULT_SCALED_JOB_MAX_REPLICA_COUNT = 100;

/**
 * `spec.jobTargetRef`: a `batch/v1` JobSpec, not a reference. `spec` is the whole JobSpec as written
 * (what each created Job's spec is copied from); the scalar fields are read out for messages,
 * the simulator and the node scaler (pods per Job = parallelism).
 */
export interface JobTargetSpec {
  /** The JobSpec verbatim (template, parallelism, completions, ...), plain JSON. */
  spec: Record<string, unknown>;
  /** Pods a Job runs at once; Kubernetes' default 1. */
  parallelism?: number;
  completions?: number;
  activeDeadlineSeconds?: number;
  /** Kubernetes' default 6 when unset. */
  backoffLimit?: number;
}

/**
 * How Jobs of an older generation are treated when the ScaledJob changes. KEDA's enum is
 * `gradual`|`immediate`; empty means immediate. `default` is that immediate behaviour: delete the
 * previous generation's Jobs. `gradual` lets them finish.
 */
export type ScaledJobRolloutStrategy = 'default' | 'gradual';
export type ScaledJobPropagationPolicy = 'foreground' | 'background';

export type ScaledJobScalingStrategyName = 'default' | 'custom' | 'accurate' | 'eager';
export type MultipleScalersCalculation = 'max' | 'min' | 'avg' | 'sum';

export interface ScaledJobScalingStrategy {
  /** `default` when unset; `custom` without a parsable percentage falls back to `default` (as in KEDA). */
  strategy: ScaledJobScalingStrategyName;
  /** `custom`: subtracted from the trigger's job count; KEDA treats unset as 0. */
  customScalingQueueLengthDeduction?: number;
  /** `custom`: the fraction of running Jobs subtracted (a float written as a string in KEDA's CRD). */
  customScalingRunningJobPercentage?: number;
  /** `max` when unset (KEDA's default branch). */
  multipleScalersCalculation: MultipleScalersCalculation;
  /**
   * Pod condition types (e.g. `PodScheduled`, `Ready`) that must all be True on some pod of a Job
   * for it to stop counting as pending. Empty: a Job is pending until a pod is Running or Succeeded.
   */
  pendingPodConditions: string[];
}

export interface ScaledJobSpec {
  apiVersion: 'keda.sh/v1alpha1';
  kind: 'ScaledJob';
  /** `default` when the manifest has none. */
  namespace: string;
  name: string;
  /** `<namespace>/<name>`: how errors, logs and state name the object. */
  id: string;
  /** EKS cluster name from the `eks-lambda-scaler.io/cluster` annotation; undefined = default cluster. */
  cluster?: string;
  annotations: Record<string, string>;
  labels: Record<string, string>;
  /** metadata.generation when the object came from a cluster (stamped on Jobs); undefined from files. */
  generation?: number;
  jobTargetRef: JobTargetSpec;
  /** `spec.envSourceContainerName`: the container of the Job template whose env backs `...FromEnv`. */
  envSourceContainerName?: string;
  /** Seconds; KEDA default 30. */
  pollingInterval: number;
  /** KEDA default 100. */
  successfulJobsHistoryLimit: number;
  /** KEDA default 100. */
  failedJobsHistoryLimit: number;
  /** KEDA default 0: Jobs kept running even with no work. */
  minReplicaCount: number;
  /** KEDA default 100: cap on running Jobs. */
  maxReplicaCount: number;
  /**
   * Whether maxReplicaCount was written: KEDA's MaxReplicaCount() subtracts minReplicaCount only
   * from a written maximum, never from the default 100 (scaledjob_types.go).
   */
  maxReplicaCountSet: boolean;
  rollout: { strategy: ScaledJobRolloutStrategy; propagationPolicy: ScaledJobPropagationPolicy };
  scalingStrategy: ScaledJobScalingStrategy;
  /** `autoscaling.keda.sh/paused` (a non-boolean value counts as true, as in KEDA); no Jobs are created. */
  paused: boolean;
  /** Labels from {@link SCALED_JOB_EXCLUDED_LABELS_ANNOTATION}, not copied onto Jobs. */
  excludedJobLabels: string[];
  triggers: ParsedTrigger[];
  /** The file the object was read from, when it came from one (for messages and reports). */
  sourceFile?: string;
}
