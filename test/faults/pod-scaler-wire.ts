/**
 * The pod scaler's dependencies on the wire, each behind a fault proxy: DynamoDB (dynalite), Kinesis
 * (kinesalite), SQS (the bench's AWS JSON emulator answering GetQueueAttributes) and the Kubernetes
 * API (the test server, over TLS). The real handler runs on its real production runtime
 * (buildProductionRuntime) with the trigger clients' short timeouts set through its options.
 *
 * The fleet, all in namespace `shop`, each Deployment at 1 replica before the tick:
 *  - `sqs-a`, `sqs-b`: queues orders-a / orders-b with 20 messages, 5 per replica → 4, each read
 *    as its own IAM role (awsRoleArn reader-a / reader-b), so STS AssumeRole is on their path;
 *  - `kin-a`, `kin-b`: streams clicks-a / clicks-b with 4 shards, 2 per replica → 2;
 *  - `cw-a` (eu-west-1), `cw-b` (us-east-1): a CloudWatch metric at 20, target 5 → 4 (one
 *    GetMetricData call per region: the emulator answers 20 for every query).
 * Lambda's Invoke (REST JSON) is a loopback endpoint that accepts every asynchronous invoke and
 * records it (node-scaler notices, fan-out shards); the invoked functions do not run.
 */
