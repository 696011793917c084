/**
 * A CloudWatch datapoint that is NaN or ±Infinity (metric math dividing by zero, for one): KEDA
 * hands it to the HPA as 0 (`quantityFromFloat64` in pkg/scalers/scaler.go via
 * GenerateMetricInMili), and so does the scaler, so the replica counts stay KEDA's. Since that
 * silently scales down, the trigger also raises a warning naming the query and the raw value,
 * which the pod scaler logs at WARN (an alarm on warnings catches it).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { describe, expect, it, vi } from 'vitest';
import { createResultObserver } from '../../lambdas/pod-scaler/observe-result';
import { awsCloudwatchTrigger } from '../../lambdas/triggers/aws-cloudwatch';
import { toTriggerResults } from '../../lambdas/triggers/metric-step';
import { createScalerMetrics } from '../../lambdas/util/scaler-metrics';
import { kedaMetricMilli } from '../../lambdas/engine/keda/metric-value';
import { parsedTrigger, scaledObject } from '../adapters/aws/trigger-fixtures';

const trigger = parsedTrigger(awsCloudwatchTrigger, {
  namespace: 'AWS/SQS',
  metricName: 'ApproximateNumberOfMessagesVisible',
  dimensionName: 'QueueName',
  dimensionValue: 'orders',
  targetMetricValue: '5',
  minMetricValue: '0',
  awsRegion: 'eu-west-1',
});
const object = scaledObject('orders', [trigger]);

describe('non-finite CloudWatch datapoints', () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])('%s: KEDA reads it as 0, and a warning names the query and the raw value', (raw) => {
    const warnings: string[] = [];
    const readings = new Map([['prod/jobs/orders#0', { service: 'cloudwatch' as const, hasResult: true, values: [raw] }]]);
    const [result] = toTriggerResults(object, 'prod/jobs/orders', readings, 0, (warning) => warnings.push(warning));
    expect(result).toMatchObject({ ok: true });
    expect(kedaMetricMilli((result as { value: number }).value)).toBe(0);
    expect(warnings).toEqual([
      `trigger 0 (aws-cloudwatch): CloudWatch returned ${raw} for metric AWS/SQS/ApproximateNumberOfMessagesVisible {QueueName=orders} (Average, 300s); ` +
        'as in KEDA the trigger reads it as 0, which can scale the target down: check the metric or expression (e.g. a division by zero in metric math)',
    ]);
  });

  it('a finite datapoint raises no warning', () => {
    const warnings: string[] = [];
    const readings = new Map([['prod/jobs/orders#0', { service: 'cloudwatch' as const, hasResult: true, values: [12] }]]);
    toTriggerResults(object, 'prod/jobs/orders', readings, 0, (warning) => warnings.push(warning));
    expect(warnings).toEqual([]);
  });

  it('the pod scaler logs each warning at WARN, naming the object', () => {
    const logger = new Logger({ serviceName: 'test', logLevel: 'DEBUG' });
    const warn = vi.spyOn(logger, 'warn').mockImplementation(() => undefined);
    vi.spyOn(logger, 'info').mockImplementation(() => undefined);
    vi.spyOn(logger, 'debug').mockImplementation(() => undefined);
    const metrics = createScalerMetrics();
    vi.spyOn(metrics, 'publishStoredMetrics').mockImplementation(() => metrics);
    createResultObserver({ logger, metrics, maxReplicasByKey: new Map() }).record({
      key: 'prod/jobs/orders',
      cluster: 'prod',
      objectId: 'jobs/orders',
      status: 'active',
      scaled: false,
      warnings: ['trigger 0 (aws-cloudwatch): CloudWatch returned NaN for ...'],
    });
    expect(warn).toHaveBeenCalledWith('scaled object warning', { scaledObject: 'prod/jobs/orders', warning: 'trigger 0 (aws-cloudwatch): CloudWatch returned NaN for ...' });
  });
});
