/**
 * Steady evaluations need no write (issue 13, goal 3): an object the HPA syncs every 15 s adds a
 * recommendation at every sync, and KEDA moves its lastActiveTime at every active poll, so its state
 * changed every minute even when nothing else did. Those two moves are predictable: if every
 * evaluation of a minute recommended the same count as the last stored one (and every poll found
 * the object active), the state after the minute is the stored one carried forward to the minute's
 * last evaluation. So that minute is not written, and the next invocation rebuilds the carried state
 * when it loads the item.
 *
 * Why the replica counts stay the HPA's: the HPA reads its history only through the max (and, with
 * a behavior block, the min) over a window that ends now. Of a run of equal recommendations only the
 * newest can decide either (the older ones leave the window first and hold the same value), so
 * storing the run's newest entry is the same as storing all of it. The HPA only ever overwrites
 * entries that have left the window, so entries a minute dropped are ones that no longer count.
 *
 * The rebuilt entry's time is the last evaluation the pass schedule gave the object in the previous
 * invocation's window. A pass runs a few ms after its scheduled time (timers), later if the pass
 * before it overran, and EventBridge jitters the invocations themselves; so a window is left
 * unwritten only if its last evaluation (and poll) ran within `PASS_LAG_TOLERANCE_MS` of schedule.
 * The rebuilt time is then exact on a regular schedule (every test replay) and at most that much
 * earlier than the real one otherwise: a window edge that falls inside that second can let the entry
 * (or lastActiveTime, for cooldown) count one 15 s pass less than writing it would have. If an
 * invocation did not run at all, the run is taken to have held through it (the count is held
 * longer, as if the invocation had run).
 */
import type { TimestampedCount } from '../../engine/scaling-state';
import type { StoredObjectState } from './state-store';

/** When the schedule last evaluates (and, for pollingInterval up to the window, polls) an object in a window. */
export interface ScheduledTimes {
  evaluationAt: number;
  /** Absent when polls do not follow a fixed offset (pollingInterval over the window: polledAt is written). */
  pollAt?: number;
}

/**
 * A stored state at least this much older than the previous window's last evaluation was not
 * rewritten by that window: its evaluations were carried forward. Half a window: far above
 * EventBridge's jitter, far below a whole window.
 */
const CARRIED_GAP_MS = 30_000;
/** How late a window's last evaluation or poll may run for the window to be rebuilt rather than written. */
export const PASS_LAG_TOLERANCE_MS = 1_000;

/** `actual` ran at its scheduled time or at most PASS_LAG_TOLERANCE_MS after it. */
const onSchedule = (actual: number | undefined, scheduled: number) => actual !== undefined && actual >= scheduled && actual - scheduled < PASS_LAG_TOLERANCE_MS;

const newestOf = (entries: readonly TimestampedCount[]) => entries.reduce((newest, entry) => (entry.timestamp >= newest.timestamp ? entry : newest));

/** The newest recommendation when the last stored evaluation recorded it (the HPA ran then), else undefined. */
function openRun(state: StoredObjectState): TimestampedCount | undefined {
  const entries = state.scaling.recommendations;
  // At 0 replicas the HPA records nothing (scaling is disabled), so there is no run to carry.
  if (!entries || entries.length === 0 || (state.currentReplicas ?? 0) <= 0) return undefined;
  const newest = newestOf(entries);
  return newest.timestamp === state.evaluatedAt ? newest : undefined;
}

/** The last stored poll found the object active, so KEDA moves lastActiveTime at every poll. */
function activeAtLastPoll(state: StoredObjectState): boolean {
  return state.active && state.polledAt !== undefined && state.scaling.lastActiveTime === state.polledAt;
}

/** The run a load at the end of `times`' window rebuilds from `stored`, if any (one rule for the load and the flush). */
function rebuiltRun(stored: StoredObjectState, times: ScheduledTimes | undefined): TimestampedCount | undefined {
  if (!times || times.evaluationAt - stored.evaluatedAt < CARRIED_GAP_MS) return undefined;
  return openRun(stored);
}

/** Whether that load also moves lastActiveTime to the window's last poll. */
function rebuildsActivity(stored: StoredObjectState, times: ScheduledTimes | undefined): boolean {
  if (!times || times.pollAt === undefined || times.evaluationAt - stored.evaluatedAt < CARRIED_GAP_MS) return false;
  return times.pollAt > stored.polledAt! && activeAtLastPoll(stored);
}

/**
 * The state the evaluations since `stored` was written would have left, had they all repeated it:
 * the open run's recommendation at the previous window's last evaluation, and lastActiveTime at its
 * last poll. Returns `stored` itself when that window wrote it.
 */
export function carryForward(stored: StoredObjectState, previous: ScheduledTimes | undefined): StoredObjectState {
  const run = rebuiltRun(stored, previous);
  const activity = rebuildsActivity(stored, previous);
  if (!run && !activity) return stored;
  const scaling = { ...stored.scaling };
  if (run) scaling.recommendations = [...stored.scaling.recommendations!, { replicas: run.replicas, timestamp: previous!.evaluationAt }];
  if (activity) scaling.lastActiveTime = previous!.pollAt!;
  return {
    ...stored,
    scaling,
    ...(run ? { evaluatedAt: previous!.evaluationAt } : {}),
    ...(activity ? { polledAt: previous!.pollAt! } : {}),
  };
}

export interface CarriedParts {
  /** False when the next load would rebuild something this window did not do: the state must be written. */
  consistent: boolean;
  /** The next load rebuilds the recommendations (and lastActiveTime): compare the rest only. */
  recommendations: boolean;
  lastActiveTime: boolean;
}

/**
 * What of `after` the next load rebuilds from `before`, which therefore need not be written: the
 * recommendations when every one added since `before` repeats its open run up to this window's last
 * evaluation (`current`, run on schedule), and lastActiveTime when the polls found the object active
 * up to this window's last poll. Inconsistent when the load would rebuild something this window did
 * not do (or did late).
 */
export function carriedParts(before: StoredObjectState, after: StoredObjectState, current: ScheduledTimes | undefined): CarriedParts {
  const run = rebuiltRun(before, current);
  const activity = rebuildsActivity(before, current);
  const recommendationsMatch = !run || recommendationsRepeat(run, before, after, current!.evaluationAt);
  const activityMatches = !activity || (onSchedule(after.polledAt, current!.pollAt!) && activeAtLastPoll(after));
  return { consistent: recommendationsMatch && activityMatches, recommendations: run !== undefined, lastActiveTime: activity };
}

function recommendationsRepeat(run: TimestampedCount, before: StoredObjectState, after: StoredObjectState, lastEvaluationAt: number): boolean {
  const entries = after.scaling.recommendations;
  if (!entries || entries.length === 0 || !onSchedule(after.evaluatedAt, lastEvaluationAt)) return false;
  const kept = new Set(before.scaling.recommendations!.map((entry) => `${entry.replicas}@${entry.timestamp}`));
  const added = entries.filter((entry) => !kept.has(`${entry.replicas}@${entry.timestamp}`));
  const newest = newestOf(entries);
  return added.every((entry) => entry.replicas === run.replicas) && newest.replicas === run.replicas && newest.timestamp === after.evaluatedAt;
}
