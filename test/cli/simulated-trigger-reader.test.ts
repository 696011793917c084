/**
 * What the simulated world answers a CloudWatch trigger: the traffic as a rate-like metric, one
 * datapoint per period of the query window, newest first (GetMetricData's TimestampDescending).
 */
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import { simulatedTriggerReader } from '../../cli/simulator/simulated-trigger-reader';
import { DEFAULT_WORLD_SETTINGS, SimWorld } from '../../cli/simulator/world';
import type { Traffic } from '../../cli/simulator/traffic';

const START = Date.UTC(2026, 0, 5);

function cloudWatchObject(stat: string, period: number, collection: number) {
  const parsed = parseManifests(
    `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: api, namespace: web}
spec:
  scaleTargetRef: {name: api}
  triggers:
    - type: aws-cloudwatch
      metadata:
        namespace: AWS/ApplicationELB
        metricName: RequestCount
        dimensionName: LoadBalancer
        dimensionValue: app/web/1
        metricStat: ${stat}
        metricStatPeriod: "${period}"
        metricCollectionTime: "${collection}"
        targetMetricValue: "100"
        minMetricValue: "0"
        awsRegion: eu-west-1
        identityOwner: operator
`,
    { file: 'api.yaml' },
  );
  expect(parsed.errors).toEqual([]);
  return parsed.objects[0]!;
}

/** 600 a minute for the first 10 minutes, then 1,200 a minute. */
const traffic: Traffic = { name: 'two-levels', kind: 'arrivals', perMinute: [...Array(10).fill(600), ...Array(20).fill(1200)], defaultDurationMs: 30 * 60_000, description: '' };

async function datapoints(stat: string, period: number, collection: number, atMinute: number, trafficOf: Traffic = traffic) {
  const object = cloudWatchObject(stat, period, collection);
  const world = new SimWorld(trafficOf, DEFAULT_WORLD_SETTINGS, START, object.maxReplicaCount);
  const { readings } = await simulatedTriggerReader(world)([{ id: 'a', trigger: object.triggers[0]! }], START + atMinute * 60_000);
  const reading = readings.get('a');
  if (reading === undefined || reading instanceof Error || reading.service !== 'cloudwatch') throw new Error(`unexpected reading ${String(reading)}`);
  return reading.values;
}

describe('the simulated CloudWatch metric', () => {
  it.each([
    // stat, period s, collection s, minute, datapoints newest first
    ['Sum', 60, 60, 5, [600]],
    ['Sum', 60, 180, 12, [1200, 1200, 600]],
    ['Sum', 300, 300, 10, [3000]],
    ['Sum', 300, 600, 15, [6000, 3000]],
    ['SampleCount', 30, 60, 5, [300, 300]],
    // The window ends on a period boundary: at minute 12 the newest 5-minute period is minutes 5-10.
    ['Average', 300, 300, 12, [600]],
    ['Average', 300, 600, 15, [1200, 600]],
    ['Maximum', 60, 60, 20, [1200]],
  ])('%s over %i s, %i s collected, read at minute %i: %j', async (stat, period, collection, minute, expected) => {
    expect(await datapoints(stat as string, period as number, collection as number, minute as number)).toEqual(expected);
  });

  it('replays a depth trace as the level it recorded, whatever the statistic', async () => {
    const depth: Traffic = { ...traffic, kind: 'depth' };
    expect(await datapoints('Sum', 300, 300, 15, depth)).toEqual([1200]);
  });
});
