/**
 * Powertools metrics for the scaler's dashboards and alarms. Powertools adds a `service` default
 * dimension to every metric; the alarms and dashboard address metrics by `Cluster`, `ScaledObject`
 * or `NodeGroup` alone, and CloudWatch matches dimension sets exactly, so the default is cleared.
 *
 * Cost: CloudWatch bills each distinct (name, dimension values) pair as one custom metric a month.
 * By default the scalers publish only per-cluster aggregates, so the bill does not grow with the
 * number of ScaledObjects; per-object and per-node-group metrics are opt-in (`PER_OBJECT_METRICS`).
 */
import { Metrics } from '@aws-lambda-powertools/metrics';

export const METRIC_NAMESPACE = 'EksLambdaScaler';

/** Dimension of the default, aggregate metrics: the EKS cluster's name. */
export const CLUSTER_DIMENSION = 'Cluster';
/** Dimension of the opt-in per-object metrics: `<cluster>/<namespace>/<name>`. */
export const OBJECT_DIMENSION = 'ScaledObject';
/** Dimension of the opt-in per-node-group metrics: `<cluster>/<asg name>`. */
export const NODE_GROUP_DIMENSION = 'NodeGroup';

/** Environment variable the construct sets to `true` when per-object metrics are wanted. */
export const PER_OBJECT_METRICS_ENV = 'PER_OBJECT_METRICS';

/** The pod scaler's opt-in metrics, one set per evaluated object. */
export const OBJECT_METRIC_NAMES = [
  'MetricValue',
  'MetricTarget',
  'DesiredReplicas',
  'CurrentReplicas',
  'Active',
  'Fallback',
  'AtMaxReplicas',
  'ObjectErrors',
] as const;
export type ObjectMetricName = (typeof OBJECT_METRIC_NAMES)[number];

/**
 * The pod scaler's default metrics, one set per cluster per invocation. Counts of distinct objects
 * in the invocation (`ObjectsScaled` counts patches). Alarm-driven invocations publish only the
 * event counts (`ObjectsScaled`, `ObjectsWithErrors`), so a minute's Sum over the scheduled tick and
 * its shards is the fleet's count.
 */
export const CLUSTER_METRIC_NAMES = [
  'ObjectsEvaluated',
  'ObjectsActive',
  'ObjectsScaled',
  'ObjectsInFallback',
  'ObjectsAtMaxReplicas',
  'ObjectsWithErrors',
] as const;
export type ClusterMetricName = (typeof CLUSTER_METRIC_NAMES)[number];

/**
 * The log line (its `message`) the pod scaler writes once per invocation for each object in
 * fallback or at max replicas, with a `condition` field and the object's key in `scaledObject`:
 * the alarms' Contributor Insights rules and Logs Insights query key on these three fields.
 */
export const ATTENTION_MESSAGE = 'scaled object needs attention';
export type AttentionCondition = 'fallback' | 'atMaxReplicas';

/** The node scaler's metrics: per node group (opt-in) or summed per cluster (default), per tick. */
export const NODE_GROUP_METRIC_NAMES = [
  'DesiredCapacity',
  'InServiceInstances',
  'UnschedulablePods',
  'NodesRequested',
  'NodesRemoved',
  'ScaleUpFailures',
] as const;
export type NodeGroupMetricName = (typeof NODE_GROUP_METRIC_NAMES)[number];

export function createScalerMetrics(): Metrics {
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE });
  metrics.clearDefaultDimensions();
  return metrics;
}

/** Whether the environment asks for per-object (and per-node-group) metrics. */
export function perObjectMetricsEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env[PER_OBJECT_METRICS_ENV] === 'true';
}
