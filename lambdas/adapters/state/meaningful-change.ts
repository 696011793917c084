/**
 * Whether a new state of an object is worth a write: does it change anything the next evaluation,
 * the next pass plan, `status` or restore-on-removal reads?
 *
 * Everything the engine keeps is compared in full: the HPA recommendation history (a new entry
 * moves when the stabilization window's max/min expire), scale events, lastActiveTime (cooldown),
 * the fallback counters (health), the original replica count. So are the status, the observed
 * replica count, the last decision and the spec summary. Left out:
 * - `evaluatedAt`: no decision reads it (it is for people, and it stays the last written one);
 * - `polledAt` when the object's next poll does not depend on it (pollingInterval shorter than the
 *   invocation's window: every invocation polls it at its start; pass-schedule.ts).
 *
 * An object idle at 0 replicas or paused therefore costs no write at all in steady state.
 */
import { isDeepStrictEqual } from 'node:util';
import type { StoredObjectState } from './state-store';

export function changesNextEvaluation(before: StoredObjectState, after: StoredObjectState, options: { polledAtMatters: boolean }): boolean {
  return !isDeepStrictEqual(comparable(before, options.polledAtMatters), comparable(after, options.polledAtMatters));
}

function comparable(state: StoredObjectState, polledAtMatters: boolean): unknown {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- dropped on purpose, see above
  const { evaluatedAt, version, polledAt, ...rest } = state;
  // Through JSON so an absent field and one set to undefined compare equal (the codec drops both).
  return JSON.parse(JSON.stringify(polledAtMatters ? { ...rest, polledAt } : rest));
}
