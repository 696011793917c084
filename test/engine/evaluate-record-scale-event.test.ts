import { describe, expect, it } from 'vitest';
import { evaluate, recordScaleEvent } from '../../lambdas/engine/evaluate';
import { T0, input, reading, scaledObject, scalingState, seconds } from './fixtures';

const withBehavior = scaledObject({ behavior: {} });

describe('recordScaleEvent', () => {
  it.each([
    ['HPA scale-up', 2, 6, [{ replicas: 4, timestamp: T0 }], []],
    ['HPA scale-down', 6, 2, [], [{ replicas: 4, timestamp: T0 }]],
    ["activation from 0: KEDA's 0 → 1 is not an HPA event", 0, 5, [{ replicas: 4, timestamp: T0 }], []],
    ["scale to zero is KEDA's, not the HPA's", 3, 0, [], []],
    ['no change', 3, 3, [], []],
  ])('%s (%s → %s)', (_name, from, to, up, down) => {
    const state = recordScaleEvent(scalingState(), withBehavior, from, to, T0);
    expect(state.scaleUpEvents).toEqual(up);
    expect(state.scaleDownEvents).toEqual(down);
  });

  it('records nothing without a behavior block (legacy HPA)', () => {
    const state = scalingState();
    expect(recordScaleEvent(state, scaledObject(), 2, 6, T0)).toBe(state);
  });

  it('records nothing while paused (the HPA is deleted)', () => {
    const state = scalingState();
    expect(recordScaleEvent(state, scaledObject({ behavior: {}, pause: { paused: true } }), 2, 6, T0)).toBe(state);
  });

  it('records with paused-scale-in, which gives the HPA a behavior block', () => {
    const state = recordScaleEvent(scalingState(), scaledObject({ pause: { pausedScaleIn: true } }), 2, 6, T0);
    expect(state.scaleUpEvents).toEqual([{ replicas: 4, timestamp: T0 }]);
  });

  it('counts from the HPA minimum when KEDA raised the count to it', () => {
    const state = recordScaleEvent(scalingState(), scaledObject({ behavior: {}, minReplicaCount: 3 }), 0, 8, T0);
    expect(state.scaleUpEvents).toEqual([{ replicas: 5, timestamp: T0 }]);
  });

  it('prunes events older than the longest period of that direction only', () => {
    const old = { replicas: 1, timestamp: T0 - seconds(16) };
    const state = scalingState({ scaleUpEvents: [old], scaleDownEvents: [old] });
    const next = recordScaleEvent(state, withBehavior, 2, 3, T0);
    expect(next.scaleUpEvents).toEqual([{ replicas: 1, timestamp: T0 }]);
    expect(next.scaleDownEvents).toEqual([old]);
  });

  it('feeds the rate limit of the next evaluation', () => {
    const object = scaledObject({ behavior: { scaleUp: { policies: [{ type: 'Pods', value: 3, periodSeconds: 60 }] } } });
    const first = evaluate(input({ object, specReplicas: 2, triggers: [reading(0, 100)], state: scalingState({ recommendations: [] }) }));
    expect(first.desiredReplicas).toBe(5);
    const recorded = recordScaleEvent(first.state, object, 2, 5, T0);
    const blocked = evaluate(input({ object, now: T0 + seconds(30), specReplicas: 5, triggers: [reading(0, 100)], state: recorded }));
    expect(blocked).toMatchObject({ desiredReplicas: 5, explanation: { rule: 'rate-limit' } });
    const allowed = evaluate(input({ object, now: T0 + seconds(60), specReplicas: 5, triggers: [reading(0, 100)], state: recorded }));
    expect(allowed.desiredReplicas).toBe(8);
  });
});
