/**
 * The simulation report: one self-contained HTML file (inline CSS and SVG, no scripts, fonts or
 * network) with the summary, four charts per ScaledObject (traffic, metric against target, desired
 * against ready replicas, nodes) annotated with every scale decision and its reason, and the
 * decisions as a table. Several ScaledObjects appear side by side on the same traffic.
 */
import { isResourceTriggerType } from '../../lambdas/triggers/cpu-memory';
import { formatDuration } from '../args';
import type { DecisionRecord, SimulationRun } from '../simulator/run-simulation';
import { summaryRows, triggerKindsOf, type SimulationSummary } from '../simulator/summary';
import { escapeXml, renderChart, renderLegend, seriesMax, type ChartMarker, type ChartSeries } from './svg-chart';

export interface ReportInput {
  title: string;
  runs: SimulationRun[];
  /** The KEDA + HPA model of each run's object on the same traffic (same order as `runs`). */
  models?: SimulationRun[];
  /** The summary table's columns (each run's, and its model's when there is one). */
  summaries: SimulationSummary[];
  /** Extra lines about the run (files, state backend), shown under the title. */
  notes: string[];
}

const COLORS = { desired: '#2563eb', ready: '#16a34a', limit: '#9ca3af', model: '#111827', up: '#16a34a', down: '#ea580c', error: '#dc2626', several: '#6b7280' };
const TRIGGER_COLORS = ['#7c3aed', '#0891b2', '#db2777', '#ca8a04'];
const MAX_TABLE_ROWS = 400;

type ChartKind = 'traffic' | 'metric' | 'replicas' | 'nodes';

interface ChartDef {
  kind: ChartKind;
  heading: string;
  yLabel: string | ((run: SimulationRun) => string);
  explain: string;
  /** `model`: the same object under the KEDA + HPA model, when it ran. */
  series(run: SimulationRun, model?: SimulationRun): ChartSeries[];
  markers?(run: SimulationRun): ChartMarker[];
  /**
   * Splits the series into small multiples, each with its own y axis (default: one chart). A cron
   * line from 0 to 1 drawn on an SQS backlog's axis of 1,600 would be a flat line at zero.
   */
  panels?(series: ChartSeries[]): ChartSeries[][];
}

