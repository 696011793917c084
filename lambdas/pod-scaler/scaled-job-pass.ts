/**
 * The ScaledJob polls of one tick (issue 17), as KEDA's ScaledJob executor makes them
 * (pkg/scaling/executor/scale_jobs.go RequestJobScale): count the Jobs a ScaledJob owns, read its
 * triggers, compute the Jobs to create (engine/keda/scaled-job-scaling.ts), create them, clean the
 * history to its limits, and tell the node scaler about the new Jobs' pods.
 *
 * Scheduling: each ScaledJob is polled every pollingInterval inside the tick's window, at the
 * same offsets as the ScaledObjects' passes (pass-schedule.ts with no HPA syncs), so tick.ts runs
 * both in one pass loop.
 *
 * At most once: before creating anything, a poll claims its sequence number with one conditional
 * write of the ScaledJob's state (scaled-job-state-store.ts); an overlapping invocation that read
 * the same state loses the write and creates nothing. The Job names come from the sequence
 * (`<name>-<sequence>-<index>`), so even a repeated create of the same poll answers 409.
 *
 * Faults: a ScaledJob whose Jobs cannot be listed, whose state cannot be read, or whose triggers
 * all fail is reported alone; the others, and the ScaledObjects, go on. Every call is bounded.
 */
import type { JobsApi } from '../adapters/kubernetes/jobs-api';
import type { KubernetesEvent } from '../adapters/kubernetes/scale-target-api';
import { initialScaledJobState, type LoadedScaledJobState, type ScaledJobState, type ScaledJobStateStore, type StoredScaledJobState } from '../adapters/state/scaled-job-state-store';
import { countScaledJobJobs } from '../engine/keda/scaled-job-counts';
import { selectHistoryJobsToDelete } from '../engine/keda/scaled-job-history';
import { countedJobs, jobManifest, jobName, podsPerJob, SCALED_JOB_POLL_LABEL, type OwnedJob } from '../engine/keda/scaled-job-jobs';
import { decideScaledJobScale, type ScaledJobTriggerMetric } from '../engine/keda/scaled-job-scaling';
import { SCALED_JOB_NAME_LABEL } from '../engine/spec/scaled-job';
import { toTriggerResults } from '../triggers/metric-step';
import { TriggerError } from '../triggers/trigger-definition';
import { mapWithConcurrency } from '../util/map-with-concurrency';
import { bestEffortEach } from '../util/best-effort-each';
import { withinBudget } from '../util/within-budget';
import { describeError } from './describe-error';
import { planPasses, type Pass } from './pass-schedule';
import type { LoadedScaledJob, ScaledJobOutcome, ScaledJobTickResult, ScaledJobTickSummary } from './scaled-job-types';
import { emptyScaledJobSummary } from './scaled-job-types';
import type { LoadedObjects } from './load-sources';
import type { ReadPlanOutcome, ScaleUpNotice, TickDependencies, TickOptions, TickSummary, TriggerReadItem } from './tick-types';

/** ScaledJobs polled at once per pass; each makes a few short Kubernetes calls. */
const SCALED_JOB_CONCURRENCY = 16;
/** Jobs of one poll created at once. */
const CREATE_CONCURRENCY = 8;
/** Longest one ScaledJob's poll may take (list, state, creates, deletes: each call has its own timeout). */
export const SCALED_JOB_POLL_BUDGET_MS = 15_000;
/** Longest the state load before the passes may take. */
const STATE_BUDGET_MS = 5_000;

export interface ScaledJobPassDependencies {
  clock: TickDependencies['clock'];
  readTriggers: TickDependencies['readTriggers'];
  /** The Jobs API of a cluster (one adapter per cluster, its lists scoped to the pass). */
  jobs(cluster: string): Promise<JobsApi>;
  states: ScaledJobStateStore;
}

