/**
 * IANA time zone arithmetic on epoch milliseconds, built on `Intl` (no tz database of our own).
 *
 * Cron evaluation asks for local fields of many instants; `Intl` formatting costs microseconds, so
 * offsets are cached per UTC hour. Zone rules never change offset twice within one hour, so an
 * hour whose two ends agree has one offset throughout; otherwise the transition instant is found
 * by bisection once and remembered.
 */

const HOUR_MS = 3_600_000;
const CACHE_LIMIT = 200_000;

/** Wall-clock fields of an instant in a zone. `weekday`: 0 = Sunday. `month`: 1..12. */
export interface LocalFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  weekday: number;
}

type HourOffsets = number | { switchAt: number; before: number; after: number };

const formatters = new Map<string, Intl.DateTimeFormat>();
const hourCache = new Map<string, Map<number, HourOffsets>>();

/** True when `Intl` knows the zone (`UTC` and `Etc/UTC` included). */
export function isValidTimeZone(zone: string): boolean {
  if (zone.trim() === '') return false;
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

function formatterFor(zone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
      era: 'short',
    });
    formatters.set(zone, formatter);
  }
  return formatter;
}

/** Offset (ms, local minus UTC) at an instant, straight from `Intl`. Whole seconds. */
function intlOffset(zone: string, instant: number): number {
  const seconds = Math.floor(instant / 1000) * 1000;
  const parts = formatterFor(zone).formatToParts(new Date(seconds));
  let year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, bc = false;
  for (const part of parts) {
    switch (part.type) {
      case 'year': year = Number(part.value); break;
      case 'month': month = Number(part.value); break;
      case 'day': day = Number(part.value); break;
      case 'hour': hour = Number(part.value); break;
      case 'minute': minute = Number(part.value); break;
      case 'second': second = Number(part.value); break;
      case 'era': bc = part.value.startsWith('B'); break;
    }
  }
  const wall = new Date(0);
  wall.setUTCFullYear(bc ? 1 - year : year, month - 1, day);
  wall.setUTCHours(hour, minute, second, 0);
  return wall.getTime() - seconds;
}

/** Offset (ms, local minus UTC) in effect at `instant`. */
export function offsetAt(zone: string, instant: number): number {
  let zoneCache = hourCache.get(zone);
  if (!zoneCache) {
    zoneCache = new Map();
    hourCache.set(zone, zoneCache);
  }
  const bucket = Math.floor(instant / HOUR_MS);
  let entry = zoneCache.get(bucket);
  if (entry === undefined) {
    if (zoneCache.size > CACHE_LIMIT) zoneCache.clear();
    entry = hourOffsets(zone, bucket * HOUR_MS);
    zoneCache.set(bucket, entry);
  }
  if (typeof entry === 'number') return entry;
  return instant < entry.switchAt ? entry.before : entry.after;
}

function hourOffsets(zone: string, start: number): HourOffsets {
  const before = intlOffset(zone, start);
  const after = intlOffset(zone, start + HOUR_MS - 1000);
  if (before === after) return before;
  // Bisect to the second: lo has `before`, hi has `after`.
  let lo = start;
  let hi = start + HOUR_MS - 1000;
  while (hi - lo > 1000) {
    const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
    if (intlOffset(zone, mid) === before) lo = mid;
    else hi = mid;
  }
  return { switchAt: hi, before, after };
}

/** Local wall-clock fields of `instant` in `zone`. */
export function localFields(zone: string, instant: number): LocalFields {
  const wall = new Date(instant + offsetAt(zone, instant));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    weekday: wall.getUTCDay(),
  };
}

/**
 * Go's `time.Date(year, month, day, hour, min, sec, 0, loc)`: fields out of range are normalized
 * (month 13 is January next year, day 32 rolls over), and a wall time that does not exist or
 * exists twice (DST) is resolved exactly as Go does: take the offset in effect at the wall time
 * read as UTC; if the resulting instant falls outside that offset's period, use the offset at
 * that instant instead.
 */
export function goDate(zone: string, year: number, month: number, day: number, hour: number, minute: number, second: number): number {
  const wall = new Date(0);
  wall.setUTCFullYear(year, month - 1, day);
  wall.setUTCHours(hour, minute, second, 0);
  const asUtc = wall.getTime();
  let offset = offsetAt(zone, asUtc);
  const candidate = offsetAt(zone, asUtc - offset);
  if (candidate !== offset) offset = candidate;
  return asUtc - offset;
}