const CHARTS: ChartDef[] = [
  {
    kind: 'traffic',
    heading: 'Traffic',
    yLabel: (run) => {
      const kinds = triggerKindsOf(run.object);
      if (kinds.includes('queue') || run.traffic.kind === 'depth') return 'messages';
      return kinds.includes('rate') ? 'per minute' : 'window open';
    },
    explain:
      'What arrives each minute: messages for a queue (SQS, Kinesis, DynamoDB), and the messages waiting in it; the metric\'s per-minute value (requests, say) for a rate (CloudWatch), which the pods serve as it comes; when a cron window is open, for a schedule. A depth trace is shown as the backlog.',
    series: (run) => trafficSeries(run),
  },
  {
    kind: 'metric',
    heading: 'Metric against target',
    yLabel: 'metric value',
    explain:
      'Each trigger\'s value at every evaluation. Dashed: what the current replicas can hold at the target (target × replicas for AverageValue, the target for Value); above it the HPA scales out.',
    series: (run) => metricSeries(run),
    // metricSeries gives each trigger's value then its target: one chart per trigger.
    panels: (series) => Array.from({ length: Math.ceil(series.length / 2) }, (_, i) => series.slice(2 * i, 2 * i + 2)),
    markers: (run) => decisionMarkers(run),
  },
  {
    kind: 'replicas',
    heading: 'Desired and ready replicas',
    yLabel: 'replicas',
    explain:
      'spec.replicas as the scaler set it, and pods ready to work (after scheduling and start-up). Dashed black: spec.replicas under KEDA + HPA on the same traffic; where it lies on the blue line the two agree. Replicas that rise and fall while the traffic holds steady follow the metric, not noise: when the pods catch up, a queue empties, its metric falls to the messages in flight and the HPA scales in until a backlog builds again; KEDA + HPA makes the same moves.',
    series: (run, model) => [
      // Drawn in order: desired over ready, and the dashed KEDA + HPA line over both, so each shows where they agree.
      { label: 'ready', points: run.samples.map((s) => [s.at, s.readyPods] as [number, number]), color: COLORS.ready, step: true },
      { label: 'desired', points: run.samples.map((s) => [s.at, s.specReplicas] as [number, number]), color: COLORS.desired, step: true },
      ...(model ? [{ label: 'desired, KEDA + HPA', points: model.samples.map((s) => [s.at, s.specReplicas] as [number, number]), color: COLORS.model, step: true, dashed: true }] : []),
      { label: `min ${run.object.minReplicaCount}`, points: [[run.startMs, run.object.minReplicaCount]], color: COLORS.limit, dashed: true },
      { label: `max ${run.object.maxReplicaCount}`, points: [[run.startMs, run.object.maxReplicaCount]], color: COLORS.limit, dashed: true },
    ],
    markers: (run) => decisionMarkers(run),
  },
  {
    kind: 'nodes',
    heading: 'Nodes',
    yLabel: 'nodes and pending pods',
    explain: 'Nodes in the Auto Scaling Group: joined, and joined plus still joining; pods waiting for room (counted in pods, on the same axis).',
    series: (run) => [
      { label: 'joined', points: run.samples.map((s) => [s.at, s.nodesReady] as [number, number]), color: '#0f766e', step: true },
      { label: 'requested', points: run.samples.map((s) => [s.at, s.nodesReady + s.nodesJoining] as [number, number]), color: '#6366f1', step: true, dashed: true },
      { label: 'pending pods', points: run.samples.map((s) => [s.at, s.pendingPods] as [number, number]), color: '#f59e0b', step: true },
      { label: `ASG max ${run.settings.asgMax}`, points: [[run.startMs, run.settings.asgMax]], color: COLORS.limit, dashed: true },
    ],
    markers: (run) => decisionMarkers(run),
  },
];

/** The traffic chart's lines for the kinds of trigger the object has (a cron-only object has no queue). */
function trafficSeries(run: SimulationRun): ChartSeries[] {
  const kinds = triggerKindsOf(run.object);
  const series: ChartSeries[] = [];
  if (run.traffic.kind === 'arrivals' && (kinds.includes('queue') || kinds.includes('rate'))) {
    const label = kinds.includes('queue') ? 'arrivals / min' : 'metric / min (served as it comes)';
    series.push({ label, points: run.samples.map((s) => [s.at, s.arrivalsPerMinute] as [number, number]), color: '#64748b', step: true });
  }
  if (kinds.includes('queue') || run.traffic.kind === 'depth') {
    series.push({ label: 'backlog', points: run.samples.map((s) => [s.at, s.backlog] as [number, number]), color: '#dc2626' });
  }
  if (kinds.includes('schedule')) {
    const open = run.decisions.map((d) => [d.at, d.triggers.some((t) => t.type === 'cron' && t.active === true) ? 1 : 0] as [number, number]);
    series.push({ label: 'cron window open (1) or closed (0)', points: open, color: TRIGGER_COLORS[0]!, step: true });
  }
  return series;
}

function metricSeries(run: SimulationRun): ChartSeries[] {
  const byTrigger = new Map<number, { name: string; values: [number, number][]; capacity: [number, number][] }>();
  for (const decision of run.decisions) {
    for (const trigger of decision.triggers) {
      if (trigger.value === undefined) continue;
      let entry = byTrigger.get(trigger.index);
      if (!entry) {
        entry = { name: trigger.metricName, values: [], capacity: [] };
        byTrigger.set(trigger.index, entry);
      }
      entry.values.push([decision.at, trigger.value]);
      const replicas = decision.currentReplicas ?? 0;
      // A Value metric, and a cpu/memory one (utilization or usage per pod), is held to its target itself;
      // an AverageValue metric is the total the replicas share.
      const perPod = trigger.metricType === 'Value' || isResourceTriggerType(trigger.type);
      entry.capacity.push([decision.at, perPod ? trigger.target : trigger.target * replicas]);
    }
  }
  const series: ChartSeries[] = [];
  [...byTrigger.entries()].forEach(([, entry], i) => {
    const color = TRIGGER_COLORS[i % TRIGGER_COLORS.length]!;
    series.push({ label: entry.name, points: entry.values, color });
    series.push({ label: `${entry.name} target`, points: entry.capacity, color, step: true, dashed: true });
  });
  return series;
}

