/**
 * Smoke tests of the benchmark scripts' pure parts: the fleet they measure, the KEDA + HPA call
 * arithmetic, the KEDA + HPA model on a short scenario, and the table format. No timings asserted:
 * speed is measured by `npm run bench`, never by tests.
 */
import { describe, expect, it } from 'vitest';
import { apiCallsFrom } from '../../bench/api-calls';
import { costFor } from '../../bench/cost';
import type { KinesisRateRow } from '../../bench/kinesis-rate';
import { customMetricsMonthly } from '../../bench/cost/prices';
import { itemBytes } from '../../bench/support/dynamodb-item-size';
import { buildFleet, fleetYaml } from '../../bench/tick-cost/fleet';
import { boundWallMs, type TickCostRow } from '../../bench/tick-cost';
import type { SteadyStateRow } from '../../bench/steady-state';
import { runKedaHpaModel } from '../../cli/simulator/keda-hpa-model';
import { formatTable, median } from '../../bench/support/table';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import { builtInScenario } from '../../cli/simulator/traffic';
import { DEFAULT_WORLD_SETTINGS } from '../../cli/simulator/world';

describe('bench fleet', () => {
  it.each([
    [20, 13, 3, 2, 1],
    [100, 65, 15, 10, 2],
    [1000, 650, 150, 100, 20],
  ])('N=%i has %i SQS objects, %i CloudWatch, %i Kinesis, in %i namespaces', (size, sqs, cloudwatch, kinesis, namespaces) => {
    const fleet = buildFleet(size);
    const count = (type: string) => fleet.objects.filter((object) => object.triggers.some((trigger) => trigger.type === type)).length;
    expect(count('aws-sqs-queue')).toBe(sqs);
    expect(count('aws-cloudwatch')).toBe(cloudwatch);
    expect(count('aws-kinesis-stream')).toBe(kinesis);
    expect(fleet.namespaces).toBe(namespaces);
    // Queues are shared: about 2.5 objects per queue, two per stream.
    expect(fleet.queues.length).toBe(Math.floor((sqs - 1) * 0.4) + 1);
    expect(fleet.streams.length).toBe(kinesis / 2);
  });

  it('parses as valid KEDA ScaledObjects with the real parser', () => {
    const parsed = parseManifests(fleetYaml(buildFleet(40), 60), { file: 'fleet.yaml' });
    expect(parsed.errors).toEqual([]);
    expect(parsed.objects).toHaveLength(40);
    expect(parsed.objects.every((object) => object.pollingInterval === 60)).toBe(true);
  });
});

describe('API calls against KEDA + HPA', () => {
  it('multiplies one pass by 240 passes an hour (a pass every 15 s), and KEDA by 120 polls plus 240 HPA requests per AWS trigger', () => {
    const row = {
      size: 20,
      wallMs: 1000,
      calls: { sqs: 6, cloudwatch: 1, kinesis: 1, dynamodb: 21, kubernetes: 50, lambda: 1 },
    } as unknown as TickCostRow;
    const result = apiCallsFrom(row);
    // 20 objects: 13 SQS triggers, 3 CloudWatch, 2 Kinesis; cron makes no AWS call.
    expect(result.awsTriggers).toBe(18);
    expect(result.oursMetricCallsPerHour).toBe(8 * 240);
    expect(result.oursStateCallsPerHour).toBe(22 * 240);
    expect(result.kedaLoopPerHour).toBe(18 * 120);
    expect(result.hpaPerHour).toBe(18 * 240);
    expect(result.metricRatio).toBeCloseTo((18 * 360) / (8 * 240));
  });
});

