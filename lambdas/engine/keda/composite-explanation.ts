/**
 * Words for a scalingModifiers decision: the formula, the trigger values it read, its result
 * against the target, and what the HPA made of it.
 */
import type { CompositeExplanation } from '../evaluate-types';
import type { MetricProposal } from '../hpa/replica-calculator';
import type { ScalingState } from '../scaling-state';
import type { ScalingModifiersSpec } from '../spec/scaled-object';
import type { CompositeMetric } from './composite-metric';
import type { TriggerFacts } from './explanation';
import type { TriggerOutcome } from './trigger-outcomes';
import { formatNumber, statusReasonOf } from './explanation';
import { fromMilli } from './metric-value';

export interface CompositeFacts {
  modifiers: ScalingModifiersSpec;
  composite: CompositeMetric;
  /** The HPA's proposal for the composite metric, when it ran. */
  proposal?: MetricProposal;
}

export function explainComposite({ modifiers, composite, proposal }: CompositeFacts): CompositeExplanation {
  const explanation: CompositeExplanation = {
    formula: modifiers.formula,
    inputs: composite.inputs,
    source: composite.source,
    target: modifiers.target,
    activationTarget: modifiers.activationTarget,
    metricType: modifiers.metricType,
    active: composite.active,
  };
  if (composite.valueMilli !== undefined) explanation.value = fromMilli(composite.valueMilli);
  if (composite.fallbackReplicas !== undefined) explanation.fallbackReplicas = composite.fallbackReplicas;
  if (composite.error !== undefined) explanation.error = composite.error;
  if (proposal?.ok) {
    explanation.proposal = proposal.replicas;
    explanation.withinTolerance = proposal.withinTolerance;
  } else if (proposal && explanation.error === undefined) explanation.error = proposal.error;
  return explanation;
}

function describeInputs(inputs: CompositeMetric['inputs']): string {
  return Object.entries(inputs)
    .map(([name, value]) => `${name}=${value === null ? 'nil' : formatNumber(value)}`)
    .join(', ');
}

/** e.g. "composite-metric max(cron, queue) = 12 (cron=2, queue=12) / 5 → 3 replicas". */
export function compositeSummary({ modifiers, composite, proposal }: CompositeFacts): string {
  const head = `composite-metric ${modifiers.formula}`;
  const inputs = describeInputs(composite.inputs);
  if (composite.error !== undefined) return `${head} (${inputs}): ${composite.error}`;
  const value = formatNumber(fromMilli(composite.valueMilli!));
  const how = composite.source === 'formula' ? `(${inputs})` : `(fallback ${composite.fallbackReplicas} replicas × target)`;
  const reading = `${head} = ${value} ${how} / ${formatNumber(modifiers.target)}`;
  if (!proposal) return `${reading} (${composite.active ? 'active' : 'inactive'})`;
  if (!proposal.ok) return `${reading}: ${proposal.error}`;
  return `${reading}${proposal.withinTolerance ? ' within tolerance' : ''} → ${proposal.replicas} replicas`;
}

/** The status column: the failing triggers, then why the composite has no usable value. */
export function compositeStatusReason(facts: readonly TriggerFacts[], health: ScalingState['health'], { composite, proposal }: CompositeFacts): string | undefined {
  // A trigger read as nil (fallback behavior scalingModifiers) has no fallback count of its own.
  const isNil = (fact: TriggerFacts): fact is TriggerFacts & { outcome: Extract<TriggerOutcome, { kind: 'fallback' }> } =>
    fact.outcome.kind === 'fallback' && fact.outcome.trigger.name !== undefined && composite.inputs[fact.outcome.trigger.name] === null;
  const nilReasons = facts.filter(isNil).map(({ outcome }) => {
    const failures = health[outcome.trigger.metricName]?.numberOfFailures;
    return `${outcome.trigger.metricName}: ${outcome.error} (failed ${failures ?? '?'} times, nil in the formula)`;
  });
  const reasons = [statusReasonOf(facts.filter((fact) => !isNil(fact)), health), ...nilReasons];
  if (composite.error !== undefined) reasons.push(`composite-metric: ${composite.error}`);
  else if (proposal && !proposal.ok) reasons.push(`composite-metric: ${proposal.error}`);
  const text = reasons.filter((reason): reason is string => reason !== undefined).join('; ');
  return text.length > 0 ? text : undefined;
}
