/**
 * Whether a new state of an object is worth a write: does it change anything the next evaluation,
 * the next pass plan, `status` or restore-on-removal reads?
 *
 * Everything the engine keeps is compared in full: the HPA recommendation history (a new entry
 * moves when the stabilization window's max/min expire), scale events, lastActiveTime (cooldown),
 * the fallback counters (health), the original replica count. So are the status, the observed
 * replica count, the last decision and the spec summary. Left out:
 * - `evaluatedAt`: no decision reads it (it is for people, and it stays the last written one);
 * - `polledAt` when the object's next poll does not depend on it (pollingInterval up to the
 *   invocation's window: every invocation polls it; pass-schedule.ts);
 * - the recommendations and lastActiveTime when the next load rebuilds them (carried-forward.ts):
 *   every evaluation of the window repeated the stored open run, every poll found the object active.
 *
 * An object idle at 0 replicas or paused, or busy at a steady count, therefore costs no write at all.
 */
import type { StoredObjectState } from './state-store';
import { carriedParts, type ScheduledTimes } from './carried-forward';
import { plainDataEqual } from '../../util/plain-data';

export interface ChangeOptions {
  polledAtMatters: boolean;
  /** This window's last scheduled evaluation and poll of the object; absent when evaluations are not on a fixed schedule. */
  schedule?: ScheduledTimes;
}

export function changesNextEvaluation(before: StoredObjectState, after: StoredObjectState, options: ChangeOptions): boolean {
  const carried = carriedParts(before, after, options.schedule);
  if (!carried.consistent) return true;
  const leftOut = { polledAt: !options.polledAtMatters, ...carried };
  return !plainDataEqual(comparable(before, leftOut), comparable(after, leftOut));
}

/** An absent field and one set to undefined compare equal (plainDataEqual), as the codec drops both. */
function comparable(state: StoredObjectState, leftOut: { polledAt: boolean; recommendations: boolean; lastActiveTime: boolean }): unknown {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- dropped on purpose, see above
  const { evaluatedAt, version, polledAt, scaling, ...rest } = state;
  const { recommendations, lastActiveTime, ...scalingRest } = scaling;
  return {
    ...rest,
    scaling: {
      ...scalingRest,
      ...(leftOut.recommendations ? {} : { recommendations }),
      ...(leftOut.lastActiveTime ? {} : { lastActiveTime }),
    },
    ...(leftOut.polledAt ? {} : { polledAt }),
  };
}
