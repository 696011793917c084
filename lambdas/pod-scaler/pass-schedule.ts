/**
 * When, inside one EventBridge invocation, each ScaledObject is evaluated, and which of those
 * evaluations are KEDA polls. Pure.
 *
 * KEDA + HPA run two loops: KEDA polls every `pollingInterval` (activation, cooldown, the step to and
 * from zero) and the HPA syncs every 15 s (1..N), reading the same metrics each time. EventBridge
 * fires at most once a minute, so an invocation covers a window of passes: with `pollingInterval:
 * 30` and the HPA's 15 s sync, passes at 0, 15, 30 and 45 s, of which 0 and 30 are KEDA polls.
 * Objects polled less often than the window are polled once, when their interval has elapsed
 * since their last poll, and still synced every 15 s in between.
 */
import type { ScheduledTimes } from '../adapters/state/carried-forward';

export interface ScheduledObject {
  key: string;
  pollingIntervalSeconds: number;
  /** Epoch ms of the last KEDA poll, from state; undefined when never polled. */
  lastPolledAt?: number;
}

export interface Pass {
  /** Offset from the start of the invocation, ms. */
  offsetMs: number;
  /** Objects evaluated in this pass. */
  keys: string[];
  /** The subset whose evaluation is a KEDA poll; the others are HPA syncs only. */
  kedaPolls: string[];
}

/** The HPA controller's `--horizontal-pod-autoscaler-sync-period` default. */
export const DEFAULT_HPA_SYNC_SECONDS = 15;

/**
 * Slack for objects polled less often than the window: EventBridge jitters by a few seconds, and
 * an object due 2 s after this invocation would otherwise wait a whole extra minute.
 */
const DUE_SLACK_MS = 5_000;

export function planPasses(
  objects: readonly ScheduledObject[],
  now: number,
  windowMs: number,
  hpaSyncSeconds: number = DEFAULT_HPA_SYNC_SECONDS,
): Pass[] {
  const byOffset = new Map<number, Pass>();
  const add = (offsetMs: number, key: string, kedaPoll: boolean) => {
    const pass = byOffset.get(offsetMs) ?? { offsetMs, keys: [], kedaPolls: [] };
    pass.keys.push(key);
    if (kedaPoll) pass.kedaPolls.push(key);
    byOffset.set(offsetMs, pass);
  };
  for (const object of objects) {
    const pollMs = Math.max(1, object.pollingIntervalSeconds) * 1000;
    if (windowMs <= 0) {
      add(0, object.key, true); // an evaluation on demand (alarm) is a full poll
      continue;
    }
    const polls = new Set<number>();
    if (pollMs < windowMs) {
      for (let offset = 0; offset < windowMs; offset += pollMs) polls.add(offset);
    } else if (object.lastPolledAt === undefined || now - object.lastPolledAt + DUE_SLACK_MS >= pollMs) {
      polls.add(0);
    }
    const syncMs = hpaSyncSeconds > 0 ? Math.min(hpaSyncSeconds * 1000, pollMs) : 0;
    const offsets = new Set(polls);
    if (syncMs > 0) for (let offset = 0; offset < windowMs; offset += syncMs) offsets.add(offset);
    for (const offset of [...offsets].sort((a, b) => a - b)) add(offset, object.key, polls.has(offset));
  }
  return [...byOffset.values()].sort((a, b) => a.offsetMs - b.offsetMs);
}

/** The window of a scheduled invocation (EventBridge fires once a minute). */
const SCHEDULED_WINDOW_MS = 60_000;

/**
 * The last evaluation and poll of one object in the window that starts at `windowStart`, as
 * `planPasses` schedules them: the times a steady state is carried forward to (carried-forward.ts).
 * No poll time when polls do not come at fixed offsets (pollingInterval over the window), and
 * nothing when the object is evaluated only at those polls (their time is written as polledAt).
 */
export function lastScheduledTimes(pollingIntervalSeconds: number, windowStart: number, windowMs: number, hpaSyncSeconds: number = DEFAULT_HPA_SYNC_SECONDS): ScheduledTimes | undefined {
  // Polled at fixed offsets, or (pollingInterval equal to the window) at the start of every invocation.
  const pollsAtFixedOffsets = Math.max(1, pollingIntervalSeconds) * 1000 <= windowMs;
  if (windowMs <= 0 || (!pollsAtFixedOffsets && hpaSyncSeconds <= 0)) return undefined;
  const passes = planPasses([{ key: 'object', pollingIntervalSeconds }], windowStart, windowMs, hpaSyncSeconds);
  const polls = passes.filter((pass) => pass.kedaPolls.length > 0);
  return {
    evaluationAt: windowStart + passes[passes.length - 1]!.offsetMs,
    ...(pollsAtFixedOffsets && polls.length > 0 ? { pollAt: windowStart + polls[polls.length - 1]!.offsetMs } : {}),
  };
}

/**
 * The previous window's and this one's last scheduled times, for an invocation that starts at
 * `start`. An alarm's evaluation on demand (window 0) runs between scheduled ones at a phase it does
 * not know, so it takes the previous evaluation to be just before it: a carried run then holds its
 * count a little longer than upstream, never shorter.
 */
export function scheduledTimesAround(
  pollingIntervalSeconds: number,
  start: number,
  windowMs: number,
  hpaSyncSeconds: number = DEFAULT_HPA_SYNC_SECONDS,
): { previous?: ScheduledTimes; current?: ScheduledTimes } {
  if (windowMs <= 0) {
    const scheduled = lastScheduledTimes(pollingIntervalSeconds, start - SCHEDULED_WINDOW_MS, SCHEDULED_WINDOW_MS, hpaSyncSeconds);
    if (!scheduled) return {};
    return { previous: { evaluationAt: start - 1, ...(scheduled.pollAt === undefined ? {} : { pollAt: start - 1 }) } };
  }
  const previous = lastScheduledTimes(pollingIntervalSeconds, start - windowMs, windowMs, hpaSyncSeconds);
  const current = lastScheduledTimes(pollingIntervalSeconds, start, windowMs, hpaSyncSeconds);
  return { ...(previous ? { previous } : {}), ...(current ? { current } : {}) };
}