describe('monthly cost', () => {
  // One measured pass of 1,000 objects (the shape benchmark 1 writes).
  const pass = {
    size: 1000,
    connections: 'pooled',
    lambdaEstimateMs: 5000,
    calls: { sqs: 260, cloudwatch: 1, kinesis: 50, dynamodb: 1010, kubernetes: 1500, lambda: 1 },
    dynamodbByOperation: { BatchGetItem: 10, PutItem: 1000 },
    cloudwatchMetrics: 150,
    logBytes: 100_000,
    stateItemBytes: { mean: 1200, max: 1300 },
    scaledPerTick: 100,
  } as unknown as TickCostRow;

  it('bills as AWS does: sleep included, 2 WRU for a 1.3 KB item, GetMetricData per query once per 60 s period, 4 passes a minute', () => {
    const row = costFor(1000, pass);
    const passes = 43_800 * 4;
    // Parked (the default): four 5 s passes and three 2 s early wakes a minute; sleeping: 45 s + the last pass.
    expect(row.passHandover).toBe('queue');
    expect(row.ours.lambdaCompute).toBeCloseTo(43_800 * (4 * 5 + 3 * 2) * 0.5 * 0.0000133334);
    expect(row.oursBefore.lambdaSleeping).toBeCloseTo(43_800 * 50 * 0.5 * 0.0000133334);
    expect(costFor(1000, pass, undefined, undefined, [], 'sleep').ours.lambdaCompute).toBeCloseTo(43_800 * 50 * 0.5 * 0.0000133334);
    // Three hand-overs a minute: their invocations, and SQS's send, receive, delete plus the mapping's idle polls.
    expect(row.ours.lambdaRequests).toBeCloseTo(43_800 * (1 + 3 + 4) * 0.2e-6); // + the node scaler notice, one a pass
    expect(row.ours.passHandover).toBeCloseTo(43_800 * (9 + 15) * 0.4e-6);
    expect(costFor(1000, pass, undefined, undefined, [], 'sleep').ours.passHandover).toBe(0);
    // Coalesced: the invocation's 1,000 PutItems once a minute, plus 100 claims in each of the other 3 passes.
    expect(row.ours.dynamoDbWrites).toBeCloseTo(43_800 * (1000 + 300) * 2 * 0.625e-6);
    expect(row.oursBefore.dynamoDbWrites).toBeCloseTo(passes * 1000 * 2 * 0.625e-6);
    expect(row.ours.dynamoDbReads).toBeCloseTo(passes * 1000 * 0.125e-6);
    expect(row.ours.getMetricData).toBeCloseTo(43_800 * 150 * 0.01e-3);
    expect(row.oursBefore.getMetricData).toBeCloseTo(passes * 150 * 0.01e-3);
    expect(row.ours.sqs).toBeCloseTo(passes * 260 * 0.4e-6);
    expect(row.ours.customMetrics).toBeCloseTo(6 * 0.3);
    expect(row.oursBefore.customMetrics).toBeCloseTo(8000 * 0.3);
  });

  it('prices KEDA + HPA per AWS trigger: polls every 30 s, HPA requests every 15 s unless cached, plus its pods\' node share', () => {
    const row = costFor(1000, pass);
    // 1,000 objects: 650 SQS triggers (the SQS + cron objects among them), 150 CloudWatch.
    expect(row.keda.sqs).toBeCloseTo(650 * 6 * 43_800 * 0.4e-6);
    expect(row.kedaCached.getMetricData).toBeCloseTo(150 * 2 * 43_800 * 0.01e-3);
    expect(row.keda.nodeCapacity).toBeCloseTo((300 / 1930) * 0.0816 * 730);
  });

  it('takes our minute from the steady-state benchmark when it measured the shard size: write units as billed, reads, queries, logs', () => {
    const perMinute = {
      putItems: 400, writeUnits: 410, bytesWritten: 400 * 600, scaled: 50, batchGetItems: 40, readUnits: 4000,
      getMetricDataQueries: 150, sqsCalls: 1040, kinesisCalls: 200, kubernetesCalls: 0, lambdaInvokes: 3, logBytes: 300_000, skippedForDeadline: 0, wallMs: 8000, cpuMs: 4000,
    };
    const steady = { size: 1000, latencyMs: 20, minutes: 10, warmup: 6, perMinute, putItemsByMinute: [], lambdaPassEstimateMs: 5000, stateItemBytes: { mean: 600, max: 900 } } as SteadyStateRow;
    const before = { ...steady, perMinute: { ...perMinute, writeUnits: 2600 } };
    const row = costFor(1000, pass, steady, before);
    expect(row.inputs.source).toBe('steady-state');
    expect(row.ours.dynamoDbWrites).toBeCloseTo(43_800 * 410 * 0.625e-6);
    expect(row.oursBefore.dynamoDbWritesCoalesced).toBeCloseTo(43_800 * 2600 * 0.625e-6);
    expect(row.ours.dynamoDbReads).toBeCloseTo(43_800 * 4000 * 0.125e-6);
    expect(row.ours.getMetricData).toBeCloseTo(43_800 * 150 * 0.01e-3);
    expect(row.ours.logs).toBeCloseTo(((43_800 * 300_000) / 2 ** 30) * 0.5);
    expect(row.ours.lambdaCompute).toBeCloseTo(43_800 * (4 * 5 + 3 * 2) * 0.5 * 0.0000133334);
    expect(row.kinesisPerSecond.ours).toBeCloseTo(200 / 60);
    expect(costFor(10_000, pass, steady).ours.dynamoDbWrites).toBeCloseTo(row.ours.dynamoDbWrites * 10);
  });

  it('counts our Kinesis calls as bench/kinesis-rate.ts measured them: ListShards for the own-role fleet, else the rate the account-wide limit lets through', () => {
    const rate = (mode: KinesisRateRow['mode'], averagePerSecond: number) =>
      ({ size: 10_000, streams: 500, shards: 10, mode, averagePerSecond, peakPerSecond: 20, firstPassReadMs: 0, slowestPassReadMs: 0, reusedShare: 0.4 }) as KinesisRateRow;
    expect(costFor(10_000, pass, undefined, undefined, [{ ...rate('own-role', 33.3), storeMonthlyDollars: 0 }]).kinesisPerSecond).toMatchObject({ ours: 33.3, limited: false, api: 'ListShards' });
    expect(costFor(10_000, pass, undefined, undefined, [rate('warm', 17.1), rate('cold', 20)]).kinesisPerSecond).toMatchObject({ ours: 17.1, oursCold: 20, limited: true, api: 'DescribeStreamSummary' });
    // Not measured for this N: the measured pass's calls, 4 passes a minute, ten shards, unlimited.
    expect(costFor(10_000, pass).kinesisPerSecond).toMatchObject({ ours: (50 * 4 * 10) / 60, limited: false });
  });

  it('bounds a tick\'s wall by its serial round trips and, in one unsharded pass, by the Kinesis quota\'s spacing of the streams it describes through an assumed role', () => {
    // 4 round trips of 20 ms; 50 described streams at 20 calls a second: the last is read 2.45 s after the first.
    expect(boundWallMs(50, 20, false)).toBe(80 + 2_450);
    expect(boundWallMs(0, 20, false)).toBe(80);
    expect(boundWallMs(50, 20, true)).toBe(80);
  });

  it('computes 10,000 objects as ten shards of the 1,000-object pass', () => {
    const row = costFor(10_000, pass);
    expect(row.shards).toBe(10);
    // Shards sleep through their minute whatever the setting.
    expect(row.passHandover).toBe('sleep');
    expect(row.ours.lambdaCompute).toBeCloseTo(10 * 43_800 * 50 * 0.5 * 0.0000133334);
    expect(row.ours.getMetricData).toBeCloseTo(costFor(1000, pass).ours.getMetricData * 10);
    expect(() => costFor(5000, { ...pass, size: 100 } as TickCostRow)).toThrow(/needs a measured row/);
  });

  it('tiers custom metrics and sizes DynamoDB items by names and values', () => {
    expect(customMetricsMonthly(12_000)).toBeCloseTo(10_000 * 0.3 + 2000 * 0.1);
    expect(itemBytes({ pk: { S: 'abc' }, n: { N: '1234' }, m: { M: { a: { BOOL: true } } } })).toBe(2 + 3 + 1 + 3 + 1 + 3 + 1 + 1 + 1);
  });
});

