/**
 * The HPA counts replicas in int32 and metrics in int64 milli-units. JavaScript numbers are
 * doubles, so these helpers reproduce Go's caps where the HPA applies them and keep sums inside
 * the range where doubles are still exact integers.
 */
export const MAX_INT32 = 2_147_483_647;
export const MIN_INT32 = -2_147_483_648;

/** A float turned into a replica count: NaN becomes 0, out-of-range values saturate, fractions truncate. */
export function toInt32(value: number): number {
  if (Number.isNaN(value)) return 0;
  if (value >= MAX_INT32) return MAX_INT32;
  if (value <= MIN_INT32) return MIN_INT32;
  return Math.trunc(value);
}

/** Adds milli values the way the HPA does (capped at the int64 maximum), within exact doubles. */
export function cappedSum(values: readonly number[]): number {
  let sum = 0;
  for (const value of values) sum = Math.min(sum + value, Number.MAX_SAFE_INTEGER);
  return sum;
}

/** Adds replica counts that came from stored history, saturating instead of wrapping. */
export function addInt32(a: number, b: number): number {
  return toInt32(a + b);
}
