/**
 * clonePlainData and plainDataEqual stand in for structuredClone and for isDeepStrictEqual over a
 * JSON round trip on the scaler's own state (plain data). Each row checks they answer as those did.
 */
import { describe, expect, it } from 'vitest';
import { clonePlainData, plainDataEqual } from '../../lambdas/util/plain-data';

const jsonEqual = (left: unknown, right: unknown) => JSON.stringify(left) === JSON.stringify(right);

describe('plainDataEqual answers as a comparison of the two values through JSON', () => {
  it.each<[string, unknown, unknown]>([
    ['equal nested objects', { a: 1, b: { c: [1, 2, { d: 'x' }] } }, { a: 1, b: { c: [1, 2, { d: 'x' }] } }],
    ['a field set to undefined and an absent one', { a: 1, b: undefined }, { a: 1 }],
    ['an absent field and one set to undefined', { a: 1 }, { a: 1, b: undefined }],
    ['a different number', { a: 1 }, { a: 2 }],
    ['a different string', { a: 'x' }, { a: 'y' }],
    ['array order matters', { a: [1, 2] }, { a: [2, 1] }],
    ['a longer array', { a: [1, 2] }, { a: [1, 2, 3] }],
    ['an array against an object', { a: [] }, { a: {} }],
    ['null against an object', { a: null }, { a: {} }],
    ['null against absent', { a: null }, {}],
    ['a number against its string', { a: 1 }, { a: '1' }],
    ['false against absent', { a: false }, {}],
    ['an extra field', { a: 1, b: 2 }, { a: 1 }],
    ['same fields, other order', { a: 1, b: 2 }, { b: 2, a: 1 }],
  ])('%s', (_case, left, right) => {
    // Key order does not matter to the scaler's comparisons; JSON text would, so it is sorted away there.
    const sorted = (value: unknown): unknown =>
      value === null || typeof value !== 'object'
        ? value
        : Array.isArray(value)
          ? value.map(sorted)
          : Object.fromEntries(Object.keys(value).sort().map((key) => [key, sorted((value as Record<string, unknown>)[key])]));
    expect(plainDataEqual(left, right)).toBe(jsonEqual(sorted(left), sorted(right)));
  });
});

describe('clonePlainData', () => {
  it('copies deeply: changing the copy leaves the original as it was', () => {
    const original = { key: 'c/ns/so', scaling: { recommendations: [{ replicas: 2, timestamp: 1 }], health: { s0: { numberOfFailures: 0 } } }, gone: undefined };
    const copy = clonePlainData(original);
    expect(copy).toStrictEqual(original);
    copy.scaling.recommendations[0]!.replicas = 9;
    copy.scaling.health.s0.numberOfFailures = 3;
    expect(original.scaling.recommendations[0]!.replicas).toBe(2);
    expect(original.scaling.health.s0.numberOfFailures).toBe(0);
  });

  it('returns scalars and null as they are', () => {
    expect([1, 'x', true, null, undefined].map(clonePlainData)).toStrictEqual([1, 'x', true, null, undefined]);
  });
});
