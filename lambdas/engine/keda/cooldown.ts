/**
 * When KEDA may take an inactive object to zero (or idle): strictly after `lastActiveTime +
 * cooldownPeriod`, or, before the object was ever active, after `creation + initialCooldownPeriod`.
 */
import type { ScaledObject } from '../spec/scaled-object';

export interface CooldownClock {
  lastActiveTime?: number;
  /** KEDA's creationTimestamp: when the scaler first saw the object. */
  firstSeenAt: number;
}

/** Epoch ms at which the cooldown ends; scaling in is allowed only when `now` is past it. */
export function cooldownEndsAt(object: ScaledObject, clock: CooldownClock): number {
  return clock.lastActiveTime === undefined
    ? clock.firstSeenAt + object.initialCooldownPeriod * 1000
    : clock.lastActiveTime + object.cooldownPeriod * 1000;
}

/** Go's `Add(period).Before(now)`: the exact end instant is still cooling down. */
export function cooldownElapsed(object: ScaledObject, clock: CooldownClock, now: number): boolean {
  return cooldownEndsAt(object, clock) < now;
}
