/**
 * `spec.advanced.scalingModifiers` parsing, row by row from KEDA v2.20
 * `apis/keda/v1alpha1/scaledobject_webhook.go` (ValidateAndCompileScalingModifiers,
 * validateScalingModifiersFormula, validateScalingModifiersTarget, the scalingModifiers fallback
 * check), `scaledobject_types.go` (ScalingModifiers: metricType enum AverageValue;Value,
 * IsUsingModifiers) and `pkg/fallback/fallback.go` HasValidFallback.
 */
import { describe, expect, it } from 'vitest';
import { parseManifestObjects } from '../../../lambdas/engine/spec/parse-manifests';

const CRON = { type: 'cron', name: 'floor', metadata: { timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '3' } };
const SQS = { type: 'aws-sqs-queue', name: 'queue', metadata: { queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', awsRegion: 'eu-west-1' } };

function parse(scalingModifiers: unknown, extra: Record<string, unknown> = {}, triggers: unknown[] = [CRON, SQS]) {
  return parseManifestObjects([{
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'worker', namespace: 'jobs' },
    spec: { scaleTargetRef: { name: 'worker' }, triggers, advanced: { scalingModifiers }, ...extra },
  }]);
}

describe('scalingModifiers accepted (scaledobject_types.go ScalingModifiers)', () => {
  it('reads formula, target, activationTarget and metricType with their defaults', () => {
    const result = parse({ formula: 'max(floor, queue)', target: '5' });
    expect(result.errors).toEqual([]);
    expect(result.objects[0]!.scalingModifiers).toEqual({ formula: 'max(floor, queue)', target: 5, targetIsInteger: true, activationTarget: 0, metricType: 'AverageValue' });
    const full = parse({ formula: 'floor + queue', target: '2.5', activationTarget: '1.5', metricType: 'Value' });
    expect(full.errors).toEqual([]);
    expect(full.objects[0]!.scalingModifiers).toEqual({ formula: 'floor + queue', target: 2.5, targetIsInteger: false, activationTarget: 1.5, metricType: 'Value' });
  });

  it('an empty block is no modifiers (IsUsingModifiers compares with the zero value)', () => {
    const result = parse({});
    expect(result.errors).toEqual([]);
    expect(result.objects[0]!.scalingModifiers).toBeUndefined();
  });

  it('fallback behavior scalingModifiers is accepted with a formula', () => {
    const result = parse({ formula: 'floor + (queue ?? 0)', target: '5' }, { fallback: { failureThreshold: 3, replicas: 4, behavior: 'scalingModifiers' } });
    expect(result.errors).toEqual([]);
    expect(result.objects[0]!.fallback?.behavior).toBe('scalingModifiers');
  });

  it('warns about an unnamed trigger the formula cannot read, and a non-integer target that disables fallback', () => {
    const result = parse({ formula: 'floor', target: '2.5' }, { fallback: { failureThreshold: 3, replicas: 4 } }, [CRON, { ...SQS, name: undefined }]);
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((warning) => warning.field)).toEqual(expect.arrayContaining(['spec.triggers[1].name', 'spec.fallback']));
  });
});

describe('scalingModifiers rejected (scaledobject_webhook.go)', () => {
  it.each<[string, unknown, string, string, Record<string, unknown>?]>([
    ['formula missing ("error ScalingModifiers.Formula is mandatory")', { target: '5' }, 'spec.advanced.scalingModifiers.formula', 'is required'],
    ['target missing ("formula is given but target is empty")', { formula: 'floor' }, 'spec.advanced.scalingModifiers.target', 'is required with a formula'],
    ['target 0 (validateScalingModifiersTarget: num <= 0)', { formula: 'floor', target: '0' }, 'spec.advanced.scalingModifiers.target', 'must be greater than 0'],
    ['target negative', { formula: 'floor', target: '-1' }, 'spec.advanced.scalingModifiers.target', 'must be greater than 0'],
    ['target not a float (ParseFloat error)', { formula: 'floor', target: 'five' }, 'spec.advanced.scalingModifiers.target', '"five" is not a number'],
    ['target NaN (ours: not a number is an error)', { formula: 'floor', target: 'NaN' }, 'spec.advanced.scalingModifiers.target', 'is not a number'],
    ['activationTarget not a float (scale_handler.go ActivationTarget parsing error)', { formula: 'floor', target: '5', activationTarget: 'x' }, 'spec.advanced.scalingModifiers.activationTarget', '"x" is not a number'],
    ['metricType Utilization (CRD enum, validateScalingModifiersTarget)', { formula: 'floor', target: '5', metricType: 'Utilization' }, 'spec.advanced.scalingModifiers.metricType', '"Utilization" is not one of'],
    ['unknown name (expr.Compile with the triggers as env)', { formula: 'floor + queeu', target: '5' }, 'spec.advanced.scalingModifiers.formula', 'uses queeu, which is not a trigger name (the named triggers are floor, queue)'],
    ['does not compile', { formula: 'floor +', target: '5' }, 'spec.advanced.scalingModifiers.formula', 'does not compile: unexpected end of formula'],
    ['fails its trial run at -1 (expr.Run with dummy values)', { formula: 'floor % 2', target: '5' }, 'spec.advanced.scalingModifiers.formula', 'fails when every trigger is -1'],
    ['&& over numbers (expr-lang: && needs bools)', { formula: 'floor && queue', target: '5' }, 'spec.advanced.scalingModifiers.formula', 'both sides must be bools'],
    ['fallback behavior scalingModifiers without a formula', {}, 'spec.fallback.behavior', 'requires scalingModifiers.formula', { fallback: { failureThreshold: 3, replicas: 4, behavior: 'scalingModifiers' } }],
  ])('%s', (_label, modifiers, field, message, extra) => {
    const result = parse(modifiers, extra);
    expect(result.objects).toEqual([]);
    const issue = result.errors.find((candidate) => candidate.field === field);
    expect(issue, JSON.stringify(result.errors)).toBeDefined();
    expect(`${issue!.message} (${issue!.fix ?? ''})`).toContain(message);
  });
});
