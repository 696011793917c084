/**
 * What the node scaler remembers about a group between invocations (stored in DynamoDB beside the
 * pod scaler's items), so that "unneeded since", cooldowns, backoff and an unfinished drain survive
 * a cold start.
 */
export interface ScaleUpRecord {
  at: number;
  fromDesired: number;
  toDesired: number;
  reason: string;
  /** Set once the instances of this request missed maxNodeProvisionSeconds, so it backs off once. */
  provisionTimedOut?: boolean;
}

export interface GroupBackoff {
  until: number;
  /** Number of consecutive failures; the next backoff lasts initial × 2^level, capped. */
  level: number;
  lastFailureAt: number;
  reason: string;
}

export interface DrainInProgress {
  node: string;
  instanceId: string;
  startedAt: number;
  reason: string;
}

export interface LastRequest {
  at: number;
  action: 'scale-up' | 'drain-started' | 'terminate' | 'drain-failed' | 'backoff' | 'empty-removal';
  detail: string;
}

export interface NodeGroupState {
  /** Node name → epoch ms since which it has been continuously removable. */
  unneededSince: Record<string, number>;
  /** Node name → epoch ms until which it is not reconsidered after a failed removal. */
  unremovableUntil: Record<string, number>;
  lastScaleUp?: ScaleUpRecord;
  lastScaleDownAt?: number;
  lastScaleDownFailureAt?: number;
  backoff?: GroupBackoff;
  /** Newest failed scaling activity already acted on, so one failure backs off once. */
  lastFailedActivityAt?: number;
  drain?: DrainInProgress;
  /** Empty nodes being removed together (written before they are tainted; cleared once done). */
  emptyRemoval?: DrainInProgress[];
  lastRequest?: LastRequest;
  /** Live instance id → epoch ms it was first seen, so an instance that never registers stops counting as upcoming. */
  instanceFirstSeen?: Record<string, number>;
}

export function emptyNodeGroupState(): NodeGroupState {
  return { unneededSince: {}, unremovableUntil: {} };
}

/** Exponential backoff like CA's (utils/backoff): initial, doubling, capped; reset after a quiet period. */
export function withBackoff(
  state: NodeGroupState,
  now: number,
  reason: string,
  knobs: { initialBackoffSeconds: number; maxBackoffSeconds: number; backoffResetSeconds: number },
): NodeGroupState {
  const previous = state.backoff;
  const level = previous && now - previous.lastFailureAt < knobs.backoffResetSeconds * 1000 ? previous.level + 1 : 0;
  const seconds = Math.min(knobs.initialBackoffSeconds * 2 ** level, knobs.maxBackoffSeconds);
  return {
    ...state,
    backoff: { until: now + seconds * 1000, level, lastFailureAt: now, reason },
    lastRequest: { at: now, action: 'backoff', detail: `${reason}; backing off ${seconds}s` },
  };
}

export function isBackedOff(state: NodeGroupState, now: number): boolean {
  return state.backoff !== undefined && state.backoff.until > now;
}
