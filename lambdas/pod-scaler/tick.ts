/**
 * One pod scaler tick: every ScaledObject that is due gets evaluated, in passes that honour each
 * object's pollingInterval within the invocation's window, and never past the deadline.
 *
 * Within a pass, all triggers of all due objects are read together through the read plan (so two
 * objects on one queue cost one call), then every object is decided and applied independently:
 * one broken object never stops the others.
 */
import type { StoredObjectState } from '../adapters/state/state-store';
import type { ScaledObject } from '../engine/spec/scaled-object';
import { initialScalingState } from '../engine/scaling-state';
import { toTriggerResults } from '../triggers/metric-step';
import { mapWithConcurrency } from '../util/map-with-concurrency';
import { applyDecision, summaryOf } from './apply-decision';
import { describeError } from './describe-error';
import { clusterOf, objectKey } from './object-key';
import { DEFAULT_HPA_SYNC_SECONDS, planPasses } from './pass-schedule';
import { newPreparationCache, prepareObject, type Preparation, type PreparationCache } from './prepare-object';
import type {
  ObjectTickResult,
  ScaleUpNotice,
  TickDependencies,
  TickOptions,
  TickSummary,
  TriggerReadItem,
  TriggerService,
} from './tick-types';

/** Objects prepared and applied at once; Kubernetes API calls per object are few and short. */
const OBJECT_CONCURRENCY = 32;

interface Entry {
  object: ScaledObject;
  key: string;
  cluster: string;
}

export async function runTick(deps: TickDependencies, options: TickOptions): Promise<TickSummary> {
  const { clock, config } = deps;
  const start = clock.now();
  const windowMs = options.windowMs ?? 60_000;
  const only = options.onlyObjects ? new Set(options.onlyObjects) : undefined;
  const entries: Entry[] = config.scaledObjects
    .map((object) => ({ object, key: objectKey(object, config), cluster: clusterOf(object, config) }))
    .filter((entry) => !only || only.has(entry.key) || only.has(entry.object.id));
  const byKey = new Map(entries.map((entry) => [entry.key, entry]));

  const summary: TickSummary = { passes: 0, evaluated: 0, scaled: 0, errors: 0, results: [], calls: {}, skippedForDeadline: 0 };
  if (entries.length === 0) return summary;

  let states = await deps.stateStore.loadMany(entries.map((entry) => entry.key));
  const passes = planPasses(
    entries.map((entry) => ({
      key: entry.key,
      pollingIntervalSeconds: entry.object.pollingInterval,
      ...(states.get(entry.key)?.polledAt === undefined ? {} : { lastPolledAt: states.get(entry.key)!.polledAt }),
    })),
    start,
    windowMs,
    config.hpaSyncPeriodSeconds ?? DEFAULT_HPA_SYNC_SECONDS,
  );

  const cache = newPreparationCache();
  let lastPassMs = 0;
  for (const [index, pass] of passes.entries()) {
    const passStart = Math.max(start + pass.offsetMs, clock.now());
    // A pass that would not finish before the deadline is not started (nor waited for): half-applied
    // passes are safe, but a Lambda killed mid-write wastes the work and hides the summary.
    if (passStart + lastPassMs >= options.deadline) {
      summary.skippedForDeadline += passes.slice(index).reduce((count, skipped) => count + skipped.keys.length, 0);
      break;
    }
    if (clock.now() < passStart) await clock.sleep(passStart - clock.now());
    const passEntries = pass.keys.map((key) => byKey.get(key)).filter((entry): entry is Entry => entry !== undefined);
    if (index > 0) states = await deps.stateStore.loadMany(pass.keys);
    const began = clock.now();
    await runPass(deps, options, passEntries, new Set(pass.kedaPolls), states, cache, summary);
    lastPassMs = clock.now() - began;
    summary.passes += 1;
  }
  return summary;
}

async function runPass(
  deps: TickDependencies,
  options: TickOptions,
  entries: Entry[],
  kedaPolls: ReadonlySet<string>,
  states: Map<string, StoredObjectState>,
  cache: PreparationCache,
  summary: TickSummary,
): Promise<void> {
  const now = deps.clock.now();
  const preparations = await mapWithConcurrency(entries, OBJECT_CONCURRENCY, (entry) => prepareSafely(deps, entry, cache));

  const items: TriggerReadItem[] = [];
  preparations.forEach((preparation, i) => {
    // A paused object's triggers are not polled (KEDA stops its scale loop), so they cost nothing.
    if (!preparation.ok || preparation.prepared.object.pause.paused) return;
    for (const trigger of preparation.prepared.object.triggers) items.push({ id: `${entries[i]!.key}#${trigger.index}`, trigger });
  });
  const { readings, calls } = await deps.readTriggers(items, now);
  for (const [service, count] of Object.entries(calls) as [TriggerService, number][]) {
    summary.calls[service] = (summary.calls[service] ?? 0) + count;
  }

  const scaleUps: ScaleUpNotice[] = [];
  const results = await mapWithConcurrency(entries, OBJECT_CONCURRENCY, async (entry, i): Promise<ObjectTickResult> => {
    const preparation = preparations[i]!;
    const stored = states.get(entry.key);
    try {
      if (!preparation.ok) return await recordUnevaluable(deps, options, entry, stored, preparation, now);
      const { object } = preparation.prepared;
      const triggers = object.pause.paused ? [] : toTriggerResults(object, entry.key, readings, now);
      const applied = await applyDecision(preparation.prepared, triggers, stored, {
        key: entry.key,
        cluster: entry.cluster,
        now,
        kedaPoll: kedaPolls.has(entry.key),
        stateStore: deps.stateStore,
        dryRun: options.dryRun ?? false,
      });
      if (applied.scaleUp) scaleUps.push(applied.scaleUp);
      return applied.result;
    } catch (error) {
      return failedResult(entry, `evaluation failed: ${describeError(error)}`);
    }
  });

  for (const result of results) {
    summary.evaluated += 1;
    if (result.scaled) summary.scaled += 1;
    if (result.error || result.status === 'error') summary.errors += 1;
    summary.results.push(result);
    deps.onResult?.(result);
  }
  if (scaleUps.length > 0 && deps.onScaleUps) {
    // The node scaler is told in the same pass, so nodes are requested before the pods turn pending.
    await deps.onScaleUps(scaleUps).catch(() => undefined);
  }
}

async function prepareSafely(deps: TickDependencies, entry: Entry, cache: PreparationCache): Promise<Preparation> {
  try {
    const api = await deps.scaleTargets(entry.cluster);
    return await prepareObject(entry.object, entry.key, api, cache);
  } catch (error) {
    return { ok: false, reason: describeError(error) };
  }
}

/**
 * An object that could not be evaluated keeps its scaling state untouched; only its status says
 * why, so nothing is lost when the cause (RBAC, a deleted target, throttling) is fixed.
 */
async function recordUnevaluable(
  deps: TickDependencies,
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
  await deps.stateStore.save(
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
      ...(preparation.scale ? { currentReplicas: preparation.scale.specReplicas } : {}),
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
