/**
 * ScaledJobs in the pod scaler (issue 17): what a source yields for each, what a poll reports, and
 * what the tick sums up. Kept apart from the ScaledObject types: a ScaledJob creates Jobs and is
 * never scaled down, so it has no replica count, no HPA and no stabilization.
 */
import type { JobOwner } from '../engine/keda/scaled-job-jobs';
import type { ScaledJobSpec } from '../engine/spec/scaled-job';
import type { KubernetesEvent } from '../adapters/kubernetes/scale-target-api';

/** One poll's result for one ScaledJob, as logged and returned in the summary. */
export interface ScaledJobTickResult {
  /** `scaledjob/<cluster>/<namespace>/<name>` (scaled-job-state-store.ts). */
  key: string;
  cluster: string;
  /** `<namespace>/<name>`. */
  objectId: string;
  status: 'ready' | 'active' | 'paused' | 'error';
  statusReason?: string;
  /** KEDA's activity: some trigger active, or minReplicaCount above 0. */
  active?: boolean;
  /** Unfinished Jobs before the poll created any (KEDA's running count, pending included). */
  running?: number;
  pending?: number;
  /** Jobs this poll created (a 409 for a name this poll already made is not counted). */
  created: number;
  /** Finished Jobs deleted to keep the history limits, and older-generation Jobs of a rollout. */
  deleted: number;
  /** Some or all triggers failed this poll (KEDA's Ready Unknown / False). */
  triggersFailing?: 'all' | 'some';
  /** The calculation's one-line reason (scaled-job-scaling.ts). */
  decision?: string;
  /** Set when the ScaledJob could not be polled at all (Jobs not listed, state unreadable...). */
  error?: string;
  /** Another invocation claimed this poll first: its Jobs stand, none were created here. */
  overlapped?: boolean;
  /** Things an operator should see although the poll went through (a failed trigger, a failed delete). */
  warnings?: string[];
}

/** One ScaledJob's outcome of the invocation, as plain data for its reporter (status and events). */
export interface ScaledJobOutcome {
  key: string;
  at: number;
  result: ScaledJobTickResult;
  /** Set when the spec cannot be used at all (parser): Ready=False with this message. */
  invalidSpec?: string;
  paused: boolean;
  /** KEDA's Ready condition: False when every trigger failed, Unknown when some did but one is active. */
  triggersFailing?: 'all' | 'some';
  lastActiveTime?: number;
}

/** Where a ScaledJob's status and Events go; the tick never knows which implementation it is. */
export interface ScaledJobReporter {
  /** Best effort: a failure is the reporter's to log, never the pass's. */
  report(outcome: ScaledJobOutcome): Promise<void>;
  event(event: KubernetesEvent): Promise<void>;
}

export const SILENT_SCALED_JOB_REPORTER: ScaledJobReporter = {
  report: async () => undefined,
  event: async () => undefined,
};

/** A ScaledJob a source yields, ready to poll. */
export interface SourcedScaledJob {
  spec: ScaledJobSpec;
  /** `scaledjob/<cluster>/<namespace>/<name>`. */
  key: string;
  reporter: ScaledJobReporter;
  /** The ScaledJob object in the cluster (cluster source): the created Jobs' owner reference. */
  owner?: JobOwner;
}

export interface LoadedScaledJob extends SourcedScaledJob {
  cluster: string;
}

export interface ScaledJobTickSummary {
  /** ScaledJob polls made (a poll that found no work counts). */
  polls: number;
  created: number;
  deleted: number;
  errors: number;
  /** Polls another invocation had already claimed. */
  overlapped: number;
  results: ScaledJobTickResult[];
}

export function emptyScaledJobSummary(): ScaledJobTickSummary {
  return { polls: 0, created: 0, deleted: 0, errors: 0, overlapped: 0, results: [] };
}
