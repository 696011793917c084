/**
 * The HTML report of a ScaledJob simulation: the backlog against the Jobs running, with a marker at
 * each poll that created Jobs, and the table of those polls with the calculation's own reason.
 * Self-contained (inline SVG, no scripts), like the ScaledObject report.
 */
import { formatDuration } from '../args';
import type { ScaledJobPollRecord, ScaledJobSimulationRun, ScaledJobSimulationSummary } from '../simulator/scaled-job-simulation';
import { escapeXml, renderChart, renderLegend, type ChartSeries } from './svg-chart';

const MAX_TABLE_ROWS = 200;
const COLORS = { backlog: '#2563eb', inFlight: '#93c5fd', running: '#15803d', pending: '#d97706', created: '#15803d' };

export interface ScaledJobReportInput {
  title: string;
  run: ScaledJobSimulationRun;
  summary: ScaledJobSimulationSummary;
  notes: string[];
}

export function renderScaledJobReport({ title, run, summary, notes }: ScaledJobReportInput): string {
  const backlog: ChartSeries[] = [
    { label: 'messages waiting', color: COLORS.backlog, points: run.samples.map((s) => [s.at, s.visible]) },
    { label: 'messages in flight (received by a Job)', color: COLORS.inFlight, points: run.samples.map((s) => [s.at, s.inFlight]), dashed: true },
  ];
  const jobs: ChartSeries[] = [
    { label: 'Jobs running', color: COLORS.running, step: true, points: run.samples.map((s) => [s.at, s.running]) },
    { label: 'of which pending (pod not started)', color: COLORS.pending, step: true, dashed: true, points: run.samples.map((s) => [s.at, s.pending]) },
  ];
  const markers = run.polls
    .filter((poll) => poll.decision.jobsToCreate > 0)
    .map((poll) => ({ at: poll.at, color: COLORS.created, kind: 'created', title: `${offset(run, poll.at)}: ${poll.decision.reason}` }));
  const chart = (kind: string, heading: string, yLabel: string, series: ChartSeries[]) =>
    `<section class="chart-row" id="chart-${kind}"><h2>${heading}</h2><div class="panel">${renderLegend(series)}${renderChart({
      kind,
      title: `${heading}: ${run.label}`,
      xStart: run.startMs,
      xEnd: run.endMs,
      yLabel,
      series,
      markers,
    })}</div></section>`;

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #111827; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 2px; }
p.notes, p.explain { color: #4b5563; margin: 2px 0 8px; }
svg.chart { width: 100%; height: auto; max-width: 900px; font: 11px system-ui, sans-serif; }
svg.chart text { fill: #374151; }
ul.legend { display: flex; flex-wrap: wrap; gap: 2px 14px; list-style: none; margin: 4px 0 0; padding: 0; font: 11px system-ui, sans-serif; color: #374151; }
ul.legend li { display: inline-flex; align-items: center; gap: 4px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
${notes.map((note) => `<p class="notes">${escapeXml(note)}</p>`).join('\n')}
<h2>Summary</h2>
${summaryTable(summary)}
${chart('scaledjob-backlog', 'Backlog', 'messages', backlog)}
${chart('scaledjob-jobs', 'Jobs against the backlog', 'Jobs', jobs)}
<h2 id="polls">Polls that created Jobs</h2>
<p class="explain">Each poll that created Jobs, with the queue it read, the Jobs it counted and the calculation's reason (engine/keda/scaled-job-scaling.ts, as KEDA's scale_jobs.go).</p>
${pollTable(run)}
</body>
</html>
`;
}

function summaryTable(summary: ScaledJobSimulationSummary): string {
  const rows: [string, string][] = [
    ['messages arrived', String(summary.arrived)],
    ['messages processed', String(summary.processed)],
    ['backlog at the end', String(summary.backlogAtEnd)],
    ['peak backlog', String(summary.peakBacklog)],
    ['Jobs created', String(summary.jobsCreated)],
    ['peak Jobs running', String(summary.peakRunningJobs)],
    ['Jobs that found the queue empty', String(summary.emptyJobs)],
    ['Job-minutes', summary.jobMinutes.toFixed(1)],
    ['finished Jobs kept (history)', String(summary.historyKept)],
  ];
  return `<table class="summary"><tbody>${rows.map(([name, value]) => `<tr><th>${escapeXml(name)}</th><td class="num">${escapeXml(value)}</td></tr>`).join('')}</tbody></table>`;
}

function pollTable(run: ScaledJobSimulationRun): string {
  const shown = run.polls.filter((poll) => poll.decision.jobsToCreate > 0);
  if (shown.length === 0) return `<p class="explain">No Jobs created in ${formatDuration(run.endMs - run.startMs)}.</p>`;
  const rows = shown.slice(0, MAX_TABLE_ROWS).map((poll) => pollRow(run, poll));
  const more = shown.length > MAX_TABLE_ROWS ? `<p class="explain">…and ${shown.length - MAX_TABLE_ROWS} more.</p>` : '';
  return `<table class="polls"><thead><tr><th>time</th><th>queue</th><th>running</th><th>pending</th><th>created</th><th>why</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

function pollRow(run: ScaledJobSimulationRun, poll: ScaledJobPollRecord): string {
  const cells = [poll.queueLength, poll.running, poll.pending, poll.decision.jobsToCreate].map((value) => `<td class="num">${value}</td>`).join('');
  return `<tr data-created="${poll.decision.jobsToCreate}"><td>${offset(run, poll.at)}</td>${cells}<td>${escapeXml(poll.decision.reason)}</td></tr>`;
}

function offset(run: ScaledJobSimulationRun, at: number): string {
  return `+${formatDuration(at - run.startMs)}`;
}
