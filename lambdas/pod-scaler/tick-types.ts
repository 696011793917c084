/**
 * The pod scaler's tick, as a function of its dependencies. The Lambda handler wires real AWS and
 * Kubernetes adapters; the simulator wires a simulated world on a virtual clock; tests wire local
 * protocol servers. The tick itself is the same code everywhere.
 */
import type { ScalerConfig } from '../config/scaler-config';
import type { StateStore } from '../adapters/state/state-store';
import type { ScaleTargetApi } from '../adapters/kubernetes/scale-target-api';
import type { ParsedTrigger, Reading, TriggerError } from '../triggers/trigger-definition';
import type { Explanation, ObjectStatus } from '../engine/evaluate-types';
import type { LoadedObjects, SourceAssignment } from './load-sources';
import type { JobsApi } from '../adapters/kubernetes/jobs-api';
import type { ScaledJobStateStore } from '../adapters/state/scaled-job-state-store';
import type { ScaledJobTickSummary } from './scaled-job-types';

/** Time, injectable: real in Lambda, virtual in the simulator and tests. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves once `ms` have passed on this clock. */
  sleep(ms: number): Promise<void>;
}

/** One trigger to read this pass; `id` is `<object key>#<trigger index>`. */
export interface TriggerReadItem {
  id: string;
  trigger: ParsedTrigger;
  /** The cluster of the trigger's object: in-cluster servers (prometheus) are reached through it. */
  cluster?: string;
}

export type TriggerService = 'sqs' | 'kinesis' | 'cloudwatch' | 'dynamodb' | 'dynamodbstreams' | 'prometheus' | 'newrelic' | 'secretsmanager' | 'kafka' | 'sts';

export interface ReadPlanOutcome {
  /** One entry per item id: the raw reading, a TriggerError, or undefined for triggers with no I/O (cron). */
  readings: Map<string, Reading | TriggerError | undefined>;
  /** AWS calls made, per service. */
  calls: Partial<Record<TriggerService, number>>;
}

/** Reads every trigger of a pass, batched and deduplicated (the AWS read plan). */
export type TriggerReader = (items: TriggerReadItem[], now: number) => Promise<ReadPlanOutcome>;

/** One evaluated object, as logged, emitted as metrics, and returned in the summary. */
export interface ObjectTickResult {
  key: string;
  cluster: string;
  objectId: string;
  status: ObjectStatus;
  statusReason?: string;
  /** KEDA's activity (any trigger above its activation target, or in fallback). */
  active?: boolean;
  currentReplicas?: number;
  desiredReplicas?: number;
  /** True when the scale subresource was patched. */
  scaled: boolean;
  explanation?: Explanation;
  /** Set when the object could not be evaluated at all (target gone, RBAC, a hung call...). */
  error?: string;
  /**
   * True when another invocation evaluated this object at the same moment and its decision
   * stands: normal when invocations overlap, so not an error.
   */
  overlapped?: boolean;
  /** Things an operator should see although the object was evaluated (logged at WARN). */
  warnings?: string[];
}

export interface ScaleUpNotice {
  cluster: string;
  namespace: string;
  apiVersion: string;
  kind: string;
  name: string;
  fromReplicas: number;
  toReplicas: number;
  /**
   * Set on a ScaledJob's notice (kind Job, name the ScaledJob's): the pods of the Jobs one poll just
   * created, given inline because they come from no workload the node scaler could read. `toReplicas`
   * is their number, `template` the Job template's pod spec, and `selector` the labels those pods
   * carry (the ScaledJob's and the poll's), so pods already created are not counted twice.
   */
  jobPods?: { template: Record<string, unknown>; selector: Record<string, string> };
}

