import { describe, expect, it } from 'vitest';
import { kedaRequestScale } from '../../../lambdas/engine/keda/request-scale';
import { cooldownElapsed } from '../../../lambdas/engine/keda/cooldown';
import type { ScaledObjectOverrides } from '../fixtures';
import { T0, scaledObject, seconds } from '../fixtures';

const ACTIVE = { active: true, isError: false, activeTriggers: ['s0-aws-sqs-orders'] };
const INACTIVE = { active: false, isError: false, activeTriggers: [] };
const INACTIVE_ERROR = { active: false, isError: true, activeTriggers: [] };
const ACTIVE_ERROR = { ...ACTIVE, isError: true };
const longAgo = { lastActiveTime: T0 - seconds(3600), firstSeenAt: T0 - seconds(7200) };
const justNow = { lastActiveTime: T0 - seconds(10), firstSeenAt: T0 - seconds(7200) };

describe("KEDA's RequestScale step", () => {
  it.each([
    // name, object, current, activity, clock, replicas, rule, lastActiveTime updated
    ['active at 0 → 1', {}, 0, ACTIVE, longAgo, 1, 'activation', true],
    ['active at 0 → min', { minReplicaCount: 3 }, 0, ACTIVE, longAgo, 3, 'activation', true],
    ['active at idle below min → min', { minReplicaCount: 3, idleReplicaCount: 0 }, 0, ACTIVE, longAgo, 3, 'activation', true],
    ['active at 1 with idle 1 < min 3 → 3', { minReplicaCount: 3, idleReplicaCount: 1 }, 1, ACTIVE, longAgo, 3, 'activation', true],
    ['active above 0: HPA owns it, lastActiveTime = now', {}, 4, ACTIVE, longAgo, 4, undefined, true],
    ['active with a failing trigger: lastActiveTime kept', {}, 4, ACTIVE_ERROR, longAgo, 4, undefined, false],
    ['paused-scale-out skips the 0 → 1 step', { pause: { pausedScaleOut: true } }, 0, ACTIVE, longAgo, 0, 'selectpolicy-disabled', false],
    ['inactive past the cooldown → 0', {}, 3, INACTIVE, longAgo, 0, 'scale-to-zero', false],
    ['inactive inside the cooldown: cooling down', {}, 3, INACTIVE, justNow, 3, 'cooldown', false],
    ['inactive past the cooldown → idle', { minReplicaCount: 2, idleReplicaCount: 0 }, 5, INACTIVE, longAgo, 0, 'scale-to-zero', false],
    ['inactive with min > 0 and no idle: HPA handles it', { minReplicaCount: 2 }, 5, INACTIVE, longAgo, 5, undefined, false],
    ['inactive below min without idle → min', { minReplicaCount: 2 }, 0, INACTIVE, longAgo, 2, 'below-min', false],
    ['inactive at 0: nothing to do', {}, 0, INACTIVE, longAgo, 0, 'scaling-disabled', false],
    ['paused-scale-in skips the → 0 step', { pause: { pausedScaleIn: true } }, 3, INACTIVE, longAgo, 3, 'selectpolicy-disabled', false],
    ['inactive error, no fallback: no change', {}, 3, INACTIVE_ERROR, longAgo, 3, 'error', false],
    [
      'inactive error with fallback: hold for the fallback',
      { fallback: { failureThreshold: 3, replicas: 5, behavior: 'static' } },
      3,
      INACTIVE_ERROR,
      longAgo,
      3,
      'error',
      false,
    ],
    [
      'inactive error with fallback.replicas 0: may still scale to zero',
      { fallback: { failureThreshold: 3, replicas: 0, behavior: 'static' } },
      3,
      INACTIVE_ERROR,
      longAgo,
      0,
      'scale-to-zero',
      false,
    ],
  ] as const)('%s', (_name, overrides, current, activity, clock, replicas, rule, updatesLastActive) => {
    const step = kedaRequestScale({ object: scaledObject(overrides as ScaledObjectOverrides), current, activity, clock, now: T0 });
    expect(step.replicas).toBe(replicas);
    expect(step.rule).toBe(rule);
    expect(step.lastActiveTime).toBe(updatesLastActive ? T0 : undefined);
  });
});

describe('cooldown timing', () => {
  const object = scaledObject({ cooldownPeriod: 300, initialCooldownPeriod: 120 });

  it.each([
    ['exactly at lastActiveTime + cooldownPeriod: still cooling down', { lastActiveTime: T0 - seconds(300), firstSeenAt: 0 }, false],
    ['1 ms later: elapsed', { lastActiveTime: T0 - seconds(300) - 1, firstSeenAt: 0 }, true],
    ['never active: creation + initialCooldownPeriod, exact instant', { firstSeenAt: T0 - seconds(120) }, false],
    ['never active: 1 ms past the initial cooldown', { firstSeenAt: T0 - seconds(120) - 1 }, true],
  ])('%s', (_name, clock, elapsed) => {
    expect(cooldownElapsed(object, clock, T0)).toBe(elapsed);
  });

  it('initialCooldownPeriod 0 allows scale-in right after the first sighting', () => {
    expect(cooldownElapsed(scaledObject(), { firstSeenAt: T0 - 1 }, T0)).toBe(true);
  });
});
