/**
 * Copy and compare for plain data: what JSON can hold (objects, arrays, strings, numbers,
 * booleans, null) plus fields set to undefined. The state the scaler keeps per object is such data
 * (it is decoded from, and encoded to, a DynamoDB item).
 *
 * Why not `structuredClone` and `isDeepStrictEqual` over a JSON round trip: they handle every
 * kind of value and pay for it. Cloning one object's state took 49 µs with `structuredClone` and
 * 5 µs here; a busy 1,000-object tick clones and compares thousands of them
 * (docs/performance.md §25).
 */

/** A deep copy of `value`; class instances, Maps, Dates and the like are not plain data and are not expected. */
export function clonePlainData<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(clonePlainData) as T;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) copy[key] = clonePlainData((value as Record<string, unknown>)[key]);
  return copy as T;
}

/**
 * Deep equality as the JSON of the two values would compare: a field set to undefined equals an
 * absent one (the state codec drops both), and array order matters.
 */
export function plainDataEqual(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (left === null || right === null || typeof left !== 'object' || typeof right !== 'object') return false;
  if (Array.isArray(left) !== Array.isArray(right)) return false;
  if (Array.isArray(left)) {
    const other = right as unknown[];
    return left.length === other.length && left.every((item, index) => plainDataEqual(item, other[index]));
  }
  const leftRecord = left as Record<string, unknown>;
  const rightRecord = right as Record<string, unknown>;
  const leftKeys = Object.keys(leftRecord).filter((key) => leftRecord[key] !== undefined);
  const rightKeys = Object.keys(rightRecord).filter((key) => rightRecord[key] !== undefined);
  return leftKeys.length === rightKeys.length && leftKeys.every((key) => plainDataEqual(leftRecord[key], rightRecord[key]));
}
