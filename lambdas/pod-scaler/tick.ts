/**
 * One pod scaler tick: every ScaledObject that is due gets evaluated, in passes that honour each
 * object's pollingInterval within the invocation's window, and never past the deadline.
 *
 * Within a pass, each cluster's objects go through their own pipeline (prepare from Kubernetes,
 * read triggers, decide and apply), concurrently with the other clusters, so a slow or unreachable
 * cluster holds back only its own objects. Inside a cluster, each object moves on as soon as its own
 * inputs are ready (issue 13 goal 7: the first patch does not wait for the whole pass); the triggers
 * of objects prepared together are read together through the read plan (two objects on one queue
 * cost one call), and every preparation and application runs under a budget: one hung call fails
 * its own object, never the pass. The invocation always returns its summary before the deadline.
 *
 * What the tick saves (issue 13):
 * - state: an evaluation that applies nothing is kept in memory for the invocation's next pass and
 *   written once at the end, only if it changed something the next evaluation reads
 *   (coalesced-state-writes.ts); the claim before a patch is still written at once, conditionally;
 * - objects whose target is at 0 replicas get their KEDA polls only, no HPA syncs: the HPA asks
 *   nothing of a target at 0 (upstream: scaling is disabled while spec.replicas is 0), and a poll
 *   that activates one brings its syncs back from the next pass on, since each pass sees the
 *   state the previous one left;
 * - a trigger with `useCachedMetrics: true` is read at its object's KEDA polls only; the HPA syncs
 *   between them reuse that reading, as KEDA answers the HPA from its cache.
 * The passes stop `flushReserveMs` before the deadline, so the final write has time to finish.
 */
import type { LoadedStates, StoredObjectState } from '../adapters/state/state-store';
import { CoalescedStateWrites, flushReserveMs } from '../adapters/state/coalesced-state-writes';
import type { Reading } from '../triggers/trigger-definition';
import type { ScaledObject } from '../engine/spec/scaled-object';
import { initialScalingState } from '../engine/scaling-state';
import { toTriggerResults } from '../triggers/metric-step';
import { TriggerError } from '../triggers/trigger-definition';
import { concurrencyLimit } from '../util/concurrency-limit';
import { withinBudget } from '../util/within-budget';
import { bestEffortEach } from '../util/best-effort-each';
import { applyDecision, summaryOf } from './apply-decision';
import { describeError } from './describe-error';
import { loadObjects } from './load-sources';
import type { ObjectOutcome, OutcomeReporter } from './object-source';
import type { ScalingState } from '../engine/scaling-state';
import { DEFAULT_HPA_SYNC_SECONDS, planPasses, scheduledTimesAround } from './pass-schedule';
import { newPreparationCache, prepareObject, type Preparation, type PreparationCache } from './prepare-object';
import { ReadBatches } from './read-batches';
import { PassEvents } from './pass-events';
import { noticeNewJobs, scaledJobPollsFor, withScaledJobOffsets } from './scaled-job-pass';
import type {
  ObjectTickResult,
  ReadPlanOutcome,
  ScaleUpNotice,
  TickDependencies,
  TickOptions,
  TickSummary,
  TriggerReadItem,
  TriggerService,
} from './tick-types';
import { emptyTickSummary } from './tick-types';

/** Objects prepared at once, and objects decided and applied at once, per cluster; Kubernetes API calls per object are few and short. */
const OBJECT_CONCURRENCY = 32;
/**
 * A batch of trigger reads goes out once this many prepared objects wait, even while others still
 * prepare... The larger, the fewer GetMetricData calls a pass (same bill: CloudWatch bills per
 * query) and the later the first patch: 100 objects prepare in a few hundred ms.
 */
const READ_BATCH_OBJECTS = 100;
/** ...or once its first object waited this long: a slow preparation delays the others' reads by no more. */
const READ_BATCH_WAIT_MS = 100;
/**
 * Longest one object's preparation may take (scale, HPA list, env, pods: each call has its own
 * timeout, this bounds their sum). Past it the object is skipped this pass; the others go on.
 */
