/**
 * cpu and memory trigger parsing and KEDA's object rule, from KEDA `pkg/scalers/cpu_memory_scaler.go`
 * (parseResourceMetadata: metricType from the trigger or the deprecated metadata.type, not both;
 * Utilization parsed as an integer percent, AverageValue as a quantity; containerName optional) and
 * `apis/keda/v1alpha1/scaledobject_webhook.go` (only cpu/memory triggers with minReplicaCount 0).
 * The whole-object rows cite the KEDA function each comes from.
 */
import { describe, expect, it } from 'vitest';
import { parseResourceTrigger, resourceOnlyScaleToZeroError } from '../../lambdas/triggers/cpu-memory';
import { parseManifestObjects } from '../../lambdas/engine/spec/parse-manifests';

function parse(metadata: Record<string, string>, triggerMetricType?: string, resource: 'cpu' | 'memory' = 'cpu') {
  return parseResourceTrigger({ objectId: 'web/php-apache', index: 0, fieldPath: 'spec.triggers[0].metadata', metadata, resource, ...(triggerMetricType ? { triggerMetricType } : {}) });
}

describe('cpu / memory parse', () => {
  it.each([
    [{ value: '50' }, 'Utilization', 'cpu', { resource: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } }],
    [{ value: '500m', containerName: 'app' }, 'AverageValue', 'cpu', { resource: 'cpu', containerName: 'app', target: { type: 'AverageValue', averageValueMilli: 500 } }],
    [{ value: '512Mi' }, 'AverageValue', 'memory', { resource: 'memory', target: { type: 'AverageValue', averageValueMilli: 512 * 2 ** 20 * 1000 } }],
    [{ type: 'Utilization', value: '70' }, undefined, 'memory', { resource: 'memory', target: { type: 'Utilization', averageUtilization: 70 } }],
  ] as const)('%o with metricType %s (%s)', (metadata, metricType, resource, params) => {
    expect(parse({ ...metadata }, metricType, resource).params).toEqual(params);
  });

  it('warns that metadata.type is deprecated', () => {
    expect(parse({ type: 'Utilization', value: '50' }).warnings.map((w) => w.message)).toEqual(['metadata.type is deprecated in KEDA']);
  });

  it.each([
    [{ value: '50', type: 'Utilization' }, 'Utilization', 'type', /only one of/],
    [{ value: '50' }, undefined, 'type', /metric type is required/],
    // Written on the trigger, the error names spec.triggers[0].metricType (see the object rows below).
    [{ value: '50', type: 'Value' }, undefined, 'type', /unsupported metric type "Value"/],
    [{}, 'Utilization', 'value', /missing required parameter "value"/],
    [{ value: '50.5' }, 'Utilization', 'value', /not a whole percentage/],
    [{ value: '0' }, 'Utilization', 'value', /not a whole percentage/],
    [{ value: 'lots' }, 'AverageValue', 'value', /not a Kubernetes quantity/],
  ])('%o with metricType %s is an error on %s', (metadata, metricType, field, message) => {
    const result = parse(metadata, metricType);
    expect(result.params).toBeUndefined();
    expect(result.errors[0]).toMatchObject({ objectId: 'web/php-apache', field: `spec.triggers[0].metadata.${field}` });
    expect(result.errors[0]!.message).toMatch(message);
  });
});

describe('only cpu/memory triggers cannot scale to zero (scaledobject_webhook.go)', () => {
  it.each([
    [['cpu'], 0, true],
    [['cpu', 'memory'], 0, true],
    [['cpu'], 1, false],
    [['cron', 'cpu'], 0, false],
    [[], 0, false],
  ])('%o with minReplicaCount %i → error %s', (types, min, error) => {
    expect(resourceOnlyScaleToZeroError(types, min) !== undefined).toBe(error);
  });
});

