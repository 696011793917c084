/**
 * One HPA reconcile pass over external metrics (`reconcileAutoscaler`): seed the history, take the
 * out-of-range shortcuts, compute each metric's proposal, combine them, then normalize with or
 * without a behavior block. Pure: the history comes in and goes out.
 */
import type { HpaBehavior, HpaScalingPolicy } from '../spec/scaled-object';
import type { TriggerMetricType } from '../../triggers/trigger-definition';
import type { TimestampedCount } from '../scaling-state';
import type { DecisionRule } from '../evaluate-types';
import type { MetricProposal } from './replica-calculator';
import { averageValueReplicas, valueReplicas } from './replica-calculator';
import { tolerancesFor } from './tolerance';
import { combineProposals } from './metric-combination';
import { recordInitialRecommendation } from './recommendations';
import { normalizeLegacy } from './legacy-normalization';
import type { BehaviorNormalizationResult } from './behavior-normalization';
import { normalizeWithBehavior } from './behavior-normalization';
import { resolveBehavior } from './behavior-defaults';
import type { ScaleHistory } from './rate-limit';

export interface HpaMetric {
  metricName: string;
  metricType: TriggerMetricType;
  targetMilli: number;
  /** Integer milli-units; undefined when the metric could not be read (then `error` says why). */
  valueMilli?: number;
  error?: string;
  /**
   * A resource metric's (cpu, memory) proposal, computed from the pods by resource-replicas.ts: the
   * HPA's resource path does not go through a single metric value, so it arrives already made.
   */
  proposal?: MetricProposal;
}

export interface HpaReconcileInput {
  /** The target's spec.replicas as the HPA sees it. */
  current: number;
  /** The HPA's own minReplicas (KEDA: max(1, minReplicaCount)). */
  minReplicas: number;
  maxReplicas: number;
  metrics: readonly HpaMetric[];
  readyPods?: number;
  /** The HPA's spec.behavior; undefined selects the legacy normalization. */
  behavior?: HpaBehavior;
  recommendations?: readonly TimestampedCount[];
  history: ScaleHistory;
  now: number;
}

export interface HpaReconcileResult {
  desired: number;
  rule: DecisionRule;
  /** Per metric, in input order; undefined when a shortcut skipped the metrics. */
  proposals: (MetricProposal | undefined)[];
  /** The combined (max) proposal before normalization. */
  metricProposal?: number;
  /** Set when some or all metrics failed. */
  error?: string;
  recommendations?: TimestampedCount[];
  steps: string[];
  /** How a limit changed the count, for the one-line message (e.g. "capped to 5 by scaleUp policy Pods 3 per 60s"). */
  limitNote?: string;
}

function proposalFor(metric: HpaMetric, input: HpaReconcileInput): MetricProposal {
  if (metric.proposal) return metric.proposal;
  if (metric.valueMilli === undefined) return { ok: false, error: metric.error ?? 'no metric value' };
  const tolerances = tolerancesFor(input.behavior);
  // We only know spec.replicas, so it stands in for status.replicas in the tolerance check.
  return metric.metricType === 'Value'
    ? valueReplicas(metric.valueMilli, metric.targetMilli, input.current, input.readyPods, tolerances)
    : averageValueReplicas(metric.valueMilli, metric.targetMilli, input.current, tolerances);
}

function describePolicy(policy: HpaScalingPolicy): string {
  return `${policy.type} ${policy.value} per ${policy.periodSeconds}s`;
}

