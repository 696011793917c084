/**
 * The HPA's record of its own scale changes (`storeScaleEvent`), which the rate-limit policies
 * measure against. Only kept when a behavior block applies.
 */
import type { TimestampedCount } from '../scaling-state';
import type { ResolvedScalingRules } from './behavior-defaults';
import { addInt32 } from './int32';

/** Replicas changed by events inside the last `periodSeconds`; an event exactly `period` old is outside. */
export function changeInPeriod(events: readonly TimestampedCount[], periodSeconds: number, now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let replicas = 0;
  for (const event of events) if (event.timestamp > cutoff) replicas = addInt32(replicas, event.replicas);
  return replicas;
}

export function longestPolicyPeriodSeconds(rules: ResolvedScalingRules): number {
  return rules.policies.reduce((longest, policy) => Math.max(longest, policy.periodSeconds), 0);
}

/**
 * Appends a change of `replicas` (non-negative). Upstream marks events older than the direction's
 * longest period as outdated and reuses a slot; no policy can see them any more, so dropping them
 * gives the same limits and keeps the stored list short.
 */
export function storeScaleEvent(
  events: readonly TimestampedCount[],
  replicas: number,
  rules: ResolvedScalingRules,
  now: number,
): TimestampedCount[] {
  const cutoff = now - longestPolicyPeriodSeconds(rules) * 1000;
  return [...events.filter((event) => !(event.timestamp < cutoff)), { replicas, timestamp: now }];
}
