/**
 * Makes each decision visible: one structured log line (Powertools logger) and one embedded-metric
 * blob (Powertools metrics) per evaluated object, named as the dashboard and alarms expect.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { ObjectTickResult } from './tick-types';
import { OBJECT_DIMENSION, type ObjectMetricName } from '../util/scaler-metrics';
import type { TriggerExplanation } from '../engine/evaluate-types';


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
  // Every warning is its own line naming the object, so an alarm on WARN lines catches it.
  for (const warning of result.warnings ?? []) logger.warn('scaled object warning', { scaledObject: result.key, warning });
  // Losing the race to an overlapping invocation is normal: its decision stands. The invocation's
  // summary counts these in one INFO line (handler.ts); per object it is detail.
  if (result.overlapped) logger.debug('evaluated by an overlapping invocation', decision);
  else if (result.error) logger.warn(result.explanation ? 'decision not applied' : 'scaled object not evaluated', { ...decision, error: result.error });
  else if (result.scaled || result.status === 'error') logger.info(result.scaled ? 'scaled' : 'evaluated', decision);
  // An unchanged decision is the common case (every object, every 15 s): at INFO it would be most
  // of the log bill. The metrics carry it; POWERTOOLS_LOG_LEVEL=DEBUG shows it.
  else logger.debug('evaluated', decision);

  metrics.addDimension(OBJECT_DIMENSION, result.key);
  const add = (name: ObjectMetricName, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
  const driving = drivingTrigger(result);
  if (driving?.value !== undefined) {
    add('MetricValue', driving.value);
    add('MetricTarget', driving.target);
  }
  if (result.desiredReplicas !== undefined) add('DesiredReplicas', result.desiredReplicas);
  if (result.currentReplicas !== undefined) add('CurrentReplicas', result.currentReplicas);
  add('Active', result.active ? 1 : 0);
  add('Fallback', result.status === 'fallback' ? 1 : 0);
  const atMax = maxReplicas !== undefined && result.desiredReplicas !== undefined && result.desiredReplicas >= maxReplicas;
  add('AtMaxReplicas', atMax ? 1 : 0);
  add('ObjectErrors', result.error || result.status === 'error' ? 1 : 0);
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
