/**
 * How a StoredObjectState maps onto one DynamoDB item. The key, the version (for conditional
 * writes) and the TTL attribute must be top-level attributes; everything else travels as one JSON
 * string, which keeps the item compact and lets the state's shape evolve without a table change.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { StoredObjectState } from './state-store';

export const KEY_ATTRIBUTE = 'pk';
export const VERSION_ATTRIBUTE = 'version';
/** Enable DynamoDB TTL on this attribute (epoch seconds); the CDK construct does. */
export const TTL_ATTRIBUTE = 'expiresAt';
const DOCUMENT_ATTRIBUTE = 'doc';

type Item = Record<string, AttributeValue>;
type Document = Omit<StoredObjectState, 'key' | 'version' | 'expiresAt'>;

export function encodeStateItem(state: StoredObjectState, version: number): Item {
  const { key, version: _ignored, expiresAt, ...document } = state;
  const item: Item = {
    [KEY_ATTRIBUTE]: { S: key },
    [VERSION_ATTRIBUTE]: { N: String(version) },
    [DOCUMENT_ATTRIBUTE]: { S: JSON.stringify(document satisfies Document) },
  };
  if (expiresAt !== undefined) item[TTL_ATTRIBUTE] = { N: String(Math.floor(expiresAt)) };
  return item;
}

export function decodeStateItem(item: Item): StoredObjectState {
  const key = item[KEY_ATTRIBUTE]?.S;
  const version = item[VERSION_ATTRIBUTE]?.N;
  const document = item[DOCUMENT_ATTRIBUTE]?.S;
  if (key === undefined || version === undefined || document === undefined) {
    throw new Error(
      `state item ${key ?? '(no pk)'} is missing ${[KEY_ATTRIBUTE, VERSION_ATTRIBUTE, DOCUMENT_ATTRIBUTE].join('/')}: ` +
        'it was not written by this scaler; delete it from the state table',
    );
  }
  const state: StoredObjectState = { ...(JSON.parse(document) as Document), key, version: Number(version) };
  const expiresAt = item[TTL_ATTRIBUTE]?.N;
  if (expiresAt !== undefined) state.expiresAt = Number(expiresAt);
  return state;
}