export function reconcileHpa(input: HpaReconcileInput): HpaReconcileResult {
  const { current, minReplicas, maxReplicas } = input;
  const recommendations = recordInitialRecommendation(input.recommendations, current, input.now);
  const none = input.metrics.map(() => undefined);

  if (current === 0 && minReplicas !== 0) {
    return { desired: 0, rule: 'scaling-disabled', proposals: none, recommendations, steps: ['hpa: at 0 replicas, scaling is disabled'] };
  }
  if (current > maxReplicas) {
    const steps = [`hpa: ${current} is above maxReplicas ${maxReplicas} → ${maxReplicas}`];
    return { desired: maxReplicas, rule: 'above-max', proposals: none, recommendations, steps, limitNote: `lowered to max ${maxReplicas}` };
  }
  if (current < minReplicas) {
    const steps = [`hpa: ${current} is below minReplicas ${minReplicas} → ${minReplicas}`];
    return { desired: minReplicas, rule: 'below-min', proposals: none, recommendations, steps, limitNote: `raised to min ${minReplicas}` };
  }

  const proposals = input.metrics.map((metric) => proposalFor(metric, input));
  const steps = input.metrics.map((metric, index) => {
    const proposal = proposals[index]!;
    if (!proposal.ok) return `hpa: ${metric.metricName} failed: ${proposal.error}`;
    const tolerance = proposal.withinTolerance ? ' (within tolerance)' : '';
    return `hpa: ${metric.metricName} ${metric.metricType} ratio ${round(proposal.ratio)} → ${proposal.replicas}${tolerance}`;
  });
  const combined = combineProposals(proposals, current);
  if (!combined.ok) {
    steps.push(`hpa: no scaling: ${combined.error}`);
    return { desired: current, rule: 'error', proposals, error: combined.error, recommendations, steps };
  }
  const desired = combined.replicas;
  const error = combined.partialError;
  steps.push(`hpa: max over metrics → ${desired}`);
  const tolerance = combined.allWithinTolerance;
  const common = { proposals, metricProposal: desired, ...(error ? { error } : {}) };

  if (input.behavior === undefined) {
    const legacy = normalizeLegacy({ current, desired, minReplicas, maxReplicas, recommendations, now: input.now });
    const result = { ...common, desired: legacy.replicas, recommendations: legacy.recommendations, steps };
    if (legacy.stabilized !== desired) steps.push(`hpa: highest recommendation in the last 300s → ${legacy.stabilized}`);
    switch (legacy.limit) {
      case 'TooFewReplicas':
        steps.push(`hpa: below minReplicas → ${legacy.replicas}`);
        return { ...result, rule: 'min-replicas', limitNote: `raised to min ${legacy.replicas}` };
      case 'ScaleUpLimit':
        steps.push(`hpa: scale-up limit max(2 × ${current}, 4) → ${legacy.replicas}`);
        return { ...result, rule: 'scale-up-limit', limitNote: `capped to ${legacy.replicas} by the scale-up limit max(2 × ${current}, 4)` };
      case 'TooManyReplicas':
        steps.push(`hpa: above maxReplicas → ${legacy.replicas}`);
        return { ...result, rule: 'max-replicas', limitNote: `capped to max ${legacy.replicas}` };
      default:
        if (legacy.stabilized !== desired) {
          return { ...result, rule: 'stabilization', limitNote: `held at ${legacy.replicas} by the highest recommendation in the last 300s` };
        }
        return { ...result, rule: tolerance && legacy.replicas === current ? 'tolerance' : 'hpa' };
    }
  }

  const behavior = resolveBehavior(input.behavior);
  const normalized = normalizeWithBehavior({
    current,
    desired,
    minReplicas,
    maxReplicas,
    behavior,
    recommendations,
    history: input.history,
    now: input.now,
  });
  const result = { ...common, desired: normalized.replicas, recommendations: normalized.recommendations, steps };
  const stabilized = normalized.stabilization.replicas;
  steps.push(stabilizationStep(normalized, behavior.scaleUp.stabilizationWindowSeconds, behavior.scaleDown.stabilizationWindowSeconds));
  const limited = behaviorLimit(normalized, current);
  if (limited) {
    steps.push(`hpa: ${limited.note}`);
    return { ...result, rule: limited.rule, limitNote: limited.note };
  }
  if (stabilized !== desired) {
    const window = desired > stabilized ? 'scaleUp' : 'scaleDown';
    const seconds = window === 'scaleUp' ? behavior.scaleUp.stabilizationWindowSeconds : behavior.scaleDown.stabilizationWindowSeconds;
    return { ...result, rule: 'stabilization', limitNote: `held at ${stabilized} by the ${window} stabilization window (${seconds}s)` };
  }
  return { ...result, rule: tolerance && normalized.replicas === current ? 'tolerance' : 'hpa' };
}

function stabilizationStep(normalized: BehaviorNormalizationResult, upSeconds: number, downSeconds: number): string {
  const { upRecommendation, downRecommendation, replicas } = normalized.stabilization;
  return `hpa: stabilization (scaleUp ${upSeconds}s lowest ${upRecommendation}, scaleDown ${downSeconds}s highest ${downRecommendation}) → ${replicas}`;
}

function behaviorLimit(normalized: BehaviorNormalizationResult, current: number): { rule: DecisionRule; note: string } | undefined {
  const { limit, policyLimit, direction, replicas } = normalized;
  if (limit === undefined || direction === undefined) return undefined;
  const rules = direction === 'up' ? 'scaleUp' : 'scaleDown';
  if (limit === 'TooManyReplicas') return { rule: 'max-replicas', note: `capped to max ${replicas}` };
  if (limit === 'TooFewReplicas') return { rule: 'min-replicas', note: `held at min ${replicas}` };
  if (policyLimit?.disabled) return { rule: 'selectpolicy-disabled', note: `kept at ${current}: ${rules} selectPolicy is Disabled` };
  const verb = direction === 'up' ? 'capped' : 'limited';
  const by = policyLimit?.selected ? `${rules} policy ${describePolicy(policyLimit.selected)}` : `${rules} policies`;
  return { rule: 'rate-limit', note: `${verb} to ${replicas} by ${by}` };
}

function round(value: number): string {
  return Number.isFinite(value) ? String(Math.round(value * 1000) / 1000) : String(value);
}