/** The ScaledJob side of one tick: plans its polls with the tick's passes, runs those due at each offset. */
export class ScaledJobPolls {
  readonly summary: ScaledJobTickSummary = emptyScaledJobSummary();
  /** Each ScaledJob's latest outcome this invocation, reported once at its end. */
  private readonly outcomes = new Map<string, ScaledJobOutcome>();
  private readonly byKey: Map<string, LoadedScaledJob>;
  private planned = new Map<number, string[]>();
  private windowMs = 60_000;
  private firstStates: Map<string, LoadedScaledJobState> | undefined;
  /** New Jobs' pods of the current pass, for the node scaler. */
  private notices: ScaleUpNotice[] = [];

  constructor(
    private readonly deps: ScaledJobPassDependencies | undefined,
    private readonly scaledJobs: readonly LoadedScaledJob[],
    private readonly dryRun: boolean,
  ) {
    this.byKey = new Map(scaledJobs.map((job) => [job.key, job]));
  }

  get empty(): boolean {
    return this.scaledJobs.length === 0;
  }

  /**
   * The poll offsets in the window: every pollingInterval from the start when it is shorter than the
   * window, else once when due by the stored last poll. The state read for it serves the first pass.
   */
  async plan(start: number, windowMs: number, deadline: number): Promise<Pass[]> {
    if (this.scaledJobs.length === 0 || !this.deps) return this.scaledJobs.length === 0 ? [] : [{ offsetMs: 0, keys: this.scaledJobs.map((job) => job.key), kedaPolls: [] }];
    const deps = this.deps;
    this.windowMs = windowMs;
    const states = await this.loadStates(this.scaledJobs.map((job) => job.key), Math.min(STATE_BUDGET_MS, deadline - deps.clock.now()));
    if (!(states instanceof Map)) return [{ offsetMs: 0, keys: this.scaledJobs.map((job) => job.key), kedaPolls: [] }];
    this.firstStates = states;
    const passes = planPasses(
      this.scaledJobs.map((job) => {
        const stored = states.get(job.key);
        const polledAt = stored && 'state' in stored ? stored.state.polledAt : undefined;
        return { key: job.key, pollingIntervalSeconds: job.spec.pollingInterval, ...(polledAt === undefined ? {} : { lastPolledAt: polledAt }) };
      }),
      start,
      windowMs,
      0,
    );
    for (const pass of passes) this.planned.set(pass.offsetMs, pass.kedaPolls);
    return passes;
  }

  /**
   * The polls due at `offsetMs`; the ScaleUpNotices of the Jobs they created are returned for the
   * tick to send with the ScaledObjects' (one node scaler invoke per pass).
   */
  async runAt(offsetMs: number, deadline: number): Promise<ScaleUpNotice[]> {
    const keys = this.planned.get(offsetMs) ?? (this.deps ? [] : offsetMs === 0 ? this.scaledJobs.map((job) => job.key) : []);
    const due = keys.map((key) => this.byKey.get(key)).filter((job): job is LoadedScaledJob => job !== undefined);
    if (due.length === 0) return [];
    const deps = this.deps;
    if (!deps) {
      for (const job of due) this.record(job, failed(job, 'ScaledJobs are not wired in this runtime (no Jobs API or ScaledJob state store): nothing was polled'), 0);
      return [];
    }
    this.notices = [];
    const now = deps.clock.now();
    const budgetLeft = () => Math.max(0, deadline - deps.clock.now());
    const states = this.firstStates ?? (await this.loadStates(due.map((job) => job.key), Math.min(STATE_BUDGET_MS, budgetLeft())));
    this.firstStates = undefined;
    if (!(states instanceof Map)) {
      for (const job of due) this.record(job, failed(job, states.unreadable), now);
      return [];
    }

    const polled = due.filter((job) => !job.spec.paused);
    for (const job of due.filter((candidate) => candidate.spec.paused)) {
      const result: ScaledJobTickResult = { ...base(job), status: 'paused', statusReason: 'autoscaling.keda.sh/paused is set: no Jobs are created', created: 0, deleted: 0 };
      this.record(job, result, now);
    }
    const readings = await this.read(polled, now, budgetLeft());
    await mapWithConcurrency(polled, SCALED_JOB_CONCURRENCY, async (job) => {
      const stored = states.get(job.key);
      const work = stored && 'problem' in stored ? Promise.resolve(failed(job, stored.problem)) : this.poll(job, stored ?? { key: job.key, version: 0, state: initialScaledJobState() }, readings, now);
      const result = await withinBudget(work, Math.min(SCALED_JOB_POLL_BUDGET_MS, budgetLeft()), () =>
        `the poll of ScaledJob ${job.spec.id} in cluster ${job.cluster} did not finish within its budget (the Kubernetes API or the state table hung); ` +
          'Jobs this poll already created stand, and the next poll counts them',
      ).catch((error: unknown) => failed(job, describeError(error)));
      this.record(job, result, now);
    });
    return this.notices;
  }

