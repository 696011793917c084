/**
 * Wires the pod scaler to real AWS and EKS. Every client can be replaced, so the end-to-end tests
 * run this same wiring against dynalite, kinesalite, client mocks and the Kubernetes API test
 * server; production passes nothing and gets the Lambda role's default clients.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EKSClient } from '@aws-sdk/client-eks';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import { STSClient } from '@aws-sdk/client-sts';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterRef, ScalerConfig } from '../config/scaler-config';
import { loadConfig } from '../config/load-config';
import { AwsClientFactory, type AwsClientFactoryOptions } from '../adapters/aws/aws-client-factory';
import { awsTransport } from '../adapters/aws/aws-transport';
import { withDirectJsonRpc } from '../adapters/aws/json-rpc/direct-json-rpc';
import { DYNAMODB_JSON_RPC } from '../adapters/aws/json-rpc/dynamodb-json-rpc';
import { KinesisCallLimit } from '../adapters/aws/kinesis-call-limit';
import { createTriggerReader } from '../adapters/aws/read-plan';
import { createHttpReader } from '../adapters/http/http-reader';
import { createSecretKeyReader } from '../adapters/kubernetes/secret-key-reader';
import { createAwsSecretReader } from '../adapters/aws/secrets-manager-reader';
import { EksClusterAccess } from '../adapters/kubernetes/eks-cluster-access';
import { KubernetesScaleTargetApi } from '../adapters/kubernetes/kubernetes-scale-target-api';
import type { ScaleTargetApi } from '../adapters/kubernetes/scale-target-api';
import { DynamoDbStateStore } from '../adapters/state/dynamodb-state-store';
import { DynamoDbScaledJobStateStore } from '../adapters/state/scaled-job-state-store';
import { DynamoDbKinesisReadingStore } from '../adapters/state/kinesis-reading-store';
import type { JobsApi } from '../adapters/kubernetes/jobs-api';
import { KubernetesJobsApi } from '../adapters/kubernetes/kubernetes-jobs-api';
import { systemClock } from '../util/system-clock';
import { loadOnce } from '../util/load-once';
import { SqsPassHandover } from '../adapters/aws/sqs-pass-handover';
import { WindowParking } from './parked-windows';
import type { Clock, ScaleUpNotice } from './tick-types';
import { ClusterObjectSource, type ClusterObjectSourceOptions } from '../adapters/kubernetes/cluster-object-source';
import { scaledObjectReporters } from '../adapters/kubernetes/scaled-object-status-api';
import { bundledClusters, bundledObjectSource } from './bundled-object-source';
import type { SourceAssignment } from './load-sources';
import type { ScaledObject } from '../engine/spec/scaled-object';
import { TriggerError, type KafkaReadPort } from '../triggers/trigger-definition';
import { iamRefusal, partitionOf } from '../engine/iam/iam-allowance';
import type { InvocationRuntime, ShardEvent } from './run-invocation';

import { DEFAULT_MAX_OBJECTS_PER_INVOCATION } from './shards';

export { DEFAULT_MAX_OBJECTS_PER_INVOCATION } from './shards';

/**
 * The hand-over send's per-attempt timeout: two attempts end before the window's 3 s budget
 * (HANDOVER_SEND_BUDGET_MS), so a send the window gave up on was aborted by the SDK, not left to
 * land later and wake a second container for a window that slept instead.
 */
const HANDOVER_CALL_TIMEOUT_MS = 1_000;

export interface RuntimeOverrides {
  env?: NodeJS.ProcessEnv;
  config?: ScalerConfig;
  clock?: Clock;
  dynamoDb?: DynamoDBClient;
  lambda?: LambdaClient;
  /** The client of the pass hand-over queue (PASS_HANDOVER_QUEUE_URL). */
  sqs?: SQSClient;
  eks?: (region: string) => EKSClient;
  /** Replaces EKS discovery entirely (tests point it at the Kubernetes API test server). */
  kubeConfigFor?: (cluster: ClusterRef) => Promise<KubeConfig>;
  awsClients?: AwsClientFactoryOptions;
  /** Where cluster ScaledObjects' outcomes go; default: KEDA's status and Events on each ScaledObject (scaledObjectReporters). */
  reporterFor?: ClusterObjectSourceOptions['reporterFor'];
  /** HTTP origins to send elsewhere (tests point New Relic's NerdGraph at a local server). */
  httpOriginOverrides?: Record<string, string>;
}

