/**
 * A small, dependency-free line chart as inline SVG: time on x (ms), one or more series on y,
 * and vertical markers with tooltips for scale decisions. Rendered server-side into the report,
 * so the report needs no scripts, fonts or network.
 */
export interface ChartSeries {
  label: string;
  /** [time ms, value] pairs in time order. */
  points: [number, number][];
  color: string;
  /** Hold each value until the next point (counts such as replicas). */
  step?: boolean;
  dashed?: boolean;
}

export interface ChartMarker {
  at: number;
  color: string;
  /** Tooltip: when, what and why. */
  title: string;
  /** Stable identifier for the marker's cause (e.g. the decision rule). */
  kind: string;
}

export interface ChartSpec {
  /** Value of `data-chart`: how tests and readers find the chart. */
  kind: string;
  title: string;
  xStart: number;
  xEnd: number;
  /** Upper end of the y axis (charts side by side share it); default: the data's maximum. */
  yMax?: number;
  yLabel: string;
  series: ChartSeries[];
  markers?: ChartMarker[];
  /** The colour of a marker that stands for decisions of different colours (too close to draw apart). */
  severalColor?: string;
  width?: number;
  height?: number;
}

/** The top margin leaves room for the markers' triangles only: the legend is HTML (`renderLegend`). */
const MARGIN = { left: 52, right: 26, top: 14, bottom: 30 };
/**
 * Markers closer than this (in the chart's units; a triangle is 8 wide) are drawn as one, whose
 * tooltip lists them all: forty decisions in half an hour would otherwise be a comb of lines.
 */
export const MARKER_MIN_GAP = 10;
const MAX_TITLE_LINES = 12;

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The largest y value in the series, so charts shown side by side can share a scale. */
export function seriesMax(series: ChartSeries[]): number {
  let max = 0;
  for (const s of series) for (const [, y] of s.points) if (Number.isFinite(y) && y > max) max = y;
  return max;
}

export function renderChart(spec: ChartSpec): string {
  const width = spec.width ?? 560;
  const height = spec.height ?? 240;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const span = Math.max(1, spec.xEnd - spec.xStart);
  const yTicks = niceTicks(Math.max(spec.yMax ?? 0, seriesMax(spec.series), 1));
  const yTop = yTicks.at(-1)!;
  const x = (t: number) => MARGIN.left + ((Math.min(Math.max(t, spec.xStart), spec.xEnd) - spec.xStart) / span) * plotW;
  const y = (v: number) => MARGIN.top + plotH - (Math.min(Math.max(v, 0), yTop) / yTop) * plotH;
  const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

  const parts: string[] = [];
  parts.push(
    `<svg class="chart" data-chart="${escapeXml(spec.kind)}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${escapeXml(spec.title)}">`,
    `<title>${escapeXml(spec.title)}</title>`,
    `<rect class="plot-area" x="${MARGIN.left}" y="${MARGIN.top}" width="${plotW}" height="${plotH}" fill="#fbfbfd" stroke="#d0d4dc"/>`,
  );
  for (const tick of yTicks) {
    const ty = y(tick).toFixed(1);
    parts.push(
      `<line class="grid" x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${ty}" y2="${ty}" stroke="#e6e8ee"/>`,
      `<text class="tick" x="${MARGIN.left - 6}" y="${ty}" text-anchor="end" dominant-baseline="middle">${fmt(tick)}</text>`,
    );
  }
  for (const tick of timeTicks(span)) {
    const tx = x(spec.xStart + tick).toFixed(1);
    parts.push(
      `<line class="grid" x1="${tx}" x2="${tx}" y1="${MARGIN.top}" y2="${MARGIN.top + plotH}" stroke="#eef0f4"/>`,
      `<text class="tick" x="${tx}" y="${MARGIN.top + plotH + 16}" text-anchor="middle">${offsetLabel(tick)}</text>`,
    );
  }
  parts.push(
    `<text class="axis-label" x="12" y="${MARGIN.top + plotH / 2}" transform="rotate(-90 12 ${MARGIN.top + plotH / 2})" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );

  // Triangles on the plot's top edge only, no line across the plot: the steps below show the change.
  for (const group of groupMarkers(spec.markers ?? [], x)) {
    const [first] = group;
    const several = group.length > 1;
    const colors = new Set(group.map((marker) => marker.color));
    const color = colors.size === 1 ? first!.color : (spec.severalColor ?? first!.color);
    const lines = group.slice(0, MAX_TITLE_LINES).map((marker) => marker.title);
    if (group.length > MAX_TITLE_LINES) lines.push(`…and ${group.length - MAX_TITLE_LINES} more (see the table of scale decisions)`);
    const title = several ? `${group.length} decisions:\n${lines.join('\n')}` : first!.title;
    const mx = x(first!.at).toFixed(1);
    parts.push(
      `<g class="marker" data-kind="${escapeXml(several ? 'several' : first!.kind)}" data-count="${group.length}"><title>${escapeXml(title)}</title>` +
        `<path d="M${mx} ${MARGIN.top} l-4 -7 h8 z" fill="${color}"/></g>`,
    );
  }

  for (const s of spec.series) {
    const d = pathData(s, x, y, spec.xEnd);
    if (!d) continue;
    parts.push(
      `<path class="series" data-series="${escapeXml(s.label)}" d="${d}" fill="none" stroke="${s.color}" stroke-width="${s.dashed ? 1.5 : 2}"${s.dashed ? ' stroke-dasharray="6 4"' : ''} stroke-linejoin="round"><title>${escapeXml(s.label)}</title></path>`,
    );
  }

  parts.push('</svg>');
  return parts.join('\n');
}

/**
 * The series legend as HTML beside the chart, not SVG text inside it: the browser lays it out and
 * wraps it with the real font's widths, so entries never overlap or run off the chart, whatever
 * their labels (SVG has no text flow, and a width guessed per character is wrong for most fonts).
 */
export function renderLegend(series: readonly ChartSeries[]): string {
  const items = series.map(
    (s) =>
      `<li data-series="${escapeXml(s.label)}"><svg width="18" height="8" aria-hidden="true"><line x1="0" x2="18" y1="4" y2="4" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="4 3"' : ''}/></svg>${escapeXml(s.label)}</li>`,
  );
  return `<ul class="legend">${items.join('')}</ul>`;
}

