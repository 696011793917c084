import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { MARKER_MIN_GAP } from '../../cli/report/svg-chart';
import { cli, FIXTURES, REPO_ROOT, tempDir } from './cli-harness';

const CHARTS = ['traffic', 'metric', 'replicas', 'nodes'];
const VOID_ELEMENTS = new Set(['meta', 'link', 'br', 'img', 'input', 'hr']);

/** Every opened element is closed, in order (SVG self-closing tags allowed). */
function unbalancedTags(html: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  const body = html.replace(/<!doctype html>/i, '').replace(/<!--[\s\S]*?-->/g, '');
  for (const match of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*?)(\/?)>/g)) {
    const [, closing, name, , selfClosing] = match;
    const tag = name!.toLowerCase();
    if (selfClosing || VOID_ELEMENTS.has(tag)) continue;
    if (!closing) stack.push(tag);
    else if (stack.pop() !== tag) problems.push(`</${tag}> at ${match.index}`);
  }
  return [...problems, ...stack.map((t) => `<${t}> never closed`)];
}

describe('the HTML report', () => {
  let html: string;
  let reportPath: string;

  beforeAll(async () => {
    reportPath = join(tempDir(), 'worker-report.html');
    const outcome = await cli(['simulate', join(FIXTURES, 'sqs-worker.yaml'), '--state', 'memory', '--report', reportPath]);
    expect(outcome.code).toBe(0);
    html = readFileSync(reportPath, 'utf8');
  });

  it('is a well-formed, self-contained HTML document', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).toContain('<meta charset="utf-8">');
    expect(unbalancedTags(html)).toEqual([]);
    // No scripts, stylesheets, fonts or images fetched from anywhere.
    expect(html).not.toMatch(/<script|<link |@import|url\(|src=/i);
  });

  it('has the four charts, each with plotted series', () => {
    for (const chart of CHARTS) {
      const svg = html.match(new RegExp(`<svg class="chart" data-chart="${chart}"[\\s\\S]*?</svg>`))?.[0];
      expect(svg, chart).toBeDefined();
      expect(svg).toMatch(/<path class="series" data-series="[^"]+" d="M[\d.]+ [\d.]+ [HL]/);
    }
    expect(html).toMatch(/data-series="s0-aws-sqs-orders"/);
    // SVG paints in document order: desired comes after ready, so it shows over it where they agree.
    const replicasChart = html.match(/<svg class="chart" data-chart="replicas"[\s\S]*?<\/svg>/)![0];
    expect(replicasChart).toMatch(/<path class="series" data-series="ready"[\s\S]*<path class="series" data-series="desired"/);
    // Pending pods share the Nodes chart, and its axis says so.
    const nodesChart = html.match(/<svg class="chart" data-chart="nodes"[\s\S]*?<\/svg>/)![0];
    expect(nodesChart).toMatch(/<text class="axis-label"[^>]*>nodes and pending pods<\/text>/);
  });

  it('explains the decision markers with a legend beside every chart that has them', () => {
    for (const chart of ['metric', 'replicas', 'nodes']) {
      const section = html.match(new RegExp(`<section class="chart-row" id="chart-${chart}">[\\s\\S]*?</section>`))![0];
      const keyed = new Set([...section.matchAll(/<span class="marker-key" data-color="([^"]+)">/g)].map((match) => match[1]));
      const used = new Set([...section.matchAll(/<g class="marker" data-kind="[^"]+" data-count="\d+"><title>[^<]*<\/title><path [^>]*fill="([^"]+)"/g)].map((match) => match[1]));
      expect(used.size, chart).toBeGreaterThan(0);
      for (const color of used) expect(keyed, `${chart}: marker colour ${color} has no legend entry`).toContain(color);
    }
  });

  it('annotates each scale decision with its reason, in the charts and in a table', () => {
    const replicasChart = html.match(/<svg class="chart" data-chart="replicas"[\s\S]*?<\/svg>/)![0];
    const markers = [...replicasChart.matchAll(/<g class="marker" data-kind="([^"]+)" data-count="(\d+)"><title>([^<]+)<\/title><path d="M([\d.]+) /g)];
    expect(markers.length).toBeGreaterThan(0);
    // A marker standing for several decisions lists each on its own line after a count.
    const decisions = markers.flatMap((m) => (m[2] === '1' ? [m[3]!] : m[3]!.split('\n').slice(1)));
    expect(markers.map((m) => Number(m[2])).reduce((a, b) => a + b, 0)).toBe(decisions.length);
    expect(decisions[0]).toMatch(/^\+9m15s: 0 → \d+ \(\w[\w-]*\) scaled 0 → \d+: s0-aws-sqs-orders/);
    expect(decisions.some((d) => d.includes('(scale-to-zero)'))).toBe(true);
    const rows = [...html.matchAll(/<tr class="(up|down)" data-rule="([^"]+)"><td>([^<]+)<\/td>/g)];
    expect(decisions.length).toBe(rows.length);
    // A marker's tooltip and its table row give the same time, to the second (passes every 15 s).
    const markerTimes = decisions.map((d) => d.split(':')[0]);
    expect(markerTimes).toEqual(rows.map((r) => r[3]));
    expect(markerTimes.some((t) => /m\d+s$/.test(t!))).toBe(true);
    expect(html).toContain('inactive past the cooldown');
    // Two dozen decisions in half an hour are not a comb: markers closer than MARKER_MIN_GAP are drawn as one.
    expect(rows.length).toBeGreaterThan(20);
    expect(markers.length).toBeLessThan(rows.length / 2);
    const xs = markers.map((m) => Number(m[4]));
    for (let i = 1; i < xs.length; i++) expect(xs[i]! - xs[i - 1]!).toBeGreaterThanOrEqual(MARKER_MIN_GAP);
    expect(replicasChart).not.toMatch(/<g class="marker"[^>]*>(?:<title>[^<]*<\/title>)?<line /);
  });

  it('draws KEDA + HPA on the same traffic over the replicas, and puts it in the summary', () => {
    const replicasChart = html.match(/<svg class="chart" data-chart="replicas"[\s\S]*?<\/svg>/)![0];
    expect(replicasChart).toMatch(/<path class="series" data-series="desired"[\s\S]*<path class="series" data-series="desired, KEDA \+ HPA" d="M[^"]+" [^>]*stroke-dasharray/);
    expect(html).toMatch(/<ul class="legend">(?:(?!<\/ul>).)*<li data-series="desired, KEDA \+ HPA">/);
    expect(html).toMatch(/<thead><tr><th><\/th><th>jobs\/orders-worker<\/th><th>KEDA \+ HPA<\/th><\/tr><\/thead>/);
    expect(html).toMatch(/<tr><th>scale events<\/th><td class="num">\d+ \(\d+ up, \d+ down\)<\/td><td class="num">\d+ \(\d+ up, \d+ down\)<\/td><\/tr>/);
  });

  it('gives each trigger its own chart and y axis (small multiples)', async () => {
    const path = join(tempDir(), 'two-triggers.html');
    const outcome = await cli(['simulate', join(REPO_ROOT, 'examples', 'scheduled-floor.yaml'), '--state', 'memory', '--report', path]);
    expect(outcome.code).toBe(0);
    const section = readFileSync(path, 'utf8').match(/<section class="chart-row" id="chart-metric">[\s\S]*?<\/section>/)![0];
    const charts = [...section.matchAll(/<svg class="chart" data-chart="metric"[\s\S]*?<\/svg>/g)].map((match) => match[0]);
    expect(charts).toHaveLength(2);
    const plotted = charts.map((chart) => [...chart.matchAll(/<path class="series" data-series="([^"]+)"/g)].map((match) => match[1]));
    expect(plotted[0]).toEqual([expect.stringMatching(/cron/), expect.stringMatching(/cron.* target$/)]);
    expect(plotted[1]).toEqual([expect.stringMatching(/sqs/), expect.stringMatching(/sqs.* target$/)]);
    // Each axis is scaled to its own trigger: the top tick differs.
    const topTicks = charts.map((chart) => [...chart.matchAll(/<text class="tick" [^>]*text-anchor="end"[^>]*>([^<]+)<\/text>/g)].at(-1)![1]);
    expect(new Set(topTicks).size).toBe(2);
  });

  it('shows the summary table', () => {
    for (const row of ['replica-minutes', 'node-minutes', 'peak backlog', 'message wait p95', 'time to drain', 'time at max']) {
      expect(html).toContain(`<th>${row}</th>`);
    }
  });
});

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));