  /** Each ScaledJob's last outcome of the invocation to its reporter; best effort and bounded. */
  async report(budgetMs: number): Promise<void> {
    if (this.dryRun || this.outcomes.size === 0) return;
    await bestEffortEach([...this.outcomes.values()], SCALED_JOB_CONCURRENCY, budgetMs, (outcome) => this.byKey.get(outcome.key)?.reporter.report(outcome));
  }

  private async loadStates(keys: string[], budgetMs: number): Promise<Map<string, LoadedScaledJobState> | { unreadable: string }> {
    try {
      return await withinBudget(this.deps!.states.loadMany(keys), Math.max(0, budgetMs), () => 'loading the ScaledJob state did not finish in time');
    } catch (error) {
      return { unreadable: `the ScaledJob state could not be read, so no ScaledJob was polled: ${describeError(error)}` };
    }
  }

  /** One read-plan call for every polled ScaledJob of the pass (shared reads deduplicated, as for ScaledObjects). */
  private async read(jobs: readonly LoadedScaledJob[], now: number, budgetMs: number): Promise<ReadPlanOutcome['readings']> {
    const items: TriggerReadItem[] = jobs.flatMap((job) => job.spec.triggers.map((trigger) => ({ id: `${job.key}#${trigger.index}`, trigger, cluster: job.cluster })));
    if (items.length === 0) return new Map();
    try {
      const outcome = await withinBudget(this.deps!.readTriggers(items, now), budgetMs, () => 'reading the ScaledJobs\' triggers did not finish before the invocation deadline');
      return outcome.readings;
    } catch (error) {
      const failure = new TriggerError(describeError(error), 'ReadFailed');
      return new Map(items.map((item) => [item.id, failure]));
    }
  }

