/**
 * What a person wants to know after a simulation: what it cost (replica- and node-minutes), how the
 * traffic fared and how the scaler behaved (scale events, time at max). Printed as an aligned table,
 * side by side for several ScaledObjects.
 *
 * How the traffic fared depends on the kind of trigger: a queue (SQS, Kinesis) has a backlog and
 * message waits; a rate (CloudWatch request counts and the like) has a load per replica against its
 * target; a schedule (cron) has windows. Rows are shown for the kinds present, and say "n/a" for an
 * object where the figure means nothing (a cron object has no message wait).
 */
import { formatDuration } from '../args';
import { formatTable } from '../format/table';
import type { DecisionRecord, SimulationRun } from './run-simulation';

/** How a trigger's figures read: queue-like, rate-like or a schedule. */
export type TriggerKind = 'queue' | 'rate' | 'schedule';

const KIND_OF_TRIGGER: Record<string, TriggerKind> = {
  'aws-sqs-queue': 'queue',
  'aws-kinesis-stream': 'queue',
  // The simulated world answers a DynamoDB Query's count with the backlog, and a table's stream with
  // the open shards, as it does SQS and Kinesis.
  'aws-dynamodb': 'queue',
  'aws-dynamodb-streams': 'queue',
  'aws-cloudwatch': 'rate',
  // A simulated prometheus or new-relic query answers with the backlog, as a gauge (simulated-trigger-reader.ts).
  prometheus: 'queue',
  'new-relic': 'queue',
  // A simulated Kafka consumer group's lag is the backlog (simulated-trigger-reader.ts).
  kafka: 'queue',
  'apache-kafka': 'queue',
  cron: 'schedule',
  // cpu and memory have no kind: their figures are the pods' usage, shown by the replicas they lead to.
};

/** The kinds of an object's triggers, in the order of first appearance. */
export function triggerKindsOf(object: SimulationRun['object']): TriggerKind[] {
  return [...new Set(object.triggers.map((t) => KIND_OF_TRIGGER[t.type]).filter((kind) => kind !== undefined))];
}

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
  /** The kinds of the object's triggers, in the order of first appearance. */
  triggerKinds: TriggerKind[];
  /**
   * Whether message figures (backlog, waits, drain, processed) mean something: a queue-like
   * trigger fed with arrivals. A replayed depth trace processes nothing; a schedule has no queue.
   */
  tracksMessages: boolean;
  /** Rate-like triggers: the highest metric per ready replica seen, and the target it was held to. */
  peakLoadPerReplica?: { value: number; target: number };
  /** Rate-like triggers: how long the load per replica was above its target. */
  timeOverTargetMs?: number;
  /** Schedules: how long a cron window was open. */
  timeInWindowMs?: number;
}

