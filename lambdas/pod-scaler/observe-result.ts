/**
 * Makes each decision visible: one structured log line (Powertools logger) and one embedded-metric
 * blob (Powertools metrics) per evaluated object, named as the dashboard and alarms expect.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { ObjectTickResult } from './tick-types';

export const OBJECT_DIMENSION = 'ScaledObject';

export function observeResult(result: ObjectTickResult, logger: Logger, metrics: Metrics, maxReplicas?: number): void {
  const decision = {
    scaledObject: result.key,
    status: result.status,
    statusReason: result.statusReason,
    currentReplicas: result.currentReplicas,
    desiredReplicas: result.desiredReplicas,
    scaled: result.scaled,
    rule: result.explanation?.rule,
    why: result.explanation?.message,
    triggers: result.explanation?.triggers,
  };
  if (result.error) logger.warn('scaled object not evaluated', { ...decision, error: result.error });
  else logger.info(result.scaled ? 'scaled' : 'evaluated', decision);

  metrics.addDimension(OBJECT_DIMENSION, result.key);
  const firstTrigger = result.explanation?.triggers.find((trigger) => trigger.value !== undefined);
  if (firstTrigger?.value !== undefined) {
    metrics.addMetric('MetricValue', MetricUnit.Count, firstTrigger.value);
    metrics.addMetric('MetricTarget', MetricUnit.Count, firstTrigger.target);
  }
  if (result.desiredReplicas !== undefined) metrics.addMetric('DesiredReplicas', MetricUnit.Count, result.desiredReplicas);
  if (result.currentReplicas !== undefined) metrics.addMetric('CurrentReplicas', MetricUnit.Count, result.currentReplicas);
  metrics.addMetric('Active', MetricUnit.Count, result.status === 'active' || result.status === 'fallback' ? 1 : 0);
  metrics.addMetric('Fallback', MetricUnit.Count, result.status === 'fallback' ? 1 : 0);
  const atMax = maxReplicas !== undefined && result.desiredReplicas !== undefined && result.desiredReplicas >= maxReplicas;
  metrics.addMetric('AtMaxReplicas', MetricUnit.Count, atMax ? 1 : 0);
  metrics.addMetric('ObjectErrors', MetricUnit.Count, result.error || result.status === 'error' ? 1 : 0);
  metrics.publishStoredMetrics();
}
