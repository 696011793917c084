/**
 * The pod scaler Lambda. Thin: it builds the runtime once per container, runs one invocation and
 * reports. Everything it does is in run-invocation.ts and tick.ts, which tests drive directly.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { createScalerMetrics } from '../util/scaler-metrics';
import { runInvocation, type InvocationRuntime, type InvocationSummary } from './run-invocation';
import { observeResult } from './observe-result';
import { objectKey } from './object-key';

/** The part of Lambda's context object the handler uses. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

export interface PodScalerObservability {
  logger: Logger;
  metrics: Metrics;
}

export function createPodScalerHandler(
  buildRuntime: () => Promise<InvocationRuntime>,
  observability: PodScalerObservability = {
    logger: new Logger({ serviceName: 'eks-lambda-scaler-pod-scaler' }),
    metrics: createScalerMetrics(),
  },
) {
  let runtime: Promise<InvocationRuntime> | undefined;
  return async (event: unknown, context?: LambdaContext): Promise<InvocationSummary> => {
    runtime ??= buildRuntime()
      .then((ready) => observed(ready, observability))
      .catch((error: unknown) => {
        runtime = undefined; // a broken cold start must not poison the container
        throw error;
      });
    const ready = await runtime;
    const remaining = context?.getRemainingTimeInMillis() ?? 60_000;
    const summary = await runInvocation(event, remaining, ready);
    observability.logger.info('invocation finished', { summary });
    if (summary.overlapped > 0) {
      // Normal when two scheduled invocations overlap: the other invocation's decisions stand.
      observability.logger.info('objects evaluated by an overlapping invocation', { overlapped: summary.overlapped });
    }
    const problems = [...(summary.shardFailures ?? []), ...summary.noticeFailures, ...(summary.restored?.failures ?? [])];
    for (const problem of problems) observability.logger.warn('invocation problem', { problem });
    return summary;
  };
}

/** The runtime with each result logged and emitted as metrics; built once per container. */
function observed(ready: InvocationRuntime, { logger, metrics }: PodScalerObservability): InvocationRuntime {
  const { config } = ready.tick;
  const maxReplicasByKey = new Map(config.scaledObjects.map((object) => [objectKey(object, config), object.maxReplicaCount] as const));
  return {
    ...ready,
    tick: { ...ready.tick, onResult: (result) => observeResult(result, logger, metrics, maxReplicasByKey.get(result.key)) },
  };
}

export const handler = createPodScalerHandler(async () => {
  // Imported lazily so tests of the factory never load the production wiring.
  const { buildProductionRuntime } = await import('./production-runtime');
  return buildProductionRuntime();
});
