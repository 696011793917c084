/**
 * cpu and memory trigger parsing and KEDA's object rule, from KEDA `pkg/scalers/cpu_memory_scaler.go`
 * (parseResourceMetadata: metricType from the trigger or the deprecated metadata.type, not both;
 * Utilization parsed as an integer percent, AverageValue as a quantity; containerName optional) and
 * `apis/keda/v1alpha1/scaledobject_webhook.go` (only cpu/memory triggers with minReplicaCount 0).
 */
import { describe, expect, it } from 'vitest';
import { parseResourceTrigger, resourceOnlyScaleToZeroError } from '../../lambdas/triggers/cpu-memory';

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
    [{ value: '50' }, 'Value', 'type', /unsupported metric type "Value"/],
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
