/**
 * The ScaledJob calculation against KEDA v2.20. Each row cites the upstream test it mirrors:
 * `pkg/scaling/executor/scale_jobs_test.go` (strategies, minReplicaCount), and
 * `pkg/scaling/scaledjob/metrics_test.go` (target average); rows citing a source file instead
 * (metrics.go, scale_jobs.go, scaledjob_types.go) pin behaviour upstream has no test for.
 */
import { describe, expect, it } from 'vitest';
import {
  combineTriggerMetrics,
  decideScaledJobScale,
  kedaMaxReplicaCount,
  kedaMinReplicaCount,
  strategyEffectiveMaxScale,
  type ScaledJobScalingInput,
} from '../../../lambdas/engine/keda/scaled-job-scaling';
import type { MultipleScalersCalculation } from '../../../lambdas/engine/spec/scaled-job';

type Strategy = ScaledJobScalingInput['scalingStrategy'];
const strategy = (name: Strategy['strategy'], extra: Partial<Strategy> = {}): Strategy => ({ strategy: name, multipleScalersCalculation: 'max', ...extra });

describe('GetEffectiveMaxScale of each strategy (maxScale, running, pending, maxReplicaCount, scaleTo)', () => {
  const rows: { strategy: Strategy; args: [number, number, number, number, number]; effective: number; scaleTo?: number; source: string }[] = [
    { strategy: strategy('default'), args: [3, 2, 0, 5, 1], effective: 1, source: 'scale_jobs_test.go TestDefaultScalingStrategy' },
    { strategy: strategy('default'), args: [2, 0, 0, 5, 1], effective: 2, source: 'scale_jobs_test.go TestDefaultScalingStrategy' },
    { strategy: strategy('custom', { customScalingQueueLengthDeduction: 1, customScalingRunningJobPercentage: 0.5 }), args: [3, 2, 0, 5, 1], effective: 1, source: 'scale_jobs_test.go TestCustomScalingStrategy' },
    { strategy: strategy('custom', { customScalingQueueLengthDeduction: 1, customScalingRunningJobPercentage: 0.5 }), args: [10, 0, 0, 10, 1], effective: 9, source: 'scale_jobs_test.go TestCustomScalingStrategy' },
    { strategy: strategy('custom'), args: [3, 2, 0, 5, 1], effective: 1, source: 'scale_jobs_test.go TestCustomScalingStrategy (no parameters: same as default)' },
    { strategy: strategy('custom'), args: [2, 0, 0, 5, 1], effective: 2, source: 'scale_jobs_test.go TestCustomScalingStrategy (no parameters: same as default)' },
    { strategy: strategy('custom', { customScalingQueueLengthDeduction: 2, customScalingRunningJobPercentage: 0 }), args: [3, 2, 0, 5, 1], effective: 1, source: 'scale_jobs_test.go TestCustomScalingStrategy (percentage "0")' },
    { strategy: strategy('custom', { customScalingQueueLengthDeduction: -2, customScalingRunningJobPercentage: 0 }), args: [3, 2, 0, 4, 1], effective: 4, source: 'scale_jobs_test.go TestCustomScalingStrategy (exceed the MaxReplicaCount)' },
    { strategy: strategy('custom', { customScalingRunningJobPercentage: 0.5 }), args: [10, 2, 0, 100, 1], effective: 9, source: 'scale_jobs_test.go TestCustomScalingStrategyNilQueueLengthDeduction' },
    { strategy: strategy('custom', { customScalingRunningJobPercentage: 0.5 }), args: [10, 0, 0, 100, 1], effective: 10, source: 'scale_jobs_test.go TestCustomScalingStrategyNilQueueLengthDeduction' },
    { strategy: strategy('custom', { customScalingRunningJobPercentage: 0.5 }), args: [10, 3, 0, 100, 1], effective: 9, source: 'scale_jobs.go customScalingStrategy: int64(3×0.5) truncates to 1' },
    { strategy: strategy('accurate'), args: [3, 2, 0, 5, 1], effective: 3, source: 'scale_jobs_test.go TestAccurateScalingStrategy' },
    { strategy: strategy('accurate'), args: [5, 2, 0, 5, 1], effective: 3, source: 'scale_jobs_test.go TestAccurateScalingStrategy' },
    { strategy: strategy('accurate'), args: [3, 4, 2, 10, 1], effective: 1, source: 'scale_jobs_test.go TestAccurateScalingStrategy (pending jobs)' },
    { strategy: strategy('accurate'), args: [5, 4, 2, 5, 1], effective: 1, source: 'scale_jobs_test.go TestAccurateScalingStrategy (pending jobs)' },
    { strategy: strategy('accurate'), args: [3, 3, 3, 5, 1], effective: 0, source: 'scale_jobs_test.go TestAccurateScalingStrategy' },
    { strategy: strategy('accurate'), args: [15, 15, 15, 20, 1], effective: 0, source: 'scale_jobs_test.go TestAccurateScalingStrategy' },
    { strategy: strategy('accurate'), args: [10, 10, 10, 15, 1], effective: 0, source: 'scale_jobs_test.go TestAccurateScalingStrategy' },
    { strategy: strategy('accurate'), args: [20, 15, 10, 20, 1], effective: 5, source: 'scale_jobs_test.go TestAccurateScalingStrategy' },
    { strategy: strategy('eager'), args: [4, 3, 0, 10, 1], effective: 4, scaleTo: 10, source: 'scale_jobs_test.go TestEagerScalingStrategy' },
    { strategy: strategy('eager'), args: [4, 0, 3, 10, 1], effective: 4, scaleTo: 10, source: 'scale_jobs_test.go TestEagerScalingStrategy' },
    { strategy: strategy('eager'), args: [4, 7, 0, 10, 1], effective: 3, scaleTo: 10, source: 'scale_jobs_test.go TestEagerScalingStrategy' },
    { strategy: strategy('eager'), args: [4, 1, 6, 10, 1], effective: 3, scaleTo: 10, source: 'scale_jobs_test.go TestEagerScalingStrategy' },
    { strategy: strategy('eager'), args: [15, 0, 0, 10, 1], effective: 10, scaleTo: 10, source: 'scale_jobs_test.go TestEagerScalingStrategy' },
  ];
  it.each(rows)('$strategy.strategy $args → $effective ($source)', ({ strategy: chosen, args, effective, scaleTo }) => {
    const [maxScale, running, pending, maxReplicaCount, requested] = args;
    expect(strategyEffectiveMaxScale(chosen, maxScale, running, pending, maxReplicaCount, requested)).toEqual([effective, scaleTo ?? requested]);
  });
});

