import { describe, expect, it } from 'vitest';
import { awsCloudwatchTrigger, packCalls, queryWindow } from '../../lambdas/triggers/aws-cloudwatch';
import type { ReadRequest } from '../../lambdas/triggers/trigger-definition';
import { parseWith, parsedTrigger } from '../adapters/aws/trigger-fixtures';

const metric = { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensionName: 'QueueName', dimensionValue: 'orders', targetMetricValue: '10', minMetricValue: '0', awsRegion: 'eu-west-1' };
const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('aws-cloudwatch query window (Go Time.Truncate from year 1)', () => {
  it.each([
    // The reference's example: period 60, then the same with a 30 s end offset.
    ['2024-05-01T15:04:05.999Z', 60, 0, 60, '2024-05-01T15:03:00.000Z', '2024-05-01T15:04:00.000Z'],
    ['2024-05-01T15:04:05.999Z', 60, 30, 60, '2024-05-01T15:02:00.000Z', '2024-05-01T15:03:00.000Z'],
    ['2024-05-01T15:04:05.000Z', 300, 0, 300, '2024-05-01T14:55:00.000Z', '2024-05-01T15:00:00.000Z'],
    ['2024-05-01T15:00:00.000Z', 300, 0, 0, '2024-05-01T15:00:00.000Z', '2024-05-01T15:00:00.000Z'],
    // 420 s does not divide a day: Go aligns to multiples counted from 0001-01-01, not from 1970.
    ['2024-05-01T15:04:05.000Z', 420, 0, 420, '2024-05-01T14:53:00.000Z', '2024-05-01T15:00:00.000Z'],
    ['2024-05-01T15:04:05.000Z', 3600, -600, 3600, '2024-05-01T14:00:00.000Z', '2024-05-01T15:00:00.000Z'],
  ])('now %s period %d offset %d collection %d -> [%s, %s]', (now, period, offset, collection, start, end) => {
    const window = queryWindow(at(now), period, offset, collection);
    expect([iso(window.startTime), iso(window.endTime)]).toEqual([start, end]);
  });

  it('matches Go for a 420 s period: (t - year1) is a multiple of 420 s', () => {
    const { endTime } = queryWindow(at('2024-05-01T15:04:05Z'), 420, 0, 0);
    expect((endTime / 1000 + 62_135_596_800) % 420).toBe(0);
    expect((endTime / 1000) % 420).not.toBe(0);
  });
});

describe('aws-cloudwatch parse', () => {
  it('applies KEDA defaults and builds the query', () => {
    expect(parsedTrigger(awsCloudwatchTrigger, { ...metric, dimensionName: 'QueueName;Region', dimensionValue: 'orders; eu' }, { index: 3 })).toMatchObject({
      metricName: 's3-aws-cloudwatch',
      target: 10,
      activationTarget: 0,
      params: {
        metricCollectionTime: 300,
        metricStatPeriod: 300,
        metricEndTimeOffset: 0,
        minMetricValue: 0,
        ignoreNullValues: true,
        query: {
          namespace: 'AWS/SQS',
          metricName: 'ApproximateNumberOfMessagesVisible',
          dimensions: [{ name: 'QueueName', value: 'orders' }, { name: 'Region', value: 'eu' }],
          stat: 'Average',
          period: 300,
        },
      },
    });
  });

  it('passes any stat through, keeps the unit and the cross-account id', () => {
    const trigger = parsedTrigger(awsCloudwatchTrigger, { ...metric, metricStat: 'p99', metricUnit: 'Bytes/Second', awsAccountId: '210987654321' });
    expect(trigger.params.query).toMatchObject({ stat: 'p99', unit: 'Bytes/Second', accountId: '210987654321' });
  });

  it('with an expression, needs no metric fields and checks no unit', () => {
    const trigger = parsedTrigger(awsCloudwatchTrigger, { expression: 'SELECT MAX(x) FROM y', metricUnit: 'Hour', targetMetricValue: '2', minMetricValue: '1', awsRegion: 'eu-west-1' });
    expect(trigger.params.query).toEqual({ expression: 'SELECT MAX(x) FROM y', stat: 'Average', period: 300 });
  });

  it('keeps the target in milli-units, rounded as KEDA formats it (%.3f) (GetMetricTargetMili)', () => {
    expect(parsedTrigger(awsCloudwatchTrigger, { ...metric, targetMetricValue: '1.0056' }).target).toBe(1.006);
    expect(parsedTrigger(awsCloudwatchTrigger, { ...metric, targetMetricValue: '1e3', activationTargetMetricValue: '2.5' })).toMatchObject({ target: 1000, activationTarget: 2.5 });
  });

  it.each([
    [{ namespace: '' }, ['namespace']],
    [{ metricName: undefined, dimensionName: undefined }, ['metricName', 'dimensionName']],
    [{ dimensionValue: 'a;b' }, ['dimensionValue']],
    [{ metricUnit: 'Hour' }, ['metricUnit']],
    [{ targetMetricValue: undefined, minMetricValue: 'x' }, ['targetMetricValue', 'minMetricValue']],
    [{ targetMetricValue: '0.0004' }, ['targetMetricValue']],
    [{ metricStatPeriod: '0' }, ['metricStatPeriod']],
    [{ metricStatPeriod: '45' }, ['metricStatPeriod']],
    [{ metricStatPeriod: '90' }, ['metricStatPeriod']],
    [{ metricStatPeriod: '60', metricCollectionTime: '90' }, ['metricCollectionTime']],
    [{ metricCollectionTime: '-300' }, ['metricCollectionTime']],
    [{ ignoreNullValues: 'nope' }, ['ignoreNullValues']],
    [{ awsRegion: undefined }, ['awsRegion']],
    // KEDA's order: the metric fields, then the period, then the collection time.
    [{ namespace: undefined, metricUnit: 'Hour', metricStatPeriod: '7', metricCollectionTime: '1' }, ['namespace', 'metricUnit', 'metricStatPeriod']],
  ])('%o is an error on %o', (override, fields) => {
    const metadata = Object.fromEntries(Object.entries({ ...metric, ...override }).filter(([, v]) => v !== undefined)) as Record<string, string>;
    const result = parseWith(awsCloudwatchTrigger, metadata);
    expect(result.parsed).toBeUndefined();
    expect(result.errors.map((e) => e.field.replace('spec.triggers[0].metadata.', ''))).toEqual(fields);
  });

  it('accepts a collection time of 0 and any end offset', () => {
    expect(parseWith(awsCloudwatchTrigger, { ...metric, metricCollectionTime: '0', metricEndTimeOffset: '-60' }).errors).toEqual([]);
  });
});

