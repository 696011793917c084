/**
 * Reads a recorded trace into per-minute Traffic: CSV (`minute,arrivals`, `timestamp,value` as a
 * CloudWatch console export, or one value per line) or JSON (an array of numbers or of
 * `{minute|timestamp, value|arrivals|depth}`, or the output of `aws cloudwatch get-metric-data` /
 * `get-metric-statistics`). Minute-numbered rows are per-minute values; a missing minute holds the
 * previous value. Timestamped rows are measured from the earliest one, and each covers the metric's
 * period (the most common spacing between timestamps, as CloudWatch exports at a fixed period): an
 * arrivals value is a Sum over its period and is spread evenly over it, a depth value holds for
 * its period (and through any gap after it).
 */
import { basename } from 'node:path';
import type { Traffic, TrafficKind } from './traffic';

export class TraceError extends Error {
  constructor(file: string, line: number | undefined, message: string, fix: string) {
    super(`${file}${line ? `:${line}` : ''}: ${message} (${fix})`);
    this.name = 'TraceError';
  }
}

interface Point {
  /** Minute offset, or epoch ms when `isTime`. */
  x: number;
  value: number;
  line?: number;
}

const MINUTE_MS = 60_000;
// The tail after an arrivals trace ends: long enough for the default stabilization window (5 min)
// and cooldown (5 min) to show replicas returning to min.
const DRAIN_TAIL_MS = 20 * MINUTE_MS;

export function parseTrace(text: string, file: string, kind: TrafficKind): Traffic {
  const trimmed = text.trim();
  if (trimmed === '') throw new TraceError(file, undefined, 'the trace is empty', 'give one value per minute');
  const { points, isTime } = trimmed.startsWith('[') || trimmed.startsWith('{') ? readJson(trimmed, file) : readCsv(text, file);
  if (points.length === 0) throw new TraceError(file, undefined, 'the trace has no datapoints', 'give one value per minute');
  const perMinute = toPerMinute(points, isTime, kind, file);
  const minutes = perMinute.length;
  return {
    ...(isTime ? { startsAtMs: Math.min(...points.map((point) => point.x)) } : {}),
    name: basename(file),
    kind,
    perMinute,
    defaultDurationMs: minutes * MINUTE_MS + (kind === 'arrivals' ? DRAIN_TAIL_MS : 0),
    description: `trace ${basename(file)}: ${minutes} minutes of ${kind === 'arrivals' ? 'arrivals per minute' : 'queue depth'}`,
  };
}

function toPerMinute(points: Point[], isTime: boolean, kind: TrafficKind, file: string): number[] {
  const sorted = [...points].sort((a, b) => a.x - b.x);
  if (isTime) return timedToPerMinute(sorted, kind, file);
  const origin = sorted[0]!.x;
  const last = sorted.at(-1)!.x - origin;
  checkSpan(last, sorted.at(-1)!, file);
  const perMinute = new Array<number>(last + 1).fill(0);
  let index = 0;
  let held = sorted[0]!.value;
  for (let minute = 0; minute <= last; minute++) {
    // The latest row for a minute wins; a minute with none holds the previous value.
    while (index < sorted.length && sorted[index]!.x - origin <= minute) held = sorted[index++]!.value;
    perMinute[minute] = held;
  }
  return perMinute;
}

/**
 * Timestamped datapoints, each standing for one period from its timestamp. Without this an
 * exported 5-minute Sum would be replayed as that many messages in each of its five minutes (five
 * times the real volume), and the trace would end one minute after its last timestamp instead of
 * one period.
 */
