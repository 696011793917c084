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
import type { NodeGroupFactsApi } from '../adapters/node-group-facts/node-group-facts-api';
import { KubernetesClusterNodesApi } from '../adapters/kubernetes/kubernetes-cluster-nodes-api';
import { DynamoDbNodeGroupStateStore } from '../adapters/state/node-group-state-store';
import type { ClusterRef, ScalerConfig } from '../config/scaler-config';
import type { Clock } from '../pod-scaler/tick-types';
import type { AutoScalingGroupApi } from '../adapters/autoscaling/auto-scaling-group-api';
import type { NodeGroupStateStore } from '../adapters/state/node-group-state-store';
import type { CallDescription, CallGuard } from './call-guard';
import { callGuard, DEFAULT_NODE_SCALER_CALL_TIMEOUT_MS, guarded } from './call-guard';
import type { NodeScalerEvent } from './invocation-event';
import { parseNodeScalerEvent } from './invocation-event';
import { runNodeScalerTick } from './node-scaler-tick';
import { AwsInstanceLifecycleApi } from '../adapters/autoscaling/aws-instance-lifecycle-api';
import { interruptionIn, runInterruption } from './interruption-invocation';
import type { NodeScalerTelemetry } from './telemetry';
import { powertoolsTelemetry } from './telemetry';
import type { NodeScalerTickSummary } from './tick-types';
import { loadOnce } from '../util/load-once';

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
  /** EKS DescribeNodegroup and EC2 DescribeInstanceTypes for groups at zero (cached-node-group-facts.ts). */
  nodeGroupFacts?: NodeGroupFactsApi;
  clock?: Clock;
  telemetry?: NodeScalerTelemetry;
  /** Time kept back from Lambda's remaining time for writing state and logs (default 5 s). */
  safetyMarginMs?: number;
  drainBudgetMs?: number;
  evictionRetryMs?: number;
  /** Longest any one Auto Scaling, DynamoDB, EKS or Kubernetes call may take, SDK retries included (default 10 s). */
  callTimeoutMs?: number;
  /** Pause between eviction retries while draining an interrupted node (default 5 s). */
  interruptionEvictionRetryMs?: number;
}

const AUTO_SCALING_OPERATIONS: Record<string, string> = {
  describeGroups: 'DescribeAutoScalingGroups/DescribeScalingActivities',
  describeGroupsByTags: 'DescribeAutoScalingGroups by tag/DescribeScalingActivities',
  setDesiredCapacity: 'SetDesiredCapacity',
  terminateInstance: 'TerminateInstanceInAutoScalingGroup',
  groupOfInstance: 'DescribeAutoScalingInstances',
  heartbeatTimeoutSeconds: 'DescribeLifecycleHooks',
  continueLifecycleAction: 'CompleteLifecycleAction',
};

function argument(args: unknown[]): string {
  const first = args[0];
  if (Array.isArray(first)) return first.join(', ');
  if (typeof first === 'string') return first;
  if (first && typeof first === 'object' && 'name' in first) return `${(first as { namespace?: string }).namespace ?? ''}/${String((first as { name: unknown }).name)}`;
  if (first && typeof first === 'object') return `the groups tagged ${Object.entries(first).map(([key, value]) => (value ? `${key}=${String(value)}` : key)).join(', ')}`;
  return 'the cluster';
}

/** Each dependency's calls under this invocation's guard, each described for its timeout message. */
function guardedDependencies(guard: CallGuard, autoScaling: AutoScalingGroupApi, stateStore: NodeGroupStateStore, tableName: string) {
  return {
    autoScaling: guarded(autoScaling, guard, (method, args): CallDescription => ({
      dependency: 'Auto Scaling',
      operation: AUTO_SCALING_OPERATIONS[method] ?? method,
      resource: argument(args),
      fix: "check that the Lambda reaches the Auto Scaling endpoint (NAT or VPC endpoint) and the AWS Health Dashboard; the group is retried next invocation",
    })),
    stateStore: guarded(stateStore, guard, (method, args): CallDescription => ({
      dependency: 'DynamoDB',
      operation: method === 'save' ? 'PutItem' : 'GetItem',
      resource: `item ${argument(args)} in table ${tableName}`,
      fix: 'check that the Lambda reaches DynamoDB (NAT or VPC endpoint) and the table\'s throttling metrics; the group is retried next invocation',
    })),
  };
}

function guardedFacts(guard: CallGuard, facts: NodeGroupFactsApi): NodeGroupFactsApi {
  return guarded(facts, guard, (method, args): CallDescription => ({
    dependency: method === 'managedNodeGroup' ? 'EKS' : 'EC2',
    operation: method === 'managedNodeGroup' ? 'DescribeNodegroup' : 'DescribeInstanceTypes',
    resource: args.map((arg) => (Array.isArray(arg) ? arg.join(', ') : String(arg))).join(' '),
    fix: 'check that the Lambda reaches the EKS and EC2 endpoints; until then the group is planned from its ASG tags and the built-in instance-type table',
  }));
}