describe('min and max as KEDA reads them', () => {
  const rows: { min: number; max: number; maxSet: boolean; kedaMin: number; kedaMax: number; source: string }[] = [
    { min: 0, max: 100, maxSet: false, kedaMin: 0, kedaMax: 100, source: 'scaledjob_types.go defaults 0 and 100' },
    { min: 2, max: 100, maxSet: false, kedaMin: 2, kedaMax: 100, source: 'scaledjob_types.go MaxReplicaCount(): the default is not reduced by min' },
    { min: 2, max: 10, maxSet: true, kedaMin: 2, kedaMax: 8, source: 'scaledjob_types.go MaxReplicaCount(): max - min' },
    { min: 12, max: 10, maxSet: true, kedaMin: 10, kedaMax: 10, source: 'scaledjob_types.go MinReplicaCount()/MaxReplicaCount(): min above max is max' },
  ];
  it.each(rows)('min $min max $max (set: $maxSet) → $kedaMin, $kedaMax ($source)', ({ min, max, maxSet, kedaMin, kedaMax }) => {
    expect(kedaMinReplicaCount(min, max, maxSet)).toBe(kedaMin);
    expect(kedaMaxReplicaCount(min, max, maxSet)).toBe(kedaMax);
  });
});

describe('IsScaledJobActive: triggers combined', () => {
  const a = { queueLength: 10, maxValue: 2, isActive: true };
  const b = { queueLength: 20, maxValue: 4, isActive: true };
  const idle = { queueLength: 50, maxValue: 10, isActive: false };
  const zero = { queueLength: 0, maxValue: 0, isActive: true };
  const rows: { calculation: MultipleScalersCalculation; metrics: (typeof a)[]; queue: number; max: number; active: boolean; source: string }[] = [
    { calculation: 'max', metrics: [a, b, idle], queue: 20, max: 4, active: true, source: 'metrics.go IsScaledJobActive default (max): an inactive trigger is ignored' },
    { calculation: 'min', metrics: [b, a, idle], queue: 10, max: 2, active: true, source: 'metrics.go IsScaledJobActive "min"' },
    { calculation: 'min', metrics: [zero, b], queue: 20, max: 4, active: true, source: 'metrics.go IsScaledJobActive "min": an active trigger at 0 is replaced by the next' },
    { calculation: 'avg', metrics: [a, b, idle], queue: 15, max: 3, active: true, source: 'metrics.go IsScaledJobActive "avg" over active triggers' },
    { calculation: 'sum', metrics: [a, b, idle], queue: 30, max: 6, active: true, source: 'metrics.go IsScaledJobActive "sum" over active triggers' },
    { calculation: 'max', metrics: [idle], queue: 0, max: 0, active: false, source: 'metrics.go IsScaledJobActive: nothing active' },
    { calculation: 'max', metrics: [zero], queue: 0, max: 0, active: false, source: 'metrics.go IsScaledJobActive (max): queue 0 is never "greater", so not active' },
  ];
  it.each(rows)('$calculation → queue $queue, max $max ($source)', ({ calculation, metrics, queue, max, active }) => {
    expect(combineTriggerMetrics(metrics, calculation)).toEqual({ queueLength: queue, maxValue: max, isActive: active });
  });
});

