import { describe, expect, it } from 'vitest';
import { cronTrigger, isCronWindowActive } from '../../lambdas/triggers/cron';
import { GO_ZERO_TIME, nextCronTime, parseCronSchedule } from '../../lambdas/triggers/cron-schedule';
import type { ParsedTrigger } from '../../lambdas/triggers/trigger-definition';

function parse(metadata: Record<string, string>, index = 0) {
  return cronTrigger.parse({ objectId: 'ns/so', index, fieldPath: `spec.triggers[${index}].metadata`, metadata });
}

const VALID = { timezone: 'Asia/Seoul', start: '00,15,30,45 * * * *', end: '05,20,35,50 * * * *', desiredReplicas: '1' };

function trigger(metadata: Record<string, string>): ParsedTrigger {
  const result = parse(metadata);
  expect(result.errors).toEqual([]);
  const parsed = result.parsed!;
  return { index: 0, type: 'cron', metricName: parsed.metricName, metricType: 'AverageValue', target: parsed.target, activationTarget: parsed.activationTarget, params: parsed.params, metadata, envRefs: {}, useCachedMetrics: false };
}

describe('cron metadata', () => {
  it('parses the example window: target 1, metric name with KEDA replacements', () => {
    const result = parse(VALID, 2);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.parsed).toEqual({
      metricName: 's2-cron-Asia-Seoul-00Cm15Cm30Cm45xxxx-05Cm20Cm35Cm50xxxx',
      target: 1,
      activationTarget: 0,
      params: { timezone: 'Asia/Seoul', start: '00,15,30,45 * * * *', end: '05,20,35,50 * * * *', desiredReplicas: 1 },
    });
    expect(cronTrigger.readRequest(trigger(VALID), 0)).toBeUndefined();
  });

  it("names the metric as KEDA's own test does", () => {
    expect(parse({ timezone: 'Etc/UTC', start: '0 */2 * * *', end: '0 1-23/2 * * *', desiredReplicas: '3' }, 1).parsed!.metricName).toBe('s1-cron-Etc-UTC-0xSl2xxx-01-23Sl2xxx');
    expect(parse({ timezone: 'UTC', start: '0 ? * * *', end: '30 ? * * *', desiredReplicas: '3' }).parsed!.metricName).toBe('s0-cron-UTC-0Qmxxx-30Qmxxx');
  });

  it.each([
    ['missing timezone', { ...VALID, timezone: '' }, 'timezone', 'missing required parameter "timezone"'],
    ['unknown timezone', { ...VALID, timezone: 'Mars/Olympus' }, 'timezone', '"Mars/Olympus" is not a known IANA time zone'],
    ['timezone in the wrong case', { ...VALID, timezone: 'asia/seoul' }, 'timezone', 'use "Asia/Seoul"'],
    ['missing start', { ...VALID, start: '  ' }, 'start', 'missing required parameter "start"'],
    ['six fields', { ...VALID, start: '0 0 9 * * *' }, 'start', 'expected exactly 5 fields, found 6: [0 0 9 * * *]'],
    ['descriptor', { ...VALID, start: '@daily' }, 'start', 'parser does not accept descriptors: @daily'],
    ['dow 7', { ...VALID, end: '0 9 * * 7' }, 'end', 'end of range (7) above maximum (6): 7'],
    ['minute 60', { ...VALID, start: '60 * * * *' }, 'start', 'end of range (60) above maximum (59): 60'],
    ['reversed range', { ...VALID, start: '0 9-5 * * *' }, 'start', 'beginning of range (9) beyond end of range (5): 9-5'],
    ['step 0', { ...VALID, start: '*/0 * * * *' }, 'start', 'step of range should be a positive number: */0'],
    ['bad name', { ...VALID, start: '0 9 * * Funday' }, 'start', 'failed to parse int from Funday'],
    ['bad prefix zone', { ...VALID, start: 'TZ=Nowhere 0 9 * * *' }, 'start', 'provided bad location Nowhere'],
    ['start equals end', { ...VALID, end: VALID.start }, 'end', 'start and end are the same'],
    ['desiredReplicas 0', { ...VALID, desiredReplicas: '0' }, 'desiredReplicas', 'desiredReplicas must not be 0'],
    ['desiredReplicas 1.5', { ...VALID, desiredReplicas: '1.5' }, 'desiredReplicas', '"1.5" is not a whole number'],
    ['parameter from env', { timezone: 'UTC', start: '0 9 * * *', endFromEnv: 'END', desiredReplicas: '1' }, 'end', 'missing required parameter "end"'],
  ])('%s', (_label, metadata, field, message) => {
    const result = parse(metadata);
    expect(result.parsed).toBeUndefined();
    expect(result.errors.map((issue) => issue.field)).toContain(`spec.triggers[0].metadata.${field}`);
    expect(result.errors.map((issue) => `${issue.message} (${issue.fix})`).join('\n')).toContain(message);
  });

  it.each([
    ['UTC', 'UTC'],
    ['Etc/UTC', 'Etc/UTC'],
    ['negative desiredReplicas passes, as in KEDA', '-2'],
  ])('accepts %s', (_label, value) => {
    const metadata = value.startsWith('-') ? { ...VALID, desiredReplicas: value } : { ...VALID, timezone: value };
    expect(parse(metadata).errors).toEqual([]);
  });

  it('accepts names in any case, ? for *, TZ= prefixes, and warns for a schedule that never matches', () => {
    expect(parse({ ...VALID, start: '0 9 ? jan-DEC Mon-fri', end: 'CRON_TZ=Europe/Berlin 0 17 * * *' }).errors).toEqual([]);
    const never = parse({ ...VALID, start: '0 0 30 2 *' });
    expect(never.errors).toEqual([]);
    expect(never.warnings[0]).toMatchObject({ field: 'spec.triggers[0].metadata.start', message: expect.stringContaining('never matches') });
  });
});