export const PREPARATION_BUDGET_MS = 10_000;
/** Longest the node scaler's notice may hold a pass: it is best effort (pending pods bring the node scaler anyway). */
export const NOTICE_BUDGET_MS = 2_000;

interface Entry {
  object: ScaledObject;
  key: string;
  cluster: string;
  reporter: OutcomeReporter;
}

/** Longest reporting the invocation's outcomes (status writes) may take: best effort, after the passes. */
export const REPORT_BUDGET_MS = 5_000;

/** The pass's view of stored state, or why it could not be read. */
type PassStates = LoadedStates | { unreadable: string };

/** Where the tick's state goes: the coalescing writer, or the store itself (`writeEveryEvaluation`). */
interface StateAccess {
  loadMany: TickDependencies['stateStore']['loadMany'];
  save: TickDependencies['stateStore']['save'];
  recordEvaluation: TickDependencies['stateStore']['save'];
}

/** What every cluster pipeline of one pass shares. */
interface PassContext {
  deps: TickDependencies;
  options: TickOptions;
  kedaPolls: ReadonlySet<string>;
  states: PassStates;
  cache: PreparationCache;
  state: StateAccess;
  /** Successful readings of this invocation's KEDA polls, by item id, for `useCachedMetrics` triggers. */
  pollReadings: Map<string, Reading>;
  /** Each object's latest outcome this invocation, reported once at its end. */
  outcomes: Map<string, ObjectOutcome>;
}

