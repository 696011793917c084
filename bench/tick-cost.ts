/**
 * Benchmark 1, tick cost at scale: N ScaledObjects (mixed triggers, shared queues) through the pod
 * scaler's real handler and production wiring, with every AWS and Kubernetes call answered over
 * loopback by servers in another process that add a fixed latency per call. Per N it reports wall
 * time, CPU time and peak RSS of one scheduled tick, the calls per service, and the lower bound the
 * APIs allow: calls that cannot be batched away, and round trips that cannot be overlapped.
 *
 *   npx tsx bench/tick-cost.ts [--sizes 10,100,1000,5000] [--latency 20] [--repeats 5]
 *   npx tsx bench/tick-cost.ts --sizes 10000 --shard-size 1000 --repeats 1   # one tick through shard fan-out
 *
 * With --shard-size, the scheduled invocation fans out as production does (MAX_OBJECTS_PER_INVOCATION)
 * from the bundled configuration file and its per-shard slices; each shard event it hands to Lambda
 * then runs, after it, in a fresh handler (a fresh container that parses only its slice), one after
 * another, each timed on its own: in production they run at once, each in its own Lambda, so the
 * tick's time in the slot is the slowest of them (after its hand-over), not their sum.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { STSClient } from '@aws-sdk/client-sts';
import type { KubeConfig } from '@kubernetes/client-node';
import { mockClient } from 'aws-sdk-client-mock';
import { createStateTable } from '../lambdas/adapters/state/dynamodb-state-store';
import { KINESIS_READING_KEY_PREFIX } from '../lambdas/adapters/state/kinesis-reading-store';
import { KINESIS_DESCRIBE_CALLS_PER_SECOND } from '../lambdas/adapters/aws/kinesis-call-limit';
import { EksClusterAccess } from '../lambdas/adapters/kubernetes/eks-cluster-access';
import type { ScalerConfig } from '../lambdas/config/scaler-config';
import { parseManifests } from '../lambdas/engine/spec/parse-manifests';
import { loadConfig } from '../lambdas/config/load-config';
import { configScopeOf } from '../lambdas/pod-scaler/config-scope';
import { writeScalerConfig } from '../lib/config-bundle';
import { createPodScalerHandler } from '../lambdas/pod-scaler/handler';
import { buildProductionRuntime } from '../lambdas/pod-scaler/production-runtime';
import type { InvocationSummary, ShardEvent } from '../lambdas/pod-scaler/run-invocation';
import type { Clock } from '../lambdas/pod-scaler/tick-types';
import { CLOUDWATCH_QUERIES_PER_CALL } from '../lambdas/triggers/aws-cloudwatch';
import { awsKinesisStreamTrigger, kinesisReadUsesAccountQuota } from '../lambdas/triggers/aws-kinesis-stream';
import { buildFleet, fleetYaml, type Fleet } from './tick-cost/fleet';
import { ServersProcess } from './tick-cost/servers-client';
import type { ServerCounts } from './tick-cost/servers-process';
import { itemBytes } from './support/dynamodb-item-size';
import { OUT_DIR, isMain, writeResult } from './support/output';
import { flag, MEASURE_ONE, measureInFreshProcess } from './support/fresh-process';
import { formatNumber, formatTable, median } from './support/table';

export const CLUSTER = 'bench';
export const REGION = 'us-east-1';
export const TABLE = 'scaler-state';
/** The pod scaler's polling slot the issue asks 1,000 objects to fit in. */
export const SLOT_MS = 15_000;
/** The construct's default pod scaler memory, and the memory at which Lambda gives one full vCPU. */
export const LAMBDA_MEMORY_MB = 512;
export const FULL_VCPU_MB = 1769;
/**
 * A cgroup v1 `cpu` directory whose quota is a 512 MB Lambda's share of a vCPU (28,942 µs per
 * 100,000; root only: docs/performance.md §23). When set, the measuring process joins it once the
 * loopback servers are started (they stay outside), so its wall time IS the 512 MB figure.
 */
export const CPU_CGROUP = process.env.BENCH_CPU_CGROUP;
/**
 * Wall time at a 512 MB Lambda's share of a vCPU: measured under CPU_CGROUP, else estimated by
 * stretching all the CPU (assumed on the critical path, which overstates when the tick waits).
 */
