/**
 * What the pod scaler publishes per invocation: per-cluster counts by default (a custom-metric bill
 * that does not grow with the fleet), per-object metrics only when asked, and one "needs attention"
 * line per object in fallback or at max (what the alarms' Contributor Insights rules key on).
 * Real Powertools logger and metrics; their stdout is captured.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createResultObserver } from '../../lambdas/pod-scaler/observe-result';
import type { ObjectTickResult } from '../../lambdas/pod-scaler/tick-types';
import { createScalerMetrics } from '../../lambdas/util/scaler-metrics';

let lines: Record<string, unknown>[] = [];

beforeEach(() => {
  lines = [];
  process.env.TEST_LOG_LEVEL = 'INFO';
  const capture = (chunk: string | Uint8Array) => {
    for (const text of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(text) as Record<string, unknown>);
    return true;
  };
  // Powertools writes INFO and the metrics to stdout, WARN and ERROR to stderr.
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
});
afterEach(() => {
  vi.restoreAllMocks();
  delete process.env.TEST_LOG_LEVEL;
});

const result = (key: string, fields: Partial<ObjectTickResult> = {}): ObjectTickResult => ({
  key,
  cluster: key.split('/')[0]!,
  objectId: key.split('/').slice(1).join('/'),
  status: 'ready',
  currentReplicas: 2,
  desiredReplicas: 2,
  scaled: false,
  active: true,
  ...fields,
});

function observer(perObjectMetrics = false) {
  const maxReplicasByKey = new Map([
    ['prod/shop/orders', 10],
    ['prod/shop/mail', 5],
    ['prod/shop/idle', 3],
    ['dev/shop/orders', 10],
  ]);
  return createResultObserver({ logger: new Logger({ serviceName: 'test' }), metrics: createScalerMetrics(), maxReplicasByKey, perObjectMetrics });
}

const emf = () => lines.filter((line) => '_aws' in line);
const attention = () => lines.filter((line) => line.message === 'scaled object needs attention');

describe('a scheduled invocation over a fleet', () => {
  function runFleet(perObjectMetrics = false) {
    const observe = observer(perObjectMetrics);
    // Two passes: orders scales to max then stays there; mail is at max only in the first pass.
    observe.record(result('prod/shop/orders', { desiredReplicas: 10, scaled: true }));
    observe.record(result('prod/shop/mail', { desiredReplicas: 5 }));
    observe.record(result('prod/shop/idle', { status: 'fallback', desiredReplicas: 1, active: false }));
    observe.record(result('dev/shop/orders', { status: 'error', error: 'scale target not found' }));
    observe.record(result('prod/shop/orders', { desiredReplicas: 10 }));
    observe.record(result('prod/shop/mail', { desiredReplicas: 4, scaled: true }));
    observe.record(result('prod/shop/idle', { status: 'fallback', desiredReplicas: 1, active: false }));
    observe.flush('schedule');
  }

  it('publishes one blob of counts per cluster, with only the Cluster dimension', () => {
    runFleet();
    const blobs = emf();
    expect(blobs).toHaveLength(2);
    const prod = blobs.find((blob) => blob.Cluster === 'prod');
    expect(prod).toMatchObject({
      ObjectsEvaluated: 3,
      ObjectsActive: 2,
      ObjectsScaled: 2,
      ObjectsInFallback: 1,
      ObjectsAtMaxReplicas: 1,
      ObjectsWithErrors: 0,
    });
    expect(JSON.stringify(prod)).toContain('"Dimensions":[["Cluster"]]');
    expect(blobs.find((blob) => blob.Cluster === 'dev')).toMatchObject({ ObjectsEvaluated: 1, ObjectsWithErrors: 1 });
  });

  it('names each object in fallback or pinned at max once per invocation', () => {
    runFleet();
    expect(attention().map((line) => [line.condition, line.scaledObject])).toEqual([
      ['fallback', 'prod/shop/idle'],
      ['atMaxReplicas', 'prod/shop/orders'],
    ]);
    expect(attention()[1]).toMatchObject({ desiredReplicas: 10, maxReplicas: 10, level: 'WARN' });
  });

  it('logs per object only what changed or failed', () => {
    runFleet();
    const perObject = lines.filter((line) => 'scaledObject' in line && line.message !== 'scaled object needs attention');
    expect(perObject.map((line) => [line.message, line.scaledObject])).toEqual([
      ['scaled', 'prod/shop/orders'],
      ['scaled object not evaluated', 'dev/shop/orders'],
      ['scaled', 'prod/shop/mail'],
    ]);
  });

  it('publishes per-object metrics only when asked', () => {
    runFleet(true);
    const perObject = emf().filter((blob) => 'ScaledObject' in blob);
    expect(perObject).toHaveLength(7);
    expect(perObject[0]).toMatchObject({ ScaledObject: 'prod/shop/orders', DesiredReplicas: 10, AtMaxReplicas: 1 });
  });

  it('starts the next invocation from zero', () => {
    const observe = observer();
    observe.record(result('prod/shop/idle', { status: 'fallback' }));
    observe.flush('schedule');
    lines = [];
    observe.record(result('prod/shop/mail', { desiredReplicas: 1 }));
    observe.flush('shard');
    expect(emf()).toEqual([expect.objectContaining({ Cluster: 'prod', ObjectsEvaluated: 1, ObjectsInFallback: 0 })]);
    expect(attention()).toEqual([]);
  });
});

describe('an alarm-driven invocation', () => {
  it('publishes only the event counts, so the gauges stay the scheduled ticks\' own', () => {
    const observe = observer();
    observe.record(result('prod/shop/orders', { desiredReplicas: 10, scaled: true }));
    observe.flush('alarm');
    const [blob] = emf();
    expect(blob).toMatchObject({ Cluster: 'prod', ObjectsScaled: 1, ObjectsWithErrors: 0 });
    expect(blob).not.toHaveProperty('ObjectsEvaluated');
    expect(blob).not.toHaveProperty('ObjectsAtMaxReplicas');
    expect(attention()).toEqual([]);
  });
});
