/**
 * Makes each decision visible: one structured log line (Powertools logger) and one embedded-metric
 * blob (Powertools metrics) per evaluated object, named as the dashboard and alarms expect.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { ObjectTickResult } from './tick-types';
import type { TriggerExplanation } from '../engine/evaluate-types';

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
  if (result.error) logger.warn(result.explanation ? 'decision not applied' : 'scaled object not evaluated', { ...decision, error: result.error });
  else logger.info(result.scaled ? 'scaled' : 'evaluated', decision);

  metrics.addDimension(OBJECT_DIMENSION, result.key);
  const driving = drivingTrigger(result);
  if (driving?.value !== undefined) {
    metrics.addMetric('MetricValue', MetricUnit.Count, driving.value);
    metrics.addMetric('MetricTarget', MetricUnit.Count, driving.target);
  }
  if (result.desiredReplicas !== undefined) metrics.addMetric('DesiredReplicas', MetricUnit.Count, result.desiredReplicas);
  if (result.currentReplicas !== undefined) metrics.addMetric('CurrentReplicas', MetricUnit.Count, result.currentReplicas);
  metrics.addMetric('Active', MetricUnit.Count, result.active ? 1 : 0);
  metrics.addMetric('Fallback', MetricUnit.Count, result.status === 'fallback' ? 1 : 0);
  const atMax = maxReplicas !== undefined && result.desiredReplicas !== undefined && result.desiredReplicas >= maxReplicas;
  metrics.addMetric('AtMaxReplicas', MetricUnit.Count, atMax ? 1 : 0);
  metrics.addMetric('ObjectErrors', MetricUnit.Count, result.error || result.status === 'error' ? 1 : 0);
  metrics.publishStoredMetrics();
}

/**
 * The trigger whose reading drives the count: the HPA takes the largest proposal. A trigger in
 * fallback has no real reading (its value is the synthetic target x replicas), so it is skipped.
 */
function drivingTrigger(result: ObjectTickResult): TriggerExplanation | undefined {
  const measured = (result.explanation?.triggers ?? []).filter((trigger) => trigger.value !== undefined && !trigger.fallback);
  return measured.reduce<TriggerExplanation | undefined>(
    (best, trigger) => (best === undefined || (trigger.proposal ?? 0) > (best.proposal ?? 0) ? trigger : best),
    undefined,
  );
}