export const lambdaEstimate = (wallMs: number, cpuMs: number) => (CPU_CGROUP ? wallMs : wallMs + cpuMs * (FULL_VCPU_MB / LAMBDA_MEMORY_MB - 1));
/** Round trips one object needs in sequence: state load, scale read, metric read, state write (+ patch). */
export const SERIAL_ROUND_TRIPS = 4;
const BATCH_GET_KEYS = 100;

export type ConnectionMode = 'pooled' | 'per-request';

export interface TickCostOptions {
  sizes: number[];
  latencyMs: number;
  /** Measured ticks per size after the cold one. */
  repeatsFor(size: number): number;
  connections?: ConnectionMode;
  /** Objects per invocation before the scheduled tick fans out to shards; default: the whole fleet in one. */
  shardSize?: number;
}

/** One invocation's figures within a sharded tick. */
export interface InvocationCost {
  wallMs: number;
  cpuMs: number;
  lambdaEstimateMs: number;
  evaluated: number;
}

export interface ServiceCalls {
  sqs: number;
  cloudwatch: number;
  kinesis: number;
  dynamodb: number;
  kubernetes: number;
  lambda: number;
}

export interface TickCostRow {
  size: number;
  connections: ConnectionMode;
  latencyMs: number;
  measuredTicks: number;
  coldWallMs: number;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  baselineRssMb: number;
  /** Wall time on a 512 MB Lambda, where CPU runs at 512/1769 of a vCPU (CPU assumed on the critical path). */
  lambdaEstimateMs: number;
  calls: ServiceCalls;
  kubernetesByKind: Record<string, number>;
  dynamodbByOperation: Record<string, number>;
  tlsConnections: number;
  serverCpuMs: number;
  logBytes: number;
  /** GetMetricData queries per pass (CloudWatch bills each one). */
  cloudwatchMetrics: number;
  /** Billed size of the state items after the last tick, bytes (1 WRU per KB written, 1 RRU per 4 KB read consistently). */
  stateItemBytes: { mean: number; max: number };
  scaledPerTick: number;
  /** From the start of the tick to the first, the median and the last scale PATCH, ms (wall). */
  patchAfterMs: { first: number; median: number; last: number };
  /** With shard fan-out: the scheduled invocation and each shard of the last tick, each timed alone. */
  sharded?: { shardSize: number; coordinator: InvocationCost; shards: InvocationCost[]; errors: number };
  lowerBound: { calls: ServiceCalls; serialWallMs: number };
}

function sum(record: Record<string, number>): number {
  return Object.values(record).reduce((total, value) => total + value, 0);
}

function configFor(fleet: Fleet, cadence: BenchCadence): ScalerConfig {
  const parsed = parseManifests(fleetYaml(fleet, cadence.pollingIntervalSeconds), { file: 'bench-fleet.yaml' });
  if (parsed.errors.length > 0) throw new Error(parsed.errors.map((issue) => issue.message).join('\n'));
  // ONE_PASS (pollingInterval 60, no HPA syncs between polls): one invocation is exactly one pass,
  // the unit every figure of benchmark 1 is per (benchmark 2 multiplies by the passes in an hour).
  return { defaultCluster: { name: CLUSTER, region: REGION }, clusters: [], scaledObjects: parsed.objects, nodeGroups: [], hpaSyncPeriodSeconds: cadence.hpaSyncPeriodSeconds };
}

/**
 * The "before" of the connection fix: production's EksClusterAccess pools TLS connections
 * (lambdas/adapters/kubernetes/connection-reuse.ts); removing the instance override brings back
 * client-node's own behaviour, one new TLS connection per request.
 */
export function oneConnectionPerRequest(kubeConfig: KubeConfig): KubeConfig {
  delete (kubeConfig as unknown as { createDispatcher?: unknown }).createDispatcher;
  return kubeConfig;
}

/**
 * Real time, shifted forward a minute per tick so every object is due again without waiting. With
 * `virtualSleep`, the waits between an invocation's passes move the shift instead of the wall
 * clock, so a four-pass minute runs in the time of its passes.
 */
export class ShiftedClock implements Clock {
  offset = 0;
  constructor(private readonly virtualSleep = false) {}
  now = () => Date.now() + this.offset;
  sleep = async (ms: number): Promise<void> => {
    if (this.virtualSleep) this.offset += Math.max(0, ms);
    else await new Promise<void>((resolve) => setTimeout(resolve, ms));
  };
}