/** Markers in time order, in groups that each start more than MARKER_MIN_GAP after the previous group's start. */
function groupMarkers(markers: readonly ChartMarker[], x: (t: number) => number): ChartMarker[][] {
  const groups: ChartMarker[][] = [];
  let groupX = -Infinity;
  for (const marker of [...markers].sort((a, b) => a.at - b.at)) {
    const mx = x(marker.at);
    if (mx - groupX < MARKER_MIN_GAP) groups.at(-1)!.push(marker);
    else {
      groups.push([marker]);
      groupX = mx;
    }
  }
  return groups;
}

function pathData(s: ChartSeries, x: (t: number) => number, y: (v: number) => number, xEnd: number): string {
  const points = s.points.filter(([t, v]) => Number.isFinite(t) && Number.isFinite(v));
  if (points.length === 0) return '';
  const [t0, v0] = points[0]!;
  const commands = [`M${x(t0).toFixed(1)} ${y(v0).toFixed(1)}`];
  for (let i = 1; i < points.length; i++) {
    const [t, v] = points[i]!;
    if (s.step) commands.push(`H${x(t).toFixed(1)} V${y(v).toFixed(1)}`);
    else commands.push(`L${x(t).toFixed(1)} ${y(v).toFixed(1)}`);
  }
  // A held value (and a lone point) runs to the end of the chart.
  if (s.step || points.length === 1) commands.push(`H${x(xEnd).toFixed(1)}`);
  return commands.join(' ');
}

/** Round tick values from 0 up to at least `max` (steps of 1, 2 or 5 times a power of ten). */
function niceTicks(max: number): number[] {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const cleanStep = step < 1 && max >= 1 ? 1 : step;
  const ticks: number[] = [];
  for (let v = 0; v < max + cleanStep; v += cleanStep) {
    ticks.push(Number(v.toPrecision(12)));
    if (v >= max) break;
  }
  return ticks;
}

const MINUTE = 60_000;
const TIME_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440].map((m) => m * MINUTE);

function timeTicks(span: number): number[] {
  const step = TIME_STEPS.find((s) => span / s <= 8) ?? TIME_STEPS.at(-1)!;
  const ticks: number[] = [];
  for (let t = 0; t <= span; t += step) ticks.push(t);
  return ticks;
}

/** `0`, `45m`, `1h30m`: time since the start of the simulation. */
export function offsetLabel(ms: number): string {
  const minutes = Math.round(ms / MINUTE);
  if (minutes === 0) return '0';
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return h ? `${h}h${m ? `${m}m` : ''}` : `${m}m`;
}
