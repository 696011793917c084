/**
 * The stack's size does not depend on the number of ScaledObjects (CloudFormation stops at 500
 * resources; per-object alarms used to break it past 240 objects), and per-object metrics are an
 * opt-in that adds search-expression graphs, not resources. Bundling is skipped: the resource
 * count is the point here; test/infra/resources.test.ts bundles the real handlers.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScaledObjectSource } from '../../lib';
import type { ScaledObjectManifest, ScaledObjectTriggerManifest } from '../../lib';
import { buildScaler } from './support/scaler-stack';

/** N ScaledObjects as manifests (no YAML to parse): SQS, CloudWatch and cron in turn, 50 per namespace. */
function generatedFleet(size: number): ScaledObjectSource {
  const manifests = Array.from({ length: size }, (_, index): ScaledObjectManifest => {
    const kind = index % 3;
    const trigger: ScaledObjectTriggerManifest =
      kind === 0
        ? { type: 'aws-sqs-queue', metadata: { queueURL: `https://sqs.us-east-1.amazonaws.com/111111111111/queue-${index % 400}`, queueLength: '5', awsRegion: 'us-east-1' } }
        : kind === 1
          ? {
              type: 'aws-cloudwatch',
              metadata: { namespace: 'AWS/SQS', metricName: 'ApproximateNumberOfMessagesVisible', dimensionName: 'QueueName', dimensionValue: `q-${index}`, targetMetricValue: '5', minMetricValue: '0', awsRegion: 'us-east-1' },
            }
          : { type: 'cron', metadata: { timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '2' } };
    return {
      apiVersion: 'keda.sh/v1alpha1' as const,
      kind: 'ScaledObject',
      metadata: { name: `worker-${index}`, namespace: `team-${Math.floor(index / 50)}` },
      spec: { scaleTargetRef: { name: `worker-${index}` }, maxReplicaCount: 10, triggers: [trigger] },
    };
  });
  return ScaledObjectSource.fromManifests(manifests, `${size} generated ScaledObjects`);
}

function resourceCounts(size: number, objectsPerInvocation?: number): { total: number; byType: Record<string, number>; configSlices: string[]; podScalerEnv: Record<string, unknown> } {
  const { template, app } = buildScaler({ scaledObjects: [generatedFleet(size)], ...(objectsPerInvocation === undefined ? {} : { objectsPerInvocation }) });
  const resources = Object.values(template.toJSON().Resources as Record<string, { Type: string }>);
  const byType: Record<string, number> = {};
  for (const resource of resources) byType[resource.Type] = (byType[resource.Type] ?? 0) + 1;
  const configDirectory = join(app.outdir, 'eks-lambda-scaler');
  const slicesDirectory = readdirSync(configDirectory).find((name) => name.endsWith('-shards'));
  const functions = Object.values(template.findResources('AWS::Lambda::Function')) as { Properties: { Description?: string; Environment: { Variables: Record<string, unknown> } } }[];
  const podScaler = functions.find((fn) => fn.Properties.Description?.includes('pod scaler'))!;
  return {
    total: resources.length,
    byType,
    configSlices: slicesDirectory ? readdirSync(join(configDirectory, slicesDirectory)).sort() : [],
    podScalerEnv: podScaler.Properties.Environment.Variables,
  };
}

describe('synth at fleet scale', () => {
  it('has the same resources for 10 and for 10,000 ScaledObjects, well under CloudFormation\'s 500', () => {
    const small = resourceCounts(10);
    const large = resourceCounts(10_000);
    // IAM is sized by the distinct queues and streams the triggers name (here 400 queues), not by
    // the objects: past the role's inline-policy size, CDK moves statements to managed policies.
    const { 'AWS::IAM::ManagedPolicy': managed = 0, ...others } = large.byType;
    expect(others).toEqual(small.byType);
    expect(managed).toBeLessThanOrEqual(1);
    expect(large.total).toBeLessThan(100);
    // Each of the ten shards loads only its own slice of the configuration.
    expect(small.configSlices).toEqual([]);
    expect(large.configSlices).toEqual(Array.from({ length: 10 }, (_, shard) => `shard-${shard}.json`).sort());
  }, 120_000);
});

describe('objectsPerInvocation (the shard size)', () => {
  it('cuts the configuration slices at it and tells the pod scaler, which fans out at the same size', () => {
    const sharded = resourceCounts(120, 50);
    expect(sharded.configSlices).toEqual(['shard-0.json', 'shard-1.json', 'shard-2.json']);
    expect(sharded.podScalerEnv.MAX_OBJECTS_PER_INVOCATION).toBe('50');
    // Unset: 1,000, and the environment is as before.
    expect(resourceCounts(120).podScalerEnv.MAX_OBJECTS_PER_INVOCATION).toBeUndefined();
    expect(resourceCounts(120).configSlices).toEqual([]);
  }, 120_000);

  it.each([0, 2.5, -10])('refuses %s with a message naming the setting', (objectsPerInvocation) => {
    expect(() => resourceCounts(10, objectsPerInvocation)).toThrow(`EksLambdaScaler: objectsPerInvocation is ${objectsPerInvocation}; it must be a whole number of ScaledObjects, 1 or more`);
  });
});

describe('per-object metrics', () => {
  const dashboardText = (perObjectMetrics: boolean) => {
    const { template } = buildScaler({ perObjectMetrics });
    return JSON.stringify(template.findResources('AWS::CloudWatch::Dashboard'));
  };
  const environments = (perObjectMetrics: boolean) =>
    Object.values(buildScaler({ perObjectMetrics }).template.findResources('AWS::Lambda::Function')).map(
      (fn) => fn.Properties.Environment.Variables as Record<string, unknown>,
    );

  it('are off by default: no flag on the functions, no per-object graph', () => {
    for (const variables of environments(false)) expect(variables).not.toHaveProperty('PER_OBJECT_METRICS');
    expect(dashboardText(false)).not.toContain('SEARCH(');
  });

  it('when on, both scalers publish them and the dashboard graphs them with search expressions', () => {
    for (const variables of environments(true)) expect(variables.PER_OBJECT_METRICS).toBe('true');
    const text = dashboardText(true);
    expect(text).toContain("SEARCH('{EksLambdaScaler,ScaledObject} MetricName=");
    expect(text).toContain("SEARCH('{EksLambdaScaler,NodeGroup} MetricName=");
    expect(text).toMatch(/ScaledObject} MetricName=[^']*DesiredReplicas[^']*', 'Maximum', 60\)/);
  });
});