/** Swallows what the handler logs (and counts its bytes) so the terminal shows only tables. */
export async function capturingStdout<T>(work: () => Promise<T>): Promise<{ result: T; bytes: number }> {
  const original = process.stdout.write.bind(process.stdout);
  let bytes = 0;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    bytes += typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.byteLength;
    const callback = rest.find((arg) => typeof arg === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    return { result: await work(), bytes };
  } finally {
    process.stdout.write = original;
  }
}

/** The scheduling a bench fleet runs with: KEDA's pollingInterval and the HPA sync between polls (0: none). */
export interface BenchCadence {
  pollingIntervalSeconds: number;
  hpaSyncPeriodSeconds: number;
}

/** One pass per invocation: pollingInterval 60 and no HPA syncs between polls (benchmark 1's unit). */
export const ONE_PASS: BenchCadence = { pollingIntervalSeconds: 60, hpaSyncPeriodSeconds: 0 };

/** The real handler on production wiring against the bench servers, and what to close after. */
export interface BenchScaler {
  fleet: Fleet;
  /** The distinct streams the fleet's triggers read through an assumed role (DescribeStreamSummary, under the account's quota). */
  describedStreams: number;
  handler: ReturnType<typeof createPodScalerHandler>;
  /** A handler with no runtime yet, as a fresh container gets (the shards of a sharded tick). */
  freshHandler(): ReturnType<typeof createPodScalerHandler>;
  /** The shard events the scheduled invocation handed to Lambda, in order, until taken. */
  shardEvents: ShardEvent[];
  servers: ServersProcess;
  dynamoDb: DynamoDBClient;
  clock: ShiftedClock;
  lambda: ReturnType<typeof mockClient>;
  close(): Promise<void>;
}

