import { describe, expect, it } from 'vitest';
import { evaluate } from '../../lambdas/engine/evaluate';
import type { EvaluateInput } from '../../lambdas/engine/evaluate-types';
import type { ScalingState } from '../../lambdas/engine/scaling-state';
import { T0, failure, input, reading, scaledObject, scalingState, seconds, sqsTrigger } from './fixtures';

describe('KEDA then the HPA, in one evaluation', () => {
  it('activates 0 → 1 and lets the HPA take it on from 1 (legacy cap 4)', () => {
    const out = evaluate(input({ specReplicas: 0, triggers: [reading(0, 47)] }));
    expect(out).toMatchObject({ desiredReplicas: 4, scale: true, status: 'active', active: true });
    expect(out.state.lastActiveTime).toBe(T0);
    expect(out.explanation.rule).toBe('scale-up-limit');
    expect(out.explanation.message).toBe(
      'scaled 0 → 4: s0-aws-sqs-orders 47 / 5 → 10 replicas; activated 0 → 1; capped to 4 by the scale-up limit max(2 × 1, 4)',
    );
  });

  it('with a behavior block, from 1 the default policies allow 5', () => {
    const out = evaluate(input({ object: scaledObject({ behavior: {} }), specReplicas: 0, triggers: [reading(0, 47)] }));
    expect(out.desiredReplicas).toBe(5);
  });

  it('activation with nothing more to do keeps the activation rule', () => {
    const out = evaluate(input({ specReplicas: 0, triggers: [reading(0, 2)] }));
    expect(out).toMatchObject({ desiredReplicas: 1, explanation: { rule: 'activation' } });
  });

  it('caps by a user policy and says so', () => {
    const object = scaledObject({ behavior: { scaleUp: { policies: [{ type: 'Pods', value: 3, periodSeconds: 60 }] } } });
    const out = evaluate(input({ object, specReplicas: 2, triggers: [reading(0, 47)], state: scalingState({ recommendations: [] }) }));
    expect(out.desiredReplicas).toBe(5);
    expect(out.explanation.rule).toBe('rate-limit');
    expect(out.explanation.message).toBe('scaled 2 → 5: s0-aws-sqs-orders 47 / 5 → 10 replicas; capped to 5 by scaleUp policy Pods 3 per 60s');
  });

  it('takes the max across triggers', () => {
    const object = scaledObject({ triggers: [sqsTrigger(0), sqsTrigger(1, { metricName: 's1-aws-sqs-billing' })] });
    const out = evaluate(input({ object, specReplicas: 4, triggers: [reading(0, 10), reading(1, 30)] }));
    expect(out.desiredReplicas).toBe(6);
    expect(out.explanation.triggers.map((trigger) => trigger.proposal)).toEqual([2, 6]);
  });

  it('lowers a count above max without reading metrics', () => {
    const out = evaluate(input({ object: scaledObject({ maxReplicaCount: 10 }), specReplicas: 15, triggers: [reading(0, 500)] }));
    expect(out).toMatchObject({ desiredReplicas: 10, explanation: { rule: 'above-max' } });
  });

  it('uses ready pods for Value metrics', () => {
    const object = scaledObject({ triggers: [sqsTrigger(0, { metricType: 'Value', target: 10 })] });
    expect(evaluate(input({ object, specReplicas: 4, readyPods: 2, triggers: [reading(0, 30)] })).desiredReplicas).toBe(6);
    const unknown = evaluate(input({ object, specReplicas: 4, triggers: [reading(0, 30)] }));
    expect(unknown).toMatchObject({ desiredReplicas: 4, status: 'error', explanation: { rule: 'error' } });
  });

  it('at 0 and inactive does nothing', () => {
    const out = evaluate(input({ specReplicas: 0, triggers: [reading(0, 0)] }));
    expect(out).toMatchObject({ desiredReplicas: 0, scale: false, status: 'ready', active: false, explanation: { rule: 'scaling-disabled' } });
  });

  it('honours the activation threshold decided by the trigger, not the value', () => {
    const out = evaluate(input({ specReplicas: 0, triggers: [reading(0, 3, false)] }));
    expect(out.desiredReplicas).toBe(0);
  });
});

