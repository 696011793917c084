/**
 * The pod scaler's shared test parts: the real handler wired by its production runtime onto given
 * clients (`podScalerHandler`), a fake clock, ScaledObject and Deployment builders. The suites that
 * run the handler end to end use test/pod-scaler/real-harness.ts (a real kube-apiserver, moto,
 * dynalite); `putDeployment` / `replicasOf` serve the wire-level fault suite (test/faults), which
 * stays on the hand-written server.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EKSClient } from '@aws-sdk/client-eks';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import { createPodScalerHandler } from '../../lambdas/pod-scaler/handler';
import { buildProductionRuntime } from '../../lambdas/pod-scaler/production-runtime';
import type { ScalerConfig } from '../../lambdas/config/scaler-config';
import type { AwsClientFactoryOptions } from '../../lambdas/adapters/aws/aws-client-factory';
import type { Clock } from '../../lambdas/pod-scaler/tick-types';
import type { KubeApiServer } from '../support/kube-api-server';
import { Logger } from '@aws-lambda-powertools/logger';
import { createScalerMetrics } from '../../lambdas/util/scaler-metrics';

export const CLUSTER = 'test-cluster';
export const REGION = 'us-east-1';
export const TABLE = 'scaler-state';

/** A clock whose sleep advances time instantly: passes within a minute run without waiting. */
export class FakeClock implements Clock {
  constructor(public time: number) {}
  now = () => this.time;
  sleep = async (ms: number) => {
    this.time += Math.max(0, ms);
  };
  advance(ms: number): void {
    this.time += ms;
  }
}

export function configFrom(yaml: string, settings: Pick<ScalerConfig, 'hpaSyncPeriodSeconds'> = {}): ScalerConfig {
  const parsed = parseManifests(yaml, { file: 'test.yaml' });
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map((issue) => issue.message).join('\n'));
  return {
    defaultCluster: { name: CLUSTER, region: REGION },
    clusters: [],
    scaledObjects: parsed.objects,
    nodeGroups: [],
    ...settings,
  };
}

export const QUEUE = 'https://sqs.us-east-1.amazonaws.com/111122223333/orders';

/** One ScaledObject `shop/<name>` (1..10 replicas, polled every minute) on one trigger (a flow mapping), in `cluster` when given. */
export function oneTriggerObject(name: string, trigger: string, cluster?: string): string {
  const annotations = cluster === undefined ? '' : `, annotations: {eks-lambda-scaler.io/cluster: ${cluster}}`;
  return `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: ${name}, namespace: shop${annotations}}
spec:
  scaleTargetRef: {name: ${name}}
  pollingInterval: 60
  minReplicaCount: 1
  maxReplicaCount: 10
  triggers:
    - ${trigger}
`;
}

/** A ScaledObject `shop/<name>` on a cron trigger inside its window all day: 5 replicas wanted, no AWS read. */
export function cronObject(name: string, cluster?: string): string {
  return oneTriggerObject(name, '{type: cron, metadata: {timezone: UTC, start: "0 0 * * *", end: "59 23 * * *", desiredReplicas: "5"}}', cluster);
}

/** A ScaledObject `shop/<name>` on an SQS queue (5 messages per replica) scaling the Deployment of the same name. */
export function sqsObject(options: { name?: string; polling?: number; extra?: string; behavior?: string; queue?: string } = {}): string {
  const name = options.name ?? 'orders';
  return `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: ${name}, namespace: shop}
spec:
  scaleTargetRef: {name: ${name}}
  pollingInterval: ${options.polling ?? 30}
  cooldownPeriod: 300
  minReplicaCount: 0
  maxReplicaCount: 20
${options.extra ?? ''}
${options.behavior ?? ''}
  triggers:
    - type: aws-sqs-queue
      metadata:
        queueURL: ${options.queue ?? QUEUE}
        awsRegion: us-east-1
        queueLength: "5"
`;
}

