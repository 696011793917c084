/**
 * What the engine remembers about one ScaledObject between evaluations. The caller stores it
 * (DynamoDB in Lambda, memory in tests and the simulator) and hands it back; nothing lives in
 * memory between calls. All times are epoch milliseconds.
 */
export interface TimestampedCount {
  replicas: number;
  timestamp: number;
}

export interface TriggerHealth {
  numberOfFailures: number;
  status: 'Happy' | 'Failing';
}

export interface ScalingState {
  /** When the scaler first saw the object: KEDA's `creationTimestamp` for `initialCooldownPeriod`. */
  firstSeenAt: number;
  /** KEDA's `status.lastActiveTime`. */
  lastActiveTime?: number;
  /** HPA recommendation history (unstabilized desired counts). Undefined = never seeded. */
  recommendations?: TimestampedCount[];
  /** HPA scale events (only kept when a behavior block applies). */
  scaleUpEvents: TimestampedCount[];
  scaleDownEvents: TimestampedCount[];
  /** KEDA's `status.health`, keyed by metric name. */
  health: Record<string, TriggerHealth>;
  /** The target's `spec.replicas` when the scaler first took it over. */
  originalReplicaCount?: number;
}

export function initialScalingState(now: number): ScalingState {
  return { firstSeenAt: now, scaleUpEvents: [], scaleDownEvents: [], health: {} };
}
