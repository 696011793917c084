/**
 * Powertools metrics for the scaler's dashboards and alarms. Powertools adds a `service` default
 * dimension to every metric; the alarms and dashboard address metrics by `ScaledObject` or
 * `NodeGroup` alone, and CloudWatch matches dimension sets exactly, so the default is cleared.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';

export const METRIC_NAMESPACE = 'EksLambdaScaler';

export function createScalerMetrics(): Metrics {
  const metrics = new Metrics({ namespace: METRIC_NAMESPACE });
  metrics.clearDefaultDimensions();
  return metrics;
}