  private async poll(job: LoadedScaledJob, stored: StoredScaledJobState, readings: ReadPlanOutcome['readings'], now: number): Promise<ScaledJobTickResult> {
    const { spec } = job;
    const deps = this.deps!;
    const api = await deps.jobs(job.cluster);
    const listed = (await api.ownedJobs(spec.namespace)).get(spec.name) ?? [];
    const warnings: string[] = [];
    // Rollout first, so the Jobs it deletes are not counted (dry-run deletes nothing and counts them).
    const removed = this.dryRun ? new Set<string>() : await this.rollOut(job, api, listed, warnings);
    const rolledOut = removed.size;
    const owned = rolledOut === 0 ? listed : listed.filter((candidate) => !removed.has(candidate.name));

    // The triggers: a failed one is left out of the calculation, as KEDA `continue`s past it.
    const triggerResults = toTriggerResults(spec, job.key, readings, now, (warning) => warnings.push(warning));
    const metrics: ScaledJobTriggerMetric[] = [];
    let failures = 0;
    for (const result of triggerResults) {
      const trigger = spec.triggers.find((candidate) => candidate.index === result.index)!;
      if (!result.ok || !('value' in result)) {
        failures += 1;
        warnings.push(`trigger ${result.index} (${trigger.type}) failed: ${result.ok ? 'no value' : result.error}`);
        continue;
      }
      metrics.push({ queueLength: result.value, targetAverageValue: trigger.target, isActive: result.active });
    }
    const counts = countScaledJobJobs(countedJobs(owned), spec.scalingStrategy.pendingPodConditions);
    const decision = decideScaledJobScale({
      metrics,
      scalingStrategy: spec.scalingStrategy,
      runningJobCount: counts.running,
      pendingJobCount: counts.pending,
      minReplicaCount: spec.minReplicaCount,
      maxReplicaCount: spec.maxReplicaCount,
      maxReplicaCountSet: spec.maxReplicaCountSet,
    });
    const triggersFailing = failures === 0 ? undefined : failures === spec.triggers.length || !decision.isActive ? ('all' as const) : ('some' as const);
    const common = {
      ...base(job),
      active: decision.isActive,
      running: counts.running,
      pending: counts.pending,
      decision: decision.reason,
      ...(triggersFailing ? { triggersFailing } : {}),
      ...(triggersFailing === 'all' ? { status: 'error' as const, statusReason: 'Triggers defined in ScaledJob are not working correctly' } : {}),
    };
    if (this.dryRun) return { status: decision.isActive ? 'active' : 'ready', ...common, created: 0, deleted: 0, ...withWarnings(warnings) };

    // A poll that creates nothing and changes no activity writes nothing (one PutItem saved per idle
    // poll, docs/performance.md §15), unless its time must be kept: a pollingInterval of a window or
    // more is scheduled from the stored last poll.
    const mustRecordPoll = job.spec.pollingInterval * 1000 >= this.windowMs;
    if (decision.jobsToCreate === 0 && decision.isActive === stored.state.active && !mustRecordPoll) {
      const deleted = rolledOut + (await this.cleanUp(job, api, owned, warnings));
      return { status: triggersFailing === 'all' ? 'error' : decision.isActive ? 'active' : 'ready', ...common, created: 0, deleted, ...withWarnings(warnings) };
    }

    // The claim: this poll's sequence, written only if nobody polled since the state was read.
    const sequence = stored.state.sequence + 1;
    const next: ScaledJobState = {
      sequence,
      polledAt: now,
      active: decision.isActive,
      ...(decision.isActive ? { lastActiveTime: now } : stored.state.lastActiveTime === undefined ? {} : { lastActiveTime: stored.state.lastActiveTime }),
      ...(decision.jobsToCreate > 0 ? { lastCreate: { at: now, sequence, count: decision.jobsToCreate } } : stored.state.lastCreate ? { lastCreate: stored.state.lastCreate } : {}),
    };
    if ((await deps.states.save(job.key, next, stored.version)) === 'conflict') {
      return { status: decision.isActive ? 'active' : 'ready', ...common, created: 0, deleted: 0, overlapped: true, statusReason: 'another invocation made this poll; its Jobs stand', ...withWarnings(warnings) };
    }
    this.transitionEvents(job, stored.state.active, decision.isActive);

    const created = await this.createJobs(job, api, sequence, decision.jobsToCreate, warnings);
    const deleted = rolledOut + (await this.cleanUp(job, api, owned, warnings));
    return {
      status: triggersFailing === 'all' ? 'error' : decision.isActive ? 'active' : 'ready',
      ...common,
      created,
      deleted,
      ...withWarnings(warnings),
    };
  }

  /** KEDA's createJobs: each failure is its own Warning event; the others are still created. */
  private async createJobs(job: LoadedScaledJob, api: JobsApi, sequence: number, count: number, warnings: string[]): Promise<number> {
    if (count <= 0) return 0;
    const { spec } = job;
    const generation = spec.generation === undefined ? undefined : String(spec.generation);
    const outcomes = await mapWithConcurrency(
      Array.from({ length: count }, (_, index) => index),
      CREATE_CONCURRENCY,
      async (index) => {
        const name = jobName(spec.name, sequence, index);
        try {
          return await api.createJob(spec.namespace, jobManifest(spec, name, sequence, job.owner, generation));
        } catch (error) {
          const message = `Failed to create job ${name}: ${describeError(error)}`;
          warnings.push(message);
          this.event(job, { type: 'Warning', reason: 'KEDAJobCreateFailed', message });
          return 'failed' as const;
        }
      },
    );
    const created = outcomes.filter((outcome) => outcome === 'created').length;
    if (created > 0) {
      this.event(job, { type: 'Normal', reason: 'KEDAJobsCreated', message: `Created ${created} jobs` });
      const pods = created * podsPerJob(spec);
      if (pods > 0) {
        this.notices.push({
          cluster: job.cluster,
          namespace: spec.namespace,
          apiVersion: 'batch/v1',
          kind: 'Job',
          name: spec.name,
          fromReplicas: 0,
          toReplicas: pods,
          jobPods: {
            template: ((spec.jobTargetRef.spec as { template?: { spec?: Record<string, unknown> } }).template?.spec ?? {}) as Record<string, unknown>,
            selector: { [SCALED_JOB_NAME_LABEL]: spec.name, [SCALED_JOB_POLL_LABEL]: String(sequence) },
          },
        });
      }
    }
    return created;
  }