/**
 * Evaluations at each pollingInterval only (no HPA syncs in between): for tests whose subject is
 * not the cadence, so one pass per poll keeps their arithmetic plain.
 */
export function pollOnly(yaml: string): ScalerConfig {
  return configFrom(yaml, { hpaSyncPeriodSeconds: 0 });
}

export interface PodScalerHandlerParts {
  clock: FakeClock;
  dynamoDb: DynamoDBClient;
  lambda: LambdaClient;
  eks: (region: string) => EKSClient;
  awsClients: AwsClientFactoryOptions;
  /** HTTP origins to send to local servers (New Relic's NerdGraph). */
  httpOriginOverrides?: Record<string, string>;
  /** The pass hand-over queue's client (with PASS_HANDOVER_QUEUE_URL in the env). */
  sqs?: SQSClient;
}

/** The real pod scaler handler, wired by its production runtime onto the given clients (a new Lambda container). */
export function podScalerHandler(parts: PodScalerHandlerParts, config: ScalerConfig, env: Record<string, string> = {}): ReturnType<typeof createPodScalerHandler> {
  return createPodScalerHandler(
    () =>
      buildProductionRuntime({
        env: { STATE_TABLE_NAME: TABLE, AWS_LAMBDA_FUNCTION_NAME: 'pod-scaler', ...env },
        config,
        clock: parts.clock,
        dynamoDb: parts.dynamoDb,
        lambda: parts.lambda,
        eks: parts.eks,
        awsClients: parts.awsClients,
        ...(parts.httpOriginOverrides ? { httpOriginOverrides: parts.httpOriginOverrides } : {}),
        ...(parts.sqs ? { sqs: parts.sqs } : {}),
      }),
    quietHandlerOptions(),
  );
}

/** The handler's logger and metrics, quiet unless a test reads them (TEST_LOG_LEVEL=INFO); CI output stays readable. */
export function quietHandlerOptions(): NonNullable<Parameters<typeof createPodScalerHandler>[1]> {
  return {
    logger: new Logger({ serviceName: 'pod-scaler-test', logLevel: (process.env.TEST_LOG_LEVEL ?? 'ERROR') as 'INFO' | 'ERROR' }),
    metrics: quietUnlessLogged(() => createScalerMetrics()),
  };
}

/** One scheduled invocation with a minute of Lambda time left. */
export function scheduledTick(handler: ReturnType<typeof createPodScalerHandler>): ReturnType<ReturnType<typeof createPodScalerHandler>> {
  return handler({ source: 'aws.scheduler' }, { getRemainingTimeInMillis: () => 60_000 });
}

/** A worker Deployment whose container names its queue in the env (for `...FromEnv` metadata). */
export function deploymentManifest(namespace: string, name: string, replicas: number, queueUrlFromEnv = 'https://sqs.us-east-1.amazonaws.com/111122223333/from-env') {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'worker', image: 'worker:1', env: [{ name: 'QUEUE_URL', value: queueUrlFromEnv }] }] },
      },
    },
  };
}

export function putDeployment(kube: KubeApiServer, namespace: string, name: string, replicas: number): void {
  kube.put('Deployment', deploymentManifest(namespace, name, replicas));
}

export function replicasOf(kube: KubeApiServer, namespace: string, name: string): number {
  const deployment = kube.get('Deployment', namespace, name) as { spec?: { replicas?: number } } | undefined;
  return deployment?.spec?.replicas ?? -1;
}

/** The production metrics object; its output is switched off unless a test reads it (TEST_LOG_LEVEL=INFO). */
export function quietUnlessLogged<T>(create: () => T): T {
  if (process.env.TEST_LOG_LEVEL === 'INFO') return create();
  const before = process.env.POWERTOOLS_METRICS_DISABLED;
  process.env.POWERTOOLS_METRICS_DISABLED = 'true';
  try {
    return create();
  } finally {
    if (before === undefined) delete process.env.POWERTOOLS_METRICS_DISABLED;
    else process.env.POWERTOOLS_METRICS_DISABLED = before;
  }
}