export function summarize(run: SimulationRun): SimulationSummary {
  const { totals } = run;
  const scaled = run.decisions.filter((d) => d.scaled);
  const ups = scaled.filter((d) => (d.desiredReplicas ?? 0) > (d.currentReplicas ?? 0)).length;
  const processed = totals.consumed;
  const peakReplicas = Math.max(0, ...run.samples.map((s) => s.specReplicas), ...scaled.map((d) => d.desiredReplicas ?? 0));
  const triggerKinds = triggerKindsOf(run.object);
  return {
    triggerKinds,
    tracksMessages: triggerKinds.includes('queue') && run.traffic.kind === 'arrivals',
    ...(triggerKinds.includes('rate') ? rateFigures(run) : {}),
    ...(triggerKinds.includes('schedule') ? { timeInWindowMs: timeWhile(run, (d) => d.triggers.some((t) => t.type === 'cron' && t.active === true)) } : {}),
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

/** Simulated time covered by the evaluations for which `holds` is true (each lasts until the next one). */
function timeWhile(run: SimulationRun, holds: (decision: DecisionRecord) => boolean): number {
  let total = 0;
  run.decisions.forEach((decision, i) => {
    if (holds(decision)) total += (run.decisions[i + 1]?.at ?? run.endMs) - decision.at;
  });
  return total;
}

/** Pods ready at `at`: the last world sample taken at or before it (samples are in time order). */
function readyPodsAt(run: SimulationRun, at: number): number {
  let low = 0;
  let high = run.samples.length - 1;
  let found = 0;
  while (low <= high) {
    const mid = (low + high) >> 1;
    if (run.samples[mid]!.at <= at) {
      found = run.samples[mid]!.readyPods;
      low = mid + 1;
    } else high = mid - 1;
  }
  return found;
}

/**
 * Load per ready replica of a rate-like trigger at one evaluation: what each pod serving the
 * traffic carries (the metric over the ready pods, at least one) for AverageValue, or the value
 * itself for Value.
 */
function loadPerReplica(run: SimulationRun, decision: DecisionRecord): { value: number; target: number } | undefined {
  const trigger = decision.triggers.find((t) => KIND_OF_TRIGGER[t.type] === 'rate' && typeof t.value === 'number');
  if (!trigger || trigger.value === undefined) return undefined;
  const ready = Math.max(1, readyPodsAt(run, decision.at));
  return { value: trigger.metricType === 'AverageValue' ? trigger.value / ready : trigger.value, target: trigger.target };
}

function rateFigures(run: SimulationRun): Pick<SimulationSummary, 'peakLoadPerReplica' | 'timeOverTargetMs'> {
  const loads = run.decisions.map((decision) => loadPerReplica(run, decision)).filter((load) => load !== undefined);
  const peak = loads.reduce<{ value: number; target: number } | undefined>((top, load) => (top === undefined || load.value > top.value ? load : top), undefined);
  return {
    ...(peak ? { peakLoadPerReplica: peak } : {}),
    timeOverTargetMs: timeWhile(run, (decision) => {
      const load = loadPerReplica(run, decision);
      return load !== undefined && load.value > load.target;
    }),
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

/** A row: its label, the kind of trigger it belongs to (none: every object), and how to print it. */
interface SummaryRow {
  label: string;
  kind?: TriggerKind;
  /** Message rows: printed only for objects whose figures track messages. */
  messages?: boolean;
  show: (s: SimulationSummary) => string;
}

const ROWS: SummaryRow[] = [
  { label: 'simulated', show: (s) => formatDuration(s.durationMs) },
  { label: 'replica-minutes', show: (s) => round(s.replicaMinutes) },
  { label: 'node-minutes', show: (s) => round(s.nodeMinutes) },
  { label: 'peak replicas', show: (s) => String(s.peakReplicas) },
  { label: 'final replicas', show: (s) => String(s.finalReplicas) },
  { label: 'peak backlog', kind: 'queue', messages: false, show: (s) => String(Math.round(s.peakBacklog)) },
  { label: 'message wait p50', kind: 'queue', messages: true, show: (s) => optionalDuration(s.waitP50Ms, 'n/a') },
  { label: 'message wait p95', kind: 'queue', messages: true, show: (s) => optionalDuration(s.waitP95Ms, 'n/a') },
  { label: 'message wait max', kind: 'queue', messages: true, show: (s) => optionalDuration(s.waitMaxMs, 'n/a') },
  { label: 'time to drain', kind: 'queue', messages: false, show: (s) => (s.peakBacklog === 0 ? 'n/a' : optionalDuration(s.timeToDrainMs, 'not drained')) },
  {
    label: 'peak load per replica',
    kind: 'rate',
    show: (s) => (s.peakLoadPerReplica ? `${round(s.peakLoadPerReplica.value)} (target ${round(s.peakLoadPerReplica.target)})` : 'n/a'),
  },
  { label: 'time over target', kind: 'rate', show: (s) => optionalDuration(s.timeOverTargetMs, 'n/a') },
  { label: 'time in cron window', kind: 'schedule', show: (s) => optionalDuration(s.timeInWindowMs, 'n/a') },
  { label: 'scale events', show: (s) => `${s.scaleEvents} (${s.scaleUps} up, ${s.scaleDowns} down)` },
  { label: 'time at max', show: (s) => formatDuration(s.timeAtMaxMs) },
  { label: 'messages', kind: 'queue', messages: true, show: (s) => `${s.messagesProcessed} processed, ${s.messagesUnprocessed} left` },
  { label: 'nodes', show: (s) => `${s.nodesRequested} added, ${s.nodesRemoved} removed` },
  { label: 'evaluations', show: (s) => `${s.evaluations} (${s.errors} errors)` },
];

/** The row's figure for one object, or "n/a" where it means nothing for that object's triggers. */
function cell(row: SummaryRow, summary: SimulationSummary): string {
  if (row.kind === undefined) return row.show(summary);
  if (!summary.triggerKinds.includes(row.kind)) return 'n/a';
  if (row.messages && !summary.tracksMessages) return 'n/a';
  return row.show(summary);
}

export function summaryRows(summaries: SimulationSummary[]): { header: string[]; rows: string[][] } {
  return {
    header: ['', ...summaries.map((s) => s.label)],
    // A row for a kind of trigger only when a compared object has one.
    rows: ROWS.filter((row) => row.kind === undefined || summaries.some((s) => s.triggerKinds.includes(row.kind!))).map((row) => [
      row.label,
      ...summaries.map((summary) => cell(row, summary)),
    ]),
  };
}

/** The summary as an aligned table; one value column per ScaledObject. */
export function formatSummary(summaries: SimulationSummary[]): string {
  const { header, rows } = summaryRows(summaries);
  return formatTable(summaries.length > 1 ? header : undefined, rows);
}
