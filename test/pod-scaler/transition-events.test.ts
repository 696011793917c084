import { describe, expect, it } from 'vitest';
import { transitionEvents } from '../../lambdas/pod-scaler/transition-events';
import type { EvaluateOutput, ObjectStatus } from '../../lambdas/engine/evaluate-types';
import type { TriggerHealth } from '../../lambdas/engine/scaling-state';
import { initialScalingState } from '../../lambdas/engine/scaling-state';

const SQS = 's0-aws-sqs-queue-orders';
const CRON = 's1-cron-Etc-UTC-0xxxx-10xxxx';

interface Pass {
  status: ObjectStatus;
  statusReason?: string;
  health?: Record<string, TriggerHealth>;
}

function stored({ status, statusReason, health = {} }: Pass) {
  return { status, scaling: { ...initialScalingState(0), health }, ...(statusReason === undefined ? {} : { statusReason }) };
}

function output(pass: Pass, failing: readonly string[] = [], triggers: readonly string[] = [SQS, CRON]): EvaluateOutput {
  const prior = stored(pass);
  return {
    desiredReplicas: 2,
    scale: false,
    state: prior.scaling,
    status: pass.status,
    ...(pass.statusReason === undefined ? {} : { statusReason: pass.statusReason }),
    active: true,
    explanation: {
      rule: 'tolerance',
      message: '',
      steps: [],
      triggers: triggers.map((metricName, index) => ({
        index,
        type: 'aws-sqs-queue',
        metricName,
        metricType: 'AverageValue',
        target: 5,
        ...(failing.includes(metricName) ? { error: 'AccessDenied' } : { value: 1 }),
      })),
    },
  };
}

const failing = (count: number): Record<string, TriggerHealth> => ({ [SQS]: { numberOfFailures: count, status: count > 0 ? 'Failing' : 'Happy' } });
const sqsDenied = `${SQS}: AccessDenied`;

describe('Events on trigger and fallback transitions, written once per transition', () => {
  const rows: { name: string; previous?: Pass; now: Pass; failingNow?: string[]; triggers?: string[]; expected: string[] }[] = [
    { name: 'healthy, stays healthy: no call', previous: { status: 'active' }, now: { status: 'active' }, expected: [] },
    { name: 'first pass, healthy', now: { status: 'ready' }, expected: [] },
    { name: 'first pass, a trigger fails', now: { status: 'error', statusReason: sqsDenied }, failingNow: [SQS], expected: ['Warning KEDAScalerFailed'] },
    { name: 'no fallback: starts failing', previous: { status: 'active' }, now: { status: 'error', statusReason: sqsDenied }, failingNow: [SQS], expected: ['Warning KEDAScalerFailed'] },
    { name: 'no fallback: keeps failing', previous: { status: 'error', statusReason: sqsDenied }, now: { status: 'error', statusReason: sqsDenied }, failingNow: [SQS], expected: [] },
    { name: 'no fallback: recovers', previous: { status: 'error', statusReason: sqsDenied }, now: { status: 'active' }, expected: ['Normal ScalerRecovered'] },
    {
      name: 'a second trigger starts failing while the first still fails',
      previous: { status: 'error', statusReason: sqsDenied },
      now: { status: 'error', statusReason: `${sqsDenied}; ${CRON}: bad timezone` },
      failingNow: [SQS, CRON],
      expected: ['Warning KEDAScalerFailed'],
    },
    {
      name: 'a name that only prefixes a failing one is not failing',
      previous: { status: 'error', statusReason: `${SQS}-2: AccessDenied` },
      now: { status: 'active' },
      expected: [],
    },
    { name: 'fallback set: first failure', previous: { status: 'active', health: failing(0) }, now: { status: 'error', statusReason: sqsDenied, health: failing(1) }, failingNow: [SQS], expected: ['Warning KEDAScalerFailed'] },
    { name: 'fallback set: second failure', previous: { status: 'error', statusReason: sqsDenied, health: failing(1) }, now: { status: 'error', statusReason: sqsDenied, health: failing(2) }, failingNow: [SQS], expected: [] },
    {
      name: 'fallback engages',
      previous: { status: 'error', statusReason: sqsDenied, health: failing(3) },
      now: { status: 'fallback', statusReason: `${sqsDenied} (failed 4 times, fallback 6 replicas)`, health: failing(4) },
      failingNow: [SQS],
      expected: ['Warning ScaledObjectFallbackActivated'],
    },
    {
      name: 'fallback holds',
      previous: { status: 'fallback', statusReason: sqsDenied, health: failing(4) },
      now: { status: 'fallback', statusReason: sqsDenied, health: failing(5) },
      failingNow: [SQS],
      expected: [],
    },
    {
      name: 'fallback ends: the trigger reads again',
      previous: { status: 'fallback', statusReason: sqsDenied, health: failing(9) },
      now: { status: 'active', health: failing(0) },
      expected: ['Normal ScalerRecovered', 'Normal ScaledObjectFallbackDeactivated'],
    },
    {
      name: 'failureThreshold 0: fails and falls back in one pass',
      previous: { status: 'active', health: failing(0) },
      now: { status: 'fallback', statusReason: sqsDenied, health: failing(1) },
      failingNow: [SQS],
      expected: ['Warning KEDAScalerFailed', 'Warning ScaledObjectFallbackActivated'],
    },
    { name: 'paused: no trigger read, nothing known', previous: { status: 'error', statusReason: sqsDenied }, now: { status: 'paused' }, triggers: [], expected: [] },
  ];

  it.each(rows)('$name', ({ previous, now, failingNow = [], triggers, expected }) => {
    const events = transitionEvents('shop/orders', previous && stored(previous), output(now, failingNow, triggers));
    expect(events.map((event) => `${event.type} ${event.reason}`)).toEqual(expected);
    for (const event of events) expect(event.message).toMatch(/^ScaledObject shop\/orders: /);
  });

  it('names the failing trigger and its error in the Warning', () => {
    const [event] = transitionEvents('shop/orders', stored({ status: 'active' }), output({ status: 'error', statusReason: sqsDenied }, [SQS]));
    expect(event?.message).toBe(`ScaledObject shop/orders: trigger ${SQS} failing: ${sqsDenied}`);
  });
});
