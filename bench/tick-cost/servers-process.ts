/**
 * The local AWS and Kubernetes endpoints of the tick-cost benchmark, in their own process so the
 * CPU time and memory measured in the bench process are the scaler's alone. Driven over IPC by
 * tick-cost.ts (see ServerRequest / ServerReply). Every endpoint answers after a fixed latency:
 *
 * - Kubernetes: the API test server (HTTPS, real paths and Status bodies) with the fleet's Deployments;
 * - DynamoDB: dynalite;
 * - SQS, CloudWatch, Kinesis: JSON-protocol emulators answering from the fleet's queue depths.
 */
import { startKubeApiServer, type KubeApiServer } from '../../test/support/kube-api-server';
import { startAwsJsonEmulator, type AwsJsonEmulator } from '../support/aws-json-emulator';
import { startDelayedDynalite, type DelayedDynalite } from '../support/delayed-dynalite';
import { buildFleet, metricValue, openShards, queueDepth } from './fleet';

export type ServerRequest =
  | { type: 'setup'; size: number; latencyMs: number }
  | { type: 'tick'; tick: number }
  | { type: 'counts' }
  | { type: 'close' };

export interface ServerCounts {
  sqs: Record<string, number>;
  cloudwatch: Record<string, number>;
  kinesis: Record<string, number>;
  dynamodb: Record<string, number>;
  /** Kubernetes requests by kind of call (scale GET, scale PATCH, workload LIST, HPA LIST, Event POST, other). */
  kubernetes: Record<string, number>;
  tlsConnections: number;
  /** Queries in this tick's GetMetricData calls: CloudWatch bills per metric requested, not per call. */
  cloudwatchMetrics: number;
  /** CPU the servers spent since the last `tick`, ms: shows whether they, not the scaler, were the limit. */
  serverCpuMs: number;
  /** When each scale PATCH of this tick arrived (epoch ms), in order. */
  patchTimes: number[];
}

export type ServerReply =
  | { type: 'ready'; kubeUrl: string; caPem: string; endpoints: { sqs: string; cloudwatch: string; kinesis: string; dynamodb: string } }
  | { type: 'ok' }
  | { type: 'counts'; counts: ServerCounts }
  | { type: 'error'; message: string };

let kube: KubeApiServer | undefined;
let dynamo: DelayedDynalite | undefined;
let cloudwatchMetrics = 0;
let emulators: { sqs: AwsJsonEmulator; cloudwatch: AwsJsonEmulator; kinesis: AwsJsonEmulator } | undefined;
let tick = 0;
let tlsAtTick = 0;
let cpuAtTick = process.cpuUsage();

function kubeCallKind(method: string, path: string): string {
  if (path.endsWith('/scale')) return `scale ${method}`;
  if (path.includes('/horizontalpodautoscalers')) return `HPA ${method === 'GET' ? 'LIST' : method}`;
  if (path.endsWith('/events')) return `Event ${method}`;
  if (method === 'GET' && /\/namespaces\/[^/]+\/(deployments|statefulsets)$/.test(path)) return 'workload LIST';
  return `other ${method}`;
}

