import { describe, expect, it } from 'vitest';
import { evaluate } from '../../lambdas/engine/evaluate';
import { initialScalingState } from '../../lambdas/engine/scaling-state';
import { T0, scaledObject, seconds, sqsTrigger } from './fixtures';

const object = scaledObject({ minReplicaCount: 0, maxReplicaCount: 20, cooldownPeriod: 300, triggers: [sqsTrigger(0)] });
const value = (v: number) => [{ index: 0, ok: true as const, value: v, active: v > 0 }];

describe('evaluate between KEDA polls (kedaPoll: false): only the HPA syncs', () => {
  it('does not activate from zero: that waits for KEDA\'s poll', () => {
    const out = evaluate({ object, now: T0, target: { specReplicas: 0 }, triggers: value(47), state: initialScalingState(T0), kedaPoll: false });
    expect(out.desiredReplicas).toBe(0);
    expect(out.scale).toBe(false);
    expect(out.state.lastActiveTime).toBeUndefined();
  });

  it('reconciles 1..N as the HPA does', () => {
    const state = { ...initialScalingState(T0), lastActiveTime: T0 };
    const out = evaluate({ object, now: T0 + seconds(15), target: { specReplicas: 4 }, triggers: value(47), state, kedaPoll: false });
    expect(out.desiredReplicas).toBe(8); // legacy cap max(2 x 4, 4)
    expect(out.state.lastActiveTime).toBe(T0); // only KEDA's poll records activity
  });

  it('does not scale to zero after the cooldown: that also waits for KEDA\'s poll', () => {
    const state = { ...initialScalingState(T0), lastActiveTime: T0, recommendations: [{ replicas: 1, timestamp: T0 }] };
    const now = T0 + seconds(600);
    const between = evaluate({ object, now, target: { specReplicas: 1 }, triggers: value(0), state, kedaPoll: false });
    expect(between.desiredReplicas).toBe(1);
    const polled = evaluate({ object, now, target: { specReplicas: 1 }, triggers: value(0), state });
    expect(polled.desiredReplicas).toBe(0);
  });
});