export async function runTick(deps: TickDependencies, options: TickOptions): Promise<TickSummary> {
  const { clock, config } = deps;
  const start = options.windowStart ?? clock.now();
  const windowMs = options.windowMs ?? 60_000;
  const only = options.onlyObjects ? new Set(options.onlyObjects) : undefined;
  const chosen = (key: string, id: string) => !only || only.has(key) || only.has(id);
  const loaded = options.loaded ?? (await loadObjects(deps, options.deadline));
  const entries: Entry[] = loaded.objects
    .map(({ object, key, cluster, reporter }) => ({ object, key, cluster, reporter }))
    .filter((entry) => chosen(entry.key, entry.object.id));
  const byKey = new Map(entries.map((entry) => [entry.key, entry]));

  const summary = emptyTickSummary();
  const rejected = loaded.rejected.filter((object) => chosen(object.key, `${object.namespace}/${object.name}`));
  if (rejected.length > 0) summary.rejected = rejected.map((object) => `${object.key}: ${object.reason}`);
  if (loaded.problems.length > 0) summary.sourceProblems = [...loaded.problems];
  const outcomes = new Map<string, ObjectOutcome>();
  if (!options.dryRun) {
    for (const object of rejected) outcomes.set(object.key, rejectedOutcome(object, start));
  }
  // ScaledJobs (issue 17) are polled in the same passes, by their own code (scaled-job-pass.ts).
  const scaledJobs = scaledJobPollsFor(deps, options, loaded);
  if (entries.length === 0 && scaledJobs.empty) {
    await reportOutcomes(deps, outcomes, rejected, entries, options.deadline);
    return summary;
  }

  const coalesced = options.writeEveryEvaluation
    ? undefined
    : new CoalescedStateWrites(deps.stateStore, {
        // At most a window apart, an object is polled in every invocation whatever its stored polledAt says.
        pollScheduleUsesPolledAt: (key) => (byKey.get(key)?.object.pollingInterval ?? 0) * 1000 > windowMs,
        schedule: (key) => scheduledTimesAround(byKey.get(key)?.object.pollingInterval ?? 0, start, windowMs, config.hpaSyncPeriodSeconds ?? DEFAULT_HPA_SYNC_SECONDS),
      });
  const state: StateAccess = coalesced
    ? { loadMany: (keys) => coalesced.loadMany(keys), save: (item, version) => coalesced.save(item, version), recordEvaluation: (item, version) => coalesced.defer(item, version) }
    : { loadMany: (keys) => deps.stateStore.loadMany(keys), save: (item, version) => deps.stateStore.save(item, version), recordEvaluation: (item, version) => deps.stateStore.save(item, version) };

  // The passes end early enough for the end-of-invocation flush to write what they deferred.
  const passOptions: TickOptions = coalesced ? { ...options, deadline: options.deadline - flushReserveMs(entries.length) } : options;
  let states = await loadStates(deps, state, entries.map((entry) => entry.key), passOptions.deadline);
  const stored = (key: string) => ('states' in states ? states.states.get(key) : undefined);
  const objectPasses = planPasses(
    entries.map((entry) => ({
      key: entry.key,
      pollingIntervalSeconds: entry.object.pollingInterval,
      ...(stored(entry.key)?.polledAt === undefined ? {} : { lastPolledAt: stored(entry.key)!.polledAt }),
    })),
    start,
    windowMs,
    config.hpaSyncPeriodSeconds ?? DEFAULT_HPA_SYNC_SECONDS,
  );
  const fromOffsetMs = options.fromOffsetMs ?? 0;
  const passes = withScaledJobOffsets(objectPasses, await scaledJobs.plan(start, windowMs, passOptions.deadline)).filter((pass) => pass.offsetMs >= fromOffsetMs);
  const waitForPass = options.waitForPass ?? ((passStart: number) => clock.sleep(passStart - clock.now()));

  const cache = newPreparationCache();
  const pollReadings = new Map<string, Reading>();
  let lastPassMs = 0;
  for (const [index, pass] of passes.entries()) {
    const passStart = Math.max(start + pass.offsetMs, clock.now());
    // A pass that would not finish before the deadline is not started (nor waited for): half-applied
    // passes are safe, but a Lambda killed mid-write wastes the work and hides the summary.
    if (passStart + lastPassMs >= passOptions.deadline) {
      summary.skippedForDeadline += passes.slice(index).reduce((count, skipped) => count + skipped.keys.length, 0);
      break;
    }
    if (clock.now() < passStart) await waitForPass(passStart);
    deps.beginPass?.();
    if (index > 0) states = await loadStates(deps, state, pass.keys, passOptions.deadline);
    const kedaPolls = new Set(pass.kedaPolls);
    const passEntries = pass.keys
      .map((key) => byKey.get(key))
      .filter((entry): entry is Entry => entry !== undefined)
      .filter((entry) => {
        if (kedaPolls.has(entry.key) || !('states' in states) || states.states.get(entry.key)?.currentReplicas !== 0) return true;
        summary.syncsSkippedAtZero = (summary.syncsSkippedAtZero ?? 0) + 1;
        return false;
      });
    const began = clock.now();
    const [, jobNotices] = await Promise.all([
      runPass({ deps, options: passOptions, kedaPolls, states, cache, state, pollReadings, outcomes }, passEntries, summary),
      scaledJobs.runAt(pass.offsetMs, passOptions.deadline),
    ]);
    await noticeNewJobs(deps, jobNotices, passOptions.deadline, summary);
    lastPassMs = clock.now() - began;
    summary.passes += 1;
  }
  if (coalesced) await flushStateWrites(deps, coalesced, options.deadline, summary);
  if (!scaledJobs.empty) {
    summary.scaledJobs = scaledJobs.summary;
    summary.errors += scaledJobs.summary.errors;
  }
  if (!options.dryRun) {
    await Promise.all([
      reportOutcomes(deps, outcomes, rejected, entries, options.deadline),
      scaledJobs.report(Math.min(REPORT_BUDGET_MS, Math.max(0, options.deadline - clock.now()))),
    ]);
  }
  return summary;
}

/**
 * Each object's last outcome of the invocation goes to its reporter (once per invocation, not per
 * pass: the status is the object's state at the end of the minute). Best effort and bounded: a
 * reporter that fails or hangs costs its own write, never the summary.
 */
