/**
 * KEDA's own scaling step (`RequestScale`): it handles only 0 ↔ 1 (or idle ↔ min), the cooldown
 * and the raise to min; 1..N belongs to the HPA, which `evaluate` runs right after this step.
 */
import type { ScaledObject } from '../spec/scaled-object';
import type { DecisionRule } from '../evaluate-types';
import type { Activity } from './activation';
import type { CooldownClock } from './cooldown';
import { cooldownElapsed, cooldownEndsAt } from './cooldown';

export interface KedaStepInput {
  object: ScaledObject;
  current: number;
  activity: Activity;
  clock: CooldownClock;
  now: number;
}

export interface KedaStep {
  replicas: number;
  /** Set when this step decided something (moved the count, or held it on purpose). */
  rule?: DecisionRule;
  /** The new `lastActiveTime`, when it changes. */
  lastActiveTime?: number;
  /** KEDA took the target to zero or idle: the HPA must not run on that count in this evaluation. */
  scaledIn: boolean;
  step: string;
  /** A short clause for the one-line message, when this step mattered. */
  note?: string;
}

export function kedaRequestScale(input: KedaStepInput): KedaStep {
  return input.activity.active ? activeStep(input) : inactiveStep(input);
}

function activeStep({ object, current, activity, now }: KedaStepInput): KedaStep {
  const why = object.pause.forceActivation && activity.activeTriggers.length === 0
    ? 'activation forced by annotation'
    : `active (${activity.activeTriggers.join(', ')})`;
  const belowMinWithIdle = object.idleReplicaCount !== undefined && current < object.minReplicaCount;
  if (current === 0 || belowMinWithIdle) {
    if (object.pause.pausedScaleOut) {
      return {
        replicas: current,
        rule: 'selectpolicy-disabled',
        scaledIn: false,
        step: `keda: ${why}, but paused-scale-out keeps ${current}`,
        note: 'activation held by paused-scale-out',
      };
    }
    const replicas = Math.max(object.minReplicaCount, 1);
    return {
      replicas,
      rule: 'activation',
      lastActiveTime: now,
      scaledIn: false,
      step: `keda: ${why}: ${current} → ${replicas}`,
      note: `activated ${current} → ${replicas}`,
    };
  }
  if (activity.isError) {
    // KEDA leaves lastActiveTime alone while some trigger is failing.
    return { replicas: current, scaledIn: false, step: `keda: ${why}, some triggers failed: lastActiveTime not updated` };
  }
  return { replicas: current, lastActiveTime: now, scaledIn: false, step: `keda: ${why}` };
}

function inactiveStep({ object, current, activity, clock, now }: KedaStepInput): KedaStep {
  const { fallback, idleReplicaCount: idle, minReplicaCount: min } = object;
  if (activity.isError && fallback !== undefined && fallback.replicas !== 0) {
    // Holding keeps the target above zero so the fallback can take over once past the threshold.
    return {
      replicas: current,
      rule: 'error',
      scaledIn: false,
      step: 'keda: inactive and triggers failed: holding until the fallback threshold',
      note: 'holding while triggers fail (fallback not reached yet)',
    };
  }
  if (activity.isError && fallback === undefined) {
    return {
      replicas: current,
      rule: 'error',
      scaledIn: false,
      step: 'keda: inactive and triggers failed, no fallback is set: no change',
      note: 'triggers failed and no fallback is set',
    };
  }
  if ((idle !== undefined && current > idle) || (current > 0 && min === 0)) {
    const target = idle ?? min;
    if (object.pause.pausedScaleIn) {
      return {
        replicas: current,
        rule: 'selectpolicy-disabled',
        scaledIn: false,
        step: `keda: inactive, but paused-scale-in keeps ${current}`,
        note: 'scale-in held by paused-scale-in',
      };
    }
    if (cooldownElapsed(object, clock, now)) {
      return {
        replicas: target,
        rule: 'scale-to-zero',
        scaledIn: true,
        step: `keda: inactive past the cooldown: ${current} → ${target}`,
        note: `inactive past the cooldown: scaled in to ${target}`,
      };
    }
    const endsAt = new Date(cooldownEndsAt(object, clock)).toISOString();
    return {
      replicas: current,
      rule: 'cooldown',
      scaledIn: false,
      step: `keda: inactive, cooling down until ${endsAt}`,
      note: `inactive, cooling down until ${endsAt}`,
    };
  }
  if (idle === undefined && current < min) {
    return {
      replicas: min,
      rule: 'below-min',
      scaledIn: false,
      step: `keda: inactive below minReplicaCount: ${current} → ${min}`,
      note: `raised to minReplicaCount ${min}`,
    };
  }
  if (current === 0) {
    return { replicas: 0, rule: 'scaling-disabled', scaledIn: false, step: 'keda: inactive at 0: nothing to do', note: 'inactive at 0' };
  }
  return { replicas: current, scaledIn: false, step: 'keda: inactive: no change' };
}