import { createServer, type Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { STSClient } from '@aws-sdk/client-sts';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { Logger } from '@aws-lambda-powertools/logger';
import { KubeConfig } from '@kubernetes/client-node';
import { createStateTable, DynamoDbStateStore } from '../../lambdas/adapters/state/dynamodb-state-store';
import { createPodScalerHandler } from '../../lambdas/pod-scaler/handler';
import { buildProductionRuntime } from '../../lambdas/pod-scaler/production-runtime';
import { awsTransport } from '../../lambdas/adapters/aws/aws-transport';
import { withRequestTimeout } from '../../lambdas/adapters/kubernetes/request-timeout';
import { createScalerMetrics } from '../../lambdas/util/scaler-metrics';
import { listenOnLoopback } from '../../lambdas/util/listen-on-loopback';
import { startAwsJsonEmulator, type AwsJsonEmulator } from '../../bench/support/aws-json-emulator';
import { startDynalite, type RunningDynalite } from '../support/dynalite';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { startKinesalite, type RunningKinesalite } from '../support/kinesalite';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-api-server';
import { KUBE_TEST_TLS_CERT, KUBE_TEST_TLS_KEY } from '../support/kube-tls-fixture';
import { oneTriggerObject as scaledObject } from '../pod-scaler/harness';
import { startQueryEmulator, type QueryEmulator } from './query-emulator';
import { configFrom, FakeClock, putDeployment, quietUnlessLogged, replicasOf, CLUSTER, REGION, TABLE } from '../pod-scaler/harness';

export const OBJECTS = { 'sqs-a': 4, 'sqs-b': 4, 'kin-a': 2, 'kin-b': 2, 'cw-a': 4, 'cw-b': 4 } as const;
export type ObjectName = keyof typeof OBJECTS;
export const POD_REMAINING_MS = 10_000;
/** The pod scaler's own deadline margin (run-invocation.ts). */
export const POD_DEADLINE_MARGIN_MS = 3_000;
const CREDENTIALS = { accessKeyId: 'AKIDPODFAULTS', secretAccessKey: 'pod-faults' };
/**
 * Per-attempt timeout of every client, through the production options: a hang costs about two
 * seconds, and a healthy call on a busy 2-core machine never comes near it.
 */
const CALL_TIMEOUT_MS = 1_000;

function manifests(): string {
  const sqs = (queue: string, role: string) =>
    `{type: aws-sqs-queue, metadata: {queueURL: "https://sqs.us-east-1.amazonaws.com/111122223333/${queue}", awsRegion: ${REGION}, queueLength: "5", awsRoleArn: "arn:aws:iam::111122223333:role/${role}"}}`;
  const kinesis = (stream: string) => `{type: aws-kinesis-stream, metadata: {streamName: ${stream}, awsRegion: ${REGION}, shardCount: "2"}}`;
  const cloudwatch = (region: string) =>
    `{type: aws-cloudwatch, metadata: {namespace: AWS/SQS, metricName: ApproximateNumberOfMessagesVisible, dimensionName: QueueName, dimensionValue: jobs, targetMetricValue: "5", minMetricValue: "0", awsRegion: ${region}}}`;
  return [
    scaledObject('cw-a', cloudwatch('eu-west-1')),
    scaledObject('cw-b', cloudwatch(REGION)),
    scaledObject('sqs-a', sqs('orders-a', 'reader-a')),
    scaledObject('sqs-b', sqs('orders-b', 'reader-b')),
    scaledObject('kin-a', kinesis('clicks-a')),
    scaledObject('kin-b', kinesis('clicks-b')),
  ].join('\n---\n');
}

/** Powertools' logger, keeping each line for the test to read instead of printing it. */
class CapturingLogger extends Logger {
  readonly lines: string[] = [];
  override info(...input: Parameters<Logger['info']>): void {
    this.lines.push(JSON.stringify(input));
  }
  override warn(...input: Parameters<Logger['warn']>): void {
    this.lines.push(JSON.stringify(input));
  }
  override error(...input: Parameters<Logger['error']>): void {
    this.lines.push(JSON.stringify(input));
  }
  override debug(...input: Parameters<Logger['debug']>): void {
    this.lines.push(JSON.stringify(input));
  }
}

export class PodScalerWire {
  readonly clock = new FakeClock(Date.UTC(2026, 10, 22, 12, 0, 0));
  readonly logger = new CapturingLogger({ serviceName: 'pod-scaler-faults' });

  private constructor(
    readonly kubeServer: KubeApiServer,
    readonly dynalite: RunningDynalite,
    readonly kinesalite: RunningKinesalite,
    private readonly sqsEmulator: AwsJsonEmulator,
    private readonly cloudWatchEmulator: AwsJsonEmulator,
    private readonly stsEmulator: QueryEmulator,
    private readonly lambdaEndpoint: Server,
    /** Invokes the Lambda endpoint accepted: function name and payload. */
    readonly invocations: Array<{ functionName: string; payload: unknown }>,
    readonly proxies: { dynamoDb: FaultProxy; kinesis: FaultProxy; sqs: FaultProxy; kube: FaultProxy; lambda: FaultProxy; sts: FaultProxy; cloudWatch: FaultProxy },
  ) {}

  static async start(): Promise<PodScalerWire> {
    process.env.AWS_REGION = REGION;
    const [kubeServer, dynalite, kinesalite] = await Promise.all([startKubeApiServer(), startDynalite(), startKinesalite()]);
    await createStateTable(dynalite.client, TABLE);
    await Promise.all([kinesalite.createStream('clicks-a', 4), kinesalite.createStream('clicks-b', 4)]);
    await Promise.all([kinesalite.waitActive('clicks-a'), kinesalite.waitActive('clicks-b')]);
    const sqsEmulator = await startAwsJsonEmulator({
      jsonVersion: '1.0',
      latencyMs: 0,
      operations: { GetQueueAttributes: () => ({ Attributes: { ApproximateNumberOfMessages: '20', ApproximateNumberOfMessagesNotVisible: '0' } }) },
    });
    const cloudWatchEmulator = await startAwsJsonEmulator({
      jsonVersion: '1.0',
      latencyMs: 0,
      operations: {
        GetMetricData: (input) => ({
          MetricDataResults: ((input.MetricDataQueries as Array<{ Id: string }> | undefined) ?? []).map((query) => ({
            Id: query.Id,
            Label: query.Id,
            StatusCode: 'Complete',
            Timestamps: [Number(input.EndTime ?? 0) - 60],
            Values: [20],
          })),
        }),
      },
    });
    const stsEmulator = await startQueryEmulator(
      {
        AssumeRole: (input) => ({
          Credentials: { AccessKeyId: 'ASIAFAULTS', SecretAccessKey: 'assumed', SessionToken: `session-for-${String(input.RoleArn)}`, Expiration: new Date(Date.UTC(2030, 0, 1)) },
          AssumedRoleUser: { AssumedRoleId: 'AROAFAULTS:scaler', Arn: `${String(input.RoleArn)}/scaler` },
        }),
      },
      'https://sts.amazonaws.com/doc/2011-06-15/',
    );
    const invocations: Array<{ functionName: string; payload: unknown }> = [];
    const lambdaEndpoint = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const functionName = decodeURIComponent(/\/functions\/([^/]+)\/invocations/.exec(req.url ?? '')?.[1] ?? '');
        invocations.push({ functionName, payload: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') });
        res.writeHead(202, { 'content-type': 'application/json', 'x-amzn-requestid': 'lambda-endpoint' });
        res.end('');
      });
    });
    const lambdaUrl = `http://127.0.0.1:${await listenOnLoopback(lambdaEndpoint)}`;
    const tls = { cert: KUBE_TEST_TLS_CERT, key: KUBE_TEST_TLS_KEY };
    const [dynamoDb, kinesis, sqs, kube, lambda, sts, cloudWatch] = await Promise.all([
      startFaultProxy({ target: dynalite.endpoint, protocol: 'aws-json' }),
      startFaultProxy({ target: kinesalite.endpoint, protocol: 'aws-json' }),
      startFaultProxy({ target: sqsEmulator.endpoint, protocol: 'aws-json' }),
      startFaultProxy({ target: kubeServer.url, protocol: 'kubernetes', tls, targetCa: kubeServer.caPem }),
      startFaultProxy({ target: lambdaUrl, protocol: 'aws-rest-json' }),
      startFaultProxy({ target: stsEmulator.url, protocol: 'aws-query' }),
      startFaultProxy({ target: cloudWatchEmulator.endpoint, protocol: 'aws-json' }),
    ]);
    for (const name of Object.keys(OBJECTS)) putDeployment(kubeServer, 'shop', name, 1);
    return new PodScalerWire(kubeServer, dynalite, kinesalite, sqsEmulator, cloudWatchEmulator, stsEmulator, lambdaEndpoint, invocations, {
      dynamoDb,
      kinesis,
      sqs,
      kube,
      lambda,
      sts,
      cloudWatch,
    });
  }

  /**
   * One invocation of a fresh handler (a cold start) through the proxies: scheduled, or `event`
   * (a shard the scheduled one handed over). `env` adds to the function's environment
   * (NODE_SCALER_FUNCTION_NAME, MAX_OBJECTS_PER_INVOCATION...).
   */
  async invoke(env: Record<string, string> = {}, event: unknown = { source: 'aws.scheduler' }) {
    // The production transport, with short timeouts through its options.
    const transport = () => ({ region: REGION, credentials: CREDENTIALS, ...awsTransport(CALL_TIMEOUT_MS, 2) });
    const dynamoDb = new DynamoDBClient({ ...transport(), endpoint: this.proxies.dynamoDb.url });
    const lambda = new LambdaClient({ ...transport(), endpoint: this.proxies.lambda.url });
    const stsClient = new STSClient({ ...transport(), endpoint: this.proxies.sts.url });
    const handler = createPodScalerHandler(
      () =>
        buildProductionRuntime({
          env: { STATE_TABLE_NAME: TABLE, AWS_LAMBDA_FUNCTION_NAME: 'pod-scaler', ...env },
          config: configFrom(manifests(), { hpaSyncPeriodSeconds: 0 }),
          clock: this.clock,
          dynamoDb,
          lambda,
          kubeConfigFor: async () => this.kubeConfig(),
          awsClients: {
            baseCredentials: async () => CREDENTIALS,
            stsRegion: REGION,
            stsClient,
            now: () => this.clock.now(),
            endpoints: { sqs: this.proxies.sqs.url, kinesis: this.proxies.kinesis.url, cloudwatch: this.proxies.cloudWatch.url },
            callTimeoutMs: CALL_TIMEOUT_MS,
            maxAttempts: 2,
          },
        }),
      { logger: this.logger, metrics: quietUnlessLogged(createScalerMetrics) },
    );
    const started = performance.now();
    try {
      const summary = await handler(event, { getRemainingTimeInMillis: () => POD_REMAINING_MS });
      return { summary, elapsedMs: performance.now() - started };
    } finally {
      dynamoDb.destroy();
      lambda.destroy();
      stsClient.destroy();
    }
  }

  private kubeConfig(): KubeConfig {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: CLUSTER, server: this.proxies.kube.url, caData: Buffer.from(KUBE_TEST_TLS_CERT).toString('base64'), skipTLSVerify: false }],
      users: [{ name: 'scaler', token: 'test-token' }],
      contexts: [{ name: CLUSTER, cluster: CLUSTER, user: 'scaler' }],
      currentContext: CLUSTER,
    });
    // Armed first, so the scale-target adapter keeps this timeout rather than its 5 s default.
    return withRequestTimeout(kubeConfig, 2 * CALL_TIMEOUT_MS);
  }

  replicas(name: ObjectName): number {
    return replicasOf(this.kubeServer, 'shop', name);
  }

  /** Every object's stored state (loading must not fail: nothing stored is corrupted). */
  async states() {
    const keys = Object.keys(OBJECTS).map((name) => `${CLUSTER}/shop/${name}`);
    return (await new DynamoDbStateStore({ client: this.dynalite.client, tableName: TABLE }).loadMany(keys)).states;
  }

  async close(): Promise<void> {
    await Promise.all(Object.values(this.proxies).map((proxy) => proxy.close()));
    this.lambdaEndpoint.closeAllConnections();
    await Promise.all([
      this.kubeServer.close(),
      this.dynalite.close(),
      this.kinesalite.close(),
      this.sqsEmulator.close(),
      this.cloudWatchEmulator.close(),
      this.stsEmulator.close(),
      new Promise<void>((resolve) => this.lambdaEndpoint.close(() => resolve())),
    ]);
  }
}
