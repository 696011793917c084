/**
 * Per-ScaledJob state, in the pod scaler's DynamoDB table under `pk = scaledjob/<cluster>/<namespace>/<name>`
 * (its own prefix: a ScaledJob and a ScaledObject may share a name, and the ScaledObject scans for
 * removed objects skip these items). Writes are conditional on `version`: a poll claims its
 * sequence number with one conditional PutItem before creating any Job, so two overlapping
 * invocations never both create the batch of one poll (the Job names, made from the sequence,
 * are the second guard: a repeated create answers 409 AlreadyExists).
 */
import type { AttributeValue, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamoDbError } from './dynamodb-errors';
import { putVersioned } from './versioned-put';

export const SCALED_JOB_KEY_PREFIX = 'scaledjob/';

export function scaledJobStateKey(cluster: string, namespace: string, name: string): string {
  return `${SCALED_JOB_KEY_PREFIX}${cluster}/${namespace}/${name}`;
}

export interface ScaledJobState {
  /** The last poll's sequence number (0 before the first): the next poll claims `sequence + 1`. */
  sequence: number;
  /** When the last poll was made (epoch ms). */
  polledAt?: number;
  /** KEDA's Active condition after the last poll. */
  active: boolean;
  /** `status.lastActiveTime`, epoch ms. */
  lastActiveTime?: number;
  /** The Jobs the last claimed poll set out to create. */
  lastCreate?: { at: number; sequence: number; count: number };
}

export interface StoredScaledJobState {
  key: string;
  /** 0 means "never stored". */
  version: number;
  state: ScaledJobState;
}

/** An item that exists but cannot be read: it fails its own ScaledJob (with the fix), never the others. */
export interface UnreadableScaledJobState {
  key: string;
  problem: string;
}

export type LoadedScaledJobState = StoredScaledJobState | UnreadableScaledJobState;

export interface ScaledJobStateStore {
  /** Items by key; a key never written comes back at version 0 with the initial state. */
  loadMany(keys: string[]): Promise<Map<string, LoadedScaledJobState>>;
  /** Writes with `version = expectedVersion + 1` only if the stored version is still `expectedVersion`. */
  save(key: string, state: ScaledJobState, expectedVersion: number): Promise<'saved' | 'conflict'>;
}

export function initialScaledJobState(): ScaledJobState {
  return { sequence: 0, active: false };
}

// Same attribute names as the ScaledObject items (state-item-codec.ts), so one table serves both.
const KEY = 'pk';
const VERSION = 'version';
const DOCUMENT = 'doc';
const BATCH_GET_LIMIT = 100;
const MAX_UNPROCESSED_RETRIES = 8;

export class DynamoDbScaledJobStateStore implements ScaledJobStateStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async loadMany(keys: string[]): Promise<Map<string, LoadedScaledJobState>> {
    const unique = [...new Set(keys)];
    const found = new Map<string, LoadedScaledJobState>(unique.map((key) => [key, { key, version: 0, state: initialScaledJobState() }]));
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) {
      let pending: Record<string, AttributeValue>[] = unique.slice(start, start + BATCH_GET_LIMIT).map((key) => ({ [KEY]: { S: key } }));
      for (let attempt = 0; pending.length > 0; attempt += 1) {
        if (attempt > MAX_UNPROCESSED_RETRIES) {
          throw new Error(`DynamoDB table ${this.tableName} left ${pending.length} ScaledJob keys unprocessed (throttled): raise the table capacity or use on-demand billing`);
        }
        const response = await this.client
          .send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }))
          .catch((error: unknown) => {
            throw dynamoDbError(error, 'BatchGetItem', this.tableName);
          });
        for (const item of response.Responses?.[this.tableName] ?? []) {
          const decoded = this.decode(item);
          found.set(decoded.key, decoded);
        }
        pending = response.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
      }
    }
    return found;
  }

  async save(key: string, state: ScaledJobState, expectedVersion: number): Promise<'saved' | 'conflict'> {
    return putVersioned(this.client, this.tableName, key, { kind: 'scaled-job', state }, expectedVersion);
  }

  private decode(item: Record<string, AttributeValue>): LoadedScaledJobState {
    const key = item[KEY]?.S ?? '';
    const version = Number(item[VERSION]?.N);
    const text = item[DOCUMENT]?.S;
    const fix = `delete item ${key} from table ${this.tableName} and the ScaledJob starts from fresh state (its next Jobs get new names)`;
    if (!Number.isInteger(version) || version < 1 || text === undefined) return { key, problem: `state item ${key} has no ${DOCUMENT}/${VERSION}: ${fix}` };
    let parsed: { state?: Partial<ScaledJobState> };
    try {
      parsed = JSON.parse(text) as typeof parsed;
    } catch (error) {
      return { key, problem: `state item ${key} is not JSON (${(error as Error).message}): ${fix}` };
    }
    const state = parsed?.state;
    if (typeof state !== 'object' || state === null || !Number.isInteger(state.sequence)) return { key, problem: `state item ${key} has no ScaledJob sequence: ${fix}` };
    return { key, version, state: { ...initialScaledJobState(), ...state } };
  }
}

/** For unit tests and the simulator. */
export class MemoryScaledJobStateStore implements ScaledJobStateStore {
  readonly items = new Map<string, StoredScaledJobState>();

  async loadMany(keys: string[]): Promise<Map<string, LoadedScaledJobState>> {
    return new Map(keys.map((key) => [key, structuredClone(this.items.get(key)) ?? { key, version: 0, state: initialScaledJobState() }]));
  }

  async save(key: string, state: ScaledJobState, expectedVersion: number): Promise<'saved' | 'conflict'> {
    if ((this.items.get(key)?.version ?? 0) !== expectedVersion) return 'conflict';
    this.items.set(key, { key, version: expectedVersion + 1, state: structuredClone(state) });
    return 'saved';
  }
}
