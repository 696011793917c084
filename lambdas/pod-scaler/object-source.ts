/**
 * Where the ScaledObjects of one pass come from, and where each object's outcome is reported: the
 * seam of issue 14 (docs/design-live-objects.md). Two implementations: the configuration bundled
 * at synth (`bundled-object-source.ts`, today's behaviour) and the cluster itself
 * (`lambdas/adapters/kubernetes/cluster-object-source.ts`). The tick takes objects from a source
 * and never knows which one it is.
 *
 * This port is consumed by the tick and by the status writer; add to it, never rename.
 */
import type { ClusterRef } from '../config/scaler-config';
import type { KubernetesEvent, WorkloadRef } from '../adapters/kubernetes/scale-target-api';
import type { ScaledObject } from '../engine/spec/scaled-object';
import type { TriggerHealth } from '../engine/scaling-state';
import type { ObjectTickResult } from './tick-types';
import type { SourcedScaledJob } from './scaled-job-types';

/** What one pass scales, and where each object's outcome is reported. */
export interface ObjectSource {
  /**
   * Objects of one cluster for this pass. Never throws for one bad object: it becomes a rejected
   * entry. Throws (or rejects) only when the whole cluster could not be read (a failed LIST): the
   * tick then skips that cluster and restores nothing for it, since a failed read is never taken
   * to mean "everything was deleted".
   */
  load(cluster: ClusterRef, deadline: number, options?: LoadOptions): Promise<SourceSnapshot>;
}

export interface LoadOptions {
  /**
   * Also find the removed objects (a scan of the state table): only the scheduled invocation, which
   * restores them, asks. Shards and alarm evaluations see part of the fleet, so they never do.
   */
  findRemoved?: boolean;
}

export interface SourceSnapshot {
  /** Parsed, authentications resolved, ready for the engine. */
  objects: SourcedObject[];
  /** Objects that failed to parse or to pass the checks: reported (Ready=False / the log), never scaled. */
  rejected: RejectedObject[];
  /** Keys present last time and gone now, with the spec they had: restoreToOriginalReplicaCount. */
  removed: RemovedObject[];
  /** Opaque marker the next load may use to skip work (bundled: config hash; cluster: resourceVersions). */
  version: string;
  /** What went wrong without failing the load (e.g. the state scan for removed objects), for the log. */
  problems?: string[];
  /** The cluster's ScaledJobs (issue 17), parsed; rejected ones are in `rejected`, keyed `scaledjob/...`. */
  scaledJobs?: SourcedScaledJob[];
}

export interface SourcedObject {
  /** The engine's parsed type, unchanged. */
  object: ScaledObject;
  /** `<cluster>/<namespace>/<name>`, as objectKey makes it. */
  key: string;
  /** Where this object's status and events go. */
  reporter: OutcomeReporter;
}

/** An object the source found but cannot scale; it keeps its state (it was not deleted). */
export interface RejectedObject {
  /** `<cluster>/<namespace>/<name>`. */
  key: string;
  cluster: string;
  namespace: string;
  name: string;
  /** Why, naming the field and the fix (the parser's or the IAM check's message). */
  reason: string;
  /** Where the Ready=False status and the Warning event go. */
  reporter: OutcomeReporter;
}

/** An object gone from its source since its state was written: restore it if it asked. */
export interface RemovedObject {
  /** `<cluster>/<namespace>/<name>`: the state item's key. */
  key: string;
  cluster: string;
  /** The target, as the last stored spec names it. */
  target: WorkloadRef;
  /** The last stored spec's `advanced.restoreToOriginalReplicaCount`. */
  restoreToOriginalReplicaCount: boolean;
  /** The target's `spec.replicas` when the scaler first took it over, if recorded. */
  originalReplicaCount?: number;
}

/**
 * One object's outcome of a pass, as plain data: what the tick logged (`result`) and the inputs
 * of KEDA's conditions and status fields. Turning it into KEDA's status is the reporter's job
 * (through a pure function in the engine), never the tick's.
 */
export interface ObjectOutcome {
  /** `<cluster>/<namespace>/<name>`. */
  key: string;
  /** When the pass evaluated the object (epoch ms, the tick's clock). */
  at: number;
  /** The pass's result for the object (status ready/active/fallback/paused/error, reason, replicas). */
  result: ObjectTickResult;
  /** Set when the spec cannot be used at all (parser or IAM check): Ready=False with this message. */
  invalidSpec?: string;
  /** KEDA's Paused condition: `autoscaling.keda.sh/paused` or `paused-replicas` in effect. */
  paused: boolean;
  /** `status.pausedReplicaCount`: the count `paused-replicas` holds the target at. */
  pausedReplicas?: number;
  /** `status.health`, by metric name, after this pass (empty when no trigger was read). */
  health: Record<string, TriggerHealth>;
  /** `status.lastActiveTime`, epoch ms, when the object was ever active. */
  lastActiveTime?: number;
  /** `status.originalReplicaCount`: the target's count when the scaler first took it over. */
  originalReplicaCount?: number;
  /** The scale target (`status.scaleTargetKind` is `<apiVersion>.<kind>`). */
  scaleTarget?: WorkloadRef;
}

/** Written to only when something changed; the tick never knows which implementation it is. */
export interface OutcomeReporter {
  /** Conditions, health, lastActiveTime... Best effort: a failure is the reporter's to log, never the pass's. */
  report(outcome: ObjectOutcome): Promise<void>;
  /** An Event about the object (scaled, trigger failing, fallback...); deduplicated by the implementation. */
  event(event: KubernetesEvent): Promise<void>;
}

/** A reporter that writes nothing (a source with nowhere to report, and tests). */
export const SILENT_REPORTER: OutcomeReporter = {
  report: async () => undefined,
  event: async () => undefined,
};