function timedToPerMinute(sorted: Point[], kind: TrafficKind, file: string): number[] {
  // Two datapoints at the same time: the later one in the file wins, as a re-export would.
  const unique = sorted.filter((p, i) => sorted[i + 1]?.x !== p.x);
  const origin = unique[0]!.x;
  const periodMs = inferPeriodMs(unique);
  const endMs = unique.at(-1)!.x - origin + periodMs;
  checkSpan(Math.floor(endMs / MINUTE_MS), unique.at(-1)!, file);
  const minutes = Math.max(1, Math.ceil(endMs / MINUTE_MS));
  const perMinute = new Array<number>(minutes).fill(0);
  if (kind === 'arrivals') {
    // A Sum over [t, t + period): share it between the minutes it overlaps, so the total is kept
    // (sub-minute points add up within their minute). Time not covered by any datapoint had no
    // data, which for a Sum means nothing arrived.
    for (const p of unique) {
      const from = p.x - origin;
      const to = from + periodMs;
      for (let minute = Math.floor(from / MINUTE_MS); minute * MINUTE_MS < to; minute++) {
        const overlap = Math.min(to, (minute + 1) * MINUTE_MS) - Math.max(from, minute * MINUTE_MS);
        perMinute[minute]! += (p.value * overlap) / periodMs;
      }
    }
    return perMinute;
  }
  // A depth is a level: it holds until the next datapoint (gaps included), and the last one for a
  // period. Finer-grained data: the latest datapoint of a minute wins.
  let index = 0;
  let held = unique[0]!.value;
  for (let minute = 0; minute < minutes; minute++) {
    while (index < unique.length && unique[index]!.x - origin < (minute + 1) * MINUTE_MS) held = unique[index++]!.value;
    perMinute[minute] = held;
  }
  return perMinute;
}

/**
 * The period of timestamped data: the most common spacing between consecutive datapoints (the
 * smallest, on a tie), so a few missing datapoints do not stretch it. One datapoint: a minute.
 */
function inferPeriodMs(unique: Point[]): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < unique.length; i++) {
    const gap = unique[i]!.x - unique[i - 1]!.x;
    counts.set(gap, (counts.get(gap) ?? 0) + 1);
  }
  let best: [gap: number, count: number] | undefined;
  for (const [gap, count] of counts) {
    if (!best || count > best[1] || (count === best[1] && gap < best[0])) best = [gap, count];
  }
  return best?.[0] ?? MINUTE_MS;
}

function checkSpan(lastMinute: number, last: Point, file: string): void {
  if (lastMinute > 31 * 24 * 60) {
    throw new TraceError(file, last.line, 'the trace spans more than 31 days', 'trim it to the period you want to simulate');
  }
}

function readCsv(text: string, file: string): { points: Point[]; isTime: boolean } {
  const points: Point[] = [];
  let isTime: boolean | undefined;
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const cells = line.split(',').map((c) => c.trim().replace(/^"(.*)"$/, '$1').trim());
    if (points.length === 0 && isHeader(cells)) return;
    if (cells.length === 1) {
      points.push({ x: points.length, value: numberCell(cells[0]!, file, lineNo), line: lineNo });
      isTime = false;
      return;
    }
    const first = cells[0]!;
    const value = numberCell(cells[cells.length - 1]!, file, lineNo);
    const minute = /^\d+$/.test(first) ? Number(first) : undefined;
    const time = minute === undefined ? parseTimestamp(first) : undefined;
    if (minute === undefined && time === undefined) {
      throw new TraceError(file, lineNo, `"${first}" is neither a minute number nor a timestamp`, 'use "minute,arrivals" rows such as "0,120" or "timestamp,value" rows such as "2024-05-01T10:00:00Z,120"');
    }
    const rowIsTime = time !== undefined;
    if (isTime !== undefined && isTime !== rowIsTime) {
      throw new TraceError(file, lineNo, 'rows mix minute numbers and timestamps', 'use one kind of first column throughout');
    }
    isTime = rowIsTime;
    points.push({ x: rowIsTime ? time! : minute!, value, line: lineNo });
  });
  return { points, isTime: isTime ?? false };
}

function isHeader(cells: string[]): boolean {
  const last = cells[cells.length - 1]!;
  return !Number.isFinite(Number(last)) || last === '';
}

function numberCell(cell: string, file: string, line: number): number {
  const value = Number(cell);
  if (cell === '' || !Number.isFinite(value) || value < 0) {
    throw new TraceError(file, line, `"${cell}" is not a number >= 0`, 'give arrivals or depth as a plain number such as 120');
  }
  return value;
}