// robfig/cron v3 spec_test.go cases (6-field specs converted to our 5 fields).
describe('nextCronTime matches robfig/cron v3', () => {
  it.each([
    ['2012-07-09T14:45:00Z', 'UTC', '0/15 * * * *', '2012-07-09T15:00:00Z'],
    ['2012-07-09T14:59:59Z', 'UTC', '0/15 * * * *', '2012-07-09T15:00:00Z'],
    ['2012-07-09T23:46:00Z', 'UTC', '*/15 * * * *', '2012-07-10T00:00:00Z'],
    ['2012-07-09T23:45:00Z', 'UTC', '20-35/15 * * * *', '2012-07-10T00:20:00Z'],
    ['2012-07-15T23:35:51Z', 'UTC', '15/35 20-23 * * *', '2012-07-15T23:50:00Z'],
    ['2012-12-31T21:59:55Z', 'UTC', '0 0 1 Jan ?', '2013-01-01T00:00:00Z'],
    ['2012-07-15T00:00:00Z', 'UTC', '0 0 * * Mon', '2012-07-16T00:00:00Z'],
    ['2012-07-15T00:00:00Z', 'UTC', '0 0 1 * Mon', '2012-07-16T00:00:00Z'],
    ['2012-07-15T00:00:00Z', 'UTC', '0 0 1 Jul Mon', '2012-07-16T00:00:00Z'],
    ['2012-07-15T00:00:00Z', 'UTC', '0 0 29 Feb ?', '2016-02-29T00:00:00Z'],
    ['2012-07-15T00:00:00Z', 'UTC', 'TZ=America/New_York 0 12 * * *', '2012-07-15T16:00:00Z'],
    // Spring forward, America/New_York: 02:00 EST -> 03:00 EDT.
    ['2012-03-11T00:00:00-05:00', 'America/New_York', '30 2 11 Mar ?', '2013-03-11T02:30:00-04:00'],
    ['2012-03-11T00:00:00-05:00', 'America/New_York', '0 * * * ?', '2012-03-11T01:00:00-05:00'],
    ['2012-03-11T01:00:00-05:00', 'America/New_York', '0 * * * ?', '2012-03-11T03:00:00-04:00'],
    ['2012-03-11T01:00:00-05:00', 'America/New_York', '0 1 * * ?', '2012-03-12T01:00:00-04:00'],
    ['2012-03-11T00:00:00-05:00', 'America/New_York', '0 2 * * ?', '2012-03-12T02:00:00-04:00'],
    // Fall back, America/New_York: 02:00 EDT -> 01:00 EST; the repeated hour matches twice.
    ['2012-11-04T00:00:00-04:00', 'America/New_York', '30 2 04 Nov ?', '2012-11-04T02:30:00-05:00'],
    ['2012-11-04T01:45:00-04:00', 'America/New_York', '30 1 04 Nov ?', '2012-11-04T01:30:00-05:00'],
    ['2012-11-04T01:00:00-04:00', 'America/New_York', '0 * * * ?', '2012-11-04T01:00:00-05:00'],
    ['2012-11-04T01:00:00-05:00', 'America/New_York', '0 * * * ?', '2012-11-04T02:00:00-05:00'],
    ['2012-11-04T01:00:00-04:00', 'America/New_York', '0 1 * * ?', '2012-11-04T01:00:00-05:00'],
    ['2012-11-04T01:00:00-05:00', 'America/New_York', '0 1 * * ?', '2012-11-05T01:00:00-05:00'],
    ['2012-11-04T00:00:00-04:00', 'America/New_York', '0 3 * * ?', '2012-11-04T03:00:00-05:00'],
    // Europe/Berlin: 2024-03-31 02:00 CET -> 03:00 CEST; 2024-10-27 03:00 CEST -> 02:00 CET.
    ['2024-03-31T00:00:00+01:00', 'Europe/Berlin', '30 2 * * *', '2024-04-01T02:30:00+02:00'],
    ['2024-10-27T02:30:00+02:00', 'Europe/Berlin', '30 2 * * *', '2024-10-27T02:30:00+01:00'],
  ])('after %s in %s, "%s" is next at %s', (from, zone, spec, expected) => {
    const parsed = parseCronSchedule(spec);
    if (!parsed.ok) throw new Error(parsed.error);
    expect(new Date(nextCronTime(parsed.schedule, zone, Date.parse(from))).toISOString()).toBe(new Date(expected).toISOString());
  });

  it('gives up after five years with Go\'s zero time', () => {
    const parsed = parseCronSchedule('0 0 30 Feb *');
    if (!parsed.ok) throw new Error(parsed.error);
    expect(nextCronTime(parsed.schedule, 'UTC', Date.parse('2012-07-15T00:00:00Z'))).toBe(GO_ZERO_TIME);
  });

  it('matches day-of-month OR day-of-week when both are restricted', () => {
    const parsed = parseCronSchedule('0 0 13 * Fri');
    if (!parsed.ok) throw new Error(parsed.error);
    // 2024-09-06 is a Friday; the 13th comes later.
    expect(new Date(nextCronTime(parsed.schedule, 'UTC', Date.parse('2024-09-01T00:00:00Z'))).toISOString()).toBe('2024-09-06T00:00:00.000Z');
    expect(new Date(nextCronTime(parsed.schedule, 'UTC', Date.parse('2024-09-10T00:00:00Z'))).toISOString()).toBe('2024-09-13T00:00:00.000Z');
  });
});