export interface TickDependencies {
  /** The deployment's configuration: clusters, and the bundled ScaledObjects when no `objectSources` are given. */
  config: ScalerConfig;
  /**
   * Where each cluster's ScaledObjects come from (object-source.ts). Default: the objects bundled in
   * `config`, for the clusters it names.
   */
  objectSources?: SourceAssignment[];
  clock: Clock;
  stateStore: StateStore;
  /** The scale API for a cluster by name. */
  scaleTargets(cluster: string): Promise<ScaleTargetApi>;
  readTriggers: TriggerReader;
  /** Called with the scale-ups a pass made, so the node scaler can add nodes before pods turn pending. */
  onScaleUps?(notices: ScaleUpNotice[]): Promise<void>;
  /** Called once per evaluated object (logs, metrics). */
  onResult?(result: ObjectTickResult): void;
  /** Called as each pass begins, so the scale-target adapters scope their per-namespace lists to it. */
  beginPass?(): void;
  /** The Jobs API of a cluster, for ScaledJobs (scaled-job-pass.ts); without it ScaledJobs fail with a clear reason. */
  jobs?(cluster: string): Promise<JobsApi>;
  /** Where ScaledJobs' poll sequence and activity live (scaled-job-state-store.ts). */
  scaledJobStates?: ScaledJobStateStore;
}

export interface TickOptions {
  /** Epoch ms by which the tick must have finished every pass it starts. */
  deadline: number;
  /**
   * Evaluate only these objects, named by key (`<cluster>/<namespace>/<name>`, as shards do) or by
   * id (`<namespace>/<name>`, in every cluster), e.g. an alarm-driven evaluation or a shard.
   */
  onlyObjects?: string[];
  /**
   * Length of the window the tick covers, in ms (EventBridge's 60 s minute). Objects with a shorter
   * pollingInterval get several passes in it; default 60 000.
   */
  windowMs?: number;
  /** Compute and log decisions but patch nothing (dry-run). */
  dryRun?: boolean;
  /**
   * Write each evaluation at once instead of once per invocation, as before issue 13 (for
   * comparisons; the replica counts are the same either way). Claims are always written at once.
   */
  writeEveryEvaluation?: boolean;
  /** The objects, when the invocation already loaded them from the sources (to plan shards); else the tick loads them. */
  loaded?: LoadedObjects;
  /**
   * Poll the ScaledJobs too. Default: only when `onlyObjects` is unset. The scheduled invocation
   * polls them in its own (first) shard; shards and alarm evaluations leave them alone.
   */
  pollScaledJobs?: boolean;
  /**
   * Waits until a later pass is due (default: the clock's sleep). A window that parks between its
   * passes instead of sleeping passes its own (parked-windows.ts).
   */
  waitForPass?: (passStart: number) => Promise<void>;
  /** Epoch ms at which the window started (default: now). A window taken over mid-way keeps its start. */
  windowStart?: number;
  /** Run only the window's passes at or after this offset, ms (a window taken over mid-way). */
  fromOffsetMs?: number;
}

export interface TickSummary {
  passes: number;
  evaluated: number;
  scaled: number;
  errors: number;
  results: ObjectTickResult[];
  calls: Partial<Record<TriggerService, number>>;
  /** Objects whose pass was skipped because the deadline came first. */
  skippedForDeadline: number;
  /** Evaluations that lost the race to an overlapping invocation (normal; its decision stands). */
  overlapped: number;
  /** Warnings attached to results (undecodable state, non-finite metric values...). */
  warnings: number;
  /** Node scaler notices that could not be sent, with why. */
  noticeFailures: string[];
  /** HPA syncs not run because the object's target was at 0 replicas (the HPA asks nothing then). */
  syncsSkippedAtZero?: number;
  /**
   * The invocation's coalesced state writes (coalesced-state-writes.ts): PutItems made, evaluations
   * that changed nothing worth a write, and writes that failed (the next invocation starts from the
   * older stored state; claims are never among them).
   */
  stateWrites?: { written: number; unchanged: number; failures: string[] };
  /** Objects a source found but could not scale (bad spec, IAM outside the allowed patterns), each with why. */
  rejected?: string[];
  /** Clusters whose objects could not be read, and other source problems. */
  sourceProblems?: string[];
  /** ScaledJob polls (issue 17), when the invocation had ScaledJobs to poll. */
  scaledJobs?: ScaledJobTickSummary;
}

export function emptyTickSummary(): TickSummary {
  return { passes: 0, evaluated: 0, scaled: 0, errors: 0, results: [], calls: {}, skippedForDeadline: 0, overlapped: 0, warnings: 0, noticeFailures: [] };
}