  /** KEDA's cleanUp: finished Jobs past the history limits, oldest first, deleted in the background. */
  private async cleanUp(job: LoadedScaledJob, api: JobsApi, owned: readonly OwnedJob[], warnings: string[]): Promise<number> {
    const doomed = selectHistoryJobsToDelete(owned, job.spec);
    let deleted = 0;
    for (const { name } of doomed) {
      try {
        await api.deleteJob(job.spec.namespace, name, 'Background');
        deleted += 1;
      } catch (error) {
        // As upstream, the first failure ends the cleanup; the next poll takes it up again.
        warnings.push(`history cleanup stopped: deleting Job ${name} failed: ${describeError(error)}`);
        break;
      }
    }
    return deleted;
  }

  /**
   * KEDA's rollout (scaledjob_controller.go deletePreviousVersionScaleJobs): unless the strategy is
   * `gradual`, the Jobs made from an older generation of the ScaledJob (or without the annotation)
   * are deleted with `rollout.propagationPolicy`. KEDA does it when the ScaledJob changes; here at
   * each poll, which deletes the same Jobs (the ones made since carry the current generation).
   * Only ScaledJobs from the cluster have a generation; bundled ones change with a deployment and
   * are left to finish, as with `gradual`.
   */
  private async rollOut(job: LoadedScaledJob, api: JobsApi, owned: readonly OwnedJob[], warnings: string[]): Promise<Set<string>> {
    const deleted = new Set<string>();
    const doomed = owned.filter((candidate) => isPreviousGeneration(job, candidate));
    if (doomed.length === 0) return deleted;
    const policy = job.spec.rollout.propagationPolicy === 'foreground' ? 'Foreground' : 'Background';
    this.event(job, { type: 'Normal', reason: 'ScaledJobRolloutCleanupStarted', message: `Deleting ${doomed.length} jobs owned by the previous version of the scaledJob` });
    for (const { name } of doomed) {
      try {
        await api.deleteJob(job.spec.namespace, name, policy);
        deleted.add(name);
      } catch (error) {
        const message = `Failed to delete job ${name}: ${describeError(error)}`;
        warnings.push(`rollout: ${message}`);
        this.event(job, { type: 'Warning', reason: 'ScaledJobRolloutCleanupFailed', message });
        return deleted;
      }
    }
    this.event(job, { type: 'Normal', reason: 'ScaledJobRolloutCleanupCompleted', message: `Deleted ${deleted.size} jobs owned by the previous version of the scaledJob` });
    return deleted;
  }

  /** KEDA's ScaledJobActive / ScaledJobInactive events, on a change of activity only. */
  private transitionEvents(job: LoadedScaledJob, wasActive: boolean, isActive: boolean): void {
    if (isActive && !wasActive) this.event(job, { type: 'Normal', reason: 'ScaledJobActive', message: 'Scaling is performed because triggers are active' });
    if (!isActive && wasActive) this.event(job, { type: 'Normal', reason: 'ScaledJobInactive', message: 'Scaling is not performed because triggers are not active' });
  }

  private event(job: LoadedScaledJob, event: KubernetesEvent): void {
    job.reporter.event(event).catch(() => undefined);
  }

