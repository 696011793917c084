/**
 * The pod scaler's real handler, wired by its real production runtime, against local parts:
 * DynamoDB on dynalite, Kinesis on kinesalite, SQS / CloudWatch / EKS / Lambda through
 * aws-sdk-client-mock, and the Kubernetes API test server reached through EKS discovery (a mocked
 * DescribeCluster that returns the test server's endpoint and CA) and real EKS tokens.
 */
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import type { EKSClientResolvedConfig, ServiceInputTypes as EksInput, ServiceOutputTypes as EksOutput } from '@aws-sdk/client-eks';
import type { LambdaClientResolvedConfig, ServiceInputTypes as LambdaInput, ServiceOutputTypes as LambdaOutput } from '@aws-sdk/client-lambda';
import { LambdaClient, InvokeCommand } from '@aws-sdk/client-lambda';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient, type AwsStub } from 'aws-sdk-client-mock';
import { createStateTable, DynamoDbStateStore } from '../../lambdas/adapters/state/dynamodb-state-store';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import { createPodScalerHandler } from '../../lambdas/pod-scaler/handler';
import { buildProductionRuntime } from '../../lambdas/pod-scaler/production-runtime';
import type { ScalerConfig } from '../../lambdas/config/scaler-config';
import type { AwsClientFactoryOptions } from '../../lambdas/adapters/aws/aws-client-factory';
import type { Clock } from '../../lambdas/pod-scaler/tick-types';
import { startDynalite, type RunningDynalite } from '../support/dynalite';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-api-server';
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

export interface Harness {
  kube: KubeApiServer;
  dynalite: RunningDynalite;
  store: DynamoDbStateStore;
  clock: FakeClock;
  lambda: AwsStub<LambdaInput, LambdaOutput, LambdaClientResolvedConfig>;
  eks: AwsStub<EksInput, EksOutput, EKSClientResolvedConfig>;
  /** Builds a fresh handler (a new Lambda container) for a configuration. */
  handlerFor(config: ScalerConfig, env?: Record<string, string>, endpoints?: AwsClientFactoryOptions['endpoints']): ReturnType<typeof createPodScalerHandler>;
  /** One scheduled invocation. */
  tick(handler: ReturnType<typeof createPodScalerHandler>): ReturnType<ReturnType<typeof createPodScalerHandler>>;
  close(): Promise<void>;
}

export async function startHarness(start = Date.UTC(2026, 10, 22, 12, 0, 0)): Promise<Harness> {
  process.env.AWS_ACCESS_KEY_ID = 'AKIDPODSCALERTEST';
  process.env.AWS_SECRET_ACCESS_KEY = 'pod-scaler-test-secret';
  process.env.AWS_REGION = REGION;
  const kube = await startKubeApiServer({ authenticate: (header) => header?.startsWith('Bearer k8s-aws-v1.') ?? false });
  const dynalite = await startDynalite();
  await createStateTable(dynalite.client, TABLE);
  const store = new DynamoDbStateStore({ client: dynalite.client, tableName: TABLE });
  const clock = new FakeClock(start);
  const eks = mockClient(EKSClient);
  eks.on(DescribeClusterCommand).resolves({
    cluster: {
      name: CLUSTER,
      endpoint: kube.url,
      certificateAuthority: { data: Buffer.from(kube.caPem).toString('base64') },
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
      status: 'ACTIVE',
    },
  });
  const lambda = mockClient(LambdaClient);
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });

  const handlerFor = (config: ScalerConfig, env: Record<string, string> = {}, endpoints: AwsClientFactoryOptions['endpoints'] = {}) =>
    podScalerHandler(
      {
        clock,
        dynamoDb: dynalite.client,
        lambda: new LambdaClient({ region: REGION }),
        eks: () => new EKSClient({ region: REGION }),
        awsClients: { baseCredentials: async () => ({ accessKeyId: 'AKIDPODSCALERTEST', secretAccessKey: 'pod-scaler-test-secret' }), stsRegion: REGION, now: () => clock.now(), endpoints },
      },
      config,
      env,
    );

  return {
    kube,
    dynalite,
    store,
    clock,
    lambda,
    eks,
    handlerFor,
    tick: scheduledTick,
    close: async () => {
      eks.restore();
      lambda.restore();
      await kube.close();
      await dynalite.close();
    },
  };
}

export interface PodScalerHandlerParts {
  clock: FakeClock;
  dynamoDb: DynamoDBClient;
  lambda: LambdaClient;
  eks: (region: string) => EKSClient;
  awsClients: AwsClientFactoryOptions;
  /** HTTP origins to send to local servers (New Relic's NerdGraph). */
  httpOriginOverrides?: Record<string, string>;
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
