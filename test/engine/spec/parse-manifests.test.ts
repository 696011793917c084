import { describe, expect, it } from 'vitest';
import { parseManifestObjects, parseManifests, resolveTriggerEnv } from '../../../lambdas/engine/spec/parse-manifests';

const CRON_TRIGGER = { type: 'cron', metadata: { timezone: 'UTC', start: '0 8 * * *', end: '0 18 * * *', desiredReplicas: '3' } };
const SQS_TRIGGER = { type: 'aws-sqs-queue', metadata: { queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', awsRegion: 'eu-west-1' } };

function scaledObject(spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: { name: 'worker', namespace: 'jobs', ...metadata },
    spec: { scaleTargetRef: { name: 'worker' }, triggers: [CRON_TRIGGER], ...spec },
  };
}

function parseOne(spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}) {
  return parseManifestObjects([scaledObject(spec, metadata)]);
}

describe('ScaledObject defaults', () => {
  it('applies KEDA defaults to a minimal object', () => {
    const result = parseManifestObjects([{ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'w' }, spec: { scaleTargetRef: { name: 'w' }, triggers: [CRON_TRIGGER] } }]);
    expect(result.errors).toEqual([]);
    const object = result.objects[0]!;
    expect(object).toMatchObject({
      namespace: 'default',
      id: 'default/w',
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'w' },
      pollingInterval: 30,
      cooldownPeriod: 300,
      initialCooldownPeriod: 0,
      minReplicaCount: 0,
      maxReplicaCount: 100,
      restoreToOriginalReplicaCount: false,
      pause: { paused: false, pausedScaleIn: false, pausedScaleOut: false, forceActivation: false },
    });
    expect(object.idleReplicaCount).toBeUndefined();
    expect(object.fallback).toBeUndefined();
    expect(object.behavior).toBeUndefined();
    expect(object.cluster).toBeUndefined();
    expect(object.triggers[0]).toMatchObject({ index: 0, type: 'cron', metricType: 'AverageValue', target: 1, useCachedMetrics: false, envRefs: {} });
  });

  it('keeps given values, the cluster annotation and the fallback behavior default', () => {
    const result = parseOne(
      {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', envSourceContainerName: 'main' },
        pollingInterval: 5,
        cooldownPeriod: 0,
        initialCooldownPeriod: 60,
        minReplicaCount: 2,
        maxReplicaCount: 8,
        idleReplicaCount: 0,
        fallback: { failureThreshold: 3, replicas: 6 },
        advanced: { restoreToOriginalReplicaCount: true, horizontalPodAutoscalerConfig: { name: 'custom', behavior: { scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Min', tolerance: '50m', policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } } } },
      },
      { annotations: { 'eks-lambda-scaler.io/cluster': 'prod' }, labels: { team: 'a' } },
    );
    expect(result.errors).toEqual([]);
    expect(result.objects[0]).toMatchObject({
      cluster: 'prod',
      labels: { team: 'a' },
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', envSourceContainerName: 'main' },
      pollingInterval: 5,
      cooldownPeriod: 0,
      initialCooldownPeriod: 60,
      minReplicaCount: 2,
      maxReplicaCount: 8,
      idleReplicaCount: 0,
      fallback: { failureThreshold: 3, replicas: 6, behavior: 'static' },
      restoreToOriginalReplicaCount: true,
      behavior: { scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Min', tolerance: 0.05, policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }] } },
    });
  });
});

describe('ScaledObject validation', () => {
  it.each([
    ['pollingInterval 0', { pollingInterval: 0 }, 'spec.pollingInterval', 'below the minimum 1'],
    ['pollingInterval as string', { pollingInterval: '30' }, 'spec.pollingInterval', 'must be an integer, not the string "30"'],
    ['cooldownPeriod negative', { cooldownPeriod: -1 }, 'spec.cooldownPeriod', 'below the minimum 0'],
    ['minReplicaCount 1.5', { minReplicaCount: 1.5 }, 'spec.minReplicaCount', '1.5 is not a whole number'],
    ['min > max', { minReplicaCount: 5, maxReplicaCount: 2 }, 'spec.minReplicaCount', 'minReplicaCount 5 is greater than maxReplicaCount 2'],
    ['explicit min 0 with max 0', { minReplicaCount: 0, maxReplicaCount: 0 }, 'spec.maxReplicaCount', 'maxReplicaCount is 0'],
    ['idle equal to min', { minReplicaCount: 2, idleReplicaCount: 2 }, 'spec.idleReplicaCount', 'idleReplicaCount 2 must be less than minReplicaCount 2'],
    ['idle 0 with min unset (quirk: unset counts as 0)', { idleReplicaCount: 0 }, 'spec.idleReplicaCount', 'minReplicaCount is unset, so it counts as 0'],
    ['fallback negative replicas', { fallback: { failureThreshold: 1, replicas: -1 } }, 'spec.fallback.replicas', 'below the minimum 0'],
    ['fallback missing replicas', { fallback: { failureThreshold: 1 } }, 'spec.fallback.replicas', 'is required'],
    ['fallback unknown behavior', { fallback: { failureThreshold: 1, replicas: 2, behavior: 'sometimes' } }, 'spec.fallback.behavior', '"sometimes" is not one of'],
    // scaledobject_webhook.go: "scalingModifiers fallback behavior requires scalingModifiers.formula to be defined"
    ['fallback scalingModifiers behavior without a formula', { fallback: { failureThreshold: 1, replicas: 2, behavior: 'scalingModifiers' } }, 'spec.fallback.behavior', 'requires scalingModifiers.formula'],
    // ValidateAndCompileScalingModifiers: expr.Compile with the named triggers as env rejects unknown names
    ['scalingModifiers formula over unnamed triggers', { advanced: { scalingModifiers: { formula: 'a+b', target: '2' } } }, 'spec.advanced.scalingModifiers.formula', 'uses a, b, which are not trigger names'],
    ['restoreToOriginalReplicaCount as string', { advanced: { restoreToOriginalReplicaCount: 'true' } }, 'spec.advanced.restoreToOriginalReplicaCount', 'must be a boolean'],
    ['policy type', { advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleUp: { policies: [{ type: 'Pod', value: 1, periodSeconds: 15 }] } } } } }, 'spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.policies[0].type', '"Pod" is not one of "Pods", "Percent"'],
    ['policy value 0', { advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleUp: { policies: [{ type: 'Pods', value: 0, periodSeconds: 15 }] } } } } }, 'spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.policies[0].value', 'below the minimum 1'],
    ['policy period 1801', { advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { policies: [{ type: 'Percent', value: 10, periodSeconds: 1801 }] } } } } }, 'spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.policies[0].periodSeconds', 'above the maximum 1800'],
    ['empty policies', { advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { policies: [] } } } } }, 'spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.policies', 'at least one policy'],
    ['stabilization window 3601', { advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleDown: { stabilizationWindowSeconds: 3601 } } } } }, 'spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleDown.stabilizationWindowSeconds', 'above the maximum 3600'],
    ['selectPolicy', { advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleUp: { selectPolicy: 'Maximum' } } } } }, 'spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.selectPolicy', '"Maximum" is not one of'],
    ['negative tolerance', { advanced: { horizontalPodAutoscalerConfig: { behavior: { scaleUp: { tolerance: -0.1 } } } } }, 'spec.advanced.horizontalPodAutoscalerConfig.behavior.scaleUp.tolerance', 'not a non-negative quantity'],
    ['missing scaleTargetRef name', { scaleTargetRef: { kind: 'Deployment' } }, 'spec.scaleTargetRef.name', 'is required'],
    ['no triggers', { triggers: [] }, 'spec.triggers', 'has no triggers'],
    ['unknown trigger type', { triggers: [{ type: 'rabbitmq', metadata: {} }] }, 'spec.triggers[0].type', 'use one of: aws-sqs-queue, aws-kinesis-stream, aws-cloudwatch, aws-dynamodb, aws-dynamodb-streams, cron, cpu, memory, prometheus, new-relic, kafka, apache-kafka'],
    ['unquoted number in metadata', { triggers: [{ ...CRON_TRIGGER, metadata: { ...CRON_TRIGGER.metadata, desiredReplicas: 3 } }] }, 'spec.triggers[0].metadata.desiredReplicas', 'quote it: desiredReplicas: "3"'],
    ['Utilization metricType', { triggers: [{ ...CRON_TRIGGER, metricType: 'Utilization' }] }, 'spec.triggers[0].metricType', '"Utilization" is unsupported for external metrics'],
    ['other metricType', { triggers: [{ ...CRON_TRIGGER, metricType: 'Average' }] }, 'spec.triggers[0].metricType', '"Average" is not supported'],
    ['useCachedMetrics on cron', { triggers: [{ ...CRON_TRIGGER, useCachedMetrics: true }] }, 'spec.triggers[0].useCachedMetrics', 'not supported for "cron" scaler'],
    ['duplicate trigger names', { triggers: [{ ...CRON_TRIGGER, name: 'a' }, { ...CRON_TRIGGER, name: 'a' }] }, 'spec.triggers[1].name', 'already used by spec.triggers[0]'],
    ['authenticationRef kind', { triggers: [{ ...SQS_TRIGGER, authenticationRef: { name: 'x', kind: 'Secret' } }] }, 'spec.triggers[0].authenticationRef.kind', '"Secret" is not one of'],
  ])('%s', (_label, spec, field, message) => {
    const result = parseOne(spec);
    expect(result.objects).toEqual([]);
    const issue = result.errors.find((candidate) => candidate.field === field);
    expect(issue, JSON.stringify(result.errors)).toBeDefined();
    expect(`${issue!.message} (${issue!.fix ?? ''})`).toContain(message);
    expect(issue!.objectId).toBe('jobs/worker');
  });

  it('accepts idle 0 with an explicit min 0 (KEDA counts it as 1) and warns about idle values other than 0', () => {
    expect(parseOne({ minReplicaCount: 0, idleReplicaCount: 0 }).errors).toEqual([]);
    const result = parseOne({ minReplicaCount: 3, idleReplicaCount: 1 });
    expect(result.objects).toHaveLength(1);
    expect(result.warnings.map((w) => w.field)).toContain('spec.idleReplicaCount');
  });

  it('reports every error of a document together', () => {
    const result = parseOne({ pollingInterval: 0, cooldownPeriod: 'x', triggers: [{ type: 'rabbitmq', metadata: {} }] });
    expect(result.errors.map((issue) => issue.field)).toEqual(['spec.pollingInterval', 'spec.cooldownPeriod', 'spec.triggers[0].type']);
  });

  it('warns about unknown fields without blocking, and strict mode turns warnings into errors', () => {
    const object = scaledObject({ pollingIntervall: 10 });
    const relaxed = parseManifestObjects([object]);
    expect(relaxed.objects).toHaveLength(1);
    expect(relaxed.warnings).toEqual([expect.objectContaining({ severity: 'warning', field: 'spec.pollingIntervall', message: 'unknown field "pollingIntervall" is ignored' })]);
    const strict = parseManifestObjects([object], { strict: true });
    expect(strict.objects).toEqual([]);
    expect(strict.warnings).toEqual([]);
    expect(strict.errors).toEqual([expect.objectContaining({ severity: 'error', field: 'spec.pollingIntervall' })]);
  });
});

