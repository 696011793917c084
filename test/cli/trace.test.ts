import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../cli/args';
import { parseTrace } from '../../cli/simulator/trace';

describe('parseTrace', () => {
  it.each([
    ['minute,arrivals CSV with a gap', 'minute,arrivals\n0,10\n1,20\n3,40\n', [10, 20, 20, 40]],
    ['one value per line', '5\n6\n7\n', [5, 6, 7]],
    ['CloudWatch export, 5-minute points, unsorted', '"Time","depth"\n2024-05-01 10:05:00,8\n2024-05-01 10:00:00,3\n', [3, 3, 3, 3, 3, 8]],
    ['JSON numbers', '[1, 2, 3]', [1, 2, 3]],
    ['JSON objects with minutes', '[{"minute": 0, "arrivals": 4}, {"minute": 2, "value": 9}]', [4, 4, 9]],
    ['get-metric-data output', '{"MetricDataResults":[{"Timestamps":["2024-05-01T10:02:00Z","2024-05-01T10:00:00Z"],"Values":[7,1]}]}', [1, 1, 7]],
    ['get-metric-statistics output', '{"Datapoints":[{"Timestamp":"2024-05-01T10:00:00Z","Sum":12},{"Timestamp":"2024-05-01T10:01:00Z","Sum":0}]}', [12, 0]],
  ])('reads %s', (_name, text, perMinute) => {
    expect(parseTrace(text, 't', 'arrivals').perMinute).toEqual(perMinute);
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
