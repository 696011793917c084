/**
 * Issue 15 item 8: messages that contradict themselves, point at keys KEDA never reads, or lose
 * their file and line. Rows cite KEDA v2.20:
 * - `pkg/scalers/scaler.go` `GetMetricTargetType` / `ErrScalerUnsupportedUtilizationMetricType`
 *   (Utilization is refused for external metrics only; cpu and memory use it);
 * - `pkg/scalers/aws_sqs_queue_scaler.go` `AwsRegion ... order=triggerMetadata;authParams` (no
 *   resolvedEnv, so no awsRegionFromEnv);
 * - `pkg/scalers/scalersconfig/typed_config.go` `configParamValue` (queueURLFromEnv resolved from
 *   the container env, whose failure we report at tick time).
 */
import { describe, expect, it } from 'vitest';
import { parseManifestObjects, parseManifestTexts, resolveTriggerEnv } from '../../../lambdas/engine/spec/parse-manifests';

const object = (trigger: Record<string, unknown>) => ({ apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'worker', namespace: 'jobs' }, spec: { scaleTargetRef: { name: 'worker' }, triggers: [trigger] } });

describe('metricType Utilization (scaler.go GetMetricTargetType)', () => {
  it.each([['cpu'], ['memory']])('a %s trigger takes Utilization; alone with minReplicaCount unset it gets only the webhook\'s scale-to-zero error', (type) => {
    const result = parseManifestObjects([object({ type, metricType: 'Utilization', metadata: { value: '60' } })]);
    const messages = result.errors.map((issue) => issue.message);
    expect(messages.join(' | ')).not.toContain('Utilization');
    // scaledobject_webhook.go verifyCPUMemoryScalers: an unset minReplicaCount is 0.
    expect(result.errors.map((issue) => issue.field)).toEqual(['spec.minReplicaCount']);
    expect(messages[0]).toBe("scaledobject has only cpu/memory triggers AND minReplica is 0 (scale to zero doesn't work in this case)");
  });

  it('an external trigger with Utilization gets KEDA\'s reason', () => {
    const result = parseManifestObjects([object({ type: 'aws-sqs-queue', metricType: 'Utilization', metadata: { queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', awsRegion: 'eu-west-1' } })]);
    expect(result.errors).toEqual([expect.objectContaining({ field: 'spec.triggers[0].metricType', message: expect.stringContaining('"Utilization" is unsupported for external metrics'), fix: 'use AverageValue (the default) or Value' })]);
  });
});

describe('missing awsRegion (aws_sqs_queue_scaler.go AwsRegion order=triggerMetadata;authParams)', () => {
  it('does not suggest awsRegionFromEnv', () => {
    const result = parseManifestObjects([object({ type: 'aws-sqs-queue', metadata: { queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders' } })]);
    expect(result.errors[0]).toMatchObject({ field: 'spec.triggers[0].metadata.awsRegion' });
    expect(result.errors[0]!.fix).not.toContain('awsRegionFromEnv');
  });
});

describe('errors from resolving the container env carry the file and line (typed_config.go configParamValue)', () => {
  const text = `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: worker, namespace: jobs}
spec:
  scaleTargetRef: {name: worker}
  triggers:
    - type: aws-sqs-queue
      metadata:
        awsRegion: eu-west-1
        queueURLFromEnv: QUEUE_URL
`;
  it.each([
    ['the env var is missing', {}, 'is not set or empty'],
    ['the env value is no queue', { QUEUE_URL: 'https://example.com/not-a-queue' }, ''],
  ])('%s', (_label, env, message) => {
    const parsed = parseManifestTexts([{ text, file: 'k8s/worker.yaml' }]);
    expect(parsed.errors).toEqual([]);
    const result = resolveTriggerEnv(parsed.objects[0]!, env);
    expect(result.errors.length).toBeGreaterThan(0);
    expect(result.errors[0]).toMatchObject({ file: 'k8s/worker.yaml', line: 10, field: 'spec.triggers[0].metadata.queueURLFromEnv' });
    expect(result.errors[0]!.message).toContain(message);
  });
});