async function reportOutcomes(
  deps: TickDependencies,
  outcomes: Map<string, ObjectOutcome>,
  rejected: readonly { key: string; reporter: OutcomeReporter }[],
  entries: readonly Entry[],
  deadline: number,
): Promise<void> {
  if (outcomes.size === 0) return;
  const reporters = new Map<string, OutcomeReporter>([...entries, ...rejected].map((entry) => [entry.key, entry.reporter]));
  const budgetMs = Math.min(REPORT_BUDGET_MS, Math.max(0, deadline - deps.clock.now()));
  await bestEffortEach([...outcomes.values()], OBJECT_CONCURRENCY, budgetMs, (outcome) => reporters.get(outcome.key)?.report(outcome));
}

function rejectedOutcome(object: { key: string; cluster: string; namespace: string; name: string; reason: string }, now: number): ObjectOutcome {
  return {
    key: object.key,
    at: now,
    result: { key: object.key, cluster: object.cluster, objectId: `${object.namespace}/${object.name}`, status: 'error', statusReason: object.reason, scaled: false, error: object.reason },
    invalidSpec: object.reason,
    paused: false,
    health: {},
  };
}

/** The outcome of one evaluated (or unevaluable) object, as plain data for its reporter. */
function outcomeOf(entry: Entry, result: ObjectTickResult, scaling: ScalingState | undefined, now: number): ObjectOutcome {
  const { pause, scaleTargetRef } = entry.object;
  return {
    key: entry.key,
    at: now,
    result,
    paused: pause.paused,
    ...(pause.pausedReplicas === undefined ? {} : { pausedReplicas: pause.pausedReplicas }),
    health: scaling?.health ?? {},
    ...(scaling?.lastActiveTime === undefined ? {} : { lastActiveTime: scaling.lastActiveTime }),
    ...(scaling?.originalReplicaCount === undefined ? {} : { originalReplicaCount: scaling.originalReplicaCount }),
    scaleTarget: { namespace: entry.object.namespace, apiVersion: scaleTargetRef.apiVersion, kind: scaleTargetRef.kind, name: scaleTargetRef.name },
  };
}

/** Writes the invocation's deferred evaluations; what does not make it before the deadline is reported, never thrown. */
async function flushStateWrites(deps: TickDependencies, coalesced: CoalescedStateWrites, deadline: number, summary: TickSummary): Promise<void> {
  try {
    const report = await withinBudget(coalesced.flush(), Math.max(0, deadline - deps.clock.now()), () => 'writing the state did not finish before the invocation deadline');
    summary.overlapped += report.conflicts.length;
    summary.stateWrites = {
      written: report.written,
      unchanged: report.unchanged,
      failures: report.failures.map(({ key, reason }) => `state of ${key} not written (the next invocation starts from the previous one): ${reason}`),
    };
  } catch (error) {
    summary.stateWrites = { written: 0, unchanged: 0, failures: [`${describeError(error)}; the next invocation starts from the state written before this one`] };
  }
}

/** The state of a pass's objects; an unreachable table fails the pass's objects, not the invocation. */
async function loadStates(deps: TickDependencies, state: StateAccess, keys: string[], deadline: number): Promise<PassStates> {
  try {
    return await withinBudget(state.loadMany(keys), deadline - deps.clock.now(), () => 'loading state did not finish before the deadline');
  } catch (error) {
    return { unreadable: `the state could not be read, so nothing was evaluated: ${describeError(error)}` };
  }
}

