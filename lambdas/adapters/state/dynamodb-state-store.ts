/**
 * The pod scaler's state in DynamoDB: one item per ScaledObject (see state-item-codec.ts), written
 * with a condition on `version` so two overlapping invocations can never both apply a decision
 * made from the same state.
 */
import {
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DescribeTableCommand,
  PutItemCommand,
  ScanCommand,
} from '@aws-sdk/client-dynamodb';
import type { AttributeValue, DynamoDBClient, PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import type { LoadedStates, SaveResult, StateStore, StoredObjectState, UndecodableState } from './state-store';
import { mapWithConcurrency } from '../../util/map-with-concurrency';
import { NODE_GROUP_KEY_PREFIX } from './node-group-state-store';
import { SCALED_JOB_KEY_PREFIX } from './scaled-job-state-store';
import { KINESIS_READING_KEY_PREFIX } from './kinesis-reading-store';
import { dynamoDbError } from './dynamodb-errors';
import { KEY_ATTRIBUTE, VERSION_ATTRIBUTE, decodeStateItem, encodeStateItem, isUndecodable } from './state-item-codec';

/** BatchGetItem's limit per request. */
/** BatchGetItem calls in flight at once, well under DynamoDB's per-partition limits. */
const LOAD_CONCURRENCY = 8;
const BATCH_GET_LIMIT = 100;
/** UnprocessedKeys come back under throttling; a few short backoffs drain them. */
const MAX_UNPROCESSED_RETRIES = 8;
const UNPROCESSED_BACKOFF_MS = 50;

export interface DynamoDbStateStoreOptions {
  client: DynamoDBClient;
  tableName: string;
  /** Waits between UnprocessedKeys retries; injectable so tests need not sleep. */
  sleep?: (ms: number) => Promise<void>;
}

export class DynamoDbStateStore implements StateStore {
  private readonly client: DynamoDBClient;
  private readonly tableName: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: DynamoDbStateStoreOptions) {
    this.client = options.client;
    this.tableName = options.tableName;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async loadMany(keys: string[]): Promise<LoadedStates> {
    const unique = [...new Set(keys)];
    const chunks: string[][] = [];
    for (let start = 0; start < unique.length; start += BATCH_GET_LIMIT) chunks.push(unique.slice(start, start + BATCH_GET_LIMIT));
    // Chunks load concurrently (bounded): at 1,000 objects, 10 round trips in sequence were a
    // tenth of a tick's wall time (docs/performance.md).
    const loaded = await mapWithConcurrency(chunks, LOAD_CONCURRENCY, (chunk) => this.batchGet(chunk));
    const states = new Map<string, StoredObjectState>();
    const undecodable = new Map<string, UndecodableState>();
    for (const item of loaded.flat()) {
      const state = decodeStateItem(item);
      if (isUndecodable(state)) undecodable.set(state.key, { ...state, problem: `state item ${state.key} in table ${this.tableName}: ${state.problem}` });
      else states.set(state.key, state);
    }
    return { states, undecodable };
  }

  async save(item: StoredObjectState, expectedVersion: number): Promise<SaveResult> {
    const condition: Pick<PutItemCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> =
      expectedVersion === 0
        ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': KEY_ATTRIBUTE } }
        : {
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': VERSION_ATTRIBUTE },
            ExpressionAttributeValues: { ':expected': { N: String(expectedVersion) } },
          };
    try {
      await this.client.send(
        new PutItemCommand({ TableName: this.tableName, Item: encodeStateItem(item, expectedVersion + 1), ...condition }),
      );
      return 'saved';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException || (error as { name?: string }).name === 'ConditionalCheckFailedException') {
        return 'conflict';
      }
      throw dynamoDbError(error, 'PutItem', this.tableName);
    }
  }

  async listAll(): Promise<StoredObjectState[]> {
    const states: StoredObjectState[] = [];
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await this.client
        .send(new ScanCommand({ TableName: this.tableName, ConsistentRead: true, ExclusiveStartKey: startKey }))
        .catch((error: unknown) => {
          throw dynamoDbError(error, 'Scan', this.tableName);
        });
      for (const item of page.Items ?? []) {
        // The node scaler keeps its per-group items in this table too (node-group-state-store.ts).
        if (item[KEY_ATTRIBUTE]?.S?.startsWith(NODE_GROUP_KEY_PREFIX)) continue;
        // ScaledJobs keep theirs here too (scaled-job-state-store.ts); they are no ScaledObject to restore.
        if (item[KEY_ATTRIBUTE]?.S?.startsWith(SCALED_JOB_KEY_PREFIX)) continue;
        // And each Kinesis stream's last reading (kinesis-reading-store.ts).
        if (item[KEY_ATTRIBUTE]?.S?.startsWith(KINESIS_READING_KEY_PREFIX)) continue;
        const state = decodeStateItem(item);
        if (!isUndecodable(state)) states.push(state);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    return states;
  }

  private async batchGet(keys: string[]): Promise<Record<string, AttributeValue>[]> {
    const items: Record<string, AttributeValue>[] = [];
    let pending: Record<string, AttributeValue>[] = keys.map((key) => ({ [KEY_ATTRIBUTE]: { S: key } }));
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > MAX_UNPROCESSED_RETRIES) {
        throw new Error(
          `DynamoDB table ${this.tableName} left ${pending.length} keys unprocessed after ${MAX_UNPROCESSED_RETRIES} retries ` +
            '(throttled): raise the table capacity or use on-demand billing',
        );
      }
      if (attempt > 0) await this.sleep(UNPROCESSED_BACKOFF_MS * 2 ** (attempt - 1));
      const response = await this.client
        .send(new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: pending, ConsistentRead: true } } }))
        .catch((error: unknown) => {
          throw dynamoDbError(error, 'BatchGetItem', this.tableName);
        });
      items.push(...(response.Responses?.[this.tableName] ?? []));
      pending = response.UnprocessedKeys?.[this.tableName]?.Keys ?? [];
    }
    return items;
  }
}

/** Creates the state table (on-demand, string key `pk`) for tests, the simulator and the bench. */
export async function createStateTable(client: DynamoDBClient, tableName: string): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: KEY_ATTRIBUTE, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: KEY_ATTRIBUTE, KeyType: 'HASH' }],
    }),
  );
  // CreateTable returns while the table is still CREATING (in DynamoDB and in dynalite alike);
  // writes before ACTIVE fail with ResourceNotFoundException.
  for (let attempt = 0, delayMs = 0; attempt < 100; attempt += 1, delayMs = Math.min(1_000, delayMs * 2 + 10)) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
  }
  throw new Error(`DynamoDB table ${tableName} did not become ACTIVE`);
}
