/**
 * KEDA's `cron` trigger (`pkg/scalers/cron_scaler.go`): `desiredReplicas` while inside the
 * [start, end) window, 0 outside, against an AverageValue target of 1. No I/O.
 *
 * One deliberate difference: KEDA loads `timezone` only when it computes a metric, so a typo
 * surfaces as a runtime error; we check it while parsing.
 */
import { GO_ZERO_TIME, neverMatches, nextCronTime, parseCronSchedule, type CronSchedule } from './cron-schedule';
import { metadataReader, normalizeMetricNamePart } from './metadata-values';
import { isValidTimeZone, offsetAt } from './time-zone';
import type { MetricOutcome, ParsedTrigger, TriggerDefinition, TriggerParseInput, TriggerParseResult } from './trigger-definition';

export interface CronParams {
  timezone: string;
  start: string;
  end: string;
  desiredReplicas: number;
}

type CronParameter = 'timezone' | 'start' | 'end' | 'desiredReplicas';
const EXAMPLES: Record<CronParameter, string> = {
  timezone: '"Asia/Seoul" or "UTC"',
  start: '"0 9 * * 1-5"',
  end: '"0 18 * * 1-5"',
  desiredReplicas: '"3"',
};

function parseCron(input: TriggerParseInput): TriggerParseResult {
  // KEDA reads every cron parameter from metadata only (order=triggerMetadata): a `...FromEnv` key is
  // never read, so it gets the reader's "ignored" warning and the parameter counts as missing.
  const reader = metadataReader(input);
  const required = (name: CronParameter): boolean => {
    if (reader.has(name)) return true;
    reader.error(name, `missing required parameter "${name}"`, `set metadata.${name}, e.g. ${EXAMPLES[name]}`);
    return false;
  };

  const timezone = required('timezone') ? reader.string('timezone') : undefined;
  const start = required('start') ? reader.string('start') : undefined;
  const end = required('end') ? reader.string('end') : undefined;
  const desiredReplicas = required('desiredReplicas') ? reader.int('desiredReplicas') : undefined;

  if (timezone !== undefined) checkTimeZone(timezone, (message, fix) => reader.error('timezone', message, fix));
  for (const [name, spec] of [['start', start], ['end', end]] as const) {
    if (spec === undefined) continue;
    const result = parseCronSchedule(spec);
    if (!result.ok) {
      reader.error(name, `"${spec}" is not a valid cron schedule: ${result.error}`, 'use 5 fields "minute hour day-of-month month day-of-week", e.g. "0 9 * * 1-5"');
    } else if (neverMatches(result.schedule)) {
      reader.warn(name, `"${spec}" never matches any date, so KEDA's window logic sees no next ${name}`, 'check the day-of-month against the months (e.g. 30 2 is February 30th)');
    }
  }
  if (start !== undefined && end !== undefined && start === end) {
    reader.error('end', `start and end are the same ("${start}"), so the window is empty`, 'give end a different schedule than start');
  }
  if (desiredReplicas === 0) {
    reader.error('desiredReplicas', 'desiredReplicas must not be 0', 'set the replica count wanted inside the window, e.g. "3"');
  }
  reader.finish();

  if (reader.errors.length > 0 || timezone === undefined || start === undefined || end === undefined || desiredReplicas === undefined) {
    return { errors: reader.errors, warnings: reader.warnings };
  }
  const params: CronParams = { timezone, start, end, desiredReplicas };
  return {
    parsed: { metricName: cronMetricName(input.index, params), target: 1, activationTarget: 0, params: { ...params } },
    errors: reader.errors,
    warnings: reader.warnings,
  };
}

function checkTimeZone(zone: string, error: (message: string, fix: string) => void): void {
  if (!isValidTimeZone(zone)) {
    error(`"${zone}" is not a known IANA time zone`, 'use a name from the tz database such as "Asia/Seoul", "America/New_York" or "UTC"');
    return;
  }
  // Go's LoadLocation is case-sensitive; Intl is not.
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  if (resolved !== zone && resolved.toLowerCase() === zone.toLowerCase()) {
    error(`"${zone}" is not spelled as in the tz database (KEDA's lookup is case-sensitive)`, `use "${resolved}"`);
  }
}

/** KEDA's `parseCronTimeFormat`: drop spaces, then `* / ? ,` become `x Sl Qm Cm`. */
function cronTimeFormat(spec: string): string {
  return spec.replaceAll(' ', '').replaceAll('*', 'x').replaceAll('/', 'Sl').replaceAll('?', 'Qm').replaceAll(',', 'Cm');
}

export function cronMetricName(index: number, params: Pick<CronParams, 'timezone' | 'start' | 'end'>): string {
  const body = `cron-${params.timezone}-${cronTimeFormat(params.start)}-${cronTimeFormat(params.end)}`;
  return `s${index}-${normalizeMetricNamePart(body)}`;
}

const compiled = new Map<string, CronSchedule>();

function compile(spec: string): CronSchedule {
  let schedule = compiled.get(spec);
  if (!schedule) {
    const result = parseCronSchedule(spec);
    if (!result.ok) throw new Error(`invalid cron schedule "${spec}": ${result.error}`);
    schedule = result.schedule;
    compiled.set(spec, schedule);
  }
  return schedule;
}

const MEMO_SPAN_MS = 7 * 24 * 3_600_000;
const memo = new Map<string, { from: number; next: number }>();

/**
 * `nextCronTime`, remembered: once Next(from) = next is known, every instant in [from, next) has
 * the same answer, since nothing matches in between. That holds for robfig's search whenever no
 * DST transition lies between the two (same offset at both ends, at most a week apart: no zone
 * changes offset twice within a week), so only such answers are remembered. The simulator asks
 * for every tick of every object; this turns most asks into a lookup.
 */
function nextOccurrence(spec: string, zone: string, now: number): number {
  const key = `${zone}\u0000${spec}`;
  const known = memo.get(key);
  if (known && now >= known.from && now < known.next) return known.next;
  const schedule = compile(spec);
  const next = nextCronTime(schedule, zone, now);
  const loc = schedule.zone ?? zone;
  if (next !== GO_ZERO_TIME && next - now <= MEMO_SPAN_MS && offsetAt(loc, now) === offsetAt(loc, next)) {
    if (memo.size > 10_000) memo.clear();
    memo.set(key, { from: now, next });
  }
  return next;
}

/**
 * Whether `now` (epoch ms) is inside the window, with KEDA's exact comparison of the next start
 * and next end. In practice this is "the next end comes no later than the next start", a
 * half-open [start, end) window that needs no special case across midnight.
 */
export function isCronWindowActive(params: Pick<CronParams, 'timezone' | 'start' | 'end'>, now: number): boolean {
  const nextStart = nextOccurrence(params.start, params.timezone, now);
  const nextEnd = nextOccurrence(params.end, params.timezone, now);
  if (nextStart < nextEnd) return now > nextStart && now < nextEnd;
  return now > nextStart || now < nextEnd;
}

function cronMetric(trigger: ParsedTrigger, _reading: unknown, now: number): MetricOutcome {
  const params = trigger.params as unknown as CronParams;
  const active = isCronWindowActive(params, now);
  return { value: active ? params.desiredReplicas : 0, active };
}

export const cronTrigger: TriggerDefinition = {
  type: 'cron',
  parse: parseCron,
  readRequest: () => undefined,
  toMetric: cronMetric,
};
