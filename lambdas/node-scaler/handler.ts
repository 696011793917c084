/**
 * The node scaler Lambda. Thin: it wires adapters around the tick (node-scaler-tick.ts) and reports.
 * Tests call `createNodeScalerHandler` with mocked Auto Scaling, dynalite and the Kubernetes test
 * server; `handler` is the production wiring, loaded lazily.
 */
import type { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KubeConfig } from '@kubernetes/client-node';
import { AwsAutoScalingGroupApi } from '../adapters/autoscaling/aws-auto-scaling-group-api';
import type { ClusterNodesApi } from '../adapters/kubernetes/cluster-nodes-api';
import { KubernetesClusterNodesApi } from '../adapters/kubernetes/kubernetes-cluster-nodes-api';
import { DynamoDbNodeGroupStateStore } from '../adapters/state/node-group-state-store';
import type { ClusterRef, ScalerConfig } from '../config/scaler-config';
import type { Clock } from '../pod-scaler/tick-types';
import { parseNodeScalerEvent } from './invocation-event';
import { runNodeScalerTick } from './node-scaler-tick';
import type { NodeScalerTelemetry } from './telemetry';
import { powertoolsTelemetry } from './telemetry';
import type { NodeScalerTickSummary } from './tick-types';

/** The part of Lambda's context object the handler uses. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
}

export interface NodeScalerHandlerDependencies {
  config: ScalerConfig;
  autoScalingClient: AutoScalingClient;
  dynamoDbClient: DynamoDBClient;
  tableName: string;
  kubeConfigFor(cluster: ClusterRef): Promise<KubeConfig>;
  clock?: Clock;
  telemetry?: NodeScalerTelemetry;
  /** Time kept back from Lambda's remaining time for writing state and logs (default 5 s). */
  safetyMarginMs?: number;
  drainBudgetMs?: number;
  evictionRetryMs?: number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function createNodeScalerHandler(deps: NodeScalerHandlerDependencies) {
  const clock = deps.clock ?? systemClock;
  const telemetry = deps.telemetry ?? powertoolsTelemetry();
  const autoScaling = new AwsAutoScalingGroupApi(deps.autoScalingClient);
  const stateStore = new DynamoDbNodeGroupStateStore({ client: deps.dynamoDbClient, tableName: deps.tableName });
  // One API object per cluster per container: the KubeConfig refreshes its own tokens.
  const apis = new Map<string, Promise<ClusterNodesApi>>();
  const clusterNodes = (cluster: ClusterRef) => {
    const key = `${cluster.region}/${cluster.name}`;
    let api = apis.get(key);
    if (!api) {
      api = deps.kubeConfigFor(cluster).then((kubeConfig) => new KubernetesClusterNodesApi(kubeConfig));
      api.catch(() => apis.delete(key));
      apis.set(key, api);
    }
    return api;
  };

  return async (event: unknown, context?: LambdaContext): Promise<NodeScalerTickSummary> => {
    const parsed = parseNodeScalerEvent(event);
    const remaining = context?.getRemainingTimeInMillis() ?? 60_000;
    const deadline = clock.now() + Math.max(0, remaining - (deps.safetyMarginMs ?? 5_000));
    let summary: NodeScalerTickSummary;
    try {
      summary = await runNodeScalerTick(
        { config: deps.config, clock, autoScaling, stateStore, clusterNodes, telemetry },
        {
          deadline,
          notices: parsed.kind === 'scale-up-notice' ? parsed.notices : undefined,
          drainBudgetMs: deps.drainBudgetMs,
          evictionRetryMs: deps.evictionRetryMs,
        },
      );
    } finally {
      telemetry.flushMetrics?.();
    }
    telemetry.info('node scaler invocation finished', {
      trigger: parsed.kind,
      pendingPods: summary.pendingPods,
      groups: summary.groups.map((group) => ({
        nodeGroup: group.nodeGroup,
        error: group.error,
        desiredCapacity: group.desiredCapacity,
        scaleUp: group.scaleUp,
        drain: group.drain,
        scaleDownBlockedBy: group.scaleDownBlockedBy,
      })),
    });
    return summary;
  };
}

let production: Promise<(event: unknown, context?: LambdaContext) => Promise<NodeScalerTickSummary>> | undefined;

export async function handler(event: unknown, context?: LambdaContext): Promise<NodeScalerTickSummary> {
  production ??= import('./production-wiring').then(({ buildProductionDependencies }) => buildProductionDependencies()).then(createNodeScalerHandler);
  production.catch(() => (production = undefined));
  return (await production)(event, context);
}
