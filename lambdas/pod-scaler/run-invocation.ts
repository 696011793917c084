/**
 * What one pod scaler invocation does, whatever invoked it: a scheduled tick (sharded when the
 * deployment is larger than one invocation can evaluate in its slot), an alarm-driven evaluation
 * of the objects the alarm speaks for, or one shard. Independent of Lambda's event plumbing so the
 * handler stays thin and tests drive the same path.
 */
import { emptyTickSummary, type TickDependencies, type TickSummary } from './tick-types';
import { runTick } from './tick';
import { classifyEvent, SHARD_EVENT_SOURCE, type InvocationEvent } from './invocation-event';
import { objectsForAlarm } from './alarm-match';
import { planShards } from './shards';
import { loadObjects } from './load-sources';
import { restoreRemovedObjects, type RestoreSummary } from './restore-removed';
import { describeError } from './describe-error';
import { withinBudget } from '../util/within-budget';
import type { HandoverMessage } from './pass-handover';
import { STALE_AFTER_MS, type WindowOutcome, type WindowParking } from './parked-windows';

/** Longest the hand-over of the shards may take (two attempts each). */
export const SHARD_INVOKE_BUDGET_MS = 5_000;
/** Longest the restore-on-removal step may hold the scheduled invocation. */
export const RESTORE_BUDGET_MS = 10_000;

export interface InvocationRuntime {
  tick: TickDependencies;
  /** Objects one invocation evaluates before the scheduled tick fans out to shards. */
  maxObjectsPerInvocation: number;
  /** Invokes this same function asynchronously with a shard event. */
  invokeShard(event: ShardEvent): Promise<void>;
  /** Safety margin kept before Lambda's own timeout, ms. */
  deadlineMarginMs?: number;
  /**
   * This invocation runs beside `invocations - 1` others (the shards of one tick): account-wide
   * quotas (Kinesis DescribeStreamSummary, for streams read through an assumed role) are split among them.
   */
  shareQuotasAmong?(invocations: number): void;
  /**
   * Parks an unsharded scheduled window between its passes instead of sleeping (parked-windows.ts);
   * absent, the invocation sleeps through its window as before.
   */
  parking?: WindowParking;
}

export interface ShardEvent {
  source: typeof SHARD_EVENT_SOURCE;
  shard: number;
  of: number;
  objectIds: string[];
}

export interface InvocationSummary extends Omit<TickSummary, 'results'> {
  trigger: InvocationEvent['kind'];
  /** Shards this scheduled invocation split into (1 = no fan-out), or this shard's position. */
  shards: number;
  /** Alarm name, for alarm-driven evaluations. */
  alarm?: string;
  restored?: RestoreSummary;
  /** Shards whose invoke failed even after one retry, with why (their objects wait for the next tick). */
  shardFailures?: string[];
  /** The window parked until its next pass: the counts so far are reported when it ends. */
  parked?: { window: string; nextPassAt: string };
  /** How the window's passes were handed over (parked-windows.ts). */
  handover?: HandoverSummary;
}

export interface HandoverSummary {
  window?: string;
  parks?: number;
  /** Hand-overs not sent (the window slept instead), and hand-over messages dropped, with why. */
  failures?: string[];
  /** A hand-over not acted on: a duplicate, too late, or this function parks nothing. */
  dropped?: string;
  /** The rest of a window parked in another container, run here from the stored state. */
  tookOver?: boolean;
  /** Windows dropped from this container because their pass ran elsewhere or never came. */
  orphansDropped?: number;
}