describe('aws-cloudwatch toMetric', () => {
  const reading = (hasResult: boolean, values: number[]) => ({ service: 'cloudwatch' as const, hasResult, values });
  it.each([
    [{}, reading(true, [7.5, 3]), 7.5, true],
    [{ activationTargetMetricValue: '7.5' }, reading(true, [7.5]), 7.5, false],
    [{ minMetricValue: '2' }, reading(false, []), 2, true],
    [{ minMetricValue: '2' }, reading(true, []), 2, true],
    [{ minMetricValue: '2', ignoreNullValues: 'false' }, reading(false, []), 2, true],
    [{ minMetricValue: '-1' }, reading(false, []), -1, false],
    [{}, reading(true, [-4]), -4, false],
  ])('metadata %o reading %o -> %d (active %s)', (metadata, r, value, active) => {
    expect(awsCloudwatchTrigger.toMetric(parsedTrigger(awsCloudwatchTrigger, { ...metric, ...metadata }), r, 0)).toEqual({ value, active });
  });

  it('fails when a result came back empty and ignoreNullValues is false', () => {
    const trigger = parsedTrigger(awsCloudwatchTrigger, { ...metric, ignoreNullValues: 'false' });
    expect(() => awsCloudwatchTrigger.toMetric(trigger, reading(true, []), 0)).toThrow(expect.objectContaining({ code: 'EmptyMetricData' }));
  });
});

describe('aws-cloudwatch readRequest and packing', () => {
  const now = at('2024-05-01T15:04:05Z');
  it('shares a key only for the same query, source and window', () => {
    const a = awsCloudwatchTrigger.readRequest(parsedTrigger(awsCloudwatchTrigger, metric), now);
    const b = awsCloudwatchTrigger.readRequest(parsedTrigger(awsCloudwatchTrigger, { ...metric, targetMetricValue: '99' }, { index: 4 }), now);
    const otherStat = awsCloudwatchTrigger.readRequest(parsedTrigger(awsCloudwatchTrigger, { ...metric, metricStat: 'Sum' }), now);
    const otherWindow = awsCloudwatchTrigger.readRequest(parsedTrigger(awsCloudwatchTrigger, { ...metric, metricEndTimeOffset: '300' }), now);
    expect(a).toMatchObject({ startTime: at('2024-05-01T14:55:00Z'), endTime: at('2024-05-01T15:00:00Z') });
    expect(a?.key).toBe(b?.key);
    expect(new Set([a?.key, otherStat?.key, otherWindow?.key]).size).toBe(3);
  });

  it('packs 500 queries per call and at most one Metrics Insights query per call', () => {
    const request = (expression: string, i: number) => ({ service: 'cloudwatch', key: `k${i}`, source: { region: 'eu-west-1' }, query: { expression, stat: 'Average', period: 60 }, startTime: 0, endTime: 60_000 }) as Extract<ReadRequest, { service: 'cloudwatch' }>;
    const plain = Array.from({ length: 1001 }, (_, i) => request(`SEARCH('{AWS/SQS} q${i}', 'Sum')`, i));
    expect(packCalls(plain).map((call) => call.length)).toEqual([500, 500, 1]);
    const insights = [request('SELECT AVG(a) FROM b', 0), request('m1', 1), request(' select MAX(c) FROM d', 2)];
    expect(packCalls(insights).map((call) => call.map((r) => r.key))).toEqual([['k0', 'k1'], ['k2']]);
  });
});

describe('aws-cloudwatch errors on defaulted parameters', () => {
  it('names the parameter itself, not its FromEnv form, when the default is what fails', () => {
    // metricCollectionTime defaults to 300, which is no multiple of a 120 s period.
    const { errors } = parseWith(awsCloudwatchTrigger, { ...metric, metricStatPeriod: '120' });
    expect(errors.map((issue) => issue.field)).toEqual(['spec.triggers[0].metadata.metricCollectionTime']);
  });
});
