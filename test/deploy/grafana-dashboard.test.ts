import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ATTENTION_MESSAGE,
  CLUSTER_DIMENSION,
  CLUSTER_METRIC_NAMES,
  METRIC_NAMESPACE,
  NODE_GROUP_METRIC_NAMES,
} from '../../lambdas/util/scaler-metrics';

interface Target {
  queryMode: 'Metrics' | 'Logs';
  namespace?: string;
  metricName?: string;
  dimensions?: Record<string, string>;
  expression?: string;
  logGroupNames?: string[];
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type: string; uid: string };
  targets?: Target[];
}

const dashboard = JSON.parse(readFileSync('deploy/grafana/eks-lambda-scaler-dashboard.json', 'utf8')) as { panels: Panel[]; templating: { list: { name: string }[] } };
const targets = dashboard.panels.flatMap((panel) => panel.targets ?? []);
const scalerMetrics = targets.filter((target) => target.queryMode === 'Metrics' && target.namespace === METRIC_NAMESPACE);
const logQueries = targets.filter((target) => target.queryMode === 'Logs').map((target) => target.expression ?? '');
/** Where the pod scaler writes the lines the Logs Insights queries read. */
const observeSource = readFileSync('lambdas/pod-scaler/observe-result.ts', 'utf8');

describe('the Grafana dashboard (deploy/grafana)', () => {
  it('reads only metrics the scalers publish, by cluster: no per-object metric', () => {
    const published = new Set<string>([...CLUSTER_METRIC_NAMES, ...NODE_GROUP_METRIC_NAMES]);
    expect(scalerMetrics.length).toBeGreaterThan(0);
    for (const target of scalerMetrics) {
      expect(published, `${target.metricName} is not in lambdas/util/scaler-metrics.ts`).toContain(target.metricName);
      expect(Object.keys(target.dimensions ?? {})).toEqual([CLUSTER_DIMENSION]);
    }
    // Every aggregate the pod scaler publishes is on a panel.
    for (const name of CLUSTER_METRIC_NAMES) expect(scalerMetrics.map((target) => target.metricName)).toContain(name);
  });

  it("queries the pod scaler's log for messages and fields it writes", () => {
    expect(logQueries.length).toBeGreaterThan(0);
    const messages = logQueries.flatMap((query) => [...query.matchAll(/message = "([^"]+)"/g)].map((match) => match[1]!));
    expect(messages).toContain(ATTENTION_MESSAGE);
    for (const message of messages) {
      if (message !== ATTENTION_MESSAGE) expect(observeSource, `no log line "${message}"`).toMatch(new RegExp(`'${message}'`));
    }
    for (const field of ['scaledObject', 'desiredReplicas', 'currentReplicas', 'statusReason', 'maxReplicas', 'condition', 'rule', 'why', 'triggers', 'error', 'warning']) {
      expect(logQueries.join('\n')).toContain(field);
      expect(observeSource, `the log lines have no field ${field}`).toMatch(new RegExp(`\\b${field}\\s*[,:}]`));
    }
    for (const target of targets.filter((candidate) => candidate.queryMode === 'Logs')) expect(target.logGroupNames).toEqual(['$log_group']);
  });

  it('uses its own variables for the data source and every panel, and panels do not overlap', () => {
    const variables = dashboard.templating.list.map((variable) => variable.name);
    expect(variables).toEqual(expect.arrayContaining(['datasource', 'region', 'cluster', 'log_group', 'scaled_object']));
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const panel of dashboard.panels) expect(panel.type === 'row' || panel.datasource?.uid === '${datasource}', panel.title).toBe(true);
    const cells = new Map<string, string>();
    for (const panel of dashboard.panels) {
      const { x, y, w, h } = panel.gridPos;
      expect(x + w, panel.title).toBeLessThanOrEqual(24);
      for (let row = y; row < y + h; row++) {
        for (let column = x; column < x + w; column++) {
          const cell = `${column},${row}`;
          expect(cells.get(cell), `${panel.title} overlaps ${cells.get(cell)}`).toBeUndefined();
          cells.set(cell, panel.title);
        }
      }
    }
  });
});
