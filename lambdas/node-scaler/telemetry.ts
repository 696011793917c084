/**
 * Where the node scaler's logs and metrics go. The tick talks to this small interface; Lambda wires
 * Powertools (JSON logs, CloudWatch embedded metric format), tests capture the calls.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createScalerMetrics, NODE_GROUP_DIMENSION, type NodeGroupMetricName } from '../util/scaler-metrics';


export type { NodeGroupMetricName } from '../util/scaler-metrics';

export type LogFields = Record<string, unknown>;

export interface NodeScalerTelemetry {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** One set of values for the `NodeGroup` dimension (`<cluster>/<asg name>`). */
  groupMetrics(nodeGroup: string, values: Partial<Record<NodeGroupMetricName, number>>): void;
}

export function powertoolsTelemetry(): NodeScalerTelemetry {
  const logger = new Logger({ serviceName: 'node-scaler' });
  const metrics = createScalerMetrics();
  return {
    info: (message, fields) => logger.info(message, fields ?? {}),
    warn: (message, fields) => logger.warn(message, fields ?? {}),
    error: (message, fields) => logger.error(message, fields ?? {}),
    groupMetrics(nodeGroup, values) {
      metrics.addDimension(NODE_GROUP_DIMENSION, nodeGroup);
      for (const [name, value] of Object.entries(values)) {
        if (value !== undefined) metrics.addMetric(name, MetricUnit.Count, value);
      }
      metrics.publishStoredMetrics();
    },
  };
}