describe('the whole poll: metrics → decision → Jobs created', () => {
  const base: ScaledJobScalingInput = {
    metrics: [{ queueLength: 0, targetAverageValue: 1, isActive: false }],
    scalingStrategy: strategy('default'),
    runningJobCount: 0,
    pendingJobCount: 0,
    minReplicaCount: 0,
    maxReplicaCount: 100,
    maxReplicaCountSet: false,
  };
  const sqs = (queueLength: number, target = 1, isActive = queueLength > 0) => [{ queueLength, targetAverageValue: target, isActive }];
  const rows: { name: string; input: Partial<ScaledJobScalingInput>; jobs: number; effective?: number; maxScale?: number; active?: boolean; source: string }[] = [
    { name: 'running below minReplicaCount', input: { minReplicaCount: 2 }, jobs: 2, effective: 2, active: true, source: 'scale_jobs_test.go TestRunningJobCountSmallerMinReplicaCount' },
    { name: 'running counted against minReplicaCount', input: { minReplicaCount: 2, runningJobCount: 1 }, jobs: 1, effective: 1, source: 'scale_jobs_test.go TestRunningJobCountIsDeductedFromMinReplicaCount' },
    { name: 'at minReplicaCount the strategy runs', input: { minReplicaCount: 1, runningJobCount: 1, metrics: sqs(2) }, jobs: 2, effective: 2, source: 'scale_jobs_test.go TestRunningJobCountGreaterOrEqualMinReplicaCountExecutesScalingStrategy' },
    { name: 'empty queue: inactive, nothing created', input: {}, jobs: 0, active: false, source: 'scale_jobs.go RequestJobScale: createJobs only when active' },
    { name: 'one Job per message', input: { metrics: sqs(7) }, jobs: 7, maxScale: 7, source: 'metrics.go CalculateQueueLengthAndMaxValue: 7/1' },
    { name: 'a batch of 5 messages per Job rounds up', input: { metrics: sqs(12, 5) }, jobs: 3, maxScale: 3, source: 'metrics.go: ceil(12/5); scale_jobs.go createJobs min(scaleTo 12, room 3)' },
    { name: 'running Jobs already cover the queue (default strategy)', input: { metrics: sqs(12, 5), runningJobCount: 3 }, jobs: 0, effective: 0, source: 'scale_jobs.go defaultScalingStrategy: maxScale - running' },
    { name: 'capped at maxReplicaCount', input: { metrics: sqs(500), maxReplicaCount: 10, maxReplicaCountSet: true }, jobs: 10, maxScale: 10, source: 'metrics.go getMaxValue caps at MaxReplicaCount()' },
    { name: 'cap counts running Jobs', input: { metrics: sqs(500), maxReplicaCount: 10, maxReplicaCountSet: true, runningJobCount: 8 }, jobs: 2, source: 'scale_jobs.go defaultScalingStrategy: 10 - 8' },
    { name: 'written max is reduced by min', input: { metrics: sqs(500), minReplicaCount: 2, maxReplicaCount: 10, maxReplicaCountSet: true, runningJobCount: 2 }, jobs: 8, maxScale: 8, source: 'scaledjob_types.go MaxReplicaCount() = 10 - 2' },
    { name: 'target 0: no Jobs for the queue', input: { metrics: sqs(5, 0) }, jobs: 0, maxScale: 0, source: 'metrics.go CalculateQueueLengthAndMaxValue: maxValue 0 when target is 0' },
    { name: 'accurate subtracts pending Jobs', input: { metrics: sqs(5), scalingStrategy: strategy('accurate'), runningJobCount: 2, pendingJobCount: 2 }, jobs: 3, source: 'scale_jobs.go accurateScalingStrategy: 5 - 2' },
    { name: 'eager fills up to the max', input: { metrics: sqs(4), scalingStrategy: strategy('eager'), maxReplicaCount: 10, maxReplicaCountSet: true, runningJobCount: 3 }, jobs: 4, source: 'scale_jobs_test.go TestEagerScalingStrategy (4,3,0,10) through createJobs: min(10, 4)' },
    { name: 'custom deducts a share of running Jobs', input: { metrics: sqs(10), scalingStrategy: strategy('custom', { customScalingQueueLengthDeduction: 1, customScalingRunningJobPercentage: 0.5 }), runningJobCount: 4 }, jobs: 7, source: 'scale_jobs.go customScalingStrategy: 10 - 1 - int(4×0.5)' },
    { name: 'sum of two triggers', input: { metrics: [...sqs(3), ...sqs(4, 2)], scalingStrategy: strategy('default', { multipleScalersCalculation: 'sum' }) }, jobs: 5, maxScale: 5, source: 'metrics.go IsScaledJobActive "sum": 3/1 + 4/2' },
    { name: 'a fractional target', input: { metrics: sqs(10, 3) }, jobs: 4, maxScale: 4, source: 'metrics_test.go TestTargetAverageValue (float targets); ceil(10/3)' },
  ];
  it.each(rows)('$name ($source)', ({ input, jobs, effective, maxScale, active }) => {
    const decision = decideScaledJobScale({ ...base, ...input });
    expect(decision.jobsToCreate).toBe(jobs);
    if (effective !== undefined) expect(decision.effectiveMaxScale).toBe(effective);
    if (maxScale !== undefined) expect(decision.maxScale).toBe(maxScale);
    if (active !== undefined) expect(decision.isActive).toBe(active);
    expect(decision.reason).toContain(`creat`);
  });

  it('refuses a value that is not a number instead of reading it as 0', () => {
    expect(() => decideScaledJobScale({ ...base, metrics: [{ queueLength: Number.NaN, targetAverageValue: 1, isActive: true }] })).toThrow(/trigger metric 0 is not a number/);
    expect(() => decideScaledJobScale({ ...base, runningJobCount: -1 })).toThrow(/runningJobCount/);
  });

  it('explains the numbers it used', () => {
    const decision = decideScaledJobScale({ ...base, metrics: sqs(12, 5), runningJobCount: 1 });
    expect(decision.reason).toBe('queue 12 needs 3 Jobs (capped at 100); 1 running (0 pending); default strategy allows 2 more: creating 2');
  });
});
