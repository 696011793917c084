/**
 * The state item's document in format 2: the same state as format 1 (plain JSON of the state), in
 * under a kilobyte at realistic sizes, so a PutItem is billed 1 write unit instead of 2 (issue 13).
 *
 * Where format 1 spent its bytes, and what format 2 does instead:
 * - the HPA recommendation history, up to 21 `{"replicas":8,"timestamp":1795349115000}` objects
 *   (one per 15 s sync over a 300 s window): a flat list of numbers, each time written as its age
 *   in ms before `evaluatedAt` ([8,15000,8,30000,...]); lossless, order kept (the HPA overwrites the
 *   last expired entry, so the order decides which one);
 * - `lastDecision.explanation`: its `steps` trail and per-trigger details are in the `scaled` log line;
 *   nothing reads them back from state, so only the rule, the message (`status` shows both) and a
 *   scalingModifiers formula's inputs are kept;
 * - `cluster` and `objectId`, which the key already spells (`<cluster>/<namespace>/<name>`);
 * - long attribute names: one or two letters here, spelled out in `CompactDocument`.
 *
 * Decoding checks every field it reads and says which one is wrong, never throws.
 */
import type { CompositeExplanation, DecisionRule, ObjectStatus } from '../../engine/evaluate-types';
import type { TimestampedCount, TriggerHealth } from '../../engine/scaling-state';
import type { StoredDecision, StoredObjectState } from './state-store';

export const COMPACT_FORMAT = 2;

/** The state without what lives in the item's own attributes (key, version, TTL). */
export type StateDocument = Omit<StoredObjectState, 'key' | 'version' | 'expiresAt'>;

/** Format 2. Times are ages in ms before `e` (evaluatedAt), so most are a few digits. */
export interface CompactDocument {
  /** Format: 2. */
  f: typeof COMPACT_FORMAT;
  /** cluster and objectId, only when the key does not spell them. */
  c?: string;
  o?: string;
  /** evaluatedAt, epoch ms. */
  e: number;
  /** polledAt. */
  p?: number;
  /** scaling.firstSeenAt, lastActiveTime, originalReplicaCount. */
  fs: number;
  la?: number;
  or?: number;
  /** scaling.recommendations, scaleUpEvents, scaleDownEvents as [replicas, age, replicas, age, ...]; u and d absent when empty. */
  r?: number[];
  u?: number[];
  d?: number[];
  /** scaling.health: metric name → [numberOfFailures, 1 if Failing else 0]; absent when empty. */
  h?: Record<string, [number, 0 | 1]>;
  /** status, statusReason, active (1/0), currentReplicas. */
  s: ObjectStatus;
  sr?: string;
  a: 0 | 1;
  n?: number;
  /** lastDecision: [at, fromReplicas, desiredReplicas, applied (1/0), rule, message, composite?]; lastScaleAt. */
  ld?: [number, number, number, 0 | 1, DecisionRule, string] | [number, number, number, 0 | 1, DecisionRule, string, CompositeExplanation];
  ls?: number;
  /** summary.target: [apiVersion, kind, name, namespace when not the object's]. */
  t: [string, string, string] | [string, string, string, string];
  /** summary: [minReplicaCount, maxReplicaCount, triggerTypes, restoreToOriginalReplicaCount (1/0)]. */
  m: [number, number, string[], 0 | 1];
}

/** `<cluster>/<namespace>/<name>` → cluster and `<namespace>/<name>`, as the pod scaler builds keys (object-key.ts). */
function keyParts(key: string): { cluster: string; objectId: string; namespace: string } | undefined {
  const parts = key.split('/');
  if (parts.length !== 3) return undefined;
  const [cluster, namespace, name] = parts as [string, string, string];
  return { cluster, objectId: `${namespace}/${name}`, namespace };
}