const CPU = { type: 'cpu', metricType: 'Utilization', metadata: { value: '50' } };
const CRON = { type: 'cron', metadata: { timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '3' } };
const SQS = { type: 'aws-sqs-queue', name: 'queue', metadata: { queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', awsRegion: 'eu-west-1' } };

function parseObject(spec: Record<string, unknown>) {
  return parseManifestObjects([{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'php-apache', namespace: 'web' }, spec: { scaleTargetRef: { name: 'php-apache' }, ...spec } }]);
}

describe('ScaledObjects with cpu/memory triggers (KEDA webhook and scale handler rules)', () => {
  it.each([
    // [row, spec, error fields]
    ['cron + cpu may keep minReplicaCount 0: cron wakes it (verifyCPUMemoryScalers)', { minReplicaCount: 0, triggers: [CRON, CPU] }, []],
    ['only cpu with minReplicaCount 0 (verifyCPUMemoryScalers)', { minReplicaCount: 0, triggers: [CPU] }, ['spec.minReplicaCount']],
    ['only cpu and memory with minReplicaCount unset, which is 0 (verifyCPUMemoryScalers: MinReplicaCount == nil)', { triggers: [CPU, { ...CPU, type: 'memory' }] }, ['spec.minReplicaCount']],
    ['only cpu with minReplicaCount 1', { minReplicaCount: 1, triggers: [CPU] }, []],
    ['only cpu on a kind whose pod template KEDA does not read (verifyCPUMemoryScalers default: return)', { minReplicaCount: 0, scaleTargetRef: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'php-apache' }, triggers: [CPU] }, []],
    ['fallback with only cpu (CheckFallbackValid)', { minReplicaCount: 1, fallback: { failureThreshold: 3, replicas: 5 }, triggers: [CPU] }, ['spec.fallback']],
    ['fallback with sqs + cpu (CheckFallbackValid: one external trigger is enough)', { minReplicaCount: 1, fallback: { failureThreshold: 3, replicas: 5 }, triggers: [SQS, CPU] }, []],
    ['useCachedMetrics on cpu (ValidateTriggers)', { minReplicaCount: 1, triggers: [{ ...CPU, useCachedMetrics: true }] }, ['spec.triggers[0].useCachedMetrics']],
    ['metricType Value on cpu (parseResourceMetadata), named on the trigger\'s metricType', { minReplicaCount: 1, triggers: [{ ...CPU, metricType: 'Value' }] }, ['spec.triggers[0].metricType']],
    ['a formula naming a cpu trigger (ValidateAndCompileScalingModifiers gives the formula external metrics only)', { minReplicaCount: 1, advanced: { scalingModifiers: { formula: 'queue + load', target: '5' } }, triggers: [SQS, { ...CPU, name: 'load' }] }, ['spec.advanced.scalingModifiers.formula']],
    ['a formula over the external triggers beside a cpu trigger', { minReplicaCount: 1, advanced: { scalingModifiers: { formula: 'queue', target: '5' } }, triggers: [SQS, CPU] }, []],
  ])('%s', (_row, spec, fields) => {
    const result = parseObject(spec);
    expect(result.errors.map((issue) => issue.field)).toEqual(fields);
  });

  it('a memory AverageValue trigger on one container parses to its target in bytes', () => {
    const result = parseObject({ minReplicaCount: 1, triggers: [{ type: 'memory', metricType: 'AverageValue', metadata: { value: '512Mi', containerName: 'app' } }] });
    expect(result.errors).toEqual([]);
    expect(result.objects[0]!.triggers[0]).toMatchObject({
      type: 'memory',
      metricName: 's0-memory-app',
      metricType: 'AverageValue',
      target: 512 * 2 ** 20,
      activationTarget: 0,
      params: { resource: 'memory', containerName: 'app', target: { type: 'AverageValue', averageValueMilli: 512 * 2 ** 20 * 1000 } },
    });
  });

  it('the scale-to-zero error names the fix', () => {
    const [issue] = parseObject({ minReplicaCount: 0, triggers: [CPU] }).errors;
    expect(issue).toMatchObject({ objectId: 'web/php-apache', message: "scaledobject has only cpu/memory triggers AND minReplica is 0 (scale to zero doesn't work in this case)" });
    expect(issue!.fix).toContain('minReplicaCount: 1');
  });
});
