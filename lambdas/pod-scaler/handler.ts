/**
 * The pod scaler Lambda. Thin: it builds the runtime once per container, runs one invocation and
 * reports. Everything it does is in run-invocation.ts and tick.ts, which tests drive directly.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { createScalerMetrics, perObjectMetricsEnabled } from '../util/scaler-metrics';
import { runInvocation, type InvocationRuntime, type InvocationSummary } from './run-invocation';
import { createResultObserver, type ResultObserver } from './observe-result';
import { objectKey } from './object-key';

/** The part of Lambda's context object the handler uses. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

export interface PodScalerObservability {
  logger: Logger;
  metrics: Metrics;
  /** Also publish one set of metrics per object (default: env PER_OBJECT_METRICS=true). */
  perObjectMetrics?: boolean;
}

export function createPodScalerHandler(
  buildRuntime: () => Promise<InvocationRuntime>,
  observability: PodScalerObservability = {
    logger: new Logger({ serviceName: 'eks-lambda-scaler-pod-scaler' }),
    metrics: createScalerMetrics(),
  },
) {
  let runtime: Promise<ObservedRuntime> | undefined;
  return async (event: unknown, context?: LambdaContext): Promise<InvocationSummary> => {
    runtime ??= buildRuntime()
      .then((ready) => observed(ready, observability))
      .catch((error: unknown) => {
        runtime = undefined; // a broken cold start must not poison the container
        throw error;
      });
    const { ready, observer } = await runtime;
    const remaining = context?.getRemainingTimeInMillis() ?? 60_000;
    let summary: InvocationSummary | undefined;
    try {
      summary = await runInvocation(event, remaining, ready);
    } finally {
      observer.flush(summary?.trigger);
    }
    observability.logger.info('invocation finished', { summary });
    return summary;
  };
}

interface ObservedRuntime {
  ready: InvocationRuntime;
  observer: ResultObserver;
}

/** The runtime with each result observed (logs, metrics); built once per container. */
function observed(ready: InvocationRuntime, { logger, metrics, perObjectMetrics }: PodScalerObservability): ObservedRuntime {
  const { config } = ready.tick;
  const maxReplicasByKey = new Map(config.scaledObjects.map((object) => [objectKey(object, config), object.maxReplicaCount] as const));
  const observer = createResultObserver({ logger, metrics, maxReplicasByKey, perObjectMetrics: perObjectMetrics ?? perObjectMetricsEnabled() });
  return { ready: { ...ready, tick: { ...ready.tick, onResult: (result) => observer.record(result) } }, observer };
}

export const handler = createPodScalerHandler(async () => {
  // Imported lazily so tests of the factory never load the production wiring.
  const { buildProductionRuntime } = await import('./production-runtime');
  return buildProductionRuntime();
});
