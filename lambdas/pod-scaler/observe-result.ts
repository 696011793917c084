/**
 * Makes the pod scaler's decisions visible at a cost that does not grow with the fleet:
 * - per object, a structured log line only when something happens (a patch, an error, a failed
 *   evaluation); an unchanged decision is logged at DEBUG;
 * - per cluster, once per invocation, one embedded-metric blob of counts (objects evaluated,
 *   active, scaled, in fallback, at max replicas, with errors): a constant number of custom metrics;
 * - per object in fallback or at its maxReplicaCount, once per invocation, an "attention" log line
 *   the Contributor Insights rules and the Logs Insights query of the alarms key on, so an alarm on
 *   a count still says which objects;
 * - per-object metrics (the `ScaledObject` dimension, one custom metric per object and name) only
 *   when asked for (`perObjectMetrics`).
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { ObjectTickResult } from './tick-types';
import type { InvocationEvent } from './invocation-event';
import {
  ATTENTION_MESSAGE,
  CLUSTER_DIMENSION,
  OBJECT_DIMENSION,
  type AttentionCondition,
  type ClusterMetricName,
  type ObjectMetricName,
} from '../util/scaler-metrics';
import type { TriggerExplanation } from '../engine/evaluate-types';

export interface ResultObserverOptions {
  logger: Logger;
  metrics: Metrics;
  /** maxReplicaCount by object key, to tell "at max". */
  maxReplicasByKey: ReadonlyMap<string, number>;
  /** Also publish the per-object metrics (default false: aggregates only). */
  perObjectMetrics?: boolean;
}

export interface ResultObserver {
  /** One evaluated object (called by the tick for every object in every pass). */
  record(result: ObjectTickResult): void;
  /**
   * Ends an invocation: publishes the per-cluster counts and the attention lines, then forgets.
   * `trigger` undefined (the invocation failed) or `alarm` publishes only the event counts, so
   * scheduled ticks and their shards alone make the fleet-wide gauges.
   */
  flush(trigger: InvocationEvent['kind'] | undefined): void;
}

/** What one invocation saw of one object (its last result, and whether every result was at max). */
interface ObjectSeen {
  last: ObjectTickResult;
  atMaxEveryTime: boolean;
  errored: boolean;
  patches: number;
}

export function createResultObserver(options: ResultObserverOptions): ResultObserver {
  const { logger, metrics } = options;
  let seen = new Map<string, ObjectSeen>();

  return {
    record(result) {
      logDecision(result, logger);
      const maxReplicas = options.maxReplicasByKey.get(result.key);
      const atMax = maxReplicas !== undefined && result.desiredReplicas !== undefined && result.desiredReplicas >= maxReplicas;
      const errored = result.error !== undefined || result.status === 'error';
      if (options.perObjectMetrics) publishObjectMetrics(result, metrics, atMax, errored);
      const before = seen.get(result.key);
      seen.set(result.key, {
        last: result,
        atMaxEveryTime: (before?.atMaxEveryTime ?? true) && atMax,
        errored: (before?.errored ?? false) || errored,
        patches: (before?.patches ?? 0) + (result.scaled ? 1 : 0),
      });
    },

    flush(trigger) {
      const gauges = trigger === 'schedule' || trigger === 'shard';
      const byCluster = new Map<string, ObjectSeen[]>();
      for (const object of seen.values()) {
        const list = byCluster.get(object.last.cluster) ?? [];
        list.push(object);
        byCluster.set(object.last.cluster, list);
      }
      seen = new Map();
      for (const [cluster, objects] of byCluster) {
        const fallback = objects.filter((object) => object.last.status === 'fallback');
        const atMax = objects.filter((object) => object.atMaxEveryTime);
        metrics.addDimension(CLUSTER_DIMENSION, cluster);
        const add = (name: ClusterMetricName, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
        add('ObjectsScaled', objects.reduce((sum, object) => sum + object.patches, 0));
        add('ObjectsWithErrors', objects.filter((object) => object.errored).length);
        if (gauges) {
          add('ObjectsEvaluated', objects.length);
          add('ObjectsActive', objects.filter((object) => object.last.active).length);
          add('ObjectsInFallback', fallback.length);
          add('ObjectsAtMaxReplicas', atMax.length);
        }
        metrics.publishStoredMetrics();
        if (!gauges) continue;
        for (const object of fallback) logAttention(logger, object.last, 'fallback', options.maxReplicasByKey);
        for (const object of atMax) logAttention(logger, object.last, 'atMaxReplicas', options.maxReplicasByKey);
      }
    },
  };
}

function logDecision(result: ObjectTickResult, logger: Logger): void {
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
  // of the log bill. The aggregate metrics count it; POWERTOOLS_LOG_LEVEL=DEBUG shows it.
  else logger.debug('evaluated', decision);
}

function logAttention(logger: Logger, result: ObjectTickResult, condition: AttentionCondition, maxReplicasByKey: ReadonlyMap<string, number>): void {
  logger.warn(ATTENTION_MESSAGE, {
    condition,
    scaledObject: result.key,
    cluster: result.cluster,
    status: result.status,
    statusReason: result.statusReason,
    currentReplicas: result.currentReplicas,
    desiredReplicas: result.desiredReplicas,
    maxReplicas: maxReplicasByKey.get(result.key),
    why: result.explanation?.message,
  });
}

function publishObjectMetrics(result: ObjectTickResult, metrics: Metrics, atMax: boolean, errored: boolean): void {
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
  add('AtMaxReplicas', atMax ? 1 : 0);
  add('ObjectErrors', errored ? 1 : 0);
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
