/**
 * Durable per-ScaledObject state. The DynamoDB implementation is `dynamodb-state-store.ts`; the
 * simulator can use the in-memory one. Writes are conditional on `version`, so overlapping
 * invocations never apply one decision twice or lose an update.
 */
import type { ScalingState } from '../../engine/scaling-state';
import type { Explanation, ObjectStatus } from '../../engine/evaluate-types';
import type { WorkloadRef } from '../kubernetes/scale-target-api';

export interface StoredDecision {
  at: number;
  fromReplicas: number;
  desiredReplicas: number;
  applied: boolean;
  explanation: Explanation;
}

/** A summary of the spec kept beside the state, for `status` and for restore-on-removal. */
export interface StoredObjectSummary {
  target: WorkloadRef;
  minReplicaCount: number;
  maxReplicaCount: number;
  triggerTypes: string[];
  restoreToOriginalReplicaCount: boolean;
}

export interface StoredObjectState {
  /** `<cluster>/<namespace>/<name>`. */
  key: string;
  cluster: string;
  objectId: string;
  /** Incremented on every write; 0 means "never stored". */
  version: number;
  scaling: ScalingState;
  status: ObjectStatus;
  statusReason?: string;
  active: boolean;
  currentReplicas?: number;
  lastDecision?: StoredDecision;
  /** When the object was last scaled (applied decision), for `status`. */
  lastScaleAt?: number;
  /** When the object was last evaluated (epoch ms). */
  evaluatedAt: number;
  /** When KEDA's loop last polled it (epoch ms); evaluations between polls are HPA syncs only. */
  polledAt?: number;
  summary: StoredObjectSummary;
  /** Epoch seconds; set once the object leaves the configuration, so DynamoDB TTL removes it. */
  expiresAt?: number;
}

export type SaveResult = 'saved' | 'conflict';

export interface StateStore {
  /** Reads many items at once (missing keys are absent from the map). */
  loadMany(keys: string[]): Promise<Map<string, StoredObjectState>>;
  /** Writes `item` with `version = expectedVersion + 1` only if the stored version is still `expectedVersion`. */
  save(item: StoredObjectState, expectedVersion: number): Promise<SaveResult>;
  /** Every stored item (for `status`, and to find objects removed from the configuration). */
  listAll(): Promise<StoredObjectState[]>;
}