describe('cron window', () => {
  it.each([
    // Asia/Seoul is UTC+9: 09:00 KST = 00:00Z.
    ['2024-05-01T09:00:00+09:00', true],
    ['2024-05-01T09:04:59+09:00', true],
    ['2024-05-01T09:05:00+09:00', false],
    ['2024-05-01T09:14:59+09:00', false],
    ['2024-05-01T09:15:00+09:00', true],
    ['2024-05-01T23:50:00+09:00', false],
    ['2024-05-01T23:45:30+09:00', true],
  ])('Asia/Seoul example at %s: active %s', (at, active) => {
    const outcome = cronTrigger.toMetric(trigger(VALID), undefined, Date.parse(at));
    expect(outcome).toEqual({ value: active ? 1 : 0, active });
  });

  const overnight = { timezone: 'Europe/Berlin', start: '0 22 * * *', end: '0 6 * * *' };
  it.each([
    ['2024-06-10T21:59:59+02:00', false],
    ['2024-06-10T22:00:00+02:00', true],
    ['2024-06-10T23:59:59+02:00', true],
    ['2024-06-11T00:00:00+02:00', true],
    ['2024-06-11T05:59:59+02:00', true],
    ['2024-06-11T06:00:00+02:00', false],
  ])('a window across midnight at %s: active %s', (at, active) => {
    expect(isCronWindowActive(overnight, Date.parse(at))).toBe(active);
  });

  it.each([
    // America/New_York spring forward (2024-03-10, 02:00 -> 03:00): a 01:00-03:00 window lasts one real hour.
    ['America/New_York', '0 1 * * *', '0 3 * * *', '2024-03-10T01:30:00-05:00', true],
    ['America/New_York', '0 1 * * *', '0 3 * * *', '2024-03-10T03:00:00-04:00', false],
    // A window that lies inside the gap (02:30-02:45) never opens that day...
    ['America/New_York', '30 2 * * *', '45 2 * * *', '2024-03-10T01:59:00-05:00', false],
    ['America/New_York', '30 2 * * *', '45 2 * * *', '2024-03-10T03:10:00-04:00', false],
    // ...but one that only starts in it is open once its end is next (KEDA compares next end with next start).
    ['America/New_York', '30 2 * * *', '0 4 * * *', '2024-03-10T03:30:00-04:00', true],
    // Fall back (2024-11-03, 02:00 EDT -> 01:00 EST): 01:30 comes twice, so a window ending at 01:30
    // reopens after the first 01:30 and closes at the second.
    ['America/New_York', '0 0 * * *', '30 1 * * *', '2024-11-03T01:29:59-04:00', true],
    ['America/New_York', '0 0 * * *', '30 1 * * *', '2024-11-03T01:45:00-04:00', true],
    ['America/New_York', '0 0 * * *', '30 1 * * *', '2024-11-03T01:15:00-05:00', true],
    ['America/New_York', '0 0 * * *', '30 1 * * *', '2024-11-03T01:30:00-05:00', false],
    // Europe/Berlin across both transitions.
    ['Europe/Berlin', '0 1 * * *', '0 4 * * *', '2024-03-31T03:30:00+02:00', true],
    ['Europe/Berlin', '0 1 * * *', '0 4 * * *', '2024-10-27T02:30:00+01:00', true],
    ['Europe/Berlin', '0 1 * * *', '0 4 * * *', '2024-10-27T04:00:00+01:00', false],
  ])('in %s, %s to %s at %s: active %s', (timezone, start, end, at, active) => {
    expect(isCronWindowActive({ timezone, start, end }, Date.parse(at))).toBe(active);
  });

  // Its speed is a bench figure (bench/), never a timed assertion: this row checks a year of minutes.
  it('evaluates every minute of a year (the weekday window across both DST changes)', () => {
    const params = { timezone: 'America/New_York', start: '0 9 * * 1-5', end: '0 17 * * 1-5' };
    const begin = Date.parse('2024-01-01T00:00:00Z');
    let active = 0;
    for (let minute = 0; minute < 525_600; minute += 1) if (isCronWindowActive(params, begin + minute * 60_000)) active += 1;
    // 2024-01-01 00:00Z .. 2024-12-30 24:00Z is 2023-12-31 19:00 .. 2024-12-30 19:00 in New York: 261 weekdays.
    expect(active).toBe(261 * 8 * 60);
  });
});