export async function runInvocation(
  rawEvent: unknown,
  remainingTimeMs: number,
  runtime: InvocationRuntime,
): Promise<InvocationSummary> {
  const event = classifyEvent(rawEvent);
  const { tick } = runtime;
  const deadline = tick.clock.now() + remainingTimeMs - (runtime.deadlineMarginMs ?? 3_000);

  if (event.kind === 'alarm') {
    // Only a transition into ALARM means "a backlog is building"; OK and INSUFFICIENT_DATA wait for the tick.
    if (event.state !== 'ALARM') return finish(emptyTickSummary(), { trigger: 'alarm', shards: 1, alarm: event.alarmName });
    const loaded = await loadObjects(tick, deadline);
    const ids = objectsForAlarm(loaded.objects.map((sourced) => sourced.object), event.metrics);
    const summary = ids.length > 0 ? await runTick(tick, { deadline, onlyObjects: ids, windowMs: 0, loaded }) : emptyTickSummary();
    return finish(summary, { trigger: 'alarm', shards: 1, alarm: event.alarmName });
  }

  if (event.kind === 'pass') return runHandedOverPass(event, deadline, runtime);

  if (event.kind === 'shard') {
    runtime.shareQuotasAmong?.(event.of);
    const summary = await runTick(tick, { deadline, onlyObjects: event.objectIds });
    return finish(summary, { trigger: 'shard', shards: event.of });
  }

  // The scheduled invocation alone looks for removed objects: it sees the whole fleet.
  const loaded = await loadObjects(tick, deadline, { findRemoved: true });
  // Keys, not ids: the same namespace/name may exist in two clusters.
  const keys = loaded.objects.map((sourced) => sourced.key);
  const shards = planShards(keys, runtime.maxObjectsPerInvocation);
  runtime.shareQuotasAmong?.(Math.max(1, shards.length));
  // Above one invocation's share, every shard runs in its own invocation, concurrently, each with its
  // own deadline, and this one evaluates none: it has loaded the whole fleet and looked for removed
  // objects, so a shard of its own would finish last (issue 13, goal 8: the tick fits one 15 s slot
  // at the slowest shard's time). A failed invoke is that shard's problem: reported and retried once.
  const shardFailures = (
    await Promise.all(
      (shards.length > 1 ? shards : []).map((objectIds, index) => {
        const event: ShardEvent = { source: SHARD_EVENT_SOURCE, shard: index, of: shards.length, objectIds };
        // A hung invoke must not hold the others: past its budget it is reported like a failed one.
        return withinBudget(invokeShardWithRetry(runtime, event), SHARD_INVOKE_BUDGET_MS, () => '').catch(
          () =>
            `shard ${event.shard + 1} of ${event.of} (${objectIds.length} objects) could not be invoked: Lambda Invoke got no answer within ` +
            `${SHARD_INVOKE_BUDGET_MS / 1000} s; its objects are evaluated at the next tick: check that the Lambda can reach the Lambda API (a VPC endpoint or a NAT)`,
        );
      }),
    )
  ).filter((failure): failure is string => failure !== undefined);
  // Best effort: a failure or a hang is reported and retried next invocation.
  const restored = await withinBudget(restoreRemovedObjects(tick, loaded.removed), RESTORE_BUDGET_MS, () => `did not finish within ${RESTORE_BUDGET_MS / 1000} s`).catch(
    (error: unknown): RestoreSummary => ({ removed: 0, restored: 0, failures: [`restoring removed objects: ${describeError(error)}; retried next invocation`] }),
  );
  const extra = { trigger: 'schedule' as const, shards: Math.max(1, shards.length), restored, ...(shardFailures.length > 0 ? { shardFailures } : {}) };
  // ScaledJobs are polled here only, whatever the shards: one invocation per tick claims their polls.
  if (runtime.parking && shards.length <= 1) {
    // Shards are left to sleep: their hand-overs would land in each other's containers.
    const { parking } = runtime;
    const windowStart = tick.clock.now();
    const orphansDropped = parking.dropOrphans();
    const outcome = await parking.start(windowStart, (waitForPass) =>
      runTick(tick, { deadline, loaded, pollScaledJobs: true, windowStart, waitForPass }),
    );
    return windowSummary(outcome, extra, orphansDropped);
  }
  const summary = await runTick(tick, { deadline, loaded, pollScaledJobs: true, ...(shards.length > 1 ? { onlyObjects: [] } : {}) });
  return finish(summary, extra);
}

/**
 * A window's next pass, handed over through the queue: resumed here when the window is parked in
 * this container, else the rest of the window is run from the stored state (it parks in turn).
 * A message it cannot use is dropped with the reason, never thrown: SQS would deliver it again,
 * long after its pass (and the redelivery is then dropped as late).
 */
