/**
 * The metrics the scalers publish in embedded metric format, as CloudWatch Metric objects for the
 * alarms and the dashboard. Names and dimensions are the handlers' contract (namespace
 * `EksLambdaScaler`; `Cluster` = the cluster's name for the default aggregates; opt-in per-object and per-group
 * metrics: `ScaledObject` = `<cluster>/<namespace>/<name>`, `NodeGroup` = `<cluster>/<asg>`).
 */
import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric, MetricOptions } from 'aws-cdk-lib/aws-cloudwatch';
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

/** Options of the construct's `metric*` methods: CloudWatch's, plus which cluster. */
export interface ScalerMetricOptions extends MetricOptions {
  /** One cluster's aggregate; default the sum over every cluster the construct scales in. */
  readonly cluster?: string;
}

/**
 * One aggregate metric over the given clusters: the cluster's own metric when there is one, a sum
 * expression otherwise (each cluster publishes its own `Cluster` dimension, so the fleet is a sum).
 */
export function aggregateMetric(clusters: readonly string[], name: ClusterMetricName | NodeGroupMetricName, options: ScalerMetricOptions = {}): IMetric {
  const { cluster, ...metricOptions } = options;
  if (cluster !== undefined && !clusters.includes(cluster)) {
    throw new Error(`eks-lambda-scaler: metric ${name}: no cluster "${cluster}" in this scaler (its clusters: ${clusters.join(', ')})`);
  }
  const chosen = cluster !== undefined ? [cluster] : clusters;
  const perCluster = chosen.map((clusterName) => clusterMetric(clusterName, name).with(metricOptions));
  if (perCluster.length === 1) return perCluster[0]!;
  const usingMetrics = Object.fromEntries(perCluster.map((metric, index) => [`c${index}`, metric]));
  return new MathExpression({
    // A cluster with no datapoint in a period (no invocation yet) counts as 0, not as a gap.
    expression: `SUM([${perCluster.map((_, index) => `FILL(c${index}, 0)`).join(', ')}])`,
    usingMetrics,
    label: metricOptions.label ?? `${name} (all clusters)`,
    period: metricOptions.period ?? Duration.minutes(1),
  });
}
