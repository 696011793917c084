/**
 * How many Jobs a ScaledJob creates this poll, exactly as KEDA v2.20 computes it:
 * - per trigger, queue length and "max value" (queue / target, capped): pkg/scaling/scaledjob/metrics.go
 *   CalculateQueueLengthAndMaxValue, called from scale_handler.go getScaledJobMetrics;
 * - the triggers combined (max/min/avg/sum) and the activity rule: metrics.go IsScaledJobActive;
 * - minReplicaCount, the four strategies and the final cap: pkg/scaling/executor/scale_jobs.go
 *   getScalingDecision, GetEffectiveMaxScale, RequestJobScale and createJobs;
 * - the min/max KEDA actually uses: apis/keda/v1alpha1/scaledjob_types.go MinReplicaCount()/MaxReplicaCount().
 * Pure: plain numbers in, a decision with its reason out.
 */
import type { MultipleScalersCalculation, ScaledJobScalingStrategy } from '../spec/scaled-job';

/** One trigger that answered this poll (a trigger that failed is left out, as KEDA `continue`s past it). */
export interface ScaledJobTriggerMetric {
  /** The trigger's metric value: the number of work items waiting (e.g. SQS messages). */
  queueLength: number;
  /** The trigger's target: how many items one Job takes. */
  targetAverageValue: number;
  /** The trigger's own activity (value above its activation threshold). */
  isActive: boolean;
}

export interface ScaledJobScalingInput {
  metrics: readonly ScaledJobTriggerMetric[];
  scalingStrategy: Pick<ScaledJobScalingStrategy, 'strategy' | 'customScalingQueueLengthDeduction' | 'customScalingRunningJobPercentage' | 'multipleScalersCalculation'>;
  /** Jobs of this ScaledJob not yet Complete or Failed. */
  runningJobCount: number;
  /** Of those, Jobs whose pods have not started (or lack the pendingPodConditions). */
  pendingJobCount: number;
  minReplicaCount: number;
  maxReplicaCount: number;
  /** Whether maxReplicaCount was written (KEDA subtracts min only from a written max). */
  maxReplicaCountSet: boolean;
}

export interface ScaledJobScalingDecision {
  /** Some trigger is active, or minReplicaCount > 0: only then are Jobs created. */
  isActive: boolean;
  /** ceil of the combined queue length: KEDA's `scaleTo` before the strategy. */
  queueLength: number;
  /** ceil of the combined queue/target, capped by the max KEDA uses: KEDA's `maxScale`. */
  maxScale: number;
  /** What the strategy (or minReplicaCount) allows now, never below 0. */
  effectiveMaxScale: number;
  /** Jobs to create this poll. */
  jobsToCreate: number;
  /** One line a person can check against the numbers. */
  reason: string;
}

/** KEDA's ScaledJob.MinReplicaCount(): a min above a written max is the max. */
export function kedaMinReplicaCount(min: number, max: number, maxSet: boolean): number {
  return maxSet && min > max ? max : min;
}

/** KEDA's ScaledJob.MaxReplicaCount(): the Jobs allowed beyond minReplicaCount (the default 100 is not reduced). */
export function kedaMaxReplicaCount(min: number, max: number, maxSet: boolean): number {
  if (!maxSet) return max;
  return min > max ? max : max - min;
}

/** metrics.go CalculateQueueLengthAndMaxValue for one trigger with one metric. */
export function triggerMaxValue(metric: ScaledJobTriggerMetric, maxReplicaCount: number): number {
  if (metric.targetAverageValue === 0) return 0;
  return Math.min(metric.queueLength / metric.targetAverageValue, maxReplicaCount);
}

interface Combined {
  isActive: boolean;
  queueLength: number;
  maxValue: number;
}

/** metrics.go IsScaledJobActive, before its minReplicaCount rule and final cap (kept literal, quirks included). */
export function combineTriggerMetrics(metrics: readonly { queueLength: number; maxValue: number; isActive: boolean }[], calculation: MultipleScalersCalculation): Combined {
  let queueLength = 0;
  let maxValue = 0;
  let isActive = false;
  switch (calculation) {
    case 'min':
      for (const metric of metrics) {
        // Upstream's `queueLength == 0 ||`: an active trigger at 0 is replaced by the next active one.
        if ((queueLength === 0 || metric.queueLength < queueLength) && metric.isActive) {
          ({ queueLength, maxValue, isActive } = metric);
        }
      }
      break;
    case 'avg': {
      let queueSum = 0;
      let maxSum = 0;
      let count = 0;
      for (const metric of metrics) {
        if (!metric.isActive) continue;
        queueSum += metric.queueLength;
        maxSum += metric.maxValue;
        isActive = true;
        count++;
      }
      if (count !== 0) {
        queueLength = queueSum / count;
        maxValue = maxSum / count;
      }
      break;
    }
    case 'sum':
      for (const metric of metrics) {
        if (!metric.isActive) continue;
        queueLength += metric.queueLength;
        maxValue += metric.maxValue;
        isActive = true;
      }
      break;
    case 'max':
      for (const metric of metrics) {
        if (metric.queueLength > queueLength && metric.isActive) {
          ({ queueLength, maxValue, isActive } = metric);
        }
      }
      break;
  }
  return { isActive, queueLength, maxValue };
}