describe('pause annotations', () => {
  it.each([
    [{ 'autoscaling.keda.sh/paused': 'true' }, { paused: true }, 0],
    [{ 'autoscaling.keda.sh/paused': 'false' }, { paused: false }, 0],
    [{ 'autoscaling.keda.sh/paused': 'T' }, { paused: true }, 0],
    [{ 'autoscaling.keda.sh/paused': 'yes' }, { paused: true }, 1],
    [{ 'autoscaling.keda.sh/paused-replicas': '2' }, { paused: true, pausedReplicas: 2 }, 0],
    [{ 'autoscaling.keda.sh/paused-replicas': '+0' }, { paused: true, pausedReplicas: 0 }, 0],
    [{ 'autoscaling.keda.sh/paused-replicas': 'two' }, { paused: true, pausedReplicas: undefined }, 1],
    [{ 'autoscaling.keda.sh/paused-replicas': '3000000000' }, { paused: true, pausedReplicas: undefined }, 1],
    [{ 'autoscaling.keda.sh/paused': 'false', 'autoscaling.keda.sh/paused-replicas': '1' }, { paused: true, pausedReplicas: 1 }, 0],
    [{ 'autoscaling.keda.sh/paused-scale-in': 'true' }, { paused: false, pausedScaleIn: true }, 0],
    [{ 'autoscaling.keda.sh/paused-scale-out': '1' }, { pausedScaleOut: true }, 0],
    [{ 'autoscaling.keda.sh/force-activation': 'true' }, { forceActivation: true }, 0],
    [{ 'autoscaling.keda.sh/force-activation': 'FALSE' }, { forceActivation: false }, 0],
  ])('%j', (annotations, pause, warnings) => {
    const result = parseOne({}, { annotations });
    expect(result.errors).toEqual([]);
    expect(result.warnings).toHaveLength(warnings);
    const parsed = result.objects[0]!.pause;
    for (const [key, value] of Object.entries(pause)) expect(parsed[key as keyof typeof parsed]).toBe(value);
  });

  it('rejects an annotation value that is not a string', () => {
    const result = parseOne({}, { annotations: { 'autoscaling.keda.sh/paused': true } });
    expect(result.errors[0]).toMatchObject({ field: 'metadata.annotations.autoscaling.keda.sh/paused', fix: 'quote it: autoscaling.keda.sh/paused: "true"' });
  });
});

