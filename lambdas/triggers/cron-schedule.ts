/**
 * The 5-field cron schedules of KEDA's `cron` trigger, with robfig/cron v3 semantics: the parser
 * KEDA builds with `Minute | Hour | Dom | Month | Dow` (no seconds field, no `@descriptors`), and
 * `SpecSchedule.Next`, ported step for step so that its DST behaviour is the same:
 * - a wall time inside a spring-forward gap is skipped (a 02:30 job does not run that day);
 * - a wall time inside a fall-back repeat matches twice (a 01:30 job runs at 01:30 EDT and EST).
 * Next walks month, day, hour, minute in turn (never minute by minute over long spans) and gives
 * up after five years, returning Go's zero time as robfig does.
 */
import { goDate, isValidTimeZone, localFields, type LocalFields } from './time-zone';

const SECOND_MS = 1000;
const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Go's zero `time.Time` (0001-01-01T00:00:00Z), what robfig returns when nothing matches. */
export const GO_ZERO_TIME = -62_135_596_800_000;

interface Bounds {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MINUTES: Bounds = { min: 0, max: 59 };
const HOURS: Bounds = { min: 0, max: 23 };
const DAYS_OF_MONTH: Bounds = { min: 1, max: 31 };
const MONTHS: Bounds = {
  min: 1,
  max: 12,
  names: { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 },
};
const DAYS_OF_WEEK: Bounds = { min: 0, max: 6, names: { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } };

/** One field: which values match, and whether it was written as `*`/`?` (robfig's star bit). */
interface Field {
  values: boolean[];
  star: boolean;
}

export interface CronSchedule {
  /** The spec as written. */
  spec: string;
  /** Zone from a `TZ=`/`CRON_TZ=` prefix; it overrides the trigger's `timezone`. */
  zone?: string;
  minute: Field;
  hour: Field;
  dom: Field;
  month: Field;
  dow: Field;
}

export type CronParseResult = { ok: true; schedule: CronSchedule } | { ok: false; error: string };

/** Parses a spec as robfig/cron v3 does; error texts are robfig's own. */
export function parseCronSchedule(spec: string): CronParseResult {
  if (spec.length === 0) return { ok: false, error: 'empty spec string' };
  let rest = spec;
  let zone: string | undefined;
  if (rest.startsWith('TZ=') || rest.startsWith('CRON_TZ=')) {
    const space = rest.indexOf(' ');
    const name = rest.slice(rest.indexOf('=') + 1, space === -1 ? undefined : space);
    // robfig slices up to the first space and would panic without one.
    if (space === -1) return { ok: false, error: `missing schedule after "${rest}"` };
    const resolved = resolveCronZone(name);
    if (resolved === null) return { ok: false, error: `provided bad location ${name}: unknown time zone ${name}` };
    zone = resolved;
    rest = rest.slice(space).trim();
  }
  if (rest.startsWith('@')) return { ok: false, error: `parser does not accept descriptors: ${rest}` };
  const fields = rest.split(/\s+/).filter((part) => part !== '');
  if (fields.length !== 5) {
    return { ok: false, error: `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]` };
  }
  const parsed: Field[] = [];
  const bounds = [MINUTES, HOURS, DAYS_OF_MONTH, MONTHS, DAYS_OF_WEEK];
  for (let i = 0; i < 5; i++) {
    const field = parseField(fields[i]!, bounds[i]!);
    if (typeof field === 'string') return { ok: false, error: field };
    parsed.push(field);
  }
  const [minute, hour, dom, month, dow] = parsed as [Field, Field, Field, Field, Field];
  return { ok: true, schedule: { spec, ...(zone !== undefined ? { zone } : {}), minute, hour, dom, month, dow } };
}

/**
 * Go's `time.LoadLocation` for a prefix zone: `""` is UTC; `Local` keeps the trigger's zone
 * (undefined); anything else must be a known IANA name. Null when unknown.
 */
function resolveCronZone(name: string): string | undefined | null {
  if (name === '') return 'UTC';
  if (name === 'Local') return undefined;
  return isValidTimeZone(name) ? name : null;
}

function parseField(text: string, bounds: Bounds): Field | string {
  const field: Field = { values: new Array<boolean>(bounds.max + 1).fill(false), star: false };
  // strings.FieldsFunc drops empty pieces, so "1,,2" is fine and "," matches nothing.
  for (const expr of text.split(',').filter((part) => part !== '')) {
    const error = applyRange(expr, bounds, field);
    if (error) return error;
  }
  return field;
}

function applyRange(expr: string, bounds: Bounds, field: Field): string | undefined {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0]!.split('-');
  const single = lowAndHigh.length === 1;
  let start: number;
  let end: number;
  let star = false;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = bounds.min;
    end = bounds.max;
    star = true;
  } else {
    const low = parseIntOrName(lowAndHigh[0]!, bounds.names);
    if (typeof low === 'string') return low;
    start = low;
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) {
      const high = parseIntOrName(lowAndHigh[1]!, bounds.names);
      if (typeof high === 'string') return high;
      end = high;
    } else return `too many hyphens: ${expr}`;
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    const parsedStep = parseNonNegativeInt(rangeAndStep[1]!);
    if (typeof parsedStep === 'string') return parsedStep;
    step = parsedStep;
    // "N/step" means "N-max/step".
    if (single) end = bounds.max;
    if (step > 1) star = false;
  } else if (rangeAndStep.length > 2) return `too many slashes: ${expr}`;
  if (start < bounds.min) return `beginning of range (${start}) below minimum (${bounds.min}): ${expr}`;
  if (end > bounds.max) return `end of range (${end}) above maximum (${bounds.max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  if (step === 0) return `step of range should be a positive number: ${expr}`;
  for (let value = start; value <= end; value += step) field.values[value] = true;
  if (star) field.star = true;
  return undefined;
}

function parseIntOrName(text: string, names?: Record<string, number>): number | string {
  const named = names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  return parseNonNegativeInt(text);
}

/** Go's `strconv.Atoi` (optional sign, decimal digits), then robfig's "negative not allowed". */
function parseNonNegativeInt(text: string): number | string {
  if (!/^[+-]?\d+$/.test(text)) return `failed to parse int from ${text}: strconv.Atoi: parsing "${text}": invalid syntax`;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) return `failed to parse int from ${text}: strconv.Atoi: parsing "${text}": value out of range`;
  if (value < 0) return `negative number (${value}) not allowed: ${text}`;
  return value;
}

function dayMatches(schedule: CronSchedule, fields: LocalFields): boolean {
  const domMatch = schedule.dom.values[fields.day] === true;
  const dowMatch = schedule.dow.values[fields.weekday] === true;
  // Both restricted: either may match (classic cron). Otherwise both must.
  if (schedule.dom.star || schedule.dow.star) return domMatch && dowMatch;
  return domMatch || dowMatch;
}

/** Days in a month, for the "can never match" check (February counted as 29). */
const MAX_DAYS = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True when no date can ever satisfy the schedule (e.g. `0 0 30 2 *`): Next would give up. */
export function neverMatches(schedule: CronSchedule): boolean {
  if (!schedule.minute.values.includes(true) || !schedule.hour.values.includes(true)) return true;
  const anyMonth = schedule.month.values.some((on, month) => on && month >= 1);
  if (!anyMonth) return true;
  const anyDow = schedule.dow.values.includes(true);
  const domPossible = schedule.month.values.some(
    (on, month) => on && month >= 1 && schedule.dom.values.some((dayOn, day) => dayOn && day <= MAX_DAYS[month]!),
  );
  if (schedule.dom.star || schedule.dow.star) return !(domPossible && anyDow);
  return !(domPossible || anyDow);
}

/**
 * robfig's `SpecSchedule.Next`: the first matching instant strictly after `after` (epoch ms), in
 * the schedule's prefix zone or else `zone`. Returns {@link GO_ZERO_TIME} when nothing matches
 * within five years.
 */
export function nextCronTime(schedule: CronSchedule, zone: string, after: number): number {
  const loc = schedule.zone ?? zone;
  const fieldsOf = (instant: number): LocalFields => localFields(loc, instant);
  // Start at the upcoming whole second.
  let t = Math.floor(after / SECOND_MS) * SECOND_MS + SECOND_MS;
  let f = fieldsOf(t);
  let added = false;
  const yearLimit = f.year + 5;

  wrap: for (;;) {
    f = fieldsOf(t);
    if (f.year > yearLimit) return GO_ZERO_TIME;

    while (!schedule.month.values[f.month]) {
      if (!added) {
        added = true;
        t = goDate(loc, f.year, f.month, 1, 0, 0, 0);
        f = fieldsOf(t);
      }
      t = goDate(loc, f.year, f.month + 1, f.day, f.hour, f.minute, f.second);
      f = fieldsOf(t);
      if (f.month === 1) continue wrap;
    }

    while (!dayMatches(schedule, f)) {
      if (!added) {
        added = true;
        t = goDate(loc, f.year, f.month, f.day, 0, 0, 0);
        f = fieldsOf(t);
      }
      t = goDate(loc, f.year, f.month, f.day + 1, f.hour, f.minute, f.second);
      f = fieldsOf(t);
      // Where DST moves midnight, pull the day start back onto hour 0 (robfig's fix-up).
      if (f.hour !== 0) {
        t += f.hour > 12 ? (24 - f.hour) * HOUR_MS : -f.hour * HOUR_MS;
        f = fieldsOf(t);
      }
      if (f.day === 1) continue wrap;
    }

    while (!schedule.hour.values[f.hour]) {
      if (!added) {
        added = true;
        t = goDate(loc, f.year, f.month, f.day, f.hour, 0, 0);
      }
      t += HOUR_MS;
      f = fieldsOf(t);
      if (f.hour === 0) continue wrap;
    }

    while (!schedule.minute.values[f.minute]) {
      if (!added) {
        added = true;
        t = Math.floor(t / MINUTE_MS) * MINUTE_MS;
      }
      t += MINUTE_MS;
      f = fieldsOf(t);
      if (f.minute === 0) continue wrap;
    }

    // Seconds: only :00 matches. robfig steps one second at a time until :00 and then re-checks
    // every field; jumping straight to :00 lands on the same instant.
    if (f.second !== 0) {
      added = true;
      t += (60 - f.second) * SECOND_MS;
      continue wrap;
    }
    return t;
  }
}