async function runPass(pass: PassContext, entries: Entry[], summary: TickSummary): Promise<void> {
  const { deps, options } = pass;
  const byCluster = new Map<string, Entry[]>();
  for (const entry of entries) byCluster.set(entry.cluster, [...(byCluster.get(entry.cluster) ?? []), entry]);
  const outcomes = await Promise.all([...byCluster.values()].map((clusterEntries) => runClusterPass(pass, clusterEntries)));

  const resultByKey = new Map(outcomes.flatMap((outcome) => outcome.results.map((result) => [result.key, result] as const)));
  for (const entry of entries) {
    const result = resultByKey.get(entry.key);
    if (!result) continue;
    summary.evaluated += 1;
    if (result.scaled) summary.scaled += 1;
    if (result.error || result.status === 'error') summary.errors += 1;
    if (result.overlapped) summary.overlapped += 1;
    summary.warnings += result.warnings?.length ?? 0;
    summary.results.push(result);
    deps.onResult?.(result);
  }
  for (const { calls } of outcomes) {
    for (const [service, count] of Object.entries(calls) as [TriggerService, number][]) {
      summary.calls[service] = (summary.calls[service] ?? 0) + count;
    }
  }
  const scaleUps = outcomes.flatMap((outcome) => outcome.scaleUps);
  if (scaleUps.length > 0 && deps.onScaleUps) {
    // The node scaler is told in the same pass, so nodes are requested before the pods turn pending.
    // Best effort (pods pending for long enough bring the node scaler anyway), but never silent.
    try {
      const budgetMs = Math.min(NOTICE_BUDGET_MS, Math.max(0, options.deadline - deps.clock.now()));
      await withinBudget(deps.onScaleUps(scaleUps), budgetMs, () => `Lambda Invoke of the node scaler got no answer within ${budgetMs} ms`);
    } catch (error) {
      summary.noticeFailures.push(`telling the node scaler about ${scaleUps.length} scale-up(s) failed: ${describeError(error)}`);
    }
  }
  const eventBudgetMs = Math.min(REPORT_BUDGET_MS, Math.max(0, options.deadline - deps.clock.now()));
  await Promise.all(outcomes.map((outcome) => outcome.events?.send(OBJECT_CONCURRENCY, eventBudgetMs)));
}

interface ClusterPassOutcome {
  results: ObjectTickResult[];
  scaleUps: ScaleUpNotice[];
  calls: ReadPlanOutcome['calls'];
  /** Held until the pass's patches and the node scaler's notice are done. */
  events?: PassEvents;
}