export function toCompactDocument(key: string, document: StateDocument): CompactDocument {
  const at = document.evaluatedAt;
  const age = (time: number) => at - time;
  const counts = (list: readonly TimestampedCount[]) => list.flatMap((entry) => [entry.replicas, age(entry.timestamp)]);
  const fromKey = keyParts(key);
  const { scaling, summary } = document;
  const { target } = summary;
  const objectNamespace = fromKey?.namespace ?? document.objectId.split('/')[0];
  const compact: CompactDocument = {
    f: COMPACT_FORMAT,
    ...(fromKey?.cluster === document.cluster ? {} : { c: document.cluster }),
    ...(fromKey?.objectId === document.objectId ? {} : { o: document.objectId }),
    e: at,
    ...(document.polledAt === undefined ? {} : { p: age(document.polledAt) }),
    fs: age(scaling.firstSeenAt),
    ...(scaling.lastActiveTime === undefined ? {} : { la: age(scaling.lastActiveTime) }),
    ...(scaling.originalReplicaCount === undefined ? {} : { or: scaling.originalReplicaCount }),
    ...(scaling.recommendations === undefined ? {} : { r: counts(scaling.recommendations) }),
    ...(scaling.scaleUpEvents.length === 0 ? {} : { u: counts(scaling.scaleUpEvents) }),
    ...(scaling.scaleDownEvents.length === 0 ? {} : { d: counts(scaling.scaleDownEvents) }),
    ...(Object.keys(scaling.health).length === 0
      ? {}
      : { h: Object.fromEntries(Object.entries(scaling.health).map(([name, health]) => [name, [health.numberOfFailures, health.status === 'Failing' ? 1 : 0]])) }),
    s: document.status,
    ...(document.statusReason === undefined ? {} : { sr: document.statusReason }),
    a: document.active ? 1 : 0,
    ...(document.currentReplicas === undefined ? {} : { n: document.currentReplicas }),
    ...(document.lastDecision === undefined ? {} : { ld: compactDecision(document.lastDecision, age) }),
    ...(document.lastScaleAt === undefined ? {} : { ls: age(document.lastScaleAt) }),
    t: target.namespace === objectNamespace ? [target.apiVersion, target.kind, target.name] : [target.apiVersion, target.kind, target.name, target.namespace],
    m: [summary.minReplicaCount, summary.maxReplicaCount, summary.triggerTypes, summary.restoreToOriginalReplicaCount ? 1 : 0],
  };
  return compact;
}

function compactDecision(decision: StoredDecision, age: (time: number) => number): NonNullable<CompactDocument['ld']> {
  const { rule, message, composite } = decision.explanation;
  const head = [age(decision.at), decision.fromReplicas, decision.desiredReplicas, decision.applied ? 1 : 0, rule, message] as const;
  return composite === undefined ? [...head] : [...head, composite];
}

/** The state document, or what is wrong with the compact one (the field named as format 2 spells it). */
export function fromCompactDocument(key: string, value: Record<string, unknown>): StateDocument | string {
  const reader = new CompactReader(value);
  const at = reader.number('e');
  const time = (age: number) => at - age;
  const fromKey = keyParts(key);
  const cluster = reader.optionalString('c') ?? fromKey?.cluster;
  const objectId = reader.optionalString('o') ?? fromKey?.objectId;
  if (cluster === undefined || objectId === undefined) return 'fields c and o are missing and the key is not <cluster>/<namespace>/<name>';
  const counts = (field: string, required: boolean) => {
    const list = required ? reader.numberList(field) : reader.optionalNumberList(field);
    if (list === undefined) return undefined;
    if (list.length % 2 !== 0) reader.fail(field, 'has an odd length (it holds replicas, age pairs)');
    const entries: TimestampedCount[] = [];
    for (let i = 0; i < list.length; i += 2) entries.push({ replicas: list[i]!, timestamp: time(list[i + 1]!) });
    return entries;
  };
  const recommendations = counts('r', false);
  const health: Record<string, TriggerHealth> = {};
  for (const [name, entry] of Object.entries(reader.optionalRecord('h') ?? {})) {
    if (!Array.isArray(entry) || !isFiniteNumber(entry[0]) || (entry[1] !== 0 && entry[1] !== 1)) {
      reader.fail(`h.${name}`, 'is not [numberOfFailures, 0 or 1]');
      continue;
    }
    health[name] = { numberOfFailures: entry[0], status: entry[1] === 1 ? 'Failing' : 'Happy' };
  }
  const target = reader.stringList('t');
  if (target.length !== 3 && target.length !== 4) reader.fail('t', 'is not [apiVersion, kind, name, namespace?]');
  const summary = reader.list('m');
  const [min, max, triggerTypes, restore] = summary;
  if (typeof min !== 'number' || typeof max !== 'number' || !Array.isArray(triggerTypes) || !triggerTypes.every((type) => typeof type === 'string') || (restore !== 0 && restore !== 1)) {
    reader.fail('m', 'is not [minReplicaCount, maxReplicaCount, triggerTypes, 0 or 1]');
  }
  const polledAge = reader.optionalNumber('p');
  const lastActiveAge = reader.optionalNumber('la');
  const originalReplicaCount = reader.optionalNumber('or');
  const statusReason = reader.optionalString('sr');
  const currentReplicas = reader.optionalNumber('n');
  const lastScaleAge = reader.optionalNumber('ls');
  const decision = reader.optionalList('ld');
  const document: StateDocument = {
    cluster,
    objectId,
    scaling: {
      firstSeenAt: time(reader.number('fs')),
      ...(lastActiveAge === undefined ? {} : { lastActiveTime: time(lastActiveAge) }),
      ...(recommendations === undefined ? {} : { recommendations }),
      scaleUpEvents: counts('u', false) ?? [],
      scaleDownEvents: counts('d', false) ?? [],
      health,
      ...(originalReplicaCount === undefined ? {} : { originalReplicaCount }),
    },
    status: reader.string('s') as ObjectStatus,
    ...(statusReason === undefined ? {} : { statusReason }),
    active: reader.flag('a'),
    ...(currentReplicas === undefined ? {} : { currentReplicas }),
    ...(decision === undefined ? {} : { lastDecision: decodeDecision(reader, decision, time) }),
    ...(lastScaleAge === undefined ? {} : { lastScaleAt: time(lastScaleAge) }),
    evaluatedAt: at,
    ...(polledAge === undefined ? {} : { polledAt: time(polledAge) }),
    summary: {
      target: { namespace: target[3] ?? objectId.split('/')[0]!, apiVersion: target[0]!, kind: target[1]!, name: target[2]! },
      minReplicaCount: min as number,
      maxReplicaCount: max as number,
      triggerTypes: triggerTypes as string[],
      restoreToOriginalReplicaCount: restore === 1,
    },
  };
  return reader.problem ?? document;
}

