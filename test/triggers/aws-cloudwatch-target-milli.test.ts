/**
 * Issue 15 item 2: aws-cloudwatch targets reach the HPA as KEDA v2.20 builds them.
 * - `pkg/scalers/aws_cloudwatch_scaler.go` `GetMetricSpecForScaling` passes `targetMetricValue` to
 *   `GetMetricTargetMili`, which (`pkg/scalers/scaler.go` `quantityFromFloat64`) parses
 *   `fmt.Sprintf("%.3f", v)`: rounded to three decimals (exact halves to even), not truncated.
 * - `aws_cloudwatch_scaler.go` `GetMetricsAndActivity` compares the raw float value with the raw
 *   `activationTargetMetricValue` (`metricValue > ActivationTargetMetricValue`): activation is not
 *   converted to milli-units at all.
 */
import { describe, expect, it } from 'vitest';
import { awsCloudwatchTrigger } from '../../lambdas/triggers/aws-cloudwatch';
import { kedaMetricMilli } from '../../lambdas/engine/keda/metric-value';
import { averageValueReplicas } from '../../lambdas/engine/hpa/replica-calculator';
import { parseWith, parsedTrigger } from '../adapters/aws/trigger-fixtures';

const metric = { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensionName: 'QueueName', dimensionValue: 'orders', minMetricValue: '0', awsRegion: 'eu-west-1' };
const TOLERANCE = { scaleUp: 0.1, scaleDown: 0.1 };

describe('targetMetricValue in milli-units (scaler.go GetMetricTargetMili → quantityFromFloat64 "%.3f")', () => {
  it.each([
    // [targetMetricValue, milli-units the HPA reads]
    ['480.0695', 480_070], // 480.06950000000000500… rounds up; truncation gave 480069
    ['1.0005', 1_000], // 1.00049999999999994… rounds down
    ['2.0625', 2_062], // an exact binary half: Go rounds to even
    ['0.0005', 1], // 0.00050000000000000001… rounds to 0.001: accepted as in KEDA
    ['10', 10_000],
  ])('target %s → %d milli', (target, milli) => {
    const trigger = parsedTrigger(awsCloudwatchTrigger, { ...metric, targetMetricValue: target });
    expect(kedaMetricMilli(trigger.target)).toBe(milli);
  });

  it('480.0695 with a value of 4800.70 proposes 10 replicas, not 11 (replica_calculator.go GetExternalPerPodMetricReplicas)', () => {
    const trigger = parsedTrigger(awsCloudwatchTrigger, { ...metric, targetMetricValue: '480.0695' });
    const proposal = averageValueReplicas(kedaMetricMilli(4800.7), kedaMetricMilli(trigger.target), 1, TOLERANCE);
    expect(proposal).toMatchObject({ ok: true, replicas: 10 });
  });

  it.each([['0.0004'], ['0'], ['-1']])('target %s rounds to 0 milli: an error naming the field', (target) => {
    const result = parseWith(awsCloudwatchTrigger, { ...metric, targetMetricValue: target });
    expect(result.errors.map((issue) => issue.field)).toContain('spec.triggers[0].metadata.targetMetricValue');
    expect(result.errors.map((issue) => issue.message).join()).toContain('rounds to a target of 0');
  });
});

describe('activationTargetMetricValue stays a raw float (aws_cloudwatch_scaler.go GetMetricsAndActivity)', () => {
  it.each([
    ['0.0004', 0.0004],
    ['2.5', 2.5],
    ['480.0695', 480.0695],
  ])('activation %s is compared as %s', (activation, expected) => {
    const trigger = parsedTrigger(awsCloudwatchTrigger, { ...metric, targetMetricValue: '10', activationTargetMetricValue: activation });
    expect(trigger.activationTarget).toBe(expected);
  });
});