function guardedCluster(guard: CallGuard, cluster: ClusterRef, api: ClusterNodesApi): ClusterNodesApi {
  return guarded(api, guard, (method, args) => ({
    dependency: `Kubernetes API of cluster ${cluster.name}`,
    operation: method,
    resource: argument(args),
    fix: "check that the cluster's endpoint is reachable from the Lambda (VPC, security group, endpoint access) and the API server's health; its groups are retried next invocation",
  }));
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export function createNodeScalerHandler(deps: NodeScalerHandlerDependencies) {
  const clock = deps.clock ?? systemClock;
  const telemetry = deps.telemetry ?? powertoolsTelemetry();
  const autoScaling = new AwsAutoScalingGroupApi(deps.autoScalingClient);
  const lifecycle = new AwsInstanceLifecycleApi(deps.autoScalingClient);
  const stateStore = new DynamoDbNodeGroupStateStore({ client: deps.dynamoDbClient, tableName: deps.tableName });
  // One API object per cluster per container: the KubeConfig refreshes its own tokens.
  const apis = new Map<string, Promise<ClusterNodesApi>>();
  const clusterNodes = (cluster: ClusterRef) => {
    const key = `${cluster.region}/${cluster.name}`;
    let api = apis.get(key);
    if (!api) {
      // The request itself is aborted at the call timeout (the guard only stops waiting for it).
      api = deps.kubeConfigFor(cluster).then((kubeConfig) => new KubernetesClusterNodesApi(kubeConfig, { callTimeoutMs: deps.callTimeoutMs ?? DEFAULT_NODE_SCALER_CALL_TIMEOUT_MS }));
      api.catch(() => apis.delete(key));
      apis.set(key, api);
    }
    return api;
  };

  return async (event: unknown, context?: LambdaContext): Promise<NodeScalerTickSummary> => {
    const parsed = understoodEvent(event, telemetry);
    const remaining = context?.getRemainingTimeInMillis() ?? 60_000;
    const deadline = clock.now() + Math.max(0, remaining - (deps.safetyMarginMs ?? 5_000));
    const guard = callGuard(clock, deadline, deps.callTimeoutMs ?? DEFAULT_NODE_SCALER_CALL_TIMEOUT_MS);
    const guardedClusterNodes = async (cluster: ClusterRef) =>
      guardedCluster(
        guard,
        cluster,
        await guard.run(
          {
            dependency: 'EKS',
            operation: 'DescribeCluster',
            resource: `cluster ${cluster.name} in ${cluster.region}`,
            fix: 'check that the Lambda reaches the EKS endpoint and that the cluster exists in that region; its groups are retried next invocation',
          },
          () => clusterNodes(cluster),
        ),
      );
    const interruption = interruptionIn(event);
    if (interruption) {
      const lifecycleApi = guarded(lifecycle, guard, (method, args) => ({
        dependency: 'Auto Scaling',
        operation: AUTO_SCALING_OPERATIONS[method] ?? method,
        resource: argument(args),
        fix: "check that the Lambda reaches the Auto Scaling endpoint (NAT or VPC endpoint); the notice's node is left to EC2",
      }));
      return runInterruption(interruption, { config: deps.config, clock, lifecycle: lifecycleApi, clusterNodes: guardedClusterNodes, telemetry }, { deadline, evictionRetryMs: deps.interruptionEvictionRetryMs });
    }
    let summary: NodeScalerTickSummary;
    try {
      summary = await runNodeScalerTick(
        {
          config: deps.config,
          clock,
          ...guardedDependencies(guard, autoScaling, stateStore, deps.tableName),
          clusterNodes: guardedClusterNodes,
          telemetry,
          nodeGroupFacts: deps.nodeGroupFacts && guardedFacts(guard, deps.nodeGroupFacts),
        },
        {
          deadline,
          notices: parsed.event.kind === 'scale-up-notice' ? parsed.event.notices : undefined,
          drainBudgetMs: deps.drainBudgetMs,
          evictionRetryMs: deps.evictionRetryMs,
        },
      );
    } catch (error) {
      // Never a notice dropped silently: the pod scaler's scale-ups it carried are named here.
      telemetry.error('node scaler invocation failed', {
        trigger: parsed.event.kind,
        notices: parsed.event.kind === 'scale-up-notice' ? parsed.event.notices : undefined,
        error: error instanceof Error ? error.message : String(error),
      });
      throw error;
    } finally {
      telemetry.flushMetrics?.();
    }
    if (parsed.problem) summary.noticeProblems.push(parsed.problem);
    telemetry.info('node scaler invocation finished', {
      trigger: parsed.event.kind,
      pendingPods: summary.pendingPods,
      noticeProblems: summary.noticeProblems.length > 0 ? summary.noticeProblems : undefined,
      discoveryProblems: summary.discoveryProblems,
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

/**
 * The event, or a scheduled tick when a pod-scaler notice cannot be read: the unreadable notice is
 * logged as an error and reported in the summary, and capacity is still planned from the pods the
 * scheduler marked Unschedulable (the notice only brings that forward).
 */
function understoodEvent(event: unknown, telemetry: NodeScalerTelemetry): { event: NodeScalerEvent; problem?: NodeScalerTickSummary['noticeProblems'][number] } {
  try {
    return { event: parseNodeScalerEvent(event) };
  } catch (error) {
    const message = `${(error as Error).message}; the invocation runs as a scheduled tick, so unschedulable pods still get nodes`;
    telemetry.error('scale-up notice not understood', { error: message });
    return { event: { kind: 'tick' }, problem: { cluster: '*', notice: 'the whole event', message } };
  }
}

/** The production wiring, built at the first invocation and built again after one that failed. */
const production = loadOnce(() =>
  import('./production-wiring').then(({ buildProductionDependencies }) => buildProductionDependencies()).then(createNodeScalerHandler),
);

export async function handler(event: unknown, context?: LambdaContext): Promise<NodeScalerTickSummary> {
  return (await production())(event, context);
}