/** What the marker colours mean, in HTML beside the charts so it can never overlap their text. */
const MARKER_LEGEND = `<p class="marker-legend">Markers: ${(
  [
    [COLORS.up, 'scale up'],
    [COLORS.down, 'scale down'],
    [COLORS.error, 'decision not applied (error)'],
    [COLORS.several, 'several decisions too close to draw apart'],
  ] as const
)
  .map(([color, meaning]) => `<span class="marker-key" data-color="${color}"><span style="color:${color}">▼</span> ${meaning}</span>`)
  .join(' ')}; hover a marker for the time, the change and the reason.</p>`;

function decisionMarkers(run: SimulationRun): ChartMarker[] {
  return run.decisions
    .filter((d) => d.scaled || d.status === 'error')
    .map((d) => ({
      at: d.at,
      kind: d.rule ?? d.status,
      color: d.status === 'error' && !d.scaled ? COLORS.error : (d.desiredReplicas ?? 0) > (d.currentReplicas ?? 0) ? COLORS.up : COLORS.down,
      title: `${decisionTime(d.at - run.startMs)}: ${d.scaled ? `${d.currentReplicas} → ${d.desiredReplicas}` : 'error'} (${d.rule ?? d.status}) ${d.message}`,
    }));
}

export function renderReport(input: ReportInput): string {
  const { runs } = input;
  const columns = runs.length;
  const sections = CHARTS.map((chart) => {
    const perRun = runs.map((run, i) => {
      const series = chart.series(run, input.models?.[i]);
      const panels = chart.panels ? chart.panels(series) : [series];
      return panels.length > 0 ? panels : [[]]; // no trigger value at all still gets its (empty) chart
    });
    // Side by side, the same y scale makes the difference visible at a glance: each panel shares
    // its scale with the panels of the other runs that plot the same first series (the same trigger).
    const yMaxByKey = new Map<string, number>();
    for (const panels of perRun) {
      for (const panel of panels) {
        const key = panel[0]?.label ?? '';
        yMaxByKey.set(key, Math.max(yMaxByKey.get(key) ?? 0, seriesMax(panel)));
      }
    }
    const figures = runs
      .map((run, i) => {
        const panels = perRun[i]!.map((panel) => {
          const key = panel[0]?.label ?? '';
          const subject = chart.panels && panel[0] ? `${chart.heading} (${panel[0].label})` : chart.heading;
          return `<div class="panel">${renderLegend(panel)}${renderChart({
            kind: chart.kind,
            title: `${subject}: ${run.label}`,
            xStart: run.startMs,
            xEnd: run.endMs,
            yMax: yMaxByKey.get(key) ?? 0,
            yLabel: typeof chart.yLabel === 'string' ? chart.yLabel : chart.yLabel(run),
            series: panel,
            ...(chart.markers ? { markers: chart.markers(run), severalColor: COLORS.several } : {}),
          })}</div>`;
        });
        return `<figure><figcaption>${escapeXml(run.label)}</figcaption>${panels.join('')}</figure>`;
      })
      .join('\n');
    const markerLegend = chart.markers ? MARKER_LEGEND : '';
    return `<section class="chart-row" id="chart-${chart.kind}"><h2>${chart.heading}</h2><p class="explain">${escapeXml(chart.explain)}</p>${markerLegend}<div class="grid">${figures}</div></section>`;
  }).join('\n');

  const decisions = runs
    .map((run) => `<div><h3>${escapeXml(run.label)}</h3>${decisionTable(run)}</div>`)
    .join('\n');

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(input.title)}</title>
<style>
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #111827; background: #fff; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 28px 0 2px; }
h3 { font-size: 14px; margin: 12px 0 6px; }
p.notes, p.explain { color: #4b5563; margin: 2px 0 8px; }
.grid { display: grid; grid-template-columns: repeat(${columns}, minmax(0, 1fr)); gap: 16px; }
figure { margin: 0; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { width: 100%; height: auto; max-width: 760px; font: 11px system-ui, sans-serif; }
svg.chart text { fill: #374151; }
ul.legend { display: flex; flex-wrap: wrap; gap: 2px 14px; list-style: none; margin: 4px 0 0; padding: 0; max-width: 760px; font: 11px system-ui, sans-serif; color: #374151; }
ul.legend li { display: inline-flex; align-items: center; gap: 4px; }
table { border-collapse: collapse; margin: 8px 0; }
th, td { border-bottom: 1px solid #e5e7eb; padding: 4px 10px; text-align: left; vertical-align: top; }
th { background: #f3f4f6; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.decisions td.reason { max-width: 560px; }
.up { color: #15803d; } .down { color: #c2410c; } .error { color: #b91c1c; }
</style>
</head>
<body>
<h1>${escapeXml(input.title)}</h1>
${input.notes.map((n) => `<p class="notes">${escapeXml(n)}</p>`).join('\n')}
<h2>Summary</h2>
${summaryTable(input.summaries)}
${sections}
<h2 id="decisions">Scale decisions</h2>
<p class="explain">Every evaluation that changed the replica count (or failed), with the rule that decided it and the scaler's own explanation.</p>
<div class="grid">${decisions}</div>
</body>
</html>
`;
}

function summaryTable(summaries: SimulationSummary[]): string {
  const { header, rows } = summaryRows(summaries);
  return `<table class="summary"><thead><tr>${header.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((cell, i) => (i === 0 ? `<th>${escapeXml(cell)}</th>` : `<td class="num">${escapeXml(cell)}</td>`)).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function decisionTable(run: SimulationRun): string {
  const shown = run.decisions.filter((d) => d.scaled || d.status === 'error');
  if (shown.length === 0) return `<p class="explain">No scale decisions in ${formatDuration(run.endMs - run.startMs)}.</p>`;
  const rows = shown.slice(0, MAX_TABLE_ROWS).map((d) => decisionRow(run, d));
  const more = shown.length > MAX_TABLE_ROWS ? `<p class="explain">…and ${shown.length - MAX_TABLE_ROWS} more.</p>` : '';
  return `<table class="decisions"><thead><tr><th>time</th><th>replicas</th><th>rule</th><th>why</th></tr></thead><tbody>${rows.join('')}</tbody></table>${more}`;
}

function decisionRow(run: SimulationRun, d: DecisionRecord): string {
  const direction = !d.scaled ? 'error' : (d.desiredReplicas ?? 0) > (d.currentReplicas ?? 0) ? 'up' : 'down';
  const change = d.scaled ? `${d.currentReplicas} → ${d.desiredReplicas}` : 'unchanged';
  return `<tr class="${direction}" data-rule="${escapeXml(d.rule ?? d.status)}"><td>${decisionTime(d.at - run.startMs)}</td><td class="${direction}">${change}</td><td>${escapeXml(d.rule ?? d.status)}</td><td class="reason">${escapeXml(d.message)}</td></tr>`;
}

/**
 * `+12m15s`: when a decision happened, since the start of the simulation. Markers and the table
 * both use it, to the second, so a tooltip can be found in the table (passes come every few
 * seconds; the axis ticks' whole minutes would hide which one it was).
 */
function decisionTime(ms: number): string {
  return `+${formatDuration(ms)}`;
}