describe('cooldown to zero and idle', () => {
  const held = scalingState({ lastActiveTime: T0 - seconds(300), recommendations: [{ replicas: 3, timestamp: T0 - seconds(30) }] });

  it('cools down at exactly lastActiveTime + cooldownPeriod, the HPA still running', () => {
    const out = evaluate(input({ specReplicas: 3, triggers: [reading(0, 0)], state: held }));
    expect(out).toMatchObject({ desiredReplicas: 3, scale: false, explanation: { rule: 'cooldown' } });
    expect(out.explanation.steps.some((step) => step.startsWith('hpa:'))).toBe(true);
  });

  it('scales to zero 1 ms later, without running the HPA', () => {
    const out = evaluate(input({ now: T0 + 1, specReplicas: 3, triggers: [reading(0, 0)], state: held }));
    expect(out).toMatchObject({ desiredReplicas: 0, scale: true, explanation: { rule: 'scale-to-zero' } });
    expect(out.state.recommendations).toEqual(held.recommendations);
  });

  it('the HPA scales within 1..N while KEDA cools down', () => {
    const state = scalingState({ lastActiveTime: T0 - seconds(10), recommendations: [] });
    const out = evaluate(input({ specReplicas: 3, triggers: [reading(0, 0)], state }));
    expect(out).toMatchObject({ desiredReplicas: 1, explanation: { rule: 'min-replicas' } });
  });

  it.each([
    ['inside initialCooldownPeriod', seconds(60), 3],
    ['exactly at its end', seconds(120), 3],
    ['past it', seconds(120) + 1, 0],
  ])('never active: %s', (_name, age, replicas) => {
    const object = scaledObject({ initialCooldownPeriod: 120 });
    const state = scalingState({ firstSeenAt: T0 - age, recommendations: [{ replicas: 3, timestamp: T0 }] });
    expect(evaluate(input({ object, specReplicas: 3, triggers: [reading(0, 0)], state })).desiredReplicas).toBe(replicas);
  });

  it('goes to idleReplicaCount, and back to min on activity', () => {
    const object = scaledObject({ minReplicaCount: 2, idleReplicaCount: 0 });
    const idle = evaluate(input({ object, specReplicas: 2, triggers: [reading(0, 0)], state: scalingState({ lastActiveTime: T0 - seconds(600) }) }));
    expect(idle).toMatchObject({ desiredReplicas: 0, explanation: { rule: 'scale-to-zero' } });
    const woken = evaluate(input({ object, specReplicas: 0, triggers: [reading(0, 3)] }));
    expect(woken).toMatchObject({ desiredReplicas: 2, explanation: { rule: 'activation' } });
  });

  it('raises to minReplicaCount when inactive below it', () => {
    const object = scaledObject({ minReplicaCount: 2 });
    expect(evaluate(input({ object, specReplicas: 0, triggers: [reading(0, 0)] }))).toMatchObject({
      desiredReplicas: 2,
      explanation: { rule: 'below-min' },
    });
  });
});

