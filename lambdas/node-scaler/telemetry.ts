/**
 * Where the node scaler's logs and metrics go. The tick talks to this small interface; Lambda wires
 * Powertools (JSON logs, CloudWatch embedded metric format), tests capture the calls.
 *
 * By default the group metrics are summed per cluster and published once per invocation (the
 * `Cluster` dimension), so the custom-metric bill does not grow with the node groups; per-group
 * metrics (the `NodeGroup` dimension) are opt-in, like the pod scaler's per-object metrics.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  CLUSTER_DIMENSION,
  createScalerMetrics,
  NODE_GROUP_DIMENSION,
  perObjectMetricsEnabled,
  type NodeGroupMetricName,
} from '../util/scaler-metrics';


export type { NodeGroupMetricName } from '../util/scaler-metrics';

export type LogFields = Record<string, unknown>;
type GroupValues = Partial<Record<NodeGroupMetricName, number>>;

export interface NodeScalerTelemetry {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** One set of values for a node group (`<cluster>/<asg name>`), once per tick. */
  groupMetrics(nodeGroup: string, values: GroupValues): void;
  /** Publishes what groupMetrics held back (the per-cluster sums); called at the end of each invocation. */
  flushMetrics?(): void;
}

export function powertoolsTelemetry(options: { perNodeGroup?: boolean } = {}): NodeScalerTelemetry {
  const logger = new Logger({ serviceName: 'node-scaler' });
  const metrics = createScalerMetrics();
  const perNodeGroup = options.perNodeGroup ?? perObjectMetricsEnabled();
  let sums = new Map<string, GroupValues>();
  const publish = (dimension: string, value: string, values: GroupValues) => {
    metrics.addDimension(dimension, value);
    for (const [name, count] of Object.entries(values)) {
      if (count !== undefined) metrics.addMetric(name, MetricUnit.Count, count);
    }
    metrics.publishStoredMetrics();
  };
  return {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
    groupMetrics(nodeGroup, values) {
      if (perNodeGroup) publish(NODE_GROUP_DIMENSION, nodeGroup, values);
      const cluster = clusterOfNodeGroup(nodeGroup);
      sums.set(cluster, addValues(sums.get(cluster) ?? {}, values));
    },
    flushMetrics() {
      for (const [cluster, values] of sums) publish(CLUSTER_DIMENSION, cluster, values);
      sums = new Map();
    },
  };
}

/** Node group keys are `<cluster>/<asg name>`; cluster names cannot contain a slash. */
function clusterOfNodeGroup(nodeGroup: string): string {
  const slash = nodeGroup.indexOf('/');
  return slash < 0 ? nodeGroup : nodeGroup.slice(0, slash);
}

function addValues(into: GroupValues, values: GroupValues): GroupValues {
  const sum: GroupValues = { ...into };
  for (const [name, value] of Object.entries(values) as [NodeGroupMetricName, number | undefined][]) {
    if (value !== undefined) sum[name] = (sum[name] ?? 0) + value;
  }
  return sum;
}