  private record(job: LoadedScaledJob, result: ScaledJobTickResult, now: number): void {
    const summary = this.summary;
    summary.results.push(result);
    if (result.status !== 'paused') summary.polls += 1;
    summary.created += result.created;
    summary.deleted += result.deleted;
    if (result.error || result.status === 'error') summary.errors += 1;
    if (result.overlapped) summary.overlapped += 1;
    if (result.overlapped) return; // the other invocation reports this poll
    const previous = this.outcomes.get(job.key);
    const lastActiveTime = result.active ? now : previous?.lastActiveTime;
    this.outcomes.set(job.key, {
      key: job.key,
      at: now,
      result,
      paused: job.spec.paused,
      ...(result.triggersFailing ? { triggersFailing: result.triggersFailing } : {}),
      ...(lastActiveTime === undefined ? {} : { lastActiveTime }),
    });
  }
}

/** A Job of an older generation of the ScaledJob, that the immediate (`default`) rollout deletes. */
function isPreviousGeneration(job: LoadedScaledJob, candidate: OwnedJob): boolean {
  const { generation, rollout } = job.spec;
  if (generation === undefined || rollout.strategy === 'gradual') return false;
  return candidate.generation !== String(generation);
}

function base(job: LoadedScaledJob): Pick<ScaledJobTickResult, 'key' | 'cluster' | 'objectId'> {
  return { key: job.key, cluster: job.cluster, objectId: job.spec.id };
}

function failed(job: LoadedScaledJob, reason: string): ScaledJobTickResult {
  return { ...base(job), status: 'error', statusReason: reason, error: reason, created: 0, deleted: 0 };
}

function withWarnings(warnings: string[]): { warnings?: string[] } {
  return warnings.length > 0 ? { warnings } : {};
}

/** The ScaledJob side of a tick, from its dependencies and options (tick.ts's one entry point). */
export function scaledJobPollsFor(deps: TickDependencies, options: TickOptions, loaded: LoadedObjects): ScaledJobPolls {
  const poll = options.pollScaledJobs ?? options.onlyObjects === undefined;
  const scaledJobs = poll ? (loaded.scaledJobs ?? []) : [];
  const wired = deps.jobs && deps.scaledJobStates ? { clock: deps.clock, readTriggers: deps.readTriggers, jobs: deps.jobs, states: deps.scaledJobStates } : undefined;
  return new ScaledJobPolls(wired, scaledJobs, options.dryRun ?? false);
}

/** The ScaledObjects' passes plus an empty pass at each ScaledJob poll offset they lack, in time order. */
export function withScaledJobOffsets(passes: readonly Pass[], jobPasses: readonly Pass[]): Pass[] {
  const offsets = new Set(passes.map((pass) => pass.offsetMs));
  const extra = jobPasses.filter((pass) => !offsets.has(pass.offsetMs)).map((pass) => ({ offsetMs: pass.offsetMs, keys: [], kedaPolls: [] }));
  return [...passes, ...extra].sort((a, b) => a.offsetMs - b.offsetMs);
}

/** Longest the node scaler's notice about new Jobs may hold a pass (best effort, as for ScaledObjects). */
const JOB_NOTICE_BUDGET_MS = 2_000;

/** Tells the node scaler about the pods of the Jobs a pass created; a failure is reported, never thrown. */
export async function noticeNewJobs(deps: TickDependencies, notices: ScaleUpNotice[], deadline: number, summary: TickSummary): Promise<void> {
  if (notices.length === 0 || !deps.onScaleUps) return;
  const budgetMs = Math.min(JOB_NOTICE_BUDGET_MS, Math.max(0, deadline - deps.clock.now()));
  try {
    await withinBudget(deps.onScaleUps(notices), budgetMs, () => `Lambda Invoke of the node scaler got no answer within ${budgetMs} ms`);
  } catch (error) {
    summary.noticeFailures.push(`telling the node scaler about the pods of ${notices.length} ScaledJob poll(s) failed: ${describeError(error)}`);
  }
}
