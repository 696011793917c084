/**
 * Inputs and outputs of one evaluation of one ScaledObject: KEDA's polling-loop rules followed by
 * the HPA's reconcile, as one pure function of plain data.
 */
import type { ScaledObject } from './spec/scaled-object';
import type { ScalingState } from './scaling-state';
import type { MetricType, TriggerMetricType } from '../triggers/trigger-definition';
import type { PodUsage, ResourcePod } from './hpa/resource-replicas';

/**
 * What a cpu/memory trigger read: the target's pods and their PodMetrics usage. The HPA's
 * calculation runs on it inside the engine, on the count KEDA's step leaves.
 */
export interface ResourceSample {
  pods: readonly ResourcePod[];
  /** Usage by pod name; a pod absent here has missing metrics. */
  usage: ReadonlyMap<string, PodUsage>;
}

/** One trigger's outcome this tick: a metric value, a cpu/memory sample, or the error that prevented either. */
export type TriggerResult =
  | { index: number; ok: true; value: number; active: boolean }
  | { index: number; ok: true; resource: ResourceSample }
  | { index: number; ok: false; error: string; code?: string };

export interface TargetSnapshot {
  /** The target's `spec.replicas` (KEDA and the HPA both use spec, not status). */
  specReplicas: number;
  /** Running and Ready pods matching the target's selector; needed only by `Value` metrics. */
  readyPods?: number;
}

export interface EvaluateInput {
  object: ScaledObject;
  /** Epoch milliseconds: the clock is passed in, never read. */
  now: number;
  target: TargetSnapshot;
  /** One entry per trigger, in trigger order. */
  triggers: TriggerResult[];
  state: ScalingState;
  /**
   * False for an HPA sync between two of KEDA's polls (the HPA syncs every 15 s whatever the
   * pollingInterval): the HPA reconciles on the current count, while KEDA's activation, cooldown and
   * last-active time wait for its next poll. Default true.
   */
  kedaPoll?: boolean;
}

export type ObjectStatus = 'ready' | 'active' | 'fallback' | 'paused' | 'error';

/** Why one trigger proposed what it did. */
export interface TriggerExplanation {
  index: number;
  type: string;
  metricName: string;
  metricType: TriggerMetricType;
  target: number;
  value?: number;
  active?: boolean;
  /** Replicas this metric alone proposes (HPA per-metric replica calculation). */
  proposal?: number;
  /** True when the proposal is within tolerance and kept the current count. */
  withinTolerance?: boolean;
  error?: string;
  /** True when this trigger's value was replaced by its fallback. */
  fallback?: boolean;
}

/** How a scalingModifiers formula turned the triggers into the one composite metric. */
export interface CompositeExplanation {
  formula: string;
  /** Each named trigger's value as the formula read it; null is nil (trigger past its fallback threshold). */
  inputs: Record<string, number | null>;
  /** `formula`, or the fallback that replaced it (`fallback`: a trigger fell back; `nil-fallback`: the formula gave nil). */
  source: 'formula' | 'fallback' | 'nil-fallback';
  value?: number;
  target: number;
  activationTarget: number;
  metricType: MetricType;
  active: boolean;
  fallbackReplicas?: number;
  proposal?: number;
  withinTolerance?: boolean;
  error?: string;
}

/**
 * Which rule or limit set the final count. Stable identifiers: logs, metrics, Kubernetes events,
 * the CLI and tests match on them.
 */
export type DecisionRule =
  | 'paused'
  | 'paused-replicas'
  | 'activation' // KEDA scaled 0 (or idle) up to min
  | 'cooldown' // inactive, waiting for cooldownPeriod before going to zero/idle
  | 'scale-to-zero' // KEDA scaled to zero or idle after cooldown
  | 'below-min' // KEDA or the HPA raised the count to min
  | 'above-max' // the HPA lowered a count above max
  | 'hpa' // the HPA's metric proposal, unchanged by any limit
  | 'tolerance' // every metric within tolerance: no change
  | 'stabilization' // a stabilization window held the count
  | 'rate-limit' // a scaling policy capped the step
  | 'scale-up-limit' // legacy (no behavior) cap max(2x, 4)
  | 'max-replicas'
  | 'min-replicas'
  | 'fallback'
  | 'scaling-disabled' // at zero and inactive: nothing to do
  | 'selectpolicy-disabled' // paused-scale-in/out or selectPolicy Disabled
  | 'error'; // triggers failed with no fallback: no change

export interface Explanation {
  rule: DecisionRule;
  /** One sentence a person reads, e.g. "scaled 2 -> 5: s0-aws-sqs-orders 47/5 wants 10, capped by Pods policy 3/60s". */
  message: string;
  triggers: TriggerExplanation[];
  /** Set with scalingModifiers: the formula's inputs and result (the triggers' own metrics are not used). */
  composite?: CompositeExplanation;
  /** The ordered trail of steps (KEDA step, HPA proposal, stabilization, rate limit, clamp). */
  steps: string[];
}

export interface EvaluateOutput {
  /** The replica count the target should have. */
  desiredReplicas: number;
  /** desiredReplicas !== target.specReplicas and the object is not paused without a count. */
  scale: boolean;
  /** The state to store. Scale events are not in it: call `recordScaleEvent` after a successful patch. */
  state: ScalingState;
  /** The count the HPA reconciled from (after KEDA's step), when it ran: pass it to `recordScaleEvent`. */
  hpaFrom?: number;
  status: ObjectStatus;
  /** Set when status is `error` (or some triggers failed): the reason, for the status column. */
  statusReason?: string;
  active: boolean;
  explanation: Explanation;
}
