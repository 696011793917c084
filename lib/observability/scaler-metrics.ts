/**
 * The metrics the scalers publish in embedded metric format, as CloudWatch Metric objects for the
 * alarms and the dashboard. Names and dimensions are the handlers' contract (namespace
 * `EksLambdaScaler`; `Cluster` = the cluster's name for the default aggregates; opt-in per-object and per-group
 * metrics: `ScaledObject` = `<cluster>/<namespace>/<name>`, `NodeGroup` = `<cluster>/<asg>`).
 */
import { Duration } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE } from '../scaler-functions';
import { CLUSTER_DIMENSION, NODE_GROUP_DIMENSION, OBJECT_DIMENSION } from '../../lambdas/util/scaler-metrics';
import type { ClusterMetricName, NodeGroupMetricName, ObjectMetricName } from '../../lambdas/util/scaler-metrics';

// One contract with the Lambdas that publish them.
export { CLUSTER_DIMENSION, NODE_GROUP_DIMENSION, OBJECT_DIMENSION } from '../../lambdas/util/scaler-metrics';
export type { ClusterMetricName, NodeGroupMetricName, ObjectMetricName } from '../../lambdas/util/scaler-metrics';

export interface MetricShape {
  statistic?: string;
  period?: Duration;
  label?: string;
}

/** A per-cluster aggregate, published by default (the pod scaler's counts, the node scaler's sums). */
export function clusterMetric(cluster: string, name: ClusterMetricName | NodeGroupMetricName, shape: MetricShape = {}): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { [CLUSTER_DIMENSION]: cluster },
    statistic: shape.statistic ?? 'Sum',
    period: shape.period ?? Duration.minutes(1),
    label: shape.label,
  });
}

/**
 * A search over one opt-in per-object (or per-group) metric: one dashboard line per object however
 * many there are, with no resource or widget per object.
 */
export function searchPerDimension(dimension: typeof OBJECT_DIMENSION | typeof NODE_GROUP_DIMENSION, name: ObjectMetricName | NodeGroupMetricName, statistic: string): string {
  return `SEARCH('{${METRICS_NAMESPACE},${dimension}} MetricName="${name}"', '${statistic}', 60)`;
}