/** ISO 8601 or `YYYY-MM-DD HH:MM[:SS]` (CloudWatch's console export); no zone means UTC. */
function parseTimestamp(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}/.test(text)) return undefined;
  const iso = text.replace(' ', 'T');
  const withZone = /(Z|[+-]\d{2}:?\d{2})$/.test(iso) ? iso : `${iso}Z`;
  const ms = Date.parse(withZone);
  return Number.isFinite(ms) ? ms : undefined;
}

function readJson(text: string, file: string): { points: Point[]; isTime: boolean } {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new TraceError(file, undefined, `not valid JSON: ${(error as Error).message}`, 'give a JSON array of per-minute numbers');
  }
  if (isRecord(data) && Array.isArray(data.MetricDataResults)) return fromGetMetricData(data.MetricDataResults, file);
  if (isRecord(data) && Array.isArray(data.Datapoints)) return fromGetMetricStatistics(data.Datapoints, file);
  if (!Array.isArray(data)) {
    throw new TraceError(file, undefined, 'the JSON is not an array', 'give an array of numbers, or of {"minute": 0, "value": 120} objects');
  }
  const points: Point[] = [];
  let isTime = false;
  data.forEach((entry, i) => {
    if (typeof entry === 'number') {
      points.push({ x: i, value: checkedNumber(entry, file, `[${i}]`) });
      return;
    }
    if (!isRecord(entry)) throw new TraceError(file, undefined, `[${i}] is neither a number nor an object`, 'give numbers or {"minute", "value"} objects');
    const raw = entry.value ?? entry.arrivals ?? entry.depth;
    const value = checkedNumber(raw, file, `[${i}].value`);
    if (typeof entry.minute === 'number') {
      points.push({ x: entry.minute, value });
    } else if (typeof entry.timestamp === 'string' && parseTimestamp(entry.timestamp) !== undefined) {
      points.push({ x: parseTimestamp(entry.timestamp)!, value });
      isTime = true;
    } else {
      throw new TraceError(file, undefined, `[${i}] has no "minute" number or ISO "timestamp"`, 'add "minute": 0 or "timestamp": "2024-05-01T10:00:00Z"');
    }
  });
  return { points, isTime };
}

function fromGetMetricData(results: unknown[], file: string): { points: Point[]; isTime: boolean } {
  const first = results[0];
  if (!isRecord(first) || !Array.isArray(first.Timestamps) || !Array.isArray(first.Values)) {
    throw new TraceError(file, undefined, 'MetricDataResults[0] has no Timestamps and Values', 'export with `aws cloudwatch get-metric-data` and keep its JSON output');
  }
  const values = first.Values;
  const points = first.Timestamps.map((ts, i) => {
    const x = typeof ts === 'string' ? parseTimestamp(ts) : undefined;
    if (x === undefined) throw new TraceError(file, undefined, `MetricDataResults[0].Timestamps[${i}] is not a timestamp`, 'keep the ISO timestamps of the export');
    return { x, value: checkedNumber(values[i], file, `MetricDataResults[0].Values[${i}]`) };
  });
  return { points, isTime: true };
}

function fromGetMetricStatistics(datapoints: unknown[], file: string): { points: Point[]; isTime: boolean } {
  const stats = ['Sum', 'Average', 'Maximum', 'Minimum', 'SampleCount'];
  const points = datapoints.map((dp, i) => {
    if (!isRecord(dp) || typeof dp.Timestamp !== 'string' || parseTimestamp(dp.Timestamp) === undefined) {
      throw new TraceError(file, undefined, `Datapoints[${i}] has no Timestamp`, 'export with `aws cloudwatch get-metric-statistics` and keep its JSON output');
    }
    const stat = stats.find((s) => typeof dp[s] === 'number');
    if (!stat) throw new TraceError(file, undefined, `Datapoints[${i}] has no statistic`, `include one of ${stats.join(', ')}`);
    return { x: parseTimestamp(dp.Timestamp)!, value: checkedNumber(dp[stat], file, `Datapoints[${i}].${stat}`) };
  });
  return { points, isTime: true };
}

function checkedNumber(value: unknown, file: string, path: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new TraceError(file, undefined, `${path} is not a number >= 0`, 'give arrivals or depth as plain numbers');
  }
  return value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
