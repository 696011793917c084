/**
 * Durable per-ScaledObject state. The DynamoDB implementation is `dynamodb-state-store.ts`; the
 * simulator can use the in-memory one. Writes are conditional on `version`, so overlapping
 * invocations never apply one decision twice or lose an update.
 */
import type { ScalingState } from '../../engine/scaling-state';
import type { Explanation, ObjectStatus } from '../../engine/evaluate-types';
import type { WorkloadRef } from '../kubernetes/scale-target-api';

/**
 * What the state keeps of a decision's explanation: the rule and the sentence (`status` shows them)
 * and a scalingModifiers formula's inputs. The per-trigger details and the steps are in the `scaled`
 * log line; the DynamoDB item drops them (compact-state-document.ts), so nothing may read them here.
 */
export type StoredExplanation = Pick<Explanation, 'rule' | 'message' | 'composite'>;

export interface StoredDecision {
  at: number;
  fromReplicas: number;
  desiredReplicas: number;
  applied: boolean;
  explanation: StoredExplanation;
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

/**
 * A stored item that could not be decoded (corrupted, written by a newer version, or foreign).
 * It affects only its own object: that object starts from fresh state, written over the item with
 * a condition on `version` when it has a usable one.
 */
export interface UndecodableState {
  key: string;
  /** What is wrong, for the warning. */
  problem: string;
  /** The item's version, when it has a whole-number one (needed to overwrite it safely). */
  version?: number;
}

export interface LoadedStates {
  /** Decoded items by key (missing keys are absent). */
  states: Map<string, StoredObjectState>;
  /** Items that exist but could not be decoded, by key. */
  undecodable: Map<string, UndecodableState>;
}

export interface StateStore {
  /** Reads many items at once; one undecodable item never fails the others. */
  loadMany(keys: string[]): Promise<LoadedStates>;
  /** Writes `item` with `version = expectedVersion + 1` only if the stored version is still `expectedVersion`. */
  save(item: StoredObjectState, expectedVersion: number): Promise<SaveResult>;
  /**
   * Every decodable item (for `status`, and to find objects removed from the configuration);
   * undecodable ones are left in the table and skipped.
   */
  listAll(): Promise<StoredObjectState[]>;
}