/**
 * One source per cluster, as the configuration chooses: the bundled objects, or the cluster's own
 * ScaledObjects (one adapter for every cluster-sourced cluster, so its caches live per container).
 */
export function objectSourcesFor(config: ScalerConfig, options: Omit<ClusterObjectSourceOptions, 'checkPermissions'>, env: NodeJS.ProcessEnv = process.env): SourceAssignment[] {
  const bundled = bundledObjectSource({ config, stateStore: options.stateStore, scaleTargets: options.scaleTargets });
  const allowance = config.clusterObjectPermissions;
  const arnContext = { account: env.SCALER_ACCOUNT_ID ?? '', partitionOf, ...(env.AWS_REGION ? { region: env.AWS_REGION } : {}) };
  const live = new ClusterObjectSource({
    ...options,
    ...(allowance ? { checkPermissions: (object: ScaledObject) => iamRefusal(object, allowance, arnContext) } : {}),
  });
  return bundledClusters(config).map((cluster) => ({ cluster, source: cluster.objectSource === 'cluster' ? live : bundled }));
}

export async function buildProductionRuntime(overrides: RuntimeOverrides = {}): Promise<InvocationRuntime> {
  const env = overrides.env ?? process.env;
  const config = overrides.config ?? loadConfig();
  const clock = overrides.clock ?? systemClock;
  const tableName = requireEnv(env, 'STATE_TABLE_NAME');
  // Every client has a per-attempt timeout and bounded retries (awsTransport): a hung dependency
  // costs seconds, never the invocation.
  // The Lambda client serves only shard fan-out and the node scaler's notice, so it is loaded at its
  // first use rather than in every cold start (docs/performance.md §31).
  const lambda = loadOnce(async () => {
    const sdk = await import('@aws-sdk/client-lambda').catch((error: unknown) => {
      throw partNotLoaded('the Lambda client', error);
    });
    return { client: overrides.lambda ?? new sdk.LambdaClient(awsTransport()), InvokeCommand: sdk.InvokeCommand };
  });

  const kubeConfigFor = overrides.kubeConfigFor ?? defaultKubeConfigSource(overrides);
  const apis = new Map<string, Promise<ScaleTargetApi>>();
  // The tick counts its passes (beginPass): the adapters' per-namespace lists answer exactly one pass.
  let pass = 0;
  const scaleTargets = (cluster: string): Promise<ScaleTargetApi> => {
    let api = apis.get(cluster);
    if (!api) {
      api = kubeConfigFor(clusterRef(config, cluster)).then(
        (kubeConfig) => new KubernetesScaleTargetApi(kubeConfig, { now: () => clock.now(), passOf: () => pass }),
      );
      api.catch(() => apis.delete(cluster)); // retry discovery next pass instead of caching a failure
      apis.set(cluster, api);
    }
    return api;
  };

  // ScaledJobs (issue 17): one Jobs adapter per cluster, its lists scoped to the pass like the scale targets'.
  const jobApis = new Map<string, Promise<JobsApi>>();
  const jobs = (cluster: string): Promise<JobsApi> => {
    let api = jobApis.get(cluster);
    if (!api) {
      api = kubeConfigFor(clusterRef(config, cluster)).then((kubeConfig) => new KubernetesJobsApi(kubeConfig, { now: () => clock.now(), passOf: () => pass }));
      api.catch(() => jobApis.delete(cluster));
      jobApis.set(cluster, api);
    }
    return api;
  };

  const nodeScaler = env.NODE_SCALER_FUNCTION_NAME;
  const self = env.AWS_LAMBDA_FUNCTION_NAME;
  const invokeAsync = async (functionName: string, payload: unknown) => {
    const { client, InvokeCommand } = await lambda();
    const answer = await client.send(
      new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: Buffer.from(JSON.stringify(payload)) }),
    );
    // Lambda accepts an asynchronous invoke with 202; anything else (a proxy's 200 page) did not queue the event.
    if (answer.StatusCode !== 202) {
      throw new Error(
        `Lambda Invoke of ${functionName} answered ${answer.StatusCode ?? 'without a status'}, not 202: the event was not queued; ` +
          'check the Lambda endpoint (VPC endpoint, proxy)',
      );
    }
  };

  // The state table's item calls skip the SDK's middleware (direct-json-rpc.ts, docs/performance.md §27),
  // a given client's too: it is configured as production's is, and tests and benches go the same way.
  const dynamoDb = withDirectJsonRpc(overrides.dynamoDb ?? new DynamoDBClient(awsTransport()), DYNAMODB_JSON_RPC);
  const stateStore = new DynamoDbStateStore({ client: dynamoDb, tableName });
  const objectSources = objectSourcesFor(config, {
    kubeConfigFor,
    scaleTargets,
    stateStore,
    now: () => clock.now(),
    // Cluster ScaledObjects get KEDA's status and Events on themselves (scaled-object-status-api.ts).
    reporterFor: overrides.reporterFor ?? scaledObjectReporters(kubeConfigFor, { now: () => clock.now(), onProblem: warnReportProblem }),
  }, env);

  // A cold container reuses the readings other containers stored (docs/performance.md, Kinesis quota).
  const kinesisLimit = new KinesisCallLimit(clock, undefined, { store: new DynamoDbKinesisReadingStore({ client: dynamoDb, tableName }) });
  return {
    tick: {
      config,
      clock,
      stateStore,
      objectSources,
      scaleTargets,
      jobs,
      scaledJobStates: new DynamoDbScaledJobStateStore({ client: dynamoDb, tableName }),
      beginPass: () => {
        pass += 1;
      },
      readTriggers: triggerReader(overrides, env, (cluster) => kubeConfigFor(clusterRef(config, cluster)), kinesisLimit),
      ...(nodeScaler
        ? {
            onScaleUps: (scaleUps: ScaleUpNotice[]) =>
              invokeAsync(nodeScaler, { source: 'eks-lambda-scaler.pod-scaler', scaleUps }),
          }
        : {}),
    },
    shareQuotasAmong: (invocations) => kinesisLimit.shareAmong(invocations),
    // Unset (the construct's passHandover: 'sleep'), the window sleeps between its passes as before.
    ...(env.PASS_HANDOVER_QUEUE_URL
      ? { parking: new WindowParking(new SqsPassHandover(overrides.sqs ?? new SQSClient(awsTransport(HANDOVER_CALL_TIMEOUT_MS, 2)), env.PASS_HANDOVER_QUEUE_URL), clock) }
      : {}),
    maxObjectsPerInvocation: positiveInteger(env, 'MAX_OBJECTS_PER_INVOCATION', DEFAULT_MAX_OBJECTS_PER_INVOCATION),
    invokeShard: async (event: ShardEvent) => {
      if (!self) throw new Error('AWS_LAMBDA_FUNCTION_NAME is not set: cannot fan out to shards outside Lambda');
      await invokeAsync(self, event);
    },
  };
}