describe('fallback', () => {
  const fallback = { failureThreshold: 3, replicas: 6, behavior: 'static' as const };

  function failTimes(times: number, base: Partial<EvaluateInput> = {}): ReturnType<typeof evaluate>[] {
    let state: ScalingState = scalingState({ recommendations: [] });
    const outputs = [];
    for (let i = 0; i < times; i += 1) {
      const out = evaluate(input({ object: scaledObject({ fallback }), specReplicas: 3, triggers: [failure(0)], state, ...base }));
      outputs.push(out);
      state = out.state;
    }
    return outputs;
  }

  it('passes the error on for 3 failures and falls back at the 4th', () => {
    const outputs = failTimes(4);
    expect(outputs.map((out) => out.status)).toEqual(['error', 'error', 'error', 'fallback']);
    expect(outputs.map((out) => out.desiredReplicas)).toEqual([3, 3, 3, 6]);
    expect(outputs[3]!.state.health['s0-aws-sqs-orders']).toEqual({ numberOfFailures: 4, status: 'Failing' });
    expect(outputs[3]).toMatchObject({ active: true, explanation: { rule: 'fallback' } });
    expect(outputs[3]!.explanation.triggers[0]).toMatchObject({ fallback: true, value: 30, proposal: 6 });
    expect(outputs[3]!.statusReason).toContain('failed 4 times, fallback 6 replicas');
  });

  it('a success resets the count', () => {
    const [, , third] = failTimes(3);
    const out = evaluate(input({ object: scaledObject({ fallback }), specReplicas: 3, triggers: [reading(0, 15)], state: third!.state }));
    expect(out.state.health['s0-aws-sqs-orders']).toEqual({ numberOfFailures: 0, status: 'Happy' });
  });

  it('does not track health without a fallback', () => {
    const out = evaluate(input({ specReplicas: 3, triggers: [failure(0)] }));
    expect(out.state.health).toEqual({});
    expect(out).toMatchObject({ status: 'error', desiredReplicas: 3, explanation: { rule: 'error' } });
    expect(out.statusReason).toBe('s0-aws-sqs-orders: AccessDenied: not authorized to perform sqs:GetQueueAttributes');
  });

  it('counts as active: scales from 0 through activation', () => {
    const state = scalingState({ health: { 's0-aws-sqs-orders': { numberOfFailures: 3, status: 'Failing' } } });
    const out = evaluate(input({ object: scaledObject({ fallback, behavior: {} }), specReplicas: 0, triggers: [failure(0)], state }));
    expect(out).toMatchObject({ desiredReplicas: 5, status: 'fallback', active: true });
  });

  it.each([
    ['currentReplicas', 3],
    ['currentReplicasIfHigher', 6],
    ['currentReplicasIfLower', 3],
  ] as const)('behavior %s at 3 replicas → %s', (behavior, replicas) => {
    const state = scalingState({ recommendations: [], health: { 's0-aws-sqs-orders': { numberOfFailures: 3, status: 'Failing' } } });
    const object = scaledObject({ fallback: { ...fallback, behavior } });
    expect(evaluate(input({ object, specReplicas: 3, triggers: [failure(0)], state })).desiredReplicas).toBe(replicas);
  });

  it('a Value metric with 0 ready pods cannot fall back', () => {
    const state = scalingState({ recommendations: [], health: { 's0-aws-sqs-orders': { numberOfFailures: 3, status: 'Failing' } } });
    const object = scaledObject({ fallback, triggers: [sqsTrigger(0, { metricType: 'Value' })] });
    const out = evaluate(input({ object, specReplicas: 2, readyPods: 0, triggers: [failure(0)], state }));
    expect(out).toMatchObject({ desiredReplicas: 2, status: 'error', explanation: { rule: 'error' } });
    expect(out.statusReason).toContain('needs at least one ready pod');
  });

  it('a Value metric falls back through ready pods', () => {
    const state = scalingState({ recommendations: [], health: { 's0-aws-sqs-orders': { numberOfFailures: 3, status: 'Failing' } } });
    const object = scaledObject({ fallback: { ...fallback, replicas: 7 }, triggers: [sqsTrigger(0, { metricType: 'Value' })] });
    const out = evaluate(input({ object, specReplicas: 4, readyPods: 3, triggers: [failure(0)], state }));
    expect(out).toMatchObject({ desiredReplicas: 7, status: 'fallback' });
  });
});

describe('partial errors', () => {
  const object = scaledObject({ triggers: [sqsTrigger(0), sqsTrigger(1, { metricName: 's1-aws-sqs-billing' })] });

  it('scales up on the working trigger and reports the failing one', () => {
    const out = evaluate(input({ object, specReplicas: 2, triggers: [reading(0, 20), failure(1, 'Throttling')] }));
    expect(out).toMatchObject({ desiredReplicas: 4, status: 'error', statusReason: 's1-aws-sqs-billing: Throttling', active: true });
    expect(out.state.lastActiveTime).toBeUndefined(); // KEDA does not refresh it while a trigger fails
  });

  it('does not scale down on partial data', () => {
    const out = evaluate(input({ object, specReplicas: 6, triggers: [reading(0, 5), failure(1, 'Throttling')], state: scalingState({ recommendations: [] }) }));
    expect(out).toMatchObject({ desiredReplicas: 6, explanation: { rule: 'error' } });
  });

  it('a missing trigger result is an error for that trigger', () => {
    const out = evaluate(input({ object, specReplicas: 2, triggers: [reading(0, 20)] }));
    expect(out.statusReason).toBe('s1-aws-sqs-billing: no result was read for this trigger');
  });
});

