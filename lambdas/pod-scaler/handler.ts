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
import { configScopeOf, FLEET_SCOPE, type ConfigScope } from './config-scope';
import type { ObjectSource } from './object-source';
import type { ObjectTickResult } from './tick-types';
// A static import (issue 13, goal 9): every cold start builds the wiring, so a chunk of its own
// would save nothing there; and in a bundle built without splitting (the benches' and tests'
// single files) esbuild wraps an `import()`ed module in lazy-init functions, which keeps every
// command of every AWS SDK client it reaches (about 210 KB, 40 ms of init; docs/performance.md §22).
import { buildProductionRuntime } from './production-runtime';

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

/**
 * `scopeOf` picks the configuration an event needs (default: the whole fleet for every event); one
 * runtime is built per scope and kept for the container's life.
 */
export function createPodScalerHandler(
  buildRuntime: (scope: ConfigScope) => Promise<InvocationRuntime>,
  observability: PodScalerObservability = {
    logger: new Logger({ serviceName: 'eks-lambda-scaler-pod-scaler' }),
    metrics: createScalerMetrics(),
  },
  scopeOf: (event: unknown) => ConfigScope = () => FLEET_SCOPE,
) {
  const runtimes = new Map<string, Promise<ObservedRuntime>>();
  return async (event: unknown, context?: LambdaContext): Promise<InvocationSummary> => {
    const scope = scopeOf(event);
    let runtime = runtimes.get(scope.key);
    if (!runtime) {
      runtime = buildRuntime(scope)
        .then((ready) => observed(ready, observability))
        .catch((error: unknown) => {
          runtimes.delete(scope.key); // a broken cold start must not poison the container
          throw error;
        });
      runtimes.set(scope.key, runtime);
    }
    const { ready, observer } = await runtime;
    const remaining = context?.getRemainingTimeInMillis() ?? 60_000;
    let summary: InvocationSummary | undefined;
    try {
      summary = await runInvocation(event, remaining, ready);
    } finally {
      // A parked window's results are published when it ends (its gauges cover the whole minute);
      // a dropped hand-over recorded nothing.
      if (!summary?.parked && summary?.trigger !== 'pass') observer.flush(summary?.trigger);
    }
    observability.logger.info('invocation finished', { summary });
    if (summary.overlapped > 0) {
      // Normal when two scheduled invocations overlap: the other invocation's decisions stand.
      observability.logger.info('objects evaluated by an overlapping invocation', { overlapped: summary.overlapped });
    }
    const problems = [
      ...(summary.sourceProblems ?? []),
      ...(summary.rejected ?? []),
      ...(summary.shardFailures ?? []),
      ...summary.noticeFailures,
      ...(summary.restored?.failures ?? []),
      ...(summary.stateWrites?.failures ?? []),
      ...(summary.handover?.failures ?? []),
      ...(summary.handover?.orphansDropped
        ? [
            `${summary.handover.orphansDropped} parked window(s) dropped: their hand-over ran in another container or never came back; ` +
              'rare after an alarm or a deploy, but if it recurs every minute, check the pass hand-over queue\'s event source mapping (enabled, and the pod scaler can receive from the queue)',
          ]
        : []),
    ];
    for (const problem of problems) observability.logger.warn('invocation problem', { problem });
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
  // Objects read from a cluster are known only once loaded: each load tells the observer their maximum.
  const objectSources = ready.tick.objectSources?.map(({ cluster, source }) => ({
    cluster,
    source: {
      async load(...args: Parameters<ObjectSource['load']>) {
        const snapshot = await source.load(...args);
        for (const { key, object } of snapshot.objects) maxReplicasByKey.set(key, object.maxReplicaCount);
        return snapshot;
      },
    },
  }));
  const tick = { ...ready.tick, ...(objectSources ? { objectSources } : {}), onResult: (result: ObjectTickResult) => observer.record(result) };
  return { ready: { ...ready, tick }, observer };
}

export const handler = createPodScalerHandler(
  async (scope) => {
    const slice = scope.load();
    return buildProductionRuntime(slice ? { config: slice } : {});
  },
  undefined,
  (event) => configScopeOf(event),
);
