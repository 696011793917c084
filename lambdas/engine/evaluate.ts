/**
 * One evaluation of one ScaledObject: KEDA's polling-loop step (pause, activation, cooldown,
 * fallback) and then, on the count KEDA leaves, the HPA's reconcile (metrics, stabilization,
 * policies), as if the HPA synced right after KEDA. Pure: the clock and the stored state come in,
 * the decision and the state to store go out. See docs/scaling-semantics.md.
 */
import type { EvaluateInput, EvaluateOutput, DecisionRule, ObjectStatus } from './evaluate-types';
import type { ScaledObject } from './spec/scaled-object';
import type { ScalingState } from './scaling-state';
import type { HpaMetric, HpaReconcileResult } from './hpa/reconcile';
import { reconcileHpa } from './hpa/reconcile';
import { tolerancesFor } from './hpa/tolerance';
import { resourceProposal, resourceValueOf } from './hpa/resource-proposal';
import { externalMetricType } from '../triggers/trigger-definition';
import { isResourceTriggerType } from '../triggers/cpu-memory';
import { resolveBehavior } from './hpa/behavior-defaults';
import { recordInitialRecommendation } from './hpa/recommendations';
import { storeScaleEvent } from './hpa/scale-events';
import { activityOf, compositeActivity } from './keda/activation';
import { compositeHpaMetric, compositeMetric } from './keda/composite-metric';
import type { CompositeFacts } from './keda/composite-explanation';
import { compositeStatusReason, compositeSummary, explainComposite } from './keda/composite-explanation';
import { fallbackMetricMilli, fallbackReplicas } from './keda/fallback';
import { kedaMetricMilli } from './keda/metric-value';
import { effectiveHpaBehavior, hpaMinReplicas } from './keda/pause';
import type { KedaStep } from './keda/request-scale';
import { kedaRequestScale } from './keda/request-scale';
import type { TriggerOutcome } from './keda/trigger-outcomes';
import { classifyTriggers } from './keda/trigger-outcomes';
import type { TriggerFacts } from './keda/explanation';
import { decisionMessage, explainTrigger, statusReasonOf } from './keda/explanation';

export function evaluate(input: EvaluateInput): EvaluateOutput {
  assertReplicaCount(input.object, input.target.specReplicas);
  return input.object.pause.paused ? evaluatePaused(input) : evaluateActive(input);
}

/**
 * Records the HPA's part of a successful scale from `fromReplicas` to `toReplicas` (call it after
 * the patch succeeded). KEDA's steps (activation from zero or idle, the inactive raise to min,
 * scale-in to zero or idle) are not HPA scale events. `hpaFrom` is the evaluation's `hpaFrom`: the
 * count the HPA reconciled from, so everything from there on is the HPA's, its raise to min
 * included (upstream stores that rescale like any other). Without it, counts below the HPA's
 * minimum are taken as KEDA's.
 */
export function recordScaleEvent(
  state: ScalingState,
  object: ScaledObject,
  fromReplicas: number,
  toReplicas: number,
  now: number,
  hpaFrom?: number,
): ScalingState {
  const behavior = effectiveHpaBehavior(object);
  // Without a behavior block (or with the HPA deleted by a pause) the HPA keeps no events.
  if (behavior === undefined || object.pause.paused) return state;
  const floor = hpaMinReplicas(object);
  if (toReplicas < floor) return state;
  const from = hpaFrom ?? Math.max(fromReplicas, floor);
  if (from === toReplicas) return state;
  const rules = resolveBehavior(behavior);
  return toReplicas > from
    ? { ...state, scaleUpEvents: storeScaleEvent(state.scaleUpEvents, toReplicas - from, rules.scaleUp, now) }
    : { ...state, scaleDownEvents: storeScaleEvent(state.scaleDownEvents, from - toReplicas, rules.scaleDown, now) };
}

function assertReplicaCount(object: ScaledObject, replicas: number): void {
  if (!Number.isInteger(replicas) || replicas < 0) {
    throw new Error(`${object.id}: the scale target's spec.replicas is ${replicas}; expected a whole number >= 0 from the scale subresource`);
  }
}