/**
 * scale_jobs.go GetEffectiveMaxScale of each strategy: (effectiveMaxScale, scaleTo). `runningJobCount`
 * here is already net of minReplicaCount, and `maxReplicaCount` is KEDA's MaxReplicaCount().
 */
export function strategyEffectiveMaxScale(
  strategy: ScaledJobScalingInput['scalingStrategy'],
  maxScale: number,
  runningJobCount: number,
  pendingJobCount: number,
  maxReplicaCount: number,
  scaleTo: number,
): [effectiveMaxScale: number, scaleTo: number] {
  switch (strategy.strategy) {
    case 'custom': {
      // NewScalingStrategy: without a parsable percentage, custom is the default strategy.
      if (strategy.customScalingRunningJobPercentage === undefined) return [maxScale - runningJobCount, scaleTo];
      const deduction = strategy.customScalingQueueLengthDeduction ?? 0;
      // Go's int64(float64) conversion truncates toward zero.
      const result = maxScale - deduction - Math.trunc(runningJobCount * strategy.customScalingRunningJobPercentage);
      return [Math.min(result, maxReplicaCount), scaleTo];
    }
    case 'accurate':
      if (maxScale + runningJobCount - pendingJobCount > maxReplicaCount) return [maxReplicaCount - runningJobCount, scaleTo];
      return [maxScale - pendingJobCount, scaleTo];
    case 'eager':
      return [Math.min(maxReplicaCount - runningJobCount - pendingJobCount, maxScale), maxReplicaCount];
    case 'default':
      return [maxScale - runningJobCount, scaleTo];
  }
}

/** The whole poll's decision: metrics → IsScaledJobActive → getScalingDecision → createJobs. */
export function decideScaledJobScale(input: ScaledJobScalingInput): ScaledJobScalingDecision {
  for (const [name, value] of [['runningJobCount', input.runningJobCount], ['pendingJobCount', input.pendingJobCount]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a whole number of Jobs >= 0, got ${String(value)}`);
  }
  for (const [index, metric] of input.metrics.entries()) {
    if (!Number.isFinite(metric.queueLength) || !Number.isFinite(metric.targetAverageValue)) {
      throw new Error(`trigger metric ${index} is not a number (queueLength ${String(metric.queueLength)}, target ${String(metric.targetAverageValue)}); leave a failed trigger out instead`);
    }
  }
  const min = kedaMinReplicaCount(input.minReplicaCount, input.maxReplicaCount, input.maxReplicaCountSet);
  const max = kedaMaxReplicaCount(input.minReplicaCount, input.maxReplicaCount, input.maxReplicaCountSet);
  const perTrigger = input.metrics.map((metric) => ({ queueLength: metric.queueLength, maxValue: triggerMaxValue(metric, max), isActive: metric.isActive }));
  const combined = combineTriggerMetrics(perTrigger, input.scalingStrategy.multipleScalersCalculation);
  const isActive = combined.isActive || min > 0;
  const queueLength = Math.ceil(combined.queueLength);
  const maxScale = Math.ceil(Math.min(combined.maxValue, max));

  let effectiveMaxScale: number;
  let scaleTo: number;
  const belowMin = input.runningJobCount < min;
  if (belowMin) {
    scaleTo = min - input.runningJobCount;
    effectiveMaxScale = scaleTo;
  } else {
    [effectiveMaxScale, scaleTo] = strategyEffectiveMaxScale(input.scalingStrategy, maxScale, input.runningJobCount - min, input.pendingJobCount, max, queueLength);
  }
  effectiveMaxScale = Math.max(0, effectiveMaxScale);

  // createJobs: nothing when the room is 0; otherwise the smaller of scaleTo and the room.
  const jobsToCreate = !isActive || effectiveMaxScale <= 0 ? 0 : Math.max(0, Math.min(scaleTo, effectiveMaxScale));
  const jobs = `${input.runningJobCount} running (${input.pendingJobCount} pending)`;
  let reason: string;
  if (!isActive) reason = `no trigger is active and minReplicaCount is 0; ${jobs}; no Jobs created`;
  else if (belowMin) reason = `${jobs}, below minReplicaCount ${min}: creating ${jobsToCreate}`;
  else {
    const room = `${input.scalingStrategy.strategy} strategy allows ${effectiveMaxScale} more`;
    reason = `queue ${queueLength} needs ${maxScale} Jobs (capped at ${max}); ${jobs}; ${room}: creating ${jobsToCreate}`;
  }
  return { isActive, queueLength, maxScale, effectiveMaxScale, jobsToCreate, reason };
}