async function runClusterPass({ deps, options, kedaPolls, states, cache, state, pollReadings, outcomes }: PassContext, entries: Entry[]): Promise<ClusterPassOutcome> {
  const now = deps.clock.now();
  if ('unreadable' in states) return { results: entries.map((entry) => failedResult(entry, states.unreadable)), scaleUps: [], calls: {} };
  const loaded: LoadedStates = states;
  const budgetLeft = () => Math.max(0, options.deadline - deps.clock.now());

  // Each object goes prepare → read → decide and patch on its own, as soon as its own inputs are
  // ready; reads of objects ready together still go out as one read-plan call (read-batches.ts).
  const batches = new ReadBatches((items) => readWithinBudget(deps, items, now, budgetLeft()), READ_BATCH_OBJECTS, READ_BATCH_WAIT_MS);
  const calls: ReadPlanOutcome['calls'] = {};
  const scaleUps: ScaleUpNotice[] = [];
  const preparing = concurrencyLimit(OBJECT_CONCURRENCY);
  const applying = concurrencyLimit(OBJECT_CONCURRENCY);
  // Sent once every object of the pass is patched (pass-events.ts).
  const events = new PassEvents();
  const results = await Promise.all(entries.map(async (entry): Promise<ObjectTickResult> => {
    const kedaPoll = kedaPolls.has(entry.key);
    const cachedReadings = new Map<string, Reading>();
    const { prepared: preparation, outcome } = await batches.prepareThenRead(
      () => preparing(() => prepareSafely(deps, entry, cache, Math.min(PREPARATION_BUDGET_MS, budgetLeft()))),
      (prepared) => readItemsOf(entry.key, entry.cluster, prepared, kedaPoll, pollReadings, cachedReadings),
    );
    return applying(() => decideAndApply(entry, preparation, outcome, kedaPoll, cachedReadings));
  }));
  return { results, scaleUps, calls, events };

  async function decideAndApply(entry: Entry, preparation: Preparation, outcome: ReadPlanOutcome, kedaPoll: boolean, cachedReadings: Map<string, Reading>): Promise<ObjectTickResult> {
    for (const [service, count] of Object.entries(outcome.calls) as [TriggerService, number][]) calls[service] = (calls[service] ?? 0) + count;
    const readings = outcome.readings;
    // KEDA caches the poll's metric for the HPA only when the trigger asks; a failed read is never kept.
    if (kedaPoll && preparation.ok) {
      for (const trigger of preparation.prepared.object.triggers) {
        const id = `${entry.key}#${trigger.index}`;
        const reading = readings.get(id);
        if (trigger.useCachedMetrics && reading !== undefined && !(reading instanceof TriggerError)) pollReadings.set(id, reading);
      }
    }
    for (const [id, reading] of cachedReadings) readings.set(id, reading);

    const start = startingState(entry, loaded, now);
    if ('result' in start) return start.result;
    const { stored, warnings } = start;
    const withWarnings = (result: ObjectTickResult): ObjectTickResult => {
      const all = [...warnings, ...(result.warnings ?? [])];
      return all.length > 0 ? { ...result, warnings: all } : result;
    };
    try {
      const work = (async () => {
        if (!preparation.ok) {
          const unevaluable = await recordUnevaluable(state, options, entry, stored, preparation, now);
          outcomes.set(entry.key, outcomeOf(entry, unevaluable, stored?.scaling, now));
          return unevaluable;
        }
        const { object } = preparation.prepared;
        const triggerWarnings: string[] = [];
        const read = object.pause.paused ? [] : toTriggerResults(object, entry.key, readings, now, (warning) => triggerWarnings.push(warning));
        // cpu/memory were read with the pods while preparing; their results replace the metric step's.
        const resourceResults = preparation.prepared.resourceResults ?? [];
        const triggers = read.map((result) => resourceResults.find((resource) => resource.index === result.index) ?? result);
        const applied = await applyDecision(preparation.prepared, triggers, stored, {
          key: entry.key,
          cluster: entry.cluster,
          now,
          kedaPoll,
          stateStore: state,
          recordEvaluation: state.recordEvaluation,
          dryRun: options.dryRun ?? false,
          reportEvent: (event) => events.hold(entry.key, entry.reporter, event),
        });
        if (applied.scaleUp) scaleUps.push(applied.scaleUp);
        outcomes.set(entry.key, outcomeOf(entry, applied.result, applied.scaling ?? stored?.scaling, now));
        return triggerWarnings.length > 0 ? { ...applied.result, warnings: [...(applied.result.warnings ?? []), ...triggerWarnings] } : applied.result;
      })();
      return withWarnings(
        await withinBudget(work, budgetLeft(), () =>
          'applying the decision did not finish before the invocation deadline (a state write or the patch hung); ' +
          'the next pass reconciles the recorded decision with the replica count it observes',
        ),
      );
    } catch (error) {
      return withWarnings(failedResult(entry, `evaluation failed: ${describeError(error)}`));
    }
  }
}

/**
 * The trigger reads one prepared object needs this pass. A paused object's triggers are not polled
 * (KEDA stops its scale loop), so they cost nothing; a `useCachedMetrics` trigger between KEDA polls
 * takes the poll's reading (into `cachedReadings`) instead of a read.
 */
function readItemsOf(key: string, cluster: string, preparation: Preparation, kedaPoll: boolean, pollReadings: Map<string, Reading>, cachedReadings: Map<string, Reading>): TriggerReadItem[] {
  if (!preparation.ok || preparation.prepared.object.pause.paused) return [];
  const items: TriggerReadItem[] = [];
  for (const trigger of preparation.prepared.object.triggers) {
    const id = `${key}#${trigger.index}`;
    const cached = !kedaPoll && trigger.useCachedMetrics ? pollReadings.get(id) : undefined;
    if (cached) cachedReadings.set(id, cached);
    else items.push({ id, trigger, cluster });
  }
  return items;
}

