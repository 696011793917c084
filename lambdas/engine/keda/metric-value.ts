/**
 * The metric value as the HPA receives it from KEDA: KEDA formats the float with `%.3f`
 * (`GenerateMetricInMili`), turning NaN, ±Inf and negatives into 0, and the HPA reads the quantity
 * back with `MilliValue()`. The result is an integer count of milli-units.
 */

/** Above this, `value * 16` and `value * 1000` are no longer exact, and ties cannot occur anyway. */
const EXACT_TIE_LIMIT = 2 ** 40;

export function kedaMetricMilli(value: number): number {
  if (!Number.isFinite(value) || value <= 0) return 0;
  // Go's %.3f rounds exact halves to even; toFixed rounds them up. A double sits exactly halfway
  // between two milli values only when it is an odd number of sixteenths (0.0625, 0.1875, ...).
  const sixteenths = value * 16;
  if (value < EXACT_TIE_LIMIT && Number.isInteger(sixteenths) && sixteenths % 2 === 1) {
    const lower = Math.floor(value * 1000);
    return lower % 2 === 0 ? lower : lower + 1;
  }
  if (value >= 1e15) return Number.MAX_SAFE_INTEGER;
  // toFixed rounds the exact binary value, as Go does; reading the digits avoids a second rounding.
  return Math.min(Number(value.toFixed(3).replace('.', '')), Number.MAX_SAFE_INTEGER);
}

/** Milli-units back to a number, for explanations. */
export function fromMilli(milli: number): number {
  return milli / 1000;
}