async function runHandedOverPass(event: Extract<InvocationEvent, { kind: 'pass' }>, deadline: number, runtime: InvocationRuntime): Promise<InvocationSummary> {
  const { tick, parking } = runtime;
  const failures = [...event.unreadable, ...event.messages.slice(1).map((message) => `hand-over ${message.window}@${message.offsetMs} ms dropped: one hand-over per invocation (set the event source mapping's batch size to 1)`)];
  const dropped = (why: string, orphansDropped = 0): InvocationSummary =>
    finish(emptyTickSummary(), { trigger: 'pass', shards: 1, handover: { dropped: why, ...(failures.length > 0 ? { failures } : {}), ...(orphansDropped > 0 ? { orphansDropped } : {}) } });
  const message: HandoverMessage | undefined = event.messages[0];
  if (!message) return dropped('the event carried no hand-over');
  const label = `hand-over of window ${message.window} at +${message.offsetMs / 1000} s`;
  if (!parking) return dropped(`${label}: this function parks no windows (PASS_HANDOVER_QUEUE_URL is not set); its objects get the next minute`);
  const orphansDropped = parking.dropOrphans();
  const received = parking.receive(message);
  if (received.kind === 'duplicate') return dropped(`${label}: delivered twice; the pass already ran`, orphansDropped);
  if (received.kind === 'stale') return dropped(`${label}: arrived more than ${STALE_AFTER_MS / 1000} s after its pass was due; the window's next pass or the next minute covers its objects`, orphansDropped);
  if (received.kind === 'resumed') return windowSummary(await received.outcome, { trigger: 'schedule', shards: 1 }, orphansDropped, failures);
  // Not parked here: the rest of the window from the stored state, under a window id of its own.
  const loaded = await loadObjects(tick, deadline);
  const outcome = await parking.start(message.windowStart, (waitForPass) =>
    runTick(tick, { deadline, loaded, pollScaledJobs: true, windowStart: message.windowStart, fromOffsetMs: message.offsetMs, waitForPass }),
  );
  return windowSummary(outcome, { trigger: 'schedule', shards: 1 }, orphansDropped, failures, true);
}

/** The invocation's summary: the window's when it ended here, a short parked one when it parked. */
function windowSummary(
  outcome: WindowOutcome,
  extra: Pick<InvocationSummary, 'trigger' | 'shards' | 'restored' | 'shardFailures'>,
  orphansDropped: number,
  messageFailures: string[] = [],
  tookOver = false,
): InvocationSummary {
  const failures = [...outcome.handover.failures, ...messageFailures];
  const handover: HandoverSummary = {
    window: outcome.window,
    parks: outcome.handover.parks,
    ...(failures.length > 0 ? { failures } : {}),
    ...(tookOver ? { tookOver } : {}),
    ...(orphansDropped > 0 ? { orphansDropped } : {}),
  };
  if (outcome.kind === 'done') return finish(outcome.summary, { ...extra, handover });
  return finish(emptyTickSummary(), { ...extra, handover, parked: { window: outcome.window, nextPassAt: new Date(outcome.nextPassAt).toISOString() } });
}

/** Undefined when the shard was handed over; otherwise why not, after one retry. */
async function invokeShardWithRetry(runtime: InvocationRuntime, event: ShardEvent): Promise<string | undefined> {
  let first: unknown;
  try {
    await runtime.invokeShard(event);
    return undefined;
  } catch (error) {
    first = error;
  }
  try {
    await runtime.invokeShard(event);
    return undefined;
  } catch (error) {
    return (
      `shard ${event.shard + 1} of ${event.of} (${event.objectIds.length} objects) could not be invoked: ${describeError(error)} ` +
      `(first attempt: ${describeError(first)}); its objects are evaluated at the next tick: check the function's lambda:InvokeFunction permission on itself and its concurrency`
    );
  }
}


function finish(summary: TickSummary, extra: Pick<InvocationSummary, 'trigger' | 'shards' | 'alarm' | 'restored' | 'shardFailures' | 'parked' | 'handover'>): InvocationSummary {
  const { results: _results, scaledJobs, ...counts } = summary;
  // ScaledJob results go to the log only when they carry a problem: the counts say the rest.
  const jobs = scaledJobs ? { scaledJobs: { ...scaledJobs, results: scaledJobs.results.filter((result) => result.error || result.warnings || result.status === 'error') } } : {};
  return { ...counts, ...jobs, ...extra };
}