function decodeDecision(reader: CompactReader, decision: unknown[], time: (age: number) => number): StoredDecision {
  const [age, from, desired, applied, rule, message, composite] = decision;
  const numbers = [age, from, desired].every((value) => typeof value === 'number' && Number.isFinite(value));
  if (!numbers || (applied !== 0 && applied !== 1) || typeof rule !== 'string' || typeof message !== 'string' || (composite !== undefined && !isRecord(composite))) {
    reader.fail('ld', 'is not [at, fromReplicas, desiredReplicas, 0 or 1, rule, message, composite?]');
  }
  return {
    at: time(age as number),
    fromReplicas: from as number,
    desiredReplicas: desired as number,
    applied: applied === 1,
    explanation: { rule: rule as DecisionRule, message: message as string, ...(composite === undefined ? {} : { composite: composite as CompositeExplanation }) },
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isFiniteNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** Reads fields of a compact document, keeping the first problem (then returns placeholders, so decoding finishes without throwing). */
class CompactReader {
  problem: string | undefined;

  constructor(private readonly value: Record<string, unknown>) {}

  fail(field: string, what: string): void {
    this.problem ??= `field ${field} ${what}`;
  }

  number(field: string): number {
    const value = this.value[field];
    if (!isFiniteNumber(value)) this.fail(field, 'is not a number');
    return isFiniteNumber(value) ? value : 0;
  }

  optionalNumber(field: string): number | undefined {
    return this.value[field] === undefined ? undefined : this.number(field);
  }

  string(field: string): string {
    const value = this.value[field];
    if (typeof value !== 'string') this.fail(field, 'is not a string');
    return typeof value === 'string' ? value : '';
  }

  optionalString(field: string): string | undefined {
    return this.value[field] === undefined ? undefined : this.string(field);
  }

  flag(field: string): boolean {
    const value = this.value[field];
    if (value !== 0 && value !== 1) this.fail(field, 'is not 0 or 1');
    return value === 1;
  }

  list(field: string): unknown[] {
    const value = this.value[field];
    if (!Array.isArray(value)) this.fail(field, 'is not a list');
    return Array.isArray(value) ? value : [];
  }

  optionalList(field: string): unknown[] | undefined {
    return this.value[field] === undefined ? undefined : this.list(field);
  }

  numberList(field: string): number[] {
    const list = this.list(field);
    if (!list.every(isFiniteNumber)) this.fail(field, 'is not a list of numbers');
    return list.filter(isFiniteNumber);
  }

  optionalNumberList(field: string): number[] | undefined {
    return this.value[field] === undefined ? undefined : this.numberList(field);
  }

  stringList(field: string): string[] {
    const list = this.list(field);
    if (!list.every((entry) => typeof entry === 'string')) this.fail(field, 'is not a list of strings');
    return list.filter((entry): entry is string => typeof entry === 'string');
  }

  optionalRecord(field: string): Record<string, unknown> | undefined {
    const value = this.value[field];
    if (value === undefined) return undefined;
    if (!isRecord(value)) this.fail(field, 'is not an object');
    return isRecord(value) ? value : undefined;
  }
}
