/**
 * Powertools metrics for the scaler's dashboards and alarms. Powertools adds a `service` default
 * dimension to every metric; the alarms and dashboard address metrics by `ScaledObject` or
 * `NodeGroup` alone, and CloudWatch matches dimension sets exactly, so the default is cleared.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';

export const METRIC_NAMESPACE = 'EksLambdaScaler';

/** Dimension of the pod scaler's metrics: `<cluster>/<namespace>/<name>`. */
export const OBJECT_DIMENSION = 'ScaledObject';
/** Dimension of the node scaler's metrics: `<cluster>/<asg name>`. */
export const NODE_GROUP_DIMENSION = 'NodeGroup';

/** The pod scaler's metrics, one set per evaluated object (the dashboard and alarms read these). */
export type ObjectMetricName =
  | 'MetricValue'
  | 'MetricTarget'
  | 'DesiredReplicas'
  | 'CurrentReplicas'
  | 'Active'
  | 'Fallback'
  | 'AtMaxReplicas'
  | 'ObjectErrors';

/** The node scaler's metrics, one set per node group per tick. */
export type NodeGroupMetricName =
  | 'DesiredCapacity'
  | 'InServiceInstances'
  | 'UnschedulablePods'
  | 'NodesRequested'
  | 'NodesRemoved'
  | 'ScaleUpFailures';

export function createScalerMetrics(): Metrics {
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE });
  metrics.clearDefaultDimensions();
  return metrics;
}