describe('the report in a browser', () => {
  if (!CHROMIUM) {
    it.skip('renders its charts in headless Chromium (skipped: chromium is not installed; `apt-get install chromium` to run it)', () => {});
    return;
  }

  it('renders every chart with visible plotted paths', async () => {
    const { chromium } = await import('playwright-core');
    const reportPath = join(tempDir(), 'compare-report.html');
    const outcome = await cli(['simulate', join(FIXTURES, 'sqs-worker.yaml'), join(FIXTURES, 'sqs-worker-tuned.yaml'), '--state', 'memory', '--report', reportPath]);
    expect(outcome.code).toBe(0);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const requests: string[] = [];
      page.on('request', (request) => requests.push(request.url()));
      await page.goto(pathToFileURL(reportPath).href);
      const charts = await page.$$eval('svg.chart', (svgs) =>
        svgs.map((svg) => {
          const box = svg.getBoundingClientRect();
          const paths = [...svg.querySelectorAll('path.series')].map((path) => (path as unknown as { getTotalLength(): number }).getTotalLength());
          return { kind: svg.getAttribute('data-chart'), width: box.width, height: box.height, paths };
        }),
      );
      expect(charts).toHaveLength(8); // four charts, two ScaledObjects side by side
      for (const chart of charts) {
        expect(chart.width, chart.kind!).toBeGreaterThan(100);
        expect(chart.height, chart.kind!).toBeGreaterThan(50);
        expect(chart.paths.some((length) => length > 50), chart.kind!).toBe(true);
      }
      // Legend entries are laid out by the browser: none overlaps another, none runs off its chart.
      const legends = await page.$$eval('figure .panel', (figures) =>
        figures.map((figure) => {
          const chart = figure.querySelector('svg.chart')!.getBoundingClientRect();
          const items = [...figure.querySelectorAll('ul.legend li')].map((item) => {
            const box = item.getBoundingClientRect();
            return { label: item.textContent, left: box.left, right: box.right, top: box.top, bottom: box.bottom };
          });
          return { chart: figure.querySelector('svg.chart')!.getAttribute('data-chart'), left: chart.left, right: chart.right, items };
        }),
      );
      expect(legends).toHaveLength(8);
      for (const legend of legends) {
        expect(legend.items.length, legend.chart!).toBeGreaterThan(0);
        for (const [index, item] of legend.items.entries()) {
          expect(item.left, `${legend.chart}: ${item.label}`).toBeGreaterThanOrEqual(legend.left - 0.5);
          expect(item.right, `${legend.chart}: ${item.label}`).toBeLessThanOrEqual(legend.right + 0.5);
          for (const other of legend.items.slice(index + 1)) {
            const overlap = item.left < other.right && other.left < item.right && item.top < other.bottom && other.top < item.bottom;
            expect(overlap, `${legend.chart}: "${item.label}" overlaps "${other.label}"`).toBe(false);
          }
        }
      }
      // Axis labels (the Nodes chart's "nodes and pending pods" the longest) fit inside their chart.
      const labels = await page.$$eval('svg.chart', (svgs) =>
        svgs.map((svg) => {
          const chart = svg.getBoundingClientRect();
          const label = svg.querySelector('text.axis-label')!.getBoundingClientRect();
          return { kind: svg.getAttribute('data-chart'), text: svg.querySelector('text.axis-label')!.textContent, inside: label.top >= chart.top - 0.5 && label.bottom <= chart.bottom + 0.5 && label.left >= chart.left - 0.5 };
        }),
      );
      for (const label of labels) expect(label.inside, `${label.kind}: "${label.text}" runs off its chart`).toBe(true);
      // Markers explained: every marker colour drawn in a row has a visible entry in that row's marker legend,
      // and no two markers of one chart overlap (close decisions are drawn as one).
      const rows = await page.$$eval('section.chart-row', (sections) =>
        sections.map((section) => ({
          id: section.id,
          keys: [...section.querySelectorAll('.marker-key')].filter((key) => key.getBoundingClientRect().width > 0).map((key) => key.getAttribute('data-color')),
          charts: [...section.querySelectorAll('svg.chart')].map((svg) =>
            [...svg.querySelectorAll('g.marker path')].map((path) => {
              const box = path.getBoundingClientRect();
              return { color: path.getAttribute('fill'), left: box.left, right: box.right };
            }),
          ),
        })),
      );
      const withMarkers = rows.filter((row) => row.charts.some((markers) => markers.length > 0));
      expect(withMarkers.map((row) => row.id)).toEqual(['chart-metric', 'chart-replicas', 'chart-nodes']);
      for (const row of withMarkers) {
        for (const markers of row.charts) {
          for (const marker of markers) expect(row.keys, `${row.id}: marker colour ${marker.color} is not explained`).toContain(marker.color);
          for (let i = 1; i < markers.length; i++) expect(markers[i]!.left, `${row.id}: markers overlap`).toBeGreaterThanOrEqual(markers[i - 1]!.right);
        }
      }
      expect(requests.every((url) => url.startsWith('file://'))).toBe(true);
      const out = join(REPO_ROOT, 'sim-out');
      mkdirSync(out, { recursive: true });
      await page.screenshot({ path: join(out, 'report-test-screenshot.png'), fullPage: true });
    } finally {
      await browser.close();
    }
  });

  it('gives each trigger its own chart and y axis, as the browser draws them', async () => {
    const { chromium } = await import('playwright-core');
    const reportPath = join(tempDir(), 'cron-and-sqs-report.html');
    const outcome = await cli(['simulate', join(REPO_ROOT, 'examples', 'scheduled-floor.yaml'), '--state', 'memory', '--report', reportPath]);
    expect(outcome.code).toBe(0);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await page.goto(pathToFileURL(reportPath).href);
      const charts = await page.$$eval('#chart-metric svg.chart', (svgs) =>
        svgs.map((svg) => {
          const chart = svg.getBoundingClientRect();
          const ticks = [...svg.querySelectorAll('text.tick[text-anchor="end"]')].map((tick) => ({ text: tick.textContent, box: tick.getBoundingClientRect() }));
          return {
            series: [...svg.querySelectorAll('path.series')].map((path) => path.getAttribute('data-series')),
            top: ticks.at(-1)!.text,
            ticksVisible: ticks.every(({ box }) => box.width > 0 && box.left >= chart.left - 0.5 && box.top >= chart.top - 0.5 && box.bottom <= chart.bottom + 0.5),
          };
        }),
      );
      // scheduled-floor.yaml has a cron and an SQS trigger: two charts, each with its own visible y axis.
      expect(charts).toHaveLength(2);
      expect(charts.map((chart) => chart.series.length)).toEqual([2, 2]);
      expect(charts[0]!.series.every((name) => /cron/.test(name!))).toBe(true);
      expect(charts[1]!.series.every((name) => /sqs/.test(name!))).toBe(true);
      expect(charts.every((chart) => chart.ticksVisible)).toBe(true);
      expect(charts[0]!.top).not.toBe(charts[1]!.top);
    } finally {
      await browser.close();
    }
  });
});
