/**
 * What a person wants to know after a simulation: what it cost (replica- and node-minutes), how the
 * traffic fared (backlog, message waits, time to drain) and how the scaler behaved (scale events,
 * time at max). Printed as an aligned table, side by side for several ScaledObjects.
 */
import { formatDuration } from '../args';
import { formatTable } from '../format/table';
import type { SimulationRun } from './run-simulation';

export interface SimulationSummary {
  label: string;
  durationMs: number;
  replicaMinutes: number;
  nodeMinutes: number;
  peakReplicas: number;
  finalReplicas: number;
  peakBacklog: number;
  /** Undefined when no message was processed (idle traffic, or a replayed depth trace). */
  waitP50Ms?: number;
  waitP95Ms?: number;
  waitMaxMs?: number;
  /** From the peak backlog to the first moment the queue was empty; undefined when it never drained. */
  timeToDrainMs?: number;
  scaleEvents: number;
  scaleUps: number;
  scaleDowns: number;
  timeAtMaxMs: number;
  messagesArrived: number;
  messagesProcessed: number;
  messagesUnprocessed: number;
  nodesRequested: number;
  nodesRemoved: number;
  evaluations: number;
  errors: number;
}

export function summarize(run: SimulationRun): SimulationSummary {
  const { totals } = run;
  const scaled = run.decisions.filter((d) => d.scaled);
  const ups = scaled.filter((d) => (d.desiredReplicas ?? 0) > (d.currentReplicas ?? 0)).length;
  const processed = totals.consumed;
  const peakReplicas = Math.max(0, ...run.samples.map((s) => s.specReplicas), ...scaled.map((d) => d.desiredReplicas ?? 0));
  return {
    label: run.label,
    durationMs: run.endMs - run.startMs,
    replicaMinutes: totals.replicaMs / 60_000,
    nodeMinutes: totals.nodeMs / 60_000,
    peakReplicas,
    finalReplicas: run.samples.at(-1)?.specReplicas ?? 0,
    peakBacklog: totals.peakBacklog,
    ...(processed > 0
      ? {
          waitP50Ms: percentileMs(totals.waitHistogram, processed, 0.5, totals.maxWaitMs),
          waitP95Ms: percentileMs(totals.waitHistogram, processed, 0.95, totals.maxWaitMs),
          waitMaxMs: totals.maxWaitMs,
        }
      : {}),
    ...(totals.peakBacklogAt !== undefined && totals.drainedAt !== undefined
      ? { timeToDrainMs: totals.drainedAt - totals.peakBacklogAt }
      : {}),
    scaleEvents: scaled.length,
    scaleUps: ups,
    scaleDowns: scaled.length - ups,
    timeAtMaxMs: totals.msAtMaxReplicas,
    messagesArrived: totals.arrived,
    messagesProcessed: processed,
    messagesUnprocessed: run.unprocessed,
    nodesRequested: totals.nodesRequested,
    nodesRemoved: totals.nodesRemoved,
    evaluations: run.decisions.length,
    errors: run.decisions.filter((d) => d.status === 'error').length,
  };
}

/**
 * The wait below which `fraction` of messages were processed. The histogram has one-second
 * buckets, so this is the bucket's upper edge (never above the exact maximum).
 */
function percentileMs(histogram: number[], total: number, fraction: number, maxMs: number): number {
  const rank = Math.ceil(total * fraction);
  let seen = 0;
  for (let second = 0; second < histogram.length; second++) {
    seen += histogram[second] ?? 0;
    if (seen >= rank) return Math.min((second + 1) * 1000, maxMs);
  }
  return maxMs;
}

const round = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));
const optionalDuration = (ms: number | undefined, absent: string) => (ms === undefined ? absent : formatDuration(ms));

/** Row label and how to print it for one summary. */
const ROWS: [string, (s: SimulationSummary) => string][] = [
  ['simulated', (s) => formatDuration(s.durationMs)],
  ['replica-minutes', (s) => round(s.replicaMinutes)],
  ['node-minutes', (s) => round(s.nodeMinutes)],
  ['peak replicas', (s) => String(s.peakReplicas)],
  ['final replicas', (s) => String(s.finalReplicas)],
  ['peak backlog', (s) => String(Math.round(s.peakBacklog))],
  ['message wait p50', (s) => optionalDuration(s.waitP50Ms, 'n/a')],
  ['message wait p95', (s) => optionalDuration(s.waitP95Ms, 'n/a')],
  ['message wait max', (s) => optionalDuration(s.waitMaxMs, 'n/a')],
  ['time to drain', (s) => (s.peakBacklog === 0 ? 'n/a' : optionalDuration(s.timeToDrainMs, 'not drained'))],
  ['scale events', (s) => `${s.scaleEvents} (${s.scaleUps} up, ${s.scaleDowns} down)`],
  ['time at max', (s) => formatDuration(s.timeAtMaxMs)],
  ['messages', (s) => `${s.messagesProcessed} processed, ${s.messagesUnprocessed} left`],
  ['nodes', (s) => `${s.nodesRequested} added, ${s.nodesRemoved} removed`],
  ['evaluations', (s) => `${s.evaluations} (${s.errors} errors)`],
];

export function summaryRows(summaries: SimulationSummary[]): { header: string[]; rows: string[][] } {
  return {
    header: ['', ...summaries.map((s) => s.label)],
    rows: ROWS.map(([label, show]) => [label, ...summaries.map(show)]),
  };
}

/** The summary as an aligned table; one value column per ScaledObject. */
export function formatSummary(summaries: SimulationSummary[]): string {
  const { header, rows } = summaryRows(summaries);
  return formatTable(summaries.length > 1 ? header : undefined, rows);
}
