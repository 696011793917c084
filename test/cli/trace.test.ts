import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../cli/args';
import { parseTrace } from '../../cli/simulator/trace';
import { cli, tempDir } from './cli-harness';

describe('parseTrace', () => {
  it.each([
    ['minute,arrivals CSV with a gap', 'minute,arrivals\n0,10\n1,20\n3,40\n', [10, 20, 20, 40]],
    ['one value per line', '5\n6\n7\n', [5, 6, 7]],
    ['CloudWatch export, 5-minute Sums, unsorted', '"Time","sent"\n2024-05-01 10:05:00,10\n2024-05-01 10:00:00,5\n', [1, 1, 1, 1, 1, 2, 2, 2, 2, 2]],
    ['JSON numbers', '[1, 2, 3]', [1, 2, 3]],
    ['JSON objects with minutes', '[{"minute": 0, "arrivals": 4}, {"minute": 2, "value": 9}]', [4, 4, 9]],
    ['get-metric-data output, 2-minute period', '{"MetricDataResults":[{"Timestamps":["2024-05-01T10:02:00Z","2024-05-01T10:00:00Z"],"Values":[8,2]}]}', [1, 1, 4, 4]],
    ['get-metric-statistics output', '{"Datapoints":[{"Timestamp":"2024-05-01T10:00:00Z","Sum":12},{"Timestamp":"2024-05-01T10:01:00Z","Sum":0}]}', [12, 0]],
  ])('reads %s', (_name, text, perMinute) => {
    expect(parseTrace(text, 't', 'arrivals').perMinute).toEqual(perMinute);
  });

  // CloudWatch exports come at the metric's period (often 5 minutes). A Sum of arrivals is spread
  // over its period, so the simulation sees as many messages as the export counted; a depth is a
  // level, so it holds for its period. Either way the last datapoint lasts a whole period.
  it.each([
    ['arrivals', [900, 600, 300], [...Array<number>(5).fill(180), ...Array<number>(5).fill(120), ...Array<number>(5).fill(60)]],
    ['depth', [900, 600, 300], [...Array<number>(5).fill(900), ...Array<number>(5).fill(600), ...Array<number>(5).fill(300)]],
  ] as const)('replays 5-minute get-metric-data values as %s over their whole period', (kind, values, perMinute) => {
    const timestamps = ['2024-05-01T10:10:00Z', '2024-05-01T10:05:00Z', '2024-05-01T10:00:00Z'];
    const json = JSON.stringify({ MetricDataResults: [{ Timestamps: timestamps, Values: [...values].reverse() }] });
    const traffic = parseTrace(json, 't.json', kind);
    expect(traffic.perMinute).toEqual(perMinute);
    expect(traffic.description).toContain('15 minutes');
  });

  it.each([
    [5, 12, 60],
    [1, 30, 30],
    [60, 3, 180],
  ])('a %d-minute export with %d datapoints lasts %d minutes, and arrivals keep their total', (period, count, minutes) => {
    const start = Date.parse('2024-05-01T10:00:00Z');
    const rows = Array.from({ length: count }, (_, i) => `${new Date(start + i * period * 60_000).toISOString()},${(i + 1) * period}`);
    const arrivals = parseTrace(`timestamp,value\n${rows.join('\n')}\n`, 't.csv', 'arrivals');
    expect(arrivals.perMinute).toHaveLength(minutes);
    expect(arrivals.description).toContain(`${minutes} minutes`);
    const total = arrivals.perMinute.reduce((sum, v) => sum + v, 0);
    expect(total).toBeCloseTo(((count * (count + 1)) / 2) * period);
    expect(parseTrace(`timestamp,value\n${rows.join('\n')}\n`, 't.csv', 'depth').perMinute).toHaveLength(minutes);
  });

  it('infers the period from the most common spacing, so a missing datapoint is a gap, not the period', () => {
    // 5-minute points with 10:10 missing: the period is still 5 minutes. Arrivals: nothing was
    // counted in the gap (CloudWatch leaves out periods without data). Depth: the level holds.
    const csv = 'timestamp,value\n2024-05-01T10:00:00Z,50\n2024-05-01T10:05:00Z,50\n2024-05-01T10:15:00Z,50\n2024-05-01T10:20:00Z,50\n';
    expect(parseTrace(csv, 't', 'arrivals').perMinute).toEqual([...Array<number>(10).fill(10), ...Array<number>(5).fill(0), ...Array<number>(10).fill(10)]);
    expect(parseTrace(csv, 't', 'depth').perMinute).toEqual(Array<number>(25).fill(50));
  });

  it('sums finer-than-a-minute arrivals into their minute', () => {
    const rows = [0, 20, 40, 60].map((s, i) => `2024-05-01T10:0${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}Z,${i + 1}`);
    expect(parseTrace(`timestamp,value\n${rows.join('\n')}\n`, 't', 'arrivals').perMinute).toEqual([6, 4]);
  });

  it.each([
    ['', 't: the trace is empty'],
    ['minute,arrivals\n0,1\nx,2\n', 't:3: "x" is neither a minute number nor a timestamp'],
    ['0,1\n2024-05-01T10:00:00Z,2\n', 't:2: rows mix minute numbers and timestamps'],
    ['[1, -2]', 't: [1] is not a number >= 0'],
    ['{"a": 1}', 't: the JSON is not an array'],
  ])('rejects %j with a message naming where', (text, message) => {
    expect(() => parseTrace(text, 't', 'arrivals')).toThrow(message);
  });

  it('adds a drain tail to arrivals traces only', () => {
    expect(parseTrace('1\n2\n', 't', 'arrivals').defaultDurationMs).toBe(22 * 60_000);
    expect(parseTrace('1\n2\n', 't', 'depth').defaultDurationMs).toBe(2 * 60_000);
  });
});