/**
 * A part of the pod scaler's own code that its deployed bundle loads at first use (a chunk, §31)
 * could not be loaded: the deployment is incomplete, which no permission or network fix mends.
 */
function partNotLoaded(part: string, error: unknown): Error {
  const reason = error instanceof Error ? error.message : String(error);
  return new Error(`${part} could not be loaded from the pod scaler's deployed code (its chunks/ folder): ${reason}; deploy the stack again`, { cause: error });
}

/** A status or Event that could not be written: one structured line in the log, the pass goes on. */
function warnReportProblem(problem: string): void {
  console.warn(JSON.stringify({ level: 'WARN', message: 'ScaledObject status or event not written', problem }));
}

/**
 * The read plan: AWS clients, HTTP for prometheus and new-relic (in-cluster Services and
 * Secrets through the same KubeConfigs, SigV4 with the same credentials), and Kafka brokers.
 */
function triggerReader(overrides: RuntimeOverrides, env: NodeJS.ProcessEnv, kubeConfigFor: (cluster: string) => Promise<KubeConfig>, kinesisLimit: KinesisCallLimit) {
  const clientFactory = new AwsClientFactory(overrides.awsClients ?? {});
  let ownCredentials: ReturnType<AwsClientFactory['credentialsFor']>;
  const readSecretKey = createSecretKeyReader(kubeConfigFor);
  // A source without a role signs as the scaler itself: the SDK's default chain (the Lambda role).
  const credentialsFor = (source: Parameters<AwsClientFactory['credentialsFor']>[0]) => clientFactory.credentialsFor(source) ?? (ownCredentials ??= new STSClient(awsTransport()).config.credentials);
  const http = createHttpReader({
    kubeConfigFor,
    readSecretKey,
    readAwsSecret: createAwsSecretReader({
      clientFor: (region, roleArn) => clientFactory.secretsManager(region, roleArn),
      defaultRegion: env.AWS_REGION ?? 'us-east-1',
      ...(env.SCALER_ACCOUNT_ID ? { account: env.SCALER_ACCOUNT_ID } : {}),
    }),
    ...(overrides.httpOriginOverrides ? { originOverrides: overrides.httpOriginOverrides } : {}),
    credentialsFor,
  });
  // Kafka brokers (kafka, apache-kafka triggers): SASL and TLS material from Secrets, MSK IAM signed as above.
  // The adapter is loaded at the first Kafka read: a fleet without Kafka triggers never compiles it (§31).
  const kafkaReader = loadOnce(async () => {
    const { createKafkaOffsetReader } = await import('../adapters/kafka/kafka-offset-reader').catch((error: unknown) => {
      // A TriggerError passes through the read plan as it is: not reported as an unreachable broker.
      throw new TriggerError(partNotLoaded('the Kafka adapter', error).message, 'ScalerCodeNotLoaded');
    });
    return createKafkaOffsetReader({ readSecretKey, credentialsFor });
  });
  const kafka: KafkaReadPort = { readOffsets: async (request, signal) => (await kafkaReader()).readOffsets(request, signal) };
  return createTriggerReader({ clientFactory, http, kinesisLimit, kafka });
}

function defaultKubeConfigSource(overrides: RuntimeOverrides): (cluster: ClusterRef) => Promise<KubeConfig> {
  const eksClients = new Map<string, EKSClient>();
  const eks = overrides.eks ?? ((region: string) => {
    let client = eksClients.get(region);
    if (!client) eksClients.set(region, (client = new EKSClient({ region, ...awsTransport() })));
    return client;
  });
  // The identity the cluster's access entry maps: the Lambda role, through the SDK's default chain.
  const credentials = new STSClient(awsTransport()).config.credentials;
  const access = new EksClusterAccess({ eks, credentials });
  return (cluster) => access.kubeConfigFor(cluster);
}

export function clusterRef(config: ScalerConfig, name: string): ClusterRef {
  const found = [config.defaultCluster, ...config.clusters].find((cluster) => cluster.name === name);
  if (!found) {
    const known = [config.defaultCluster, ...config.clusters].map((cluster) => cluster.name).join(', ');
    throw new Error(`cluster "${name}" is not configured (known: ${known}); add it to the construct's clusters`);
  }
  return found;
}

function requireEnv(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set; the CDK construct sets it on the function`);
  return value;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`environment variable ${name} must be a whole number of at least 1 (got "${text}")`);
  }
  return value;
}
