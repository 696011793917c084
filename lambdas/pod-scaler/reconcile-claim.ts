/**
 * Makes the stored decision agree with what the cluster did, before a new decision is taken.
 *
 * A claim (state written before the patch) records `currentReplicas` = the count it is about to
 * set. When the observed count differs from that:
 * - if the claim is recent, another invocation may be between its claim and its patch: acting now
 *   would compute a second decision from the old count and apply the same change twice, so this
 *   evaluation stands back (an overlap, not an error);
 * - if the claim is older than any patch can take and the target is still at the claim's starting
 *   count, the patch never landed (the Lambda died between claim and patch, or its revert write lost
 *   a race): its scale event is a phantom that would hold back the rate-limit policies, so it is
 *   dropped, with a warning;
 * - otherwise the target was changed after our patch (a person, a deploy): the event did happen and
 *   stays; the observed count is simply the new starting point.
 * Pure.
 */
import type { StoredObjectState } from '../adapters/state/state-store';

/**
 * How long a claim may be waiting for its patch: the patch's own timeouts (a call and one retry on
 * 409, DEFAULT_KUBERNETES_CALL_TIMEOUT_MS each) with room to spare.
 */
export const CLAIM_IN_FLIGHT_MS = 30_000;

export type ReconciledClaim =
  | { kind: 'consistent' }
  | { kind: 'in-flight'; reason: string }
  | { kind: 'phantom'; stored: StoredObjectState; warning: string };

export function reconcileClaim(stored: StoredObjectState | undefined, observedReplicas: number, now: number): ReconciledClaim {
  const decision = stored?.lastDecision;
  if (!stored || !decision?.applied || stored.currentReplicas !== decision.desiredReplicas) return { kind: 'consistent' };
  if (observedReplicas === decision.desiredReplicas) return { kind: 'consistent' };

  const claimed = `${decision.fromReplicas} → ${decision.desiredReplicas} replicas`;
  if (now - decision.at < CLAIM_IN_FLIGHT_MS) {
    return {
      kind: 'in-flight',
      reason:
        `another invocation claimed ${claimed} ${Math.round((now - decision.at) / 1000)} s ago and the target is still at ` +
        `${observedReplicas}: its patch is in flight, so this evaluation stands back rather than apply the change twice`,
    };
  }
  if (observedReplicas !== decision.fromReplicas) return { kind: 'consistent' };

  const dropAt = (events: { replicas: number; timestamp: number }[]) => events.filter((event) => event.timestamp !== decision.at);
  return {
    kind: 'phantom',
    stored: {
      ...stored,
      currentReplicas: observedReplicas,
      lastDecision: { ...decision, applied: false },
      scaling: { ...stored.scaling, scaleUpEvents: dropAt(stored.scaling.scaleUpEvents), scaleDownEvents: dropAt(stored.scaling.scaleDownEvents) },
    },
    warning:
      `the decision of ${new Date(decision.at).toISOString()} (${claimed}) was recorded but the target is still at ` +
      `${observedReplicas}: its patch never landed (the invocation ended between claim and patch), so its scale event ` +
      'is dropped and no longer holds back scaling',
  };
}