describe('durations', () => {
  it.each([
    ['90m', 5_400_000],
    ['2h', 7_200_000],
    ['1h30m', 5_400_000],
    ['45s', 45_000],
    ['90', undefined],
    ['m', undefined],
  ])('parses %s', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    [5_400_000, '1h30m'],
    [90_000, '1m30s'],
    [0, '0s'],
  ])('formats %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('a timestamped trace sets the simulated start time', () => {
  // Replicas only between 09:00 and 10:00 UTC: on the default start (a Monday at midnight) the
  // window is closed; on the trace's own morning it is open.
  const cronObject = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata:
  name: morning
  namespace: batch
spec:
  scaleTargetRef:
    name: morning
  minReplicaCount: 0
  maxReplicaCount: 5
  triggers:
    - type: cron
      metadata:
        timezone: UTC
        start: 0 9 * * *
        end: 0 10 * * *
        desiredReplicas: "3"
`;

  it.each([
    ['the trace\'s first timestamp', [], '2024-05-01T09:00:00.000Z', 3],
    ['--start, when given', ['--start', '2026-01-05T00:00:00Z'], '2026-01-05T00:00:00.000Z', 0],
  ])('starts at %s', async (_name, extra, start, peakReplicas) => {
    const dir = tempDir();
    writeFileSync(join(dir, 'morning.yaml'), cronObject);
    const rows = Array.from({ length: 30 }, (_, i) => `${new Date(Date.parse('2024-05-01T09:00:00Z') + i * 60_000).toISOString()},0`);
    writeFileSync(join(dir, 'trace.csv'), `timestamp,value\n${rows.join('\n')}\n`);
    const outcome = await cli(['simulate', 'morning.yaml', '--trace', 'trace.csv', '--state', 'memory', '--no-report', '-o', 'json', ...extra], {}, dir);
    expect(outcome.code, outcome.stderr).toBe(0);
    const document = JSON.parse(outcome.stdout);
    expect(document.start).toBe(start);
    expect(document.runs[0].summary.peakReplicas).toBe(peakReplicas);
  });
});
