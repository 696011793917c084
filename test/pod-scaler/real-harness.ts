/**
 * The pod scaler's real handler, wired by its production runtime, against real servers: Kubernetes is
 * a real kube-apiserver over HTTPS with deploy/rbac.yaml applied, reached as the pod scaler's IAM
 * identity through an EKS token; SQS, Lambda Invoke and EKS DescribeCluster are moto over HTTP;
 * state is in dynalite. Nothing is mocked.
 *
 * Between the scaler and the apiserver sits the wire-level proxy (test/support/fault-proxy.ts): the
 * moto-seeded DescribeCluster names the proxy as the cluster's endpoint, so every Kubernetes request
 * the scaler makes is recorded (`patchedReplicas()` counts scale PATCHes on the wire) and a test can
 * inject a fault the real server would not produce on demand. The same kind of proxy sits between the
 * scaler's Lambda client and moto (`lambdaProxy`), for Invoke faults moto cannot give (a throttle, a
 * 5xx, a proxy's HTML page). SQS reads and Lambda invocations are counted from moto's own request log.
 *
 * One apiserver, one moto, one dynalite per test FILE (beforeAll); `beforeEach` calls `reset()`:
 * the `shop` namespace (other namespaces are the test's own) is emptied of Deployments, HPAs and Events (a real Deployment delete is
 * immediate: background propagation, no finalizer), a fresh state table is made, the queues are
 * emptied and the logs restarted, so each test starts from what the hand-written server gave it.
 */
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, DeleteMessageBatchCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { AppsV1Api, AutoscalingV2Api, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { createStateTable, DynamoDbStateStore } from '../../lambdas/adapters/state/dynamodb-state-store';
import type { ScalerConfig } from '../../lambdas/config/scaler-config';
import type { AwsClientFactoryOptions } from '../../lambdas/adapters/aws/aws-client-factory';
import { startDynalite, type RunningDynalite } from '../support/dynalite';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { KUBE_TEST_TLS_CERT, KUBE_TEST_TLS_KEY } from '../support/kube-tls-fixture';
import { MOTO_ACCOUNT_ID, MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../support/moto-server';
import { POD_SCALER_IDENTITY, REAL_KUBE_SKIP, REAL_KUBE_START_TIMEOUT_MS, startRealKubeApiServer, type RealKubeApiServer } from '../support/real-kube-apiserver';
import { CLUSTER, deploymentManifest, FakeClock, podScalerHandler, REGION, scheduledTick, TABLE } from './harness';

/** Why the real-server tier cannot run here (the one-line reason was printed by globalSetup), or undefined. */
export const REAL_POD_SCALER_SKIP = REAL_KUBE_SKIP || MOTO_SKIP;
export const REAL_POD_SCALER_START_TIMEOUT_MS = Math.max(REAL_KUBE_START_TIMEOUT_MS, MOTO_START_TIMEOUT_MS);
export const START_TIME = Date.UTC(2026, 10, 22, 12, 0, 0);
export const NAMESPACE = 'shop';
/** The queues the tests' ScaledObjects read, by their public URL (the factory's endpoint routes them to moto). */
export const QUEUE_NAMES = ['orders', 'other'] as const;
export const queueUrl = (name: (typeof QUEUE_NAMES)[number] | string) => `https://sqs.${REGION}.amazonaws.com/${MOTO_ACCOUNT_ID}/${name}`;
const RBAC_YAML = readFileSync(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8');

/** Another apiserver than the file's (a second cluster), another namespace than `shop` (made on first use). */
export interface Where {
  server?: RealKubeApiServer;
  namespace?: string;
}

export interface RealHarness {
  kube: RealKubeApiServer;
  /** The recording (and fault-injecting) proxy the scaler reaches the apiserver through. */
  proxy: FaultProxy;
  /** The proxy the scaler's Lambda client (shard fan-out, notices) reaches moto through. */
  lambdaProxy: FaultProxy;
  /** The state table of the current test (a fresh one per reset()). */
  tableName(): string;
  /** The pod scaler's own KubeConfig (its EKS identity, RBAC applies), through the recording proxy. */
  scalerKubeConfig(): KubeConfig;
  moto: MotoServer;
  dynalite: RunningDynalite;
  store: DynamoDbStateStore;
  clock: FakeClock;
  /** Builds a fresh handler (a new Lambda container) for a configuration. */
  handlerFor(config: ScalerConfig, env?: Record<string, string>, endpoints?: AwsClientFactoryOptions['endpoints'], httpOriginOverrides?: Record<string, string>): ReturnType<typeof podScalerHandler>;
  tick: typeof scheduledTick;
  /** Every test's start: see the header. */
  reset(): Promise<void>;
  putDeployment(name: string, replicas: number, where?: Where): Promise<void>;
  deleteDeployment(name: string): Promise<void>;
  /** spec.replicas as the server holds it, or -1 when the Deployment does not exist. */
  replicasOf(name: string, where?: Where): Promise<number>;
  /** The replica counts of the scale PATCHes the scaler sent since reset(), in order. */
  patchedReplicas(): number[];
  /** Makes every queue hold exactly `messages` visible messages. */
  setBacklog(messages: number): Promise<void>;
  /** The GetQueueAttributes calls the scaler made to moto since reset(). */
  sqsReads(): Promise<number>;
  events(): Promise<Array<{ reason?: string; message?: string; involvedObject: { name?: string } }>>;
  /** Registers an EKS cluster in moto (CreateCluster, then the endpoint and CA a real cluster reports). */
  registerCluster(name: string, region: string, server: { endpoint: string; caPem: string }, authenticationMode?: 'API' | 'API_AND_CONFIG_MAP'): Promise<void>;
  close(): Promise<void>;
}

export interface RealHarnessOptions {
  /** Queues beyond `orders` and `other` in us-east-1 (e.g. an example's own), kept at the same backlog. */
  queues?: Array<{ name: string; region: string }>;
}

export async function startRealHarness(options: RealHarnessOptions = {}): Promise<RealHarness> {
  const [kube, moto, dynalite] = await Promise.all([startRealKubeApiServer({ clusterName: CLUSTER }), startMoto(), startDynalite()]);
  const proxy = await startFaultProxy({ target: kube.endpoint, protocol: 'kubernetes', tls: { cert: KUBE_TEST_TLS_CERT, key: KUBE_TEST_TLS_KEY }, targetCa: kube.caPem });
  const lambdaProxy = await startFaultProxy({ target: moto.endpoint, protocol: 'aws-rest-json' });
  await kube.apply(RBAC_YAML);
  await kube.apply(`{apiVersion: v1, kind: Namespace, metadata: {name: ${NAMESPACE}}}`);
  // The production runtime takes the Lambda role's credentials from the environment: they sign the EKS token.
  process.env.AWS_ACCESS_KEY_ID = POD_SCALER_IDENTITY.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = POD_SCALER_IDENTITY.secretAccessKey;
  process.env.AWS_REGION = REGION;

  const queues: Array<{ sqs: SQSClient; url: string }> = [];
  for (const { name, region } of [...QUEUE_NAMES.map((name) => ({ name, region: REGION })), ...(options.queues ?? [])]) {
    const sqs = new SQSClient(moto.clientConfig(region));
    queues.push({ sqs, url: (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl! });
  }
  const registerCluster: RealHarness['registerCluster'] = async (name, region, server, authenticationMode = 'API_AND_CONFIG_MAP') => {
    await new EKSClient(moto.clientConfig(region)).send(new CreateClusterCommand({ name, roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/eks`, resourcesVpcConfig: {} }));
    await moto.seedEksCluster({ region, name, endpoint: server.endpoint, certificateAuthorityData: Buffer.from(server.caPem).toString('base64'), authenticationMode, status: 'ACTIVE' });
  };
  // The scaler finds the proxy (whose certificate is its own CA) as the cluster's endpoint.
  await registerCluster(CLUSTER, REGION, { endpoint: proxy.url, caPem: KUBE_TEST_TLS_CERT });

  const admin = kube.adminKubeConfig();
  const apps = admin.makeApiClient(AppsV1Api);
  const autoscaling = admin.makeApiClient(AutoscalingV2Api);
  const core = admin.makeApiClient(CoreV1Api);
  const clock = new FakeClock(START_TIME);
  let tableName = TABLE;
  let tables = 0;
  const harness: RealHarness = {
    kube,
    proxy,
    lambdaProxy,
    tableName: () => tableName,
    scalerKubeConfig: () => kube.kubeConfigAs(POD_SCALER_IDENTITY, CLUSTER, { endpoint: proxy.url, caPem: KUBE_TEST_TLS_CERT }),
    moto,
    dynalite,
    store: new DynamoDbStateStore({ client: dynalite.client, tableName }),
    clock,
    handlerFor: (config, env = {}, endpoints = {}, httpOriginOverrides) =>
      podScalerHandler(
        {
          clock,
          dynamoDb: dynalite.client,
          lambda: new LambdaClient({ ...moto.clientConfig(REGION, POD_SCALER_IDENTITY), endpoint: lambdaProxy.url }),
          eks: (region) => new EKSClient(moto.clientConfig(region, POD_SCALER_IDENTITY)),
          awsClients: moto.awsClientFactoryOptions({ baseCredentials: async () => ({ ...POD_SCALER_IDENTITY }), now: () => clock.now(), endpoints }),
          ...(httpOriginOverrides ? { httpOriginOverrides } : {}),
          // Used only when the env names a hand-over queue (PASS_HANDOVER_QUEUE_URL).
          sqs: new SQSClient(moto.clientConfig(REGION, POD_SCALER_IDENTITY)),
        },
        config,
        { STATE_TABLE_NAME: tableName, ...env },
      ),
    tick: scheduledTick,
    async reset() {
      await apps.deleteCollectionNamespacedDeployment({ namespace: NAMESPACE });
      await autoscaling.deleteCollectionNamespacedHorizontalPodAutoscaler({ namespace: NAMESPACE });
      await core.deleteCollectionNamespacedEvent({ namespace: NAMESPACE });
      tables += 1;
      tableName = `${TABLE}-${tables}`;
      await createStateTable(dynalite.client, tableName);
      harness.store = new DynamoDbStateStore({ client: dynalite.client, tableName });
      clock.time = START_TIME;
      proxy.reset();
      lambdaProxy.reset();
      await harness.setBacklog(0);
      await moto.recordRequests();
    },
    async putDeployment(name, replicas, { server = kube, namespace = NAMESPACE } = {}) {
      await server.apply([
        { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
        deploymentManifest(namespace, name, replicas, queueUrl('from-env')) as never,
      ]);
    },
    async deleteDeployment(name) {
      await apps.deleteNamespacedDeployment({ name, namespace: NAMESPACE });
    },
    async replicasOf(name, { server = kube, namespace = NAMESPACE } = {}) {
      const deployment = await server.read<{ apiVersion: string; kind: string; spec?: { replicas?: number } }>('apps/v1', 'Deployment', namespace, name);
      return deployment?.spec?.replicas ?? -1;
    },
    patchedReplicas: () =>
      proxy.requests
        .filter((request) => request.method === 'PATCH' && request.path.endsWith('/scale'))
        .map((request) => (JSON.parse(request.body) as { spec: { replicas: number } }).spec.replicas),
    async setBacklog(messages) {
      // moto, like SQS, allows one PurgeQueue a minute: the backlog is set by sending and by receiving and deleting.
      for (const { sqs, url } of queues) {
        let held = Number((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes?.ApproximateNumberOfMessages);
        while (held < messages) {
          const entries = Array.from({ length: Math.min(10, messages - held) }, (_, index) => ({ Id: `m${index}`, MessageBody: 'work' }));
          await sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: entries }));
          held += entries.length;
        }
        while (held > messages) {
          const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: Math.min(10, held - messages) }));
          if (Messages.length === 0) throw new Error(`queue ${url}: ${held} messages counted, none received`);
          await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((message, index) => ({ Id: `d${index}`, ReceiptHandle: message.ReceiptHandle! })) }));
          held -= Messages.length;
        }
      }
    },
    // The scaler's reads only: they are signed with its role's key, the harness's own with moto's test key.
    sqsReads: async () => (await moto.recordedRequests('GetQueueAttributes')).filter((request) => request.accessKeyId === POD_SCALER_IDENTITY.accessKeyId).length,
    events: async () => (await core.listNamespacedEvent({ namespace: NAMESPACE })).items,
    registerCluster,
    close: async () => {
      await Promise.all([proxy.close(), lambdaProxy.close()]);
      await Promise.all([kube.close(), moto.stop(), dynalite.close()]);
    },
  };
  return harness;
}

/**
 * A test file's harness: started once in beforeAll (nothing when the tier is skipped), reset() before
 * each test, closed in afterAll. Returns a getter, since the harness exists only once beforeAll ran.
 */
export function useRealHarness(options: RealHarnessOptions = {}): () => RealHarness {
  let harness: RealHarness | undefined;
  beforeAll(async () => {
    if (REAL_POD_SCALER_SKIP) return;
    harness = await startRealHarness(options);
  }, REAL_POD_SCALER_START_TIMEOUT_MS);
  afterAll(async () => {
    await harness?.close();
  });
  beforeEach(async () => {
    await harness?.reset();
  });
  return () => {
    if (!harness) throw new Error('the real-server harness is not started (the tier is skipped, or beforeAll failed)');
    return harness;
  };
}