describe('documents', () => {
  it('parses multi-document YAML, skipping other kinds and comment-only documents, with file and line', () => {
    const text = [
      '# just a comment',
      '---',
      'apiVersion: v1',
      'kind: Service',
      'metadata: {name: svc}',
      '---',
      'apiVersion: keda.sh/v1alpha1',
      'kind: ScaledObject',
      'metadata: {name: a, namespace: ns}',
      'spec: {scaleTargetRef: {name: a}, triggers: [{type: cron, metadata: {timezone: UTC, start: "0 8 * * *", end: "0 9 * * *", desiredReplicas: "1"}}]}',
      '---',
      'apiVersion: keda.sh/v1alpha1',
      'kind: ScaledObject',
      'metadata:',
      '  name: b',
      'spec:',
      '  scaleTargetRef:',
      '    name: b',
      '  maxReplicaCount: 2.5',
      '  triggers:',
      '    - type: cron',
      '      metadata:',
      '        timezone: UTC',
      '        start: 0 8 * * *',
      '        end: 0 9 * * *',
      '        desiredReplicas: 1',
      '',
    ].join('\n');
    const result = parseManifests(text, { file: 'so.yaml' });
    expect(result.objects.map((object) => object.id)).toEqual(['ns/a']);
    expect(result.errors).toEqual([
      expect.objectContaining({ objectId: 'default/b', field: 'spec.maxReplicaCount', file: 'so.yaml', line: 19 }),
      expect.objectContaining({ objectId: 'default/b', field: 'spec.triggers[0].metadata.desiredReplicas', file: 'so.yaml', line: 26, fix: 'quote it: desiredReplicas: "1"' }),
    ]);
  });

  it('reads YAML 1.1 booleans as Kubernetes does (unquoted "on" is a boolean)', () => {
    const text = 'apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: a}\nspec:\n  scaleTargetRef: {name: a}\n  triggers:\n  - type: aws-sqs-queue\n    metadata: {queueURL: q, awsRegion: eu-west-1, scaleOnDelayed: on}\n';
    expect(parseManifests(text).errors[0]).toMatchObject({ field: 'spec.triggers[0].metadata.scaleOnDelayed', fix: 'quote it: scaleOnDelayed: "true"' });
  });

  it('reports YAML syntax errors with a line and still parses the other documents', () => {
    const good = 'apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\nmetadata: {name: ok}\nspec: {scaleTargetRef: {name: ok}, triggers: [{type: cron, metadata: {timezone: UTC, start: "0 8 * * *", end: "0 9 * * *", desiredReplicas: "1"}}]}\n';
    const result = parseManifests(`${good}---\nkind: ScaledObject\nmetadata: {name: [oops\n`, { file: 'x.yaml' });
    expect(result.objects.map((object) => object.name)).toEqual(['ok']);
    expect(result.errors[0]).toMatchObject({ objectId: 'x.yaml#1', field: '(yaml)', file: 'x.yaml' });
    expect(result.errors[0]!.line).toBeGreaterThan(4);
  });

  it.each([
    ['legacy API', { ...scaledObject(), apiVersion: 'keda.k8s.io/v1alpha1' }, 'apiVersion', 'change apiVersion to keda.sh/v1alpha1'],
    ['unknown API version', { ...scaledObject(), apiVersion: 'keda.sh/v1beta1' }, 'apiVersion', 'use apiVersion: keda.sh/v1alpha1'],
    ['ScaledJob without jobTargetRef', { ...scaledObject(), kind: 'ScaledJob' }, 'spec.jobTargetRef', 'is required'],
    ['missing name', { ...scaledObject(), metadata: {} }, 'metadata.name', 'is required'],
    ['missing spec', { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'worker', namespace: 'jobs' } }, 'spec', 'is required'],
  ])('rejects %s', (_label, doc, field, text) => {
    const result = parseManifestObjects([doc]);
    expect(result.objects).toEqual([]);
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]!.field).toBe(field);
    expect(`${result.errors[0]!.message} (${result.errors[0]!.fix})`).toContain(text);
  });

  it('names a document without a name by file and index', () => {
    const result = parseManifestObjects([{ notAManifest: true }, { ...scaledObject(), metadata: {} }], { file: 'f.yaml' });
    expect(result.errors[0]!.objectId).toBe('f.yaml#1');
  });

  it('expands kind: List', () => {
    const result = parseManifestObjects([{ apiVersion: 'v1', kind: 'List', items: [scaledObject(), scaledObject({ scaleTargetRef: { name: 'other' } }, { name: 'second' })] }]);
    expect(result.objects.map((object) => object.id)).toEqual(['jobs/worker', 'jobs/second']);
  });

  it('rejects two objects on one workload, naming both, but keeps the others', () => {
    const result = parseManifestObjects([scaledObject({}, { name: 'a' }), scaledObject({}, { name: 'b' }), scaledObject({ scaleTargetRef: { name: 'c' } }, { name: 'c' })]);
    expect(result.objects.map((object) => object.id)).toEqual(['jobs/c']);
    expect(result.errors.map((issue) => [issue.objectId, issue.message])).toEqual([
      ['jobs/a', 'the workload Deployment jobs/worker is also scaled by ScaledObject jobs/b; only one ScaledObject may manage a workload'],
      ['jobs/b', 'the workload Deployment jobs/worker is also scaled by ScaledObject jobs/a; only one ScaledObject may manage a workload'],
    ]);
  });

  it('allows the same workload name in different clusters, kinds or namespaces', () => {
    const result = parseManifestObjects([
      scaledObject({}, { name: 'a' }),
      scaledObject({}, { name: 'b', annotations: { 'eks-lambda-scaler.io/cluster': 'other' } }),
      scaledObject({ scaleTargetRef: { kind: 'StatefulSet', name: 'worker' } }, { name: 'c' }),
      scaledObject({}, { name: 'd', namespace: 'elsewhere' }),
    ]);
    expect(result.errors).toEqual([]);
    expect(result.objects).toHaveLength(4);
  });

  it('rejects two objects with the same namespace/name', () => {
    const result = parseManifestObjects([scaledObject(), scaledObject({ scaleTargetRef: { name: 'x' } })]);
    expect(result.objects).toEqual([]);
    expect(result.errors.map((issue) => issue.message)).toEqual(['ScaledObject jobs/worker is defined 2 times', 'ScaledObject jobs/worker is defined 2 times']);
  });
});