describe('pause annotations', () => {
  const busy = scalingState({
    recommendations: [{ replicas: 5, timestamp: T0 }],
    scaleUpEvents: [{ replicas: 2, timestamp: T0 }],
    health: { 's0-aws-sqs-orders': { numberOfFailures: 1, status: 'Failing' } },
  });

  it('paused freezes the count and the HPA forgets its history', () => {
    const out = evaluate(input({ object: scaledObject({ pause: { paused: true } }), specReplicas: 5, triggers: [reading(0, 500)], state: busy }));
    expect(out).toMatchObject({ desiredReplicas: 5, scale: false, status: 'paused', explanation: { rule: 'paused' } });
    expect(out.state.recommendations).toBeUndefined();
    expect(out.state.scaleUpEvents).toEqual([]);
    expect(out.state.health).toEqual(busy.health);
  });

  it('paused-replicas sets the count', () => {
    const object = scaledObject({ pause: { paused: true, pausedReplicas: 2 } });
    const out = evaluate(input({ object, specReplicas: 5, triggers: [reading(0, 500)] }));
    expect(out).toMatchObject({ desiredReplicas: 2, scale: true, status: 'paused', explanation: { rule: 'paused-replicas' } });
  });

  it('paused-scale-in keeps KEDA from going to zero and the HPA from scaling down', () => {
    const object = scaledObject({ pause: { pausedScaleIn: true } });
    const state = scalingState({ lastActiveTime: T0 - seconds(3600), recommendations: [] });
    const out = evaluate(input({ object, specReplicas: 3, triggers: [reading(0, 0)], state }));
    expect(out).toMatchObject({ desiredReplicas: 3, explanation: { rule: 'selectpolicy-disabled' } });
  });

  it('paused-scale-in still lets the HPA scale up', () => {
    const object = scaledObject({ pause: { pausedScaleIn: true } });
    expect(evaluate(input({ object, specReplicas: 3, triggers: [reading(0, 50)] })).desiredReplicas).toBe(7);
  });

  it('paused-scale-out keeps the target at 0 and the HPA from scaling up', () => {
    const object = scaledObject({ pause: { pausedScaleOut: true } });
    expect(evaluate(input({ object, specReplicas: 0, triggers: [reading(0, 50)] }))).toMatchObject({
      desiredReplicas: 0,
      explanation: { rule: 'selectpolicy-disabled' },
    });
    expect(evaluate(input({ object, specReplicas: 2, triggers: [reading(0, 50)] }))).toMatchObject({
      desiredReplicas: 2,
      explanation: { rule: 'selectpolicy-disabled' },
    });
  });

  it('force-activation activates with inactive triggers', () => {
    const object = scaledObject({ pause: { forceActivation: true } });
    const out = evaluate(input({ object, specReplicas: 0, triggers: [reading(0, 0)] }));
    expect(out).toMatchObject({ desiredReplicas: 1, active: true, status: 'active', explanation: { rule: 'activation' } });
    expect(out.explanation.steps[0]).toContain('activation forced by annotation');
  });
});

describe('explanation', () => {
  it('explains each trigger with value, target, type, proposal and tolerance', () => {
    const out = evaluate(input({ specReplicas: 2, triggers: [reading(0, 11)] }));
    expect(out.explanation.rule).toBe('tolerance');
    expect(out.explanation.triggers).toEqual([
      {
        index: 0,
        type: 'aws-sqs-queue',
        metricName: 's0-aws-sqs-orders',
        metricType: 'AverageValue',
        target: 5,
        value: 11,
        active: true,
        proposal: 2,
        withinTolerance: true,
      },
    ]);
    expect(out.explanation.message).toBe('kept 2: s0-aws-sqs-orders 11 / 5 within tolerance → 2 replicas');
  });

  it('records the steps in order: KEDA, metrics, combination, normalization', () => {
    const out = evaluate(input({ object: scaledObject({ behavior: {} }), specReplicas: 2, triggers: [reading(0, 47)], state: scalingState({ recommendations: [] }) }));
    expect(out.explanation.steps.map((step) => step.split(':')[0])).toEqual(['keda', 'hpa', 'hpa', 'hpa', 'hpa']);
    expect(out.explanation.steps[4]).toBe('hpa: capped to 6 by scaleUp policy Pods 4 per 15s');
  });

  it('names the object when the target count is unusable', () => {
    expect(() => evaluate(input({ specReplicas: -1 }))).toThrow(/^jobs\/orders: the scale target's spec\.replicas is -1/);
  });
});