async function setup(size: number, latencyMs: number): Promise<ServerReply> {
  const fleet = buildFleet(size);
  kube = await startKubeApiServer({ latencyMs, authenticate: (header) => header?.startsWith('Bearer k8s-aws-v1.') ?? false });
  for (const object of fleet.objects) {
    kube.put('Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: object.name, namespace: object.namespace },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: object.name } },
        template: { metadata: { labels: { app: object.name } }, spec: { containers: [{ name: 'worker', image: 'worker:1' }] } },
      },
    });
  }
  dynamo = await startDelayedDynalite(latencyMs);
  const sqs = await startAwsJsonEmulator({
    jsonVersion: '1.0',
    latencyMs,
    operations: {
      GetQueueAttributes: (input) => {
        const url = String(input.QueueUrl);
        const depth = queueDepth(url.slice(url.lastIndexOf('/') + 1), tick);
        const values: Record<string, string> = {
          ApproximateNumberOfMessages: String(depth),
          ApproximateNumberOfMessagesNotVisible: String(Math.floor(depth / 4)),
          ApproximateNumberOfMessagesDelayed: '0',
        };
        const names = (input.AttributeNames as string[] | undefined) ?? [];
        return { Attributes: Object.fromEntries(names.map((name) => [name, values[name] ?? '0'])) };
      },
    },
  });
  const cloudwatch = await startAwsJsonEmulator({
    jsonVersion: '1.0',
    latencyMs,
    operations: {
      GetMetricData: (input) => {
        const queries = (input.MetricDataQueries as { Id: string }[] | undefined) ?? [];
        cloudwatchMetrics += queries.length;
        const end = Number(input.EndTime ?? Date.now() / 1000);
        return {
          MetricDataResults: queries.map((query, index) => ({
            Id: query.Id,
            Label: query.Id,
            StatusCode: 'Complete',
            Timestamps: [end - 60],
            Values: [metricValue(index, tick)],
          })),
        };
      },
    },
  });
  const kinesis = await startAwsJsonEmulator({
    jsonVersion: '1.1',
    latencyMs,
    operations: {
      // The scaler's own role reads a stream's open shards (aws-kinesis-stream.ts); an assumed role describes it.
      ListShards: (input) => {
        const name = String(input.StreamName);
        const shards = openShards(name);
        const width = 2n ** 128n / BigInt(shards);
        return {
          Shards: Array.from({ length: shards }, (_, index) => ({
            ShardId: `shardId-${String(index).padStart(12, '0')}`,
            HashKeyRange: { StartingHashKey: String(width * BigInt(index)), EndingHashKey: String(index === shards - 1 ? 2n ** 128n - 1n : width * BigInt(index + 1) - 1n) },
            SequenceNumberRange: { StartingSequenceNumber: '49590338271490256608559692538361571095921575989136588898' },
          })),
        };
      },
      DescribeStreamSummary: (input) => {
        const name = String(input.StreamName);
        return {
          StreamDescriptionSummary: {
            StreamName: name,
            StreamARN: `arn:aws:kinesis:us-east-1:111122223333:stream/${name}`,
            StreamStatus: 'ACTIVE',
            StreamModeDetails: { StreamMode: 'PROVISIONED' },
            RetentionPeriodHours: 24,
            StreamCreationTimestamp: 1_700_000_000,
            EnhancedMonitoring: [{ ShardLevelMetrics: [] }],
            EncryptionType: 'NONE',
            OpenShardCount: openShards(name),
            ConsumerCount: 0,
          },
        };
      },
    },
  });
  emulators = { sqs, cloudwatch, kinesis };
  return {
    type: 'ready',
    kubeUrl: kube.url,
    caPem: kube.caPem,
    endpoints: { sqs: sqs.endpoint, cloudwatch: cloudwatch.endpoint, kinesis: kinesis.endpoint, dynamodb: dynamo.endpoint },
  };
}

function counts(): ServerCounts {
  const kubernetes: Record<string, number> = {};
  for (const request of kube?.requests ?? []) {
    const kind = kubeCallKind(request.method, request.path);
    kubernetes[kind] = (kubernetes[kind] ?? 0) + 1;
  }
  const cpu = process.cpuUsage(cpuAtTick);
  return {
    sqs: emulators?.sqs.counts() ?? {},
    cloudwatch: emulators?.cloudwatch.counts() ?? {},
    kinesis: emulators?.kinesis.counts() ?? {},
    dynamodb: dynamo?.counts() ?? {},
    kubernetes,
    tlsConnections: (kube?.tlsConnections ?? 0) - tlsAtTick,
    cloudwatchMetrics,
    serverCpuMs: (cpu.user + cpu.system) / 1000,
    patchTimes: (kube?.requests ?? []).filter((request) => kubeCallKind(request.method, request.path) === 'scale PATCH').map((request) => request.receivedAt).sort((a, b) => a - b),
  };
}

function startTick(next: number): void {
  tick = next;
  // The request log would grow by thousands of entries a tick; only this tick's are counted.
  if (kube) kube.requests.length = 0;
  emulators?.sqs.resetCounts();
  emulators?.cloudwatch.resetCounts();
  emulators?.kinesis.resetCounts();
  dynamo?.resetCounts();
  tlsAtTick = kube?.tlsConnections ?? 0;
  cloudwatchMetrics = 0;
  cpuAtTick = process.cpuUsage();
}

async function handle(request: ServerRequest): Promise<ServerReply> {
  switch (request.type) {
    case 'setup':
      return setup(request.size, request.latencyMs);
    case 'tick':
      startTick(request.tick);
      return { type: 'ok' };
    case 'counts':
      return { type: 'counts', counts: counts() };
    case 'close':
      await Promise.all([kube?.close(), dynamo?.close(), emulators?.sqs.close(), emulators?.cloudwatch.close(), emulators?.kinesis.close()]);
      return { type: 'ok' };
  }
}

process.on('message', (request: ServerRequest) => {
  handle(request).then(
    (reply) => {
      process.send?.(reply);
      if (request.type === 'close') process.disconnect();
    },
    (error: unknown) => process.send?.({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
  );
});
