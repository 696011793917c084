/**
 * How a StoredObjectState maps onto one DynamoDB item. The key, the version (for conditional
 * writes) and the TTL attribute must be top-level attributes; everything else travels as one JSON
 * string, which keeps the item compact and lets the state's shape evolve without a table change.
 *
 * Formats, told apart by the attribute that holds the document:
 * - `doc` (format 1, written before issue 13's item trimming): the state as plain JSON, 1.2-1.6 KB
 *   for an object synced every 15 s, so 2 write units per PutItem. Still read, so an upgrade loses
 *   nothing; the next write of the object rewrites it in format 2.
 * - `d` (format 2, written now): compact-state-document.ts, under 1 KB at realistic sizes (1 write
 *   unit). A scaler older than format 2 reads such an item as undecodable and starts the object
 *   from fresh state: a downgrade resets cooldown and stabilization history once.
 *
 * Decoding checks the shape the scaler relies on: an item that is corrupted, written by a newer
 * version or by someone else is reported as undecodable (with its key and what is wrong) instead
 * of throwing, so it affects only its own object.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { StoredObjectState, UndecodableState } from './state-store';
import { COMPACT_FORMAT, fromCompactDocument, toCompactDocument, type StateDocument } from './compact-state-document';

export const KEY_ATTRIBUTE = 'pk';
export const VERSION_ATTRIBUTE = 'version';
/** Enable DynamoDB TTL on this attribute (epoch seconds); the CDK construct does. */
export const TTL_ATTRIBUTE = 'expiresAt';
/** Format 1's document attribute (read only). */
export const LEGACY_DOCUMENT_ATTRIBUTE = 'doc';
/** Format 2's. */
export const COMPACT_DOCUMENT_ATTRIBUTE = 'd';

type Item = Record<string, AttributeValue>;

export function encodeStateItem(state: StoredObjectState, version: number): Item {
  const { key, version: _ignored, expiresAt, ...document } = state;
  const item: Item = {
    [KEY_ATTRIBUTE]: { S: key },
    [VERSION_ATTRIBUTE]: { N: String(version) },
    [COMPACT_DOCUMENT_ATTRIBUTE]: { S: JSON.stringify(toCompactDocument(key, document satisfies StateDocument)) },
  };
  if (expiresAt !== undefined) item[TTL_ATTRIBUTE] = { N: String(Math.floor(expiresAt)) };
  return item;
}

/** The decoded state, or what is wrong with the item (never throws). */
export function decodeStateItem(item: Item): StoredObjectState | UndecodableState {
  const key = item[KEY_ATTRIBUTE]?.S ?? '(no pk)';
  const versionText = item[VERSION_ATTRIBUTE]?.N;
  const version = versionText === undefined ? undefined : Number(versionText);
  const usableVersion = version !== undefined && Number.isSafeInteger(version) && version >= 0 ? version : undefined;
  const undecodable = (problem: string): UndecodableState => ({ key, problem, ...(usableVersion === undefined ? {} : { version: usableVersion }) });

  if (usableVersion === undefined) return undecodable(`its ${VERSION_ATTRIBUTE} attribute is ${versionText === undefined ? 'missing' : `"${versionText}", not a whole number`}`);
  const compact = item[COMPACT_DOCUMENT_ATTRIBUTE]?.S !== undefined;
  const attribute = compact ? COMPACT_DOCUMENT_ATTRIBUTE : LEGACY_DOCUMENT_ATTRIBUTE;
  const text = item[attribute]?.S;
  if (text === undefined) return undecodable(`it has no string attribute ${COMPACT_DOCUMENT_ATTRIBUTE} (or ${LEGACY_DOCUMENT_ATTRIBUTE}, the format before)`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return undecodable(`its ${attribute} attribute is not JSON (${(error as Error).message})`);
  }
  let document: unknown = parsed;
  if (compact) {
    if (!isRecord(parsed) || parsed.f !== COMPACT_FORMAT) {
      return undecodable(`its ${attribute} attribute is not format ${COMPACT_FORMAT} (field f is ${JSON.stringify(isRecord(parsed) ? parsed.f : parsed)}; written by a newer scaler?)`);
    }
    document = fromCompactDocument(key, parsed);
    if (typeof document === 'string') return undecodable(`its ${attribute} attribute: ${document}`);
  }
  const problem = shapeProblem(document);
  if (problem) return undecodable(`its ${attribute} attribute ${problem}`);
  const state: StoredObjectState = { ...(document as StateDocument), key, version: usableVersion };
  const expiresAt = item[TTL_ATTRIBUTE]?.N;
  if (expiresAt !== undefined) state.expiresAt = Number(expiresAt);
  return state;
}

export function isUndecodable(state: StoredObjectState | UndecodableState): state is UndecodableState {
  return 'problem' in state;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);
const isCountList = (value: unknown) =>
  Array.isArray(value) && value.every((entry) => isRecord(entry) && isNumber(entry.replicas) && isNumber(entry.timestamp));

/** What the scaler reads from a document without further checks; the first thing missing, if any. */
function shapeProblem(document: unknown): string | undefined {
  if (!isRecord(document)) return 'is not a JSON object';
  const { scaling, summary } = document;
  if (!isRecord(scaling)) return 'has no scaling object';
  if (!isNumber(scaling.firstSeenAt)) return 'has no numeric scaling.firstSeenAt';
  if (!isCountList(scaling.scaleUpEvents) || !isCountList(scaling.scaleDownEvents)) {
    return 'has scaling.scaleUpEvents/scaleDownEvents that are not lists of {replicas, timestamp}';
  }
  if (scaling.recommendations !== undefined && !isCountList(scaling.recommendations)) {
    return 'has scaling.recommendations that are not a list of {replicas, timestamp}';
  }
  if (!isRecord(scaling.health)) return 'has no scaling.health object';
  if (scaling.originalReplicaCount !== undefined && !isNumber(scaling.originalReplicaCount)) return 'has a non-numeric scaling.originalReplicaCount';
  if (typeof document.status !== 'string') return 'has no status string';
  if (!isRecord(summary) || !isRecord(summary.target)) return 'has no summary.target object';
  return undefined;
}
