/**
 * Words for a decision: the per-trigger explanation, the status reason and the one-line message
 * a person reads in logs, Kubernetes events and the CLI.
 */
import type { ScalingState } from '../scaling-state';
import type { TriggerExplanation } from '../evaluate-types';
import type { MetricProposal } from '../hpa/replica-calculator';
import type { HpaMetric } from '../hpa/reconcile';
import type { TriggerOutcome } from './trigger-outcomes';
import { fromMilli } from './metric-value';

export interface TriggerFacts {
  outcome: TriggerOutcome;
  /** What the HPA was given for this trigger, when it ran. */
  metric?: HpaMetric;
  proposal?: MetricProposal;
  /** The fallback replica count, for triggers in fallback. */
  fallbackReplicas?: number;
  /** cpu/memory: the measured utilization (percent) or average usage (cores, bytes) per pod. */
  resourceValue?: number;
}

export function explainTrigger(facts: TriggerFacts): TriggerExplanation {
  const { outcome, metric, proposal } = facts;
  const { trigger } = outcome;
  const explanation: TriggerExplanation = {
    index: trigger.index,
    type: trigger.type,
    metricName: trigger.metricName,
    metricType: trigger.metricType,
    target: trigger.target,
  };
  if (outcome.kind === 'value') {
    explanation.value = outcome.value;
    explanation.active = outcome.active;
  } else if (outcome.kind === 'resource') {
    // The HPA's own metric: KEDA never reads it, so it is never active.
    explanation.active = false;
    if (facts.resourceValue !== undefined) explanation.value = facts.resourceValue;
  } else {
    explanation.error = outcome.error;
  }
  if (outcome.kind === 'fallback') {
    explanation.fallback = true;
    explanation.active = true;
    if (metric?.valueMilli !== undefined) explanation.value = fromMilli(metric.valueMilli);
  }
  if (proposal?.ok) {
    explanation.proposal = proposal.replicas;
    explanation.withinTolerance = proposal.withinTolerance;
  } else if (proposal && explanation.error === undefined) {
    explanation.error = proposal.error;
  } else if (proposal && outcome.kind === 'fallback') {
    explanation.error = `${outcome.error}; ${proposal.error}`;
  }
  return explanation;
}

/** Numbers as people write them: integers plain, fractions to at most 3 decimals. */
export function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3)));
}

function summarizeTrigger(facts: TriggerFacts): string {
  const { outcome, proposal, fallbackReplicas } = facts;
  const name = outcome.trigger.metricName;
  if (outcome.kind === 'error') return `${name} failed: ${outcome.error}`;
  if (outcome.kind === 'fallback') {
    const fallback = `${name} failed (${outcome.error}), fallback ${fallbackReplicas ?? '?'} replicas`;
    return proposal && !proposal.ok ? `${fallback} unusable: ${proposal.error}` : fallback;
  }
  if (outcome.kind === 'resource') {
    const measured = facts.resourceValue === undefined ? '?' : formatNumber(facts.resourceValue);
    const reading = `${name} ${measured} / ${formatNumber(outcome.trigger.target)}${outcome.trigger.metricType === 'Utilization' ? '%' : ''}`;
    if (!proposal) return `${reading} (the HPA did not run)`;
    if (!proposal.ok) return `${name}: ${proposal.error}`;
    return proposal.withinTolerance ? `${reading} within tolerance → ${proposal.replicas} replicas` : `${reading} → ${proposal.replicas} replicas`;
  }
  const reading = `${name} ${formatNumber(outcome.value)} / ${formatNumber(outcome.trigger.target)}`;
  if (!proposal) return `${reading} (${outcome.active ? 'active' : 'inactive'})`;
  if (!proposal.ok) return `${reading}: ${proposal.error}`;
  return proposal.withinTolerance ? `${reading} within tolerance → ${proposal.replicas} replicas` : `${reading} → ${proposal.replicas} replicas`;
}

/** e.g. "scaled 2 → 5: s0-aws-sqs-orders 47 / 5 → 10 replicas; capped to 5 by scaleUp policy Pods 3 per 60s". */
export function decisionMessage(from: number, to: number, triggers: readonly TriggerFacts[], notes: readonly string[]): string {
  const head = from === to ? `kept ${from}` : `scaled ${from} → ${to}`;
  const parts = [triggers.map(summarizeTrigger).join(', '), ...notes].filter((part) => part.length > 0);
  return parts.length > 0 ? `${head}: ${parts.join('; ')}` : head;
}

/** The status column: which triggers fail and why, and which ones run on their fallback. */
export function statusReasonOf(triggers: readonly TriggerFacts[], health: ScalingState['health']): string | undefined {
  const reasons: string[] = [];
  for (const { outcome, proposal, fallbackReplicas } of triggers) {
    const name = outcome.trigger.metricName;
    if (outcome.kind === 'error') reasons.push(`${name}: ${outcome.error}`);
    else if (outcome.kind === 'fallback') {
      const failures = health[name]?.numberOfFailures;
      const unusable = proposal && !proposal.ok ? `; fallback unusable: ${proposal.error}` : '';
      reasons.push(`${name}: ${outcome.error} (failed ${failures ?? '?'} times, fallback ${fallbackReplicas ?? '?'} replicas${unusable})`);
    } else if (proposal && !proposal.ok) reasons.push(`${name}: ${proposal.error}`);
  }
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}