describe('KEDA + HPA model', () => {
  const object = parseManifests(
    `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: worker, namespace: jobs}
spec:
  scaleTargetRef: {name: worker}
  maxReplicaCount: 10
  triggers:
    - type: aws-sqs-queue
      metadata: {queueURL: "https://sqs.us-east-1.amazonaws.com/111122223333/jobs", awsRegion: us-east-1, queueLength: "5", identityOwner: operator}
`,
    { file: 'model.yaml' },
  ).objects[0]!;
  const run = (scenario: 'step' | 'idle') =>
    runKedaHpaModel({
      label: 'model',
      object,
      traffic: builtInScenario(scenario, 120, 20 * 60_000),
      settings: { ...DEFAULT_WORLD_SETTINGS, initialReplicas: 0 },
      startMs: Date.UTC(2026, 0, 5),
      durationMs: 20 * 60_000,
    });

  it('activates 0 -> 1 on KEDA\'s loop, then lets the HPA take it beyond 1', async () => {
    const result = await run('step');
    const ups = result.decisions.filter((d) => (d.desiredReplicas ?? 0) > (d.currentReplicas ?? 0));
    expect(ups[0]).toMatchObject({ currentReplicas: 0, desiredReplicas: 1, rule: 'activation' });
    expect(ups.some((d) => (d.currentReplicas ?? 0) >= 1 && (d.desiredReplicas ?? 0) > 1)).toBe(true);
    // Scale-up patches land on KEDA's 30 s grid or the HPA's 15 s grid.
    expect(result.decisions.every((d) => (d.at - result.startMs) % 15_000 === 0)).toBe(true);
  });

  it('never scales an idle workload', async () => {
    const result = await run('idle');
    expect(result.decisions.filter((d) => d.scaled)).toEqual([]);
    expect(result.decisions.length).toBeGreaterThan(0); // every KEDA poll and HPA sync is recorded
    expect(result.totals.replicaMs).toBe(0);
  });
});

describe('bench tables', () => {
  it('prints a title, a header, a rule and right-aligned numbers', () => {
    const table = formatTable('Title', ['name', 'calls'], [['a', 5], ['bb', 1234]]);
    expect(table.split('\n')).toEqual(['Title', 'name  calls', '----  -----', 'a         5', 'bb    1,234']);
  });

  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])('median of %j is %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });
});
