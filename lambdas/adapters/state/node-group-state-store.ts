/**
 * The node scaler's per-group state, in the pod scaler's DynamoDB table under
 * `pk = nodegroup/<cluster>/<asg>`. Writes are conditional on `version`, so two overlapping
 * invocations never both act on the same decision.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { NodeGroupState } from '../../engine/nodes/node-group-state';
import { emptyNodeGroupState } from '../../engine/nodes/node-group-state';
import { dynamoDbError } from './dynamodb-errors';
import { putVersioned } from './versioned-put';

export interface StoredNodeGroupState {
  key: string;
  /** 0 means "never stored". */
  version: number;
  state: NodeGroupState;
  updatedAt: number;
}

export interface NodeGroupStateStore {
  load(key: string): Promise<StoredNodeGroupState>;
  /** Writes with `version = expectedVersion + 1` only if the stored version is still `expectedVersion`. */
  save(key: string, state: NodeGroupState, expectedVersion: number, now: number): Promise<'saved' | 'conflict'>;
}

export const NODE_GROUP_KEY_PREFIX = 'nodegroup/';

export function nodeGroupStateKey(cluster: string, autoScalingGroupName: string): string {
  return `${NODE_GROUP_KEY_PREFIX}${cluster}/${autoScalingGroupName}`;
}

// Same attribute names as the pod scaler's items (state-item-codec.ts), so one table serves both.
const KEY = 'pk';
const VERSION = 'version';
const DOCUMENT = 'doc';

function withDefaults(state: Partial<NodeGroupState>): NodeGroupState {
  return { ...emptyNodeGroupState(), ...state, unneededSince: state.unneededSince ?? {}, unremovableUntil: state.unremovableUntil ?? {} };
}

export class DynamoDbNodeGroupStateStore implements NodeGroupStateStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;

  constructor(options: { client: DynamoDBClient; tableName: string }) {
    this.client = options.client;
    this.tableName = options.tableName;
  }

  async load(key: string): Promise<StoredNodeGroupState> {
    const response = await this.client
      .send(new GetItemCommand({ TableName: this.tableName, Key: { [KEY]: { S: key } }, ConsistentRead: true }))
      .catch((error: unknown) => {
        throw dynamoDbError(error, 'GetItem', this.tableName, key);
      });
    const item = response.Item;
    if (!item) return { key, version: 0, state: emptyNodeGroupState(), updatedAt: 0 };
    const document = item[DOCUMENT]?.S;
    const version = item[VERSION]?.N;
    if (document === undefined || version === undefined) {
      throw new Error(`state item ${key} in table ${this.tableName} has no ${DOCUMENT}/${VERSION}: it was not written by the node scaler; delete it`);
    }
    let parsed: { state: Partial<NodeGroupState>; updatedAt: number };
    try {
      parsed = JSON.parse(document) as typeof parsed;
    } catch (error) {
      throw new Error(`state item ${key} in table ${this.tableName} is not JSON (${(error as Error).message}): delete it and the group starts from fresh state`, { cause: error });
    }
    if (typeof parsed !== 'object' || parsed === null || typeof parsed.state !== 'object' || parsed.state === null) {
      throw new Error(`state item ${key} in table ${this.tableName} has no state object: delete it and the group starts from fresh state`);
    }
    return { key, version: Number(version), state: withDefaults(parsed.state), updatedAt: parsed.updatedAt };
  }

  async save(key: string, state: NodeGroupState, expectedVersion: number, now: number): Promise<'saved' | 'conflict'> {
    return putVersioned(this.client, this.tableName, key, { kind: 'node-group', state, updatedAt: now }, expectedVersion);
  }
}

/** For the simulator and unit tests of the orchestration. */
export class MemoryNodeGroupStateStore implements NodeGroupStateStore {
  readonly items = new Map<string, StoredNodeGroupState>();

  async load(key: string): Promise<StoredNodeGroupState> {
    const stored = this.items.get(key);
    return stored ? structuredClone(stored) : { key, version: 0, state: emptyNodeGroupState(), updatedAt: 0 };
  }

  async save(key: string, state: NodeGroupState, expectedVersion: number, now: number): Promise<'saved' | 'conflict'> {
    if ((this.items.get(key)?.version ?? 0) !== expectedVersion) return 'conflict';
    this.items.set(key, { key, version: expectedVersion + 1, state: structuredClone(state), updatedAt: now });
    return 'saved';
  }
}
