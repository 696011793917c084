/**
 * The metrics the scalers publish in embedded metric format, as CloudWatch Metric objects for the
 * alarms and the dashboard. Names and dimensions are the handlers' contract (namespace
 * `EksLambdaScaler`; `ScaledObject` = `<cluster>/<namespace>/<name>`, `NodeGroup` = `<cluster>/<asg>`).
 */
import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE } from '../scaler-functions';
import { NODE_GROUP_DIMENSION, OBJECT_DIMENSION } from '../../lambdas/util/scaler-metrics';
import type { NodeGroupMetricName, ObjectMetricName } from '../../lambdas/util/scaler-metrics';

// One contract with the Lambdas that publish them.
export { NODE_GROUP_DIMENSION, OBJECT_DIMENSION } from '../../lambdas/util/scaler-metrics';
export type { NodeGroupMetricName, ObjectMetricName } from '../../lambdas/util/scaler-metrics';

export interface MetricShape {
  statistic?: string;
  period?: Duration;
  label?: string;
}

export function objectMetric(objectKey: string, name: ObjectMetricName, shape: MetricShape = {}): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { [OBJECT_DIMENSION]: objectKey },
    statistic: shape.statistic ?? 'Average',
    period: shape.period ?? Duration.minutes(1),
    // A label would make alarms render the metric as a math expression: only dashboards set one.
    label: shape.label,
  });
}

export function nodeGroupMetric(nodeGroupKey: string, name: NodeGroupMetricName, shape: MetricShape = {}): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { [NODE_GROUP_DIMENSION]: nodeGroupKey },
    statistic: shape.statistic ?? 'Average',
    period: shape.period ?? Duration.minutes(1),
    label: shape.label,
  });
}