/** `paused` freezes the count, `paused-replicas` sets it; KEDA deletes the HPA in both cases. */
function evaluatePaused(input: EvaluateInput): EvaluateOutput {
  const { object, state } = input;
  const current = input.target.specReplicas;
  const pausedReplicas = object.pause.pausedReplicas;
  const desired = pausedReplicas ?? current;
  const rule: DecisionRule = pausedReplicas === undefined ? 'paused' : 'paused-replicas';
  // The HPA controller forgets a deleted HPA's history; a later unpause starts a fresh one.
  const { recommendations: _forgotten, ...kept } = state;
  const nextState: ScalingState = { ...kept, scaleUpEvents: [], scaleDownEvents: [] };
  const why = pausedReplicas === undefined ? 'paused (autoscaling.keda.sh/paused)' : `paused at ${pausedReplicas} (autoscaling.keda.sh/paused-replicas)`;
  const triggers = input.triggers.length > 0 ? classifyTriggers(object, input.triggers, state.health, input.target.readyPods).outcomes : [];
  const facts = triggers.map((outcome) => ({ outcome }));
  return {
    desiredReplicas: desired,
    scale: desired !== current,
    state: nextState,
    status: 'paused',
    active: false,
    explanation: {
      rule,
      message: decisionMessage(current, desired, [], [why]),
      triggers: facts.map(explainTrigger),
      steps: [`keda: ${why}: no trigger or HPA logic runs`],
    },
  };
}

function evaluateActive(input: EvaluateInput): EvaluateOutput {
  const { object, now, state } = input;
  const current = input.target.specReplicas;
  const { readyPods } = input.target;
  const modifiers = object.scalingModifiers;

  const { outcomes, health } = classifyTriggers(object, input.triggers, state.health, readyPods);
  // KEDA reads the fallback behaviors' spec.replicas as the target has it when it polls.
  const polledComposite = modifiers ? compositeMetric(object, modifiers, outcomes, current, readyPods) : undefined;
  const activity = polledComposite ? compositeActivity(object, polledComposite) : activityOf(object, outcomes);
  const keda = input.kedaPoll === false ? betweenPolls(current) : kedaRequestScale({ object, current, activity, clock: state, now });
  let nextState: ScalingState = { ...state, health };
  if (keda.lastActiveTime !== undefined) nextState.lastActiveTime = keda.lastActiveTime;

  // Fallback counts come from the count the HPA sees, i.e. after KEDA's step.
  const facts: TriggerFacts[] = outcomes.map((outcome) => factsFor(outcome, object, keda.replicas, readyPods, now));
  const composite: CompositeFacts | undefined = modifiers ? { modifiers, composite: compositeMetric(object, modifiers, outcomes, keda.replicas, readyPods) } : undefined;
  // With scalingModifiers the HPA sees the composite metric and the cpu/memory metrics (KEDA keeps
  // those on the HPA); the other triggers only feed the formula.
  const hpaFacts = composite ? facts.filter((fact) => isResourceTriggerType(fact.outcome.trigger.type)) : facts;
  if (composite) for (const fact of facts) if (!hpaFacts.includes(fact)) delete fact.metric;
  let hpa: HpaReconcileResult | undefined;
  if (keda.replicas >= 1 && !keda.scaledIn) {
    hpa = reconcileHpa({
      current: keda.replicas,
      minReplicas: hpaMinReplicas(object),
      maxReplicas: object.maxReplicaCount,
      metrics: [...(composite ? [compositeHpaMetric(composite.modifiers, composite.composite)] : []), ...hpaFacts.map((fact) => fact.metric!)],
      ...(readyPods === undefined ? {} : { readyPods }),
      behavior: effectiveHpaBehavior(object),
      ...(state.recommendations === undefined ? {} : { recommendations: state.recommendations }),
      history: state,
      now,
    });
    const factProposals = composite ? hpa.proposals.slice(1) : hpa.proposals;
    if (composite && hpa.proposals[0]) composite.proposal = hpa.proposals[0];
    factProposals.forEach((proposal, index) => {
      if (proposal) hpaFacts[index]!.proposal = proposal;
    });
    if (hpa.recommendations) nextState = { ...nextState, recommendations: hpa.recommendations };
  } else {
    for (const fact of facts) delete fact.metric;
    // The HPA (which KEDA keeps at 0) seeds its history before its zero check: upstream
    // reconcileAutoscaler calls recordInitialRecommendation first, so a fresh object at 0 has {0, now}.
    nextState = { ...nextState, recommendations: recordInitialRecommendation(state.recommendations, keda.replicas, now) };
  }

  const desired = hpa ? hpa.desired : keda.replicas;
  const rule = decisionRule(keda, hpa, facts, composite);
  const notes = [
    composite ? compositeSummary(composite) : undefined,
    keda.note,
    hpa && hpa.desired !== keda.replicas ? hpa.limitNote : undefined,
  ].filter((note): note is string => note !== undefined);
  const statusReason = composite ? compositeStatusReason(facts, health, composite) : statusReasonOf(facts, health);
  const fallingBack = composite ? compositeFallingBack(composite, outcomes) : facts.some(isUsableFallback);
  return {
    desiredReplicas: desired,
    scale: desired !== current,
    state: nextState,
    ...(hpa ? { hpaFrom: keda.replicas } : {}),
    status: statusOf(fallingBack, activity.active, statusReason),
    ...(statusReason === undefined ? {} : { statusReason }),
    active: activity.active,
    explanation: {
      rule,
      message: decisionMessage(current, desired, composite ? [] : facts, notes),
      triggers: facts.map(explainTrigger),
      ...(composite ? { composite: explainComposite(composite) } : {}),
      steps: [keda.step, ...(hpa?.steps ?? [])],
    },
  };
}