/** The stored state an object starts from: decoded, fresh in place of an undecodable item, or none. */
function startingState(
  entry: Entry,
  states: LoadedStates,
  now: number,
): { stored: StoredObjectState | undefined; warnings: string[] } | { result: ObjectTickResult } {
  const bad = states.undecodable.get(entry.key);
  if (!bad) return { stored: states.states.get(entry.key), warnings: [] };
  if (bad.version === undefined) {
    return { result: failedResult(entry, `${bad.problem}; delete that item from the state table and this object starts from fresh state`) };
  }
  const fresh: StoredObjectState = {
    key: entry.key,
    cluster: entry.cluster,
    objectId: entry.object.id,
    version: bad.version,
    scaling: initialScalingState(now),
    status: 'ready',
    active: false,
    evaluatedAt: now,
    summary: summaryOf(entry.object),
  };
  return {
    stored: fresh,
    warnings: [
      `${bad.problem}; the object starts from fresh state (cooldown, stabilization and scale history reset) and the item is overwritten`,
    ],
  };
}

async function prepareSafely(deps: TickDependencies, entry: Entry, cache: PreparationCache, budgetMs: number): Promise<Preparation> {
  const work = (async () => prepareObject(entry.object, entry.key, await deps.scaleTargets(entry.cluster), cache))();
  try {
    return await withinBudget(work, budgetMs, () =>
      `cluster ${entry.cluster} did not answer within ${Math.round(budgetMs / 1000)} s while the scaler read ` +
        `${entry.object.scaleTargetRef.kind} ${entry.object.namespace}/${entry.object.scaleTargetRef.name} (EKS DescribeCluster or the Kubernetes API hung); ` +
        'this object is skipped this pass, the others went on',
    );
  } catch (error) {
    return { ok: false, reason: describeError(error) };
  }
}

/** The pass's trigger reads; if the read plan itself fails or hangs, every trigger of the pass fails with the reason. */
async function readWithinBudget(deps: TickDependencies, items: TriggerReadItem[], now: number, budgetMs: number): Promise<ReadPlanOutcome> {
  if (items.length === 0) return { readings: new Map(), calls: {} };
  try {
    return await withinBudget(deps.readTriggers(items, now), budgetMs, () => 'reading the triggers did not finish before the invocation deadline');
  } catch (error) {
    const failure = new TriggerError(describeError(error), 'ReadFailed');
    return { readings: new Map(items.map((item) => [item.id, failure])), calls: {} };
  }
}

/**
 * An object that could not be evaluated keeps its scaling state untouched; only its status says
 * why, so nothing is lost when the cause (RBAC, a deleted target, throttling) is fixed.
 */
async function recordUnevaluable(
  state: StateAccess,
  options: TickOptions,
  entry: Entry,
  stored: StoredObjectState | undefined,
  preparation: Extract<Preparation, { ok: false }>,
  now: number,
): Promise<ObjectTickResult> {
  const result: ObjectTickResult = {
    ...failedResult(entry, preparation.reason),
    ...(preparation.scale ? { currentReplicas: preparation.scale.specReplicas } : {}),
  };
  if (options.dryRun) return result;
  const expectedVersion = stored?.version ?? 0;
  await state.recordEvaluation(
    {
      key: entry.key,
      cluster: entry.cluster,
      objectId: entry.object.id,
      version: expectedVersion,
      scaling: stored?.scaling ?? initialScalingState(now),
      status: 'error',
      statusReason: preparation.reason,
      active: stored?.active ?? false,
      evaluatedAt: now,
      summary: summaryOf(entry.object),
      ...(preparation.scale ? { currentReplicas: preparation.scale.specReplicas } : stored?.currentReplicas === undefined ? {} : { currentReplicas: stored.currentReplicas }),
      ...(stored?.lastDecision ? { lastDecision: stored.lastDecision } : {}),
      ...(stored?.lastScaleAt ? { lastScaleAt: stored.lastScaleAt } : {}),
      ...(stored?.polledAt === undefined ? {} : { polledAt: stored.polledAt }),
    },
    expectedVersion,
  );
  return result;
}

function failedResult(entry: Entry, reason: string): ObjectTickResult {
  return {
    key: entry.key,
    cluster: entry.cluster,
    objectId: entry.object.id,
    status: 'error',
    statusReason: reason,
    scaled: false,
    error: reason,
  };
}