export async function startBenchScaler(size: number, latencyMs: number, options: { cadence?: BenchCadence; connections?: ConnectionMode; virtualSleep?: boolean; shardSize?: number } = {}): Promise<BenchScaler> {
  const connections = options.connections ?? 'pooled';
  const shardSize = options.shardSize ?? size;
  const fleet = buildFleet(size);
  const config = configFor(fleet, options.cadence ?? ONE_PASS);
  // As the construct bundles it: the whole file, and one slice per shard (of shardSize objects) beside it.
  const configFile = writeScalerConfig(config, `${OUT_DIR}/tick-cost-config-${size}`, 'scaler-config', shardSize).file;
  const configEnv = { SCALER_CONFIG_FILE: configFile };
  const { servers, ready } = await ServersProcess.start(size, latencyMs);
  if (CPU_CGROUP) await writeFile(join(CPU_CGROUP, 'cgroup.procs'), String(process.pid));
  process.env.AWS_ACCESS_KEY_ID = 'AKIDBENCH';
  process.env.AWS_SECRET_ACCESS_KEY = 'bench-secret-not-real';
  process.env.AWS_REGION = REGION;
  const credentials = { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench-secret-not-real' };

  const eks = mockClient(EKSClient);
  eks.on(DescribeClusterCommand).resolves({
    cluster: {
      name: CLUSTER,
      endpoint: ready.kubeUrl,
      certificateAuthority: { data: Buffer.from(ready.caPem).toString('base64') },
      accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' },
      status: 'ACTIVE',
    },
  });
  const lambda = mockClient(LambdaClient);
  const shardEvents: ShardEvent[] = [];
  lambda.on(InvokeCommand).callsFake(async (input: { FunctionName?: string; Payload?: Uint8Array }) => {
    if (input.FunctionName === 'pod-scaler') shardEvents.push(JSON.parse(Buffer.from(input.Payload ?? []).toString()) as ShardEvent);
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return { StatusCode: 202 };
  });

  const dynamoDb = new DynamoDBClient({ endpoint: ready.endpoints.dynamodb, region: REGION, credentials });
  await createStateTable(dynamoDb, TABLE);
  const clock = new ShiftedClock(options.virtualSleep ?? false);
  // The same discovery production uses (DescribeCluster once, EKS tokens per request, pooled
  // connections), optionally without the pooling to show the before.
  const access = new EksClusterAccess({ eks: () => new EKSClient({ region: REGION }), credentials: new STSClient({}).config.credentials });
  const freshHandler = () => createPodScalerHandler(
    (scope) =>
      buildProductionRuntime({
        env: {
          STATE_TABLE_NAME: TABLE,
          AWS_LAMBDA_FUNCTION_NAME: 'pod-scaler',
          NODE_SCALER_FUNCTION_NAME: 'node-scaler',
          // By default one invocation evaluates the whole fleet: the benchmark asks what one Lambda can do.
          MAX_OBJECTS_PER_INVOCATION: String(shardSize),
        },
        // Sharded, a shard parses its slice and the scheduled invocation the whole file, as in Lambda.
        config: shardSize < size ? (scope.load() ?? loadConfig(configFile)) : config,
        clock,
        dynamoDb,
        lambda: new LambdaClient({ region: REGION }),
        kubeConfigFor: async (cluster) => {
          const kubeConfig = await access.kubeConfigFor(cluster);
          return connections === 'per-request' ? oneConnectionPerRequest(kubeConfig) : kubeConfig;
        },
        awsClients: {
          baseCredentials: async () => credentials,
          stsRegion: REGION,
          endpoints: ready.endpoints,
        },
      }),
    {
      logger: new Logger({ serviceName: 'eks-lambda-scaler-pod-scaler' }),
      metrics: new Metrics({ namespace: 'EksLambdaScaler', serviceName: 'pod-scaler' }),
    },
    (event) => configScopeOf(event, configEnv),
  );
  return {
    fleet,
    describedStreams: describedStreamsOf(config),
    handler: freshHandler(),
    freshHandler,
    shardEvents,
    servers,
    dynamoDb,
    clock,
    lambda,
    close: async () => {
      eks.restore();
      lambda.restore();
      dynamoDb.destroy();
      await servers.close();
    },
  };
}

/** One invocation through `handler`, its logs swallowed (and counted), timed in wall and CPU. */
export async function timedInvocation(handler: BenchScaler['handler'], event: unknown): Promise<{ summary: InvocationSummary; bytes: number; wallMs: number; cpuMs: number }> {
  const cpuBefore = process.cpuUsage();
  const began = performance.now();
  const { result: summary, bytes } = await capturingStdout(() => handler(event, { getRemainingTimeInMillis: () => 70_000 }));
  const wallMs = performance.now() - began;
  const cpu = process.cpuUsage(cpuBefore);
  return { summary, bytes, wallMs, cpuMs: (cpu.user + cpu.system) / 1000 };
}

function invocationCost({ wallMs, cpuMs, summary }: { wallMs: number; cpuMs: number; summary: InvocationSummary }): InvocationCost {
  return { wallMs, cpuMs, lambdaEstimateMs: lambdaEstimate(wallMs, cpuMs), evaluated: summary.evaluated };
}

export async function measureTickCost(size: number, latencyMs: number, repeats: number, connections: ConnectionMode, shardSize = size): Promise<TickCostRow> {
  const { fleet, describedStreams, handler, freshHandler, shardEvents, servers, dynamoDb, clock, lambda, close } = await startBenchScaler(size, latencyMs, { connections, shardSize });
  let stateItemBytes: { mean: number; max: number };
  const baselineRss = process.memoryUsage().rss;
  const ticks: {
    wallMs: number;
    cpuMs: number;
    peakRss: number;
    counts: ServerCounts;
    logBytes: number;
    lambda: number;
    summary: InvocationSummary;
    startedAt: number;
    shards: InvocationCost[];
    errors: number;
  }[] = [];
  // Sharded, the invocations of a tick run one after another here but at once in Lambda: each starts
  // a minute (of the scaler's clock) after the same invocation of the tick before, not a minute plus
  // the whole tick's run, so that what one container leaves for the next (state, stored Kinesis
  // readings) is as old as in Lambda.
  const firstTickStarts: number[] = [];
  const startInvocation = (tick: number, index: number) => {
    if (shardSize >= size) return;
    if (tick === 0) firstTickStarts[index] = clock.now();
    else clock.offset = firstTickStarts[index]! + tick * 60_000 - Date.now();
  };
  try {
    for (let tick = 0; tick <= repeats; tick++) {
      clock.offset = tick * 60_000;
      startInvocation(tick, 0);
      await servers.startTick(tick);
      lambda.resetHistory();
      let peakRss = process.memoryUsage.rss();
      // RSS only, every 20 ms: a full memoryUsage() every 5 ms was 3.6% of a loaded tick's CPU
      // profile, counted in the tick's CPU (docs/performance.md §12).
      const sampler = setInterval(() => {
        peakRss = Math.max(peakRss, process.memoryUsage.rss());
      }, 20);
      const startedAt = Date.now();
      const { summary, bytes, wallMs, cpuMs } = await timedInvocation(handler, { source: 'aws.scheduler' });
      clearInterval(sampler);
      peakRss = Math.max(peakRss, process.memoryUsage.rss());
      const invokes = lambda.commandCalls(InvokeCommand).length;
      // Each shard event of the tick in a fresh handler (a fresh container), one after another.
      const shards = [];
      for (const [index, event] of shardEvents.splice(0).entries()) {
        startInvocation(tick, index + 1);
        shards.push(await timedInvocation(freshHandler(), event));
      }
      const evaluated = summary.evaluated + shards.reduce((total, shard) => total + shard.summary.evaluated, 0);
      const errors = summary.errors + shards.reduce((total, shard) => total + shard.summary.errors, 0);
      if (evaluated !== size) {
        throw new Error(`tick ${tick} at N=${size} evaluated ${evaluated} objects (${errors} errors, ${summary.skippedForDeadline} skipped)`);
      }
      // Sharded, a failure is reported in the row (the shards' logs say why) rather than ending the run.
      if (errors > 0 && shardSize >= size) throw new Error(`tick ${tick} at N=${size}: ${errors} objects failed`);
      ticks.push({
        wallMs,
        cpuMs,
        peakRss,
        counts: await servers.counts(),
        logBytes: bytes,
        lambda: invokes,
        summary,
        startedAt,
        shards: shards.map(invocationCost),
        errors,
      });
    }
    stateItemBytes = await measureStateItems(dynamoDb);
  } finally {
    await close();
  }

  const [cold, ...warm] = ticks;
  const med = (pick: (tick: (typeof ticks)[number]) => number) => median(warm.map(pick));
  const calls: ServiceCalls = {
    sqs: med((t) => sum(t.counts.sqs)),
    cloudwatch: med((t) => sum(t.counts.cloudwatch)),
    kinesis: med((t) => sum(t.counts.kinesis)),
    dynamodb: med((t) => sum(t.counts.dynamodb)),
    kubernetes: med((t) => sum(t.counts.kubernetes)),
    lambda: med((t) => t.lambda),
  };
  const scaled = med((t) => t.summary.scaled);
  const kubernetesByKind: Record<string, number> = {};
  const dynamodbByOperation: Record<string, number> = {};
  for (const key of new Set(warm.flatMap((t) => Object.keys(t.counts.kubernetes)))) kubernetesByKind[key] = med((t) => t.counts.kubernetes[key] ?? 0);
  for (const key of new Set(warm.flatMap((t) => Object.keys(t.counts.dynamodb)))) dynamodbByOperation[key] = med((t) => t.counts.dynamodb[key] ?? 0);
  const patchAfter = (pick: (times: number[]) => number | undefined) =>
    med((t) => {
      const time = pick(t.counts.patchTimes);
      return time === undefined ? Number.NaN : time - t.startedAt;
    });
  const wallMs = med((t) => t.wallMs);
  const cpuMs = med((t) => t.cpuMs);
  const last = ticks.at(-1)!;
  return {
    size,
    connections,
    latencyMs,
    measuredTicks: warm.length,
    coldWallMs: cold!.wallMs,
    wallMs,
    cpuMs,
    peakRssMb: Math.max(...ticks.map((t) => t.peakRss)) / 2 ** 20,
    baselineRssMb: baselineRss / 2 ** 20,
    lambdaEstimateMs: lambdaEstimate(wallMs, cpuMs),
    calls,
    kubernetesByKind,
    dynamodbByOperation,
    tlsConnections: med((t) => t.counts.tlsConnections),
    serverCpuMs: med((t) => t.counts.serverCpuMs),
    logBytes: med((t) => t.logBytes),
    cloudwatchMetrics: med((t) => t.counts.cloudwatchMetrics),
    stateItemBytes,
    scaledPerTick: scaled,
    patchAfterMs: {
      first: patchAfter((times) => times[0]),
      median: patchAfter((times) => times[Math.floor(times.length / 2)]),
      last: patchAfter((times) => times.at(-1)),
    },
    ...(shardSize < size ? { sharded: { shardSize, coordinator: invocationCost(last), shards: last.shards, errors: last.errors } } : {}),
    lowerBound: {
      calls: {
        sqs: fleet.queues.length,
        cloudwatch: Math.ceil(fleet.cloudwatchQueries / CLOUDWATCH_QUERIES_PER_CALL),
        kinesis: fleet.streams.length,
        dynamodb: Math.ceil(size / BATCH_GET_KEYS) + size,
        // One workload LIST per namespace answers every scale read of the pass (the fleet is all Deployments).
        kubernetes: fleet.namespaces + scaled,
        lambda: scaled > 0 ? 1 : 0,
      },
      // Streams read with the scaler's own role (ListShards, a quota per stream) wait for no turn.
      serialWallMs: boundWallMs(describedStreams, latencyMs, shardSize < size),
    },
  };
}

/** Distinct streams read through an assumed role, by the rule the read plan applies (aws-kinesis-stream.ts). */
function describedStreamsOf(config: ScalerConfig): number {
  const streams = new Set<string>();
  for (const object of config.scaledObjects) {
    for (const trigger of object.triggers) {
      if (trigger.type === 'aws-kinesis-stream' && kinesisReadUsesAccountQuota(trigger.aws)) streams.add(awsKinesisStreamTrigger.readRequest(trigger, 0)!.key);
    }
  }
  return streams.size;
}

/**
 * The tick's wall time that neither CPU nor concurrency can take away: the round trips one object
 * needs in sequence, and, in one unsharded pass, the Kinesis quota's spacing of the streams read
 * through an assumed role (`describedStreams`: DescribeStreamSummary, one call per 1/20 s
 * account-wide, kinesis-call-limit.ts), the last of which is read (describedStreams - 1) / 20 s after
 * the first; only then can its objects be claimed and patched. That is a warm tick's bound (the
 * measured ones): a cold container's bucket starts empty, one interval later. Streams read with the
 * scaler's own role (ListShards, a quota per stream) add nothing. Sharded ticks split the quota and
 * reuse readings by their own rules: there only the round trips count.
 */
export function boundWallMs(describedStreams: number, latencyMs: number, sharded: boolean): number {
  const roundTrips = SERIAL_ROUND_TRIPS * latencyMs;
  if (sharded || describedStreams === 0) return roundTrips;
  return roundTrips + ((describedStreams - 1) * 1_000) / KINESIS_DESCRIBE_CALLS_PER_SECOND;
}

export async function measureStateItems(dynamoDb: DynamoDBClient): Promise<{ mean: number; max: number }> {
  const sizes: number[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamoDb.send(new ScanCommand({ TableName: TABLE, ExclusiveStartKey: startKey }));
    // The Kinesis readings stored beside the objects' state are not object state items.
    for (const item of page.Items ?? []) if (!item.pk?.S?.startsWith(KINESIS_READING_KEY_PREFIX)) sizes.push(itemBytes(item));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const total = sizes.reduce((sum, size) => sum + size, 0);
  return { mean: sizes.length > 0 ? total / sizes.length : 0, max: Math.max(0, ...sizes) };
}

const ms = (value: number) => (value >= 10_000 ? `${formatNumber(Math.round(value / 100) / 10)} s` : `${formatNumber(Math.round(value))} ms`);
const vs = (measured: number, bound: number) => `${formatNumber(measured)} / ${formatNumber(bound)}`;

export function tickCostTable(rows: readonly TickCostRow[], title?: string): string {
  const latency = rows[0]?.latencyMs ?? 0;
  return formatTable(
    title ??
      `Tick cost: one scheduled tick through the real handler, every call +${latency} ms (median of warm ticks; calls measured / lower bound)`,
    ['N', 'connections', 'wall', 'cold wall', 'CPU', 'peak RSS', '512 MB est.', 'bound wall', 'first / median / last patch', 'first patch 512 MB est.', 'SQS', 'CloudWatch', 'Kinesis', 'DynamoDB', 'Kubernetes', 'TLS conns', 'fits 15 s'],
    rows.map((row) => [
      row.size,
      row.connections,
      ms(row.wallMs),
      ms(row.coldWallMs),
      ms(row.cpuMs),
      `${Math.round(row.peakRssMb)} MB`,
      ms(row.lambdaEstimateMs),
      ms(row.lowerBound.serialWallMs),
      [row.patchAfterMs.first, row.patchAfterMs.median, row.patchAfterMs.last].map(ms).join(' / '),
      // Stretched as the whole tick is: the same share of CPU on the way to the first patch.
      ms(row.patchAfterMs.first * (row.lambdaEstimateMs / row.wallMs)),
      vs(row.calls.sqs, row.lowerBound.calls.sqs),
      vs(row.calls.cloudwatch, row.lowerBound.calls.cloudwatch),
      vs(row.calls.kinesis, row.lowerBound.calls.kinesis),
      vs(row.calls.dynamodb, row.lowerBound.calls.dynamodb),
      vs(row.calls.kubernetes, row.lowerBound.calls.kubernetes),
      row.tlsConnections,
      row.lambdaEstimateMs <= SLOT_MS ? 'yes' : 'no',
    ]),
  );
}

/** One tick through shard fan-out: the scheduled invocation and its shards, each as its own Lambda. */
export function shardedTickTable(rows: readonly TickCostRow[]): string {
  return formatTable(
    `One tick through shard fan-out, every call +${rows[0]?.latencyMs ?? 0} ms (last tick; each invocation timed alone, one after another)`,
    ['N', 'per invocation', 'invocations', 'scheduled: wall / CPU / 512 MB est.', 'slowest shard: wall / CPU / 512 MB est.', 'shards CPU total', 'objects failed', 'tick in one 15 s slot (512 MB est.)'],
    rows.flatMap((row) => {
      if (!row.sharded || row.sharded.shards.length === 0) return [];
      const { coordinator, shards, shardSize } = row.sharded;
      const worst = shards.reduce((slowest, cost) => (cost.lambdaEstimateMs > slowest.lambdaEstimateMs ? cost : slowest));
      // The shards start once the scheduled invocation hands them over (one Invoke each, concurrently).
      const slot = Math.max(coordinator.lambdaEstimateMs, worst.lambdaEstimateMs + row.latencyMs);
      const figures = (cost: InvocationCost) => [cost.wallMs, cost.cpuMs, cost.lambdaEstimateMs].map(ms).join(' / ');
      return [[
        row.size,
        shardSize,
        1 + shards.length,
        figures(coordinator),
        figures(worst),
        ms(shards.reduce((total, cost) => total + cost.cpuMs, 0)),
        row.sharded.errors,
        `${ms(slot)} (${slot <= SLOT_MS ? 'fits' : 'does not fit'})`,
      ]];
    }),
  );
}

/**
 * Each size is measured in a fresh process (a fresh "Lambda container"): RSS never shrinks, so a
 * process that measured N=1,000 would report its peak again for every later size.
 */
export async function runTickCost(options: TickCostOptions): Promise<TickCostRow[]> {
  const rows: TickCostRow[] = [];
  for (const size of options.sizes) {
    const args = [String(size), String(options.latencyMs), String(options.repeatsFor(size)), options.connections ?? 'pooled', String(options.shardSize ?? size)];
    rows.push(await measureInFreshProcess<TickCostRow>(import.meta.url, args, `tick-cost N=${size}`));
  }
  return rows;
}


if (isMain(import.meta.url) && process.argv[2] === MEASURE_ONE) {
  const [size, latency, repeats, connections, shardSize] = process.argv.slice(3);
  process.send?.(await measureTickCost(Number(size), Number(latency), Number(repeats), connections as ConnectionMode, Number(shardSize)));
  process.disconnect?.();
} else if (isMain(import.meta.url)) {
  const sizes = (flag('sizes') ?? '10,100,1000,5000').split(',').map(Number);
  const latencyMs = Number(flag('latency') ?? 20);
  const repeats = Number(flag('repeats') ?? 5);
  const connections = (flag('connections') ?? 'pooled') as ConnectionMode;
  const shardSize = flag('shard-size') === undefined ? undefined : Number(flag('shard-size'));
  const rows = await runTickCost({ sizes, latencyMs, repeatsFor: (size) => (size >= 5000 ? 2 : repeats), connections, ...(shardSize ? { shardSize } : {}) });
  // A sharded run gets its own table and file, so it never overwrites the one-invocation figures.
  console.log(shardSize ? shardedTickTable(rows) : tickCostTable(rows));
  await writeResult(shardSize ? 'tick-cost-sharded' : 'tick-cost', rows);
}