describe('AWS credentials', () => {
  const auth = (spec: Record<string, unknown>, kind = 'TriggerAuthentication', namespace: string | undefined = 'jobs') => ({
    apiVersion: 'keda.sh/v1alpha1',
    kind,
    metadata: { name: 'aws-auth', ...(namespace ? { namespace } : {}) },
    spec,
  });
  const sqsWithRef = (kind?: string) => scaledObject({ triggers: [{ ...SQS_TRIGGER, authenticationRef: { name: 'aws-auth', ...(kind ? { kind } : {}) } }] });

  it('passes the podIdentity role of the referenced TriggerAuthentication to the trigger', () => {
    const result = parseManifestObjects([sqsWithRef(), auth({ podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/reader' } })]);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.authentications).toEqual([{ kind: 'TriggerAuthentication', namespace: 'jobs', name: 'aws-auth', roleArn: 'arn:aws:iam::123456789012:role/reader', podIdentityProvider: 'aws', hasStaticCredentials: false }]);
    expect(result.objects[0]!.triggers[0]).toMatchObject({ aws: { region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/reader' }, authenticationRef: { name: 'aws-auth', kind: 'TriggerAuthentication' } });
  });

  it('finds a ClusterTriggerAuthentication by name alone', () => {
    const result = parseManifestObjects([sqsWithRef('ClusterTriggerAuthentication'), auth({ podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/c' } }, 'ClusterTriggerAuthentication', undefined)]);
    expect(result.objects[0]!.triggers[0]!.aws?.roleArn).toBe('arn:aws:iam::123456789012:role/c');
  });

  it.each([
    ['static keys in metadata', [scaledObject({ triggers: [{ ...SQS_TRIGGER, metadata: { ...SQS_TRIGGER.metadata, awsAccessKeyIDFromEnv: 'KEY', awsSecretAccessKeyFromEnv: 'SECRET' } }] })], 'spec.triggers[0].metadata.awsAccessKeyIDFromEnv', 'static AWS keys (awsAccessKeyIDFromEnv, awsSecretAccessKeyFromEnv) are never read'],
    ['a TriggerAuthentication with secrets', [sqsWithRef(), auth({ secretTargetRef: [{ parameter: 'awsAccessKeyID', name: 's', key: 'k' }, { parameter: 'awsSecretAccessKey', name: 's', key: 'v' }] })], 'spec.triggers[0].authenticationRef', 'supplies awsAccessKeyID, awsSecretAccessKey from secrets or env, which are never read'],
    ['a missing TriggerAuthentication', [sqsWithRef()], 'spec.triggers[0].authenticationRef.name', 'TriggerAuthentication "aws-auth" in namespace jobs is not in the input'],
    ['a TriggerAuthentication in another namespace', [sqsWithRef(), auth({ podIdentity: { provider: 'aws' } }, 'TriggerAuthentication', 'other')], 'spec.triggers[0].authenticationRef.name', 'is not in the input'],
  ])('loads the object with a warning for %s', (_label, docs, field, message) => {
    const result = parseManifestObjects(docs);
    expect(result.errors).toEqual([]);
    expect(result.objects).toHaveLength(1);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatchObject({ field, fix: expect.stringContaining("grant the scaler's IAM role sqs:GetQueueAttributes") });
    expect(result.warnings[0]!.message).toContain(message);
  });
});

describe('envRefs and resolveTriggerEnv', () => {
  it('records ...FromEnv references and re-parses once the env is known', () => {
    const result = parseOne({ triggers: [{ type: 'aws-sqs-queue', metadata: { queueURLFromEnv: 'QUEUE_URL', awsRegion: 'eu-west-1', queueLength: '10' } }] });
    expect(result.errors).toEqual([]);
    const object = result.objects[0]!;
    expect(object.triggers[0]!.envRefs).toEqual({ queueURL: 'QUEUE_URL' });

    const resolved = resolveTriggerEnv(object, { QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/payments' });
    expect(resolved.errors).toEqual([]);
    expect(resolved.object!.triggers[0]).toMatchObject({ metricName: 's0-aws-sqs-payments', target: 10, envRefs: { queueURL: 'QUEUE_URL' } });

    const missing = resolveTriggerEnv(object, {});
    expect(missing.object).toBeUndefined();
    expect(missing.errors[0]).toMatchObject({ objectId: 'jobs/worker', field: 'spec.triggers[0].metadata.queueURLFromEnv' });
  });
});