/** Between KEDA's polls its loop does not run: the count stays as it is for the HPA to reconcile. */
function betweenPolls(current: number): KedaStep {
  return { replicas: current, scaledIn: false, step: 'keda: between polls (HPA sync only): activation and cooldown wait for the next poll' };
}

/**
 * What the HPA is given for one trigger: its value, its fallback value, its error, or for cpu and
 * memory the proposal of the HPA's resource calculation on the count KEDA's step left.
 */
function factsFor(outcome: TriggerOutcome, object: ScaledObject, hpaCurrent: number, readyPods: number | undefined, now: number): TriggerFacts {
  const { trigger } = outcome;
  const base = { metricName: trigger.metricName, metricType: trigger.metricType, targetMilli: kedaMetricMilli(trigger.target) };
  if (outcome.kind === 'value') return { outcome, metric: { ...base, valueMilli: outcome.valueMilli } };
  if (outcome.kind === 'resource') {
    const proposal = resourceProposal(trigger, outcome.sample, hpaCurrent, tolerancesFor(effectiveHpaBehavior(object)), now);
    const value = resourceValueOf(trigger, proposal);
    return { outcome, metric: { ...base, proposal }, ...(value === undefined ? {} : { resourceValue: value }) };
  }
  if (outcome.kind === 'error' || object.fallback === undefined) return { outcome, metric: { ...base, error: outcome.error } };
  const replicas = fallbackReplicas(object.fallback, hpaCurrent);
  const value = fallbackMetricMilli(base.targetMilli, externalMetricType(trigger.metricType), replicas, readyPods);
  const metric: HpaMetric = value.ok ? { ...base, valueMilli: value.valueMilli } : { ...base, error: value.error };
  return { outcome, metric, fallbackReplicas: replicas };
}

/**
 * The rule that set the final count: the HPA's when it moved the count, else KEDA's when its step
 * decided something, else the HPA's reason for holding.
 */
function decisionRule(keda: KedaStep, hpa: HpaReconcileResult | undefined, facts: readonly TriggerFacts[], composite: CompositeFacts | undefined): DecisionRule {
  if (hpa && (hpa.desired !== keda.replicas || keda.rule === undefined)) {
    const fallback = composite ? composite.composite.source !== 'formula' && composite.proposal?.ok === true : drivenByFallback(hpa, facts);
    if (hpa.rule === 'hpa' && fallback) return 'fallback';
    return hpa.rule;
  }
  return keda.rule ?? 'scaling-disabled';
}

function drivenByFallback(hpa: HpaReconcileResult, facts: readonly TriggerFacts[]): boolean {
  return facts.some(
    (fact) => fact.outcome.kind === 'fallback' && fact.proposal?.ok === true && fact.proposal.replicas === hpa.metricProposal,
  );
}

/** The composite stands on a fallback: its own, or a trigger read as nil (behavior scalingModifiers). */
function compositeFallingBack({ composite }: CompositeFacts, outcomes: readonly TriggerOutcome[]): boolean {
  return composite.error === undefined && (composite.source !== 'formula' || outcomes.some((outcome) => outcome.kind === 'fallback'));
}

/** A fallback the HPA could not use (Value metric, no ready pod) is an error, not a fallback. */
function isUsableFallback(fact: TriggerFacts): boolean {
  return fact.outcome.kind === 'fallback' && fact.proposal?.ok !== false;
}

function statusOf(fallingBack: boolean, active: boolean, statusReason: string | undefined): ObjectStatus {
  if (fallingBack) return 'fallback';
  if (statusReason !== undefined) return 'error';
  return active ? 'active' : 'ready';
}
