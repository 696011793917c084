/**
 * The state item's formats (state-item-codec.ts, compact-state-document.ts): format 2 is what the
 * scaler writes, under 1 KB (1 write unit) for a busy object; format 1 items, written before it,
 * still decode to the same state, so an upgrade loses nothing.
 */
import { describe, expect, it } from 'vitest';
import { decodeStateItem, encodeStateItem, isUndecodable } from '../../../lambdas/adapters/state/state-item-codec';
import type { StoredObjectState } from '../../../lambdas/adapters/state/state-store';
import { itemBytes } from '../../../bench/support/dynamodb-item-size';
import { busyState, legacyItem, storedState } from './state-fixtures';

/** What format 2 keeps of the last decision's explanation: the rule, the message and a formula's inputs. */
function asStored(state: StoredObjectState, version: number): StoredObjectState {
  const decision = state.lastDecision;
  if (!decision) return { ...state, version };
  const { rule, message, composite } = decision.explanation;
  return { ...state, version, lastDecision: { ...decision, explanation: { rule, message, ...(composite ? { composite } : {}) } } };
}

describe('state item format 2', () => {
  it.each([
    ['a busy object (21 recommendations, 2 triggers, events, a decision)', busyState()],
    ['a fresh object', storedState('prod/jobs/orders', { scaling: { firstSeenAt: 5, scaleUpEvents: [], scaleDownEvents: [], health: {} }, status: 'ready', active: false })],
    ['an object removed from the configuration (TTL set)', storedState('prod/jobs/gone', { expiresAt: 1_800_000_000 })],
    ['a target in another namespace, times after evaluatedAt', storedState('prod/jobs/orders', {
      summary: { target: { namespace: 'other', apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'x' }, minReplicaCount: 0, maxReplicaCount: 3, triggerTypes: [], restoreToOriginalReplicaCount: false },
      lastScaleAt: 1_700_000_060_500,
      statusReason: 'why',
    })],
    ['a cluster and id the key does not spell', { ...storedState('odd-key'), cluster: 'c1', objectId: 'ns/name' }],
    ['a scalingModifiers decision (its formula inputs are kept)', storedState('prod/jobs/orders', {
      lastDecision: {
        at: 1_700_000_000_000, fromReplicas: 1, desiredReplicas: 3, applied: false,
        explanation: { rule: 'hpa', message: 'm', composite: { formula: 'a + b', inputs: { a: 1, b: null }, source: 'formula', value: 1, target: 5, activationTarget: 0, metricType: 'AverageValue', active: true } },
      },
    })],
  ])('round-trips %s', (_name, state) => {
    const decoded = decodeStateItem(encodeStateItem(state, 7));
    expect(decoded).toEqual(asStored(state, 7));
  });

  it('keeps a busy object under 1 KB (1 write unit) where format 1 took over 1 KB (2)', () => {
    const state = busyState();
    const compact = itemBytes(encodeStateItem(state, 123_456));
    const legacy = itemBytes(legacyItem(state, 123_456));
    expect(legacy).toBeGreaterThan(1024);
    expect(compact).toBeLessThanOrEqual(1024);
    expect(compact).toBeLessThan(legacy / 2);
  });

  it('reads format 1 items as they were written, explanation included', () => {
    const state = busyState();
    expect(decodeStateItem(legacyItem(state, 9))).toEqual({ ...state, version: 9 });
  });

  it.each([
    ['a format the scaler does not know', { f: 3 }, /not format 2 \(field f is 3; written by a newer scaler\?\)/],
    ['a time that is not a number', { ...compactOf(storedState('p/a/b')), e: 'soon' }, /field e is not a number/],
    ['an odd-length recommendation list', { ...compactOf(storedState('p/a/b')), r: [1, 2, 3] }, /field r has an odd length/],
    ['a health entry of the wrong shape', { ...compactOf(storedState('p/a/b')), h: { s0: null } }, /field h\.s0 is not \[numberOfFailures, 0 or 1\]/],
    ['a summary of the wrong shape', { ...compactOf(storedState('p/a/b')), m: [1] }, /field m is not \[minReplicaCount/],
    ['a decision of the wrong shape', { ...compactOf(storedState('p/a/b')), ld: [1, 2] }, /field ld is not \[at/],
  ])('reports %s with the field, never throws', (_name, document, expected) => {
    const decoded = decodeStateItem({ pk: { S: 'p/a/b' }, version: { N: '4' }, d: { S: JSON.stringify(document) } });
    expect(isUndecodable(decoded)).toBe(true);
    expect(decoded).toMatchObject({ key: 'p/a/b', version: 4, problem: expect.stringMatching(expected) });
  });

  it('names both attributes when an item has neither', () => {
    expect(decodeStateItem({ pk: { S: 'p/a/b' }, version: { N: '1' } })).toMatchObject({ problem: 'it has no string attribute d (or doc, the format before)' });
  });
});

function compactOf(state: StoredObjectState): Record<string, unknown> {
  return JSON.parse(encodeStateItem(state, 1).d!.S!) as Record<string, unknown>;
}
