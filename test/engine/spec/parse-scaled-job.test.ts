/**
 * ScaledJob parsing: KEDA's defaults (apis/keda/v1alpha1/scaledjob_types.go, scale_jobs.go), the
 * CRD's checks (config/crd/bases/keda.sh_scaledjobs.yaml), the controller's refusals
 * (controllers/keda/scaledjob_controller.go), and the Job API's refusals caught before a Job is made.
 */
import { describe, expect, it } from 'vitest';
import { parseManifestObjects } from '../../../lambdas/engine/spec/parse-manifests';
import { formatIssue } from '../../../lambdas/engine/spec/issues';

const SQS_TRIGGER = { type: 'aws-sqs-queue', metadata: { queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/thumbnails', awsRegion: 'eu-west-1', queueLength: '1' } };
const TEMPLATE = { template: { spec: { containers: [{ name: 'worker', image: 'thumbnailer:2' }] } } };

function scaledJob(spec: Record<string, unknown> = {}, metadata: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledJob',
    metadata: { name: 'thumbnails', namespace: 'media', ...metadata },
    spec: { jobTargetRef: TEMPLATE, triggers: [SQS_TRIGGER], ...spec },
  };
}

describe('ScaledJob defaults', () => {
  it('applies KEDA defaults to a minimal object', () => {
    const result = parseManifestObjects([scaledJob()]);
    expect(result.errors.map(formatIssue)).toEqual([]);
    expect(result.warnings.map(formatIssue)).toEqual([]);
    expect(result.objects).toEqual([]);
    expect(result.scaledJobs).toHaveLength(1);
    expect(result.scaledJobs[0]).toMatchObject({
      kind: 'ScaledJob',
      id: 'media/thumbnails',
      jobTargetRef: { spec: TEMPLATE },
      pollingInterval: 30,
      successfulJobsHistoryLimit: 100,
      failedJobsHistoryLimit: 100,
      minReplicaCount: 0,
      maxReplicaCount: 100,
      maxReplicaCountSet: false,
      rollout: { strategy: 'default', propagationPolicy: 'background' },
      scalingStrategy: { strategy: 'default', multipleScalersCalculation: 'max', pendingPodConditions: [] },
      paused: false,
      excludedJobLabels: [],
    });
    expect(result.scaledJobs[0]!.triggers[0]).toMatchObject({ type: 'aws-sqs-queue', target: 1 });
  });

  it('reads every field', () => {
    const result = parseManifestObjects([scaledJob({
      jobTargetRef: { parallelism: 2, completions: 4, activeDeadlineSeconds: 600, backoffLimit: 1, ...TEMPLATE },
      envSourceContainerName: 'worker',
      pollingInterval: 10,
      successfulJobsHistoryLimit: 5,
      failedJobsHistoryLimit: 3,
      minReplicaCount: 1,
      maxReplicaCount: 20,
      rollout: { strategy: 'gradual', propagationPolicy: 'foreground' },
      scalingStrategy: { strategy: 'custom', customScalingQueueLengthDeduction: 1, customScalingRunningJobPercentage: '0.5', multipleScalersCalculation: 'sum', pendingPodConditions: ['Ready', 'PodScheduled'] },
    }, { annotations: { 'autoscaling.keda.sh/paused': 'true', 'scaledjob.keda.sh/job-excluded-labels': 'team,cost', 'eks-lambda-scaler.io/cluster': 'prod' }, generation: 3 })]);
    expect(result.errors.map(formatIssue)).toEqual([]);
    expect(result.scaledJobs[0]).toMatchObject({
      cluster: 'prod',
      generation: 3,
      jobTargetRef: { parallelism: 2, completions: 4, activeDeadlineSeconds: 600, backoffLimit: 1 },
      envSourceContainerName: 'worker',
      pollingInterval: 10,
      successfulJobsHistoryLimit: 5,
      failedJobsHistoryLimit: 3,
      minReplicaCount: 1,
      maxReplicaCount: 20,
      maxReplicaCountSet: true,
      rollout: { strategy: 'gradual', propagationPolicy: 'foreground' },
      scalingStrategy: { strategy: 'custom', customScalingQueueLengthDeduction: 1, customScalingRunningJobPercentage: 0.5, multipleScalersCalculation: 'sum', pendingPodConditions: ['Ready', 'PodScheduled'] },
      paused: true,
      excludedJobLabels: ['team', 'cost'],
    });
  });

  it('the deprecated rolloutStrategy wins over rollout.strategy, with a warning (scaledjob_controller.go deletePreviousVersionScaleJobs)', () => {
    const result = parseManifestObjects([scaledJob({ rolloutStrategy: 'gradual', rollout: { strategy: 'immediate' } })]);
    expect(result.scaledJobs[0]!.rollout.strategy).toBe('gradual');
    expect(result.warnings.map((issue) => issue.field)).toEqual(['spec.rolloutStrategy']);
  });

  it('custom without a number falls back to default, as NewScalingStrategy does, and says so', () => {
    const result = parseManifestObjects([scaledJob({ scalingStrategy: { strategy: 'custom', customScalingRunningJobPercentage: 'half' } })]);
    expect(result.scaledJobs[0]!.scalingStrategy.strategy).toBe('default');
    expect(result.warnings.map(formatIssue)).toEqual(['warning: media/thumbnails: spec.scalingStrategy.customScalingRunningJobPercentage: "half" is not a number, so KEDA uses the default strategy instead of custom (set it as a quoted decimal, e.g. customScalingRunningJobPercentage: "0.5")']);
  });

  it('min above max is kept with a warning: KEDA uses max for both (scaledjob_types.go MinReplicaCount)', () => {
    const result = parseManifestObjects([scaledJob({ minReplicaCount: 5, maxReplicaCount: 3 })]);
    expect(result.scaledJobs).toHaveLength(1);
    expect(result.warnings[0]!.field).toBe('spec.minReplicaCount');
  });

  it('a ScaledJob and a ScaledObject share one TriggerAuthentication', () => {
    const auth = { apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'sqs-reader', namespace: 'media' }, spec: { podIdentity: { provider: 'aws', roleArn: 'arn:aws:iam::123456789012:role/reader' } } };
    const result = parseManifestObjects([scaledJob({ triggers: [{ ...SQS_TRIGGER, authenticationRef: { name: 'sqs-reader' } }] }), auth]);
    expect(result.errors).toEqual([]);
    expect(result.scaledJobs[0]!.triggers[0]!.aws).toMatchObject({ roleArn: 'arn:aws:iam::123456789012:role/reader' });
  });
});

describe('...FromEnv from the Job template (KEDA resolves a ScaledJob\'s env from jobTargetRef)', () => {
  const withEnv = (env: unknown[], extra: Record<string, unknown> = {}) =>
    scaledJob({
      jobTargetRef: { template: { spec: { containers: [{ name: 'sidecar', image: 's' }, { name: 'worker', image: 'w', env }] } } },
      envSourceContainerName: 'worker',
      triggers: [{ type: 'aws-sqs-queue', metadata: { queueURLFromEnv: 'QUEUE_URL', awsRegion: 'eu-west-1' } }],
      ...extra,
    });

  it('takes the value from envSourceContainerName\'s env', () => {
    const result = parseManifestObjects([withEnv([{ name: 'QUEUE_URL', value: 'https://sqs.eu-west-1.amazonaws.com/123456789012/thumbnails' }])]);
    expect(result.errors.map(formatIssue)).toEqual([]);
    expect(result.scaledJobs[0]!.triggers[0]!.params).toMatchObject({ queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/thumbnails' });
  });

  it('an env var that is not set is an error naming it', () => {
    const result = parseManifestObjects([withEnv([])]);
    expect(result.scaledJobs).toEqual([]);
    expect(result.errors.map((issue) => issue.message).join('\n')).toContain('container env var "QUEUE_URL"');
  });

  it('a value from a Secret cannot be read: the error says where to put it instead', () => {
    const result = parseManifestObjects([withEnv([{ name: 'QUEUE_URL', valueFrom: { secretKeyRef: { name: 'q', key: 'url' } } }])]);
    expect(result.scaledJobs).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ field: 'spec.triggers[0].metadata.queueURLFromEnv', message: expect.stringContaining('comes from valueFrom') })]);
  });
});

describe('ScaledJob errors name the object, the field and the fix', () => {
  const rows: { name: string; doc: Record<string, unknown>; field: string; text: string; source: string }[] = [
    { name: 'no jobTargetRef', doc: scaledJob({ jobTargetRef: undefined }), field: 'spec.jobTargetRef', text: 'is required', source: 'scaledjob_controller.go: "ScaledJob.spec.jobTargetRef not found"' },
    { name: 'no pod template', doc: scaledJob({ jobTargetRef: { parallelism: 1 } }), field: 'spec.jobTargetRef.template', text: 'a Job needs a pod template', source: 'batch/v1 validation: template required' },
    { name: 'no containers', doc: scaledJob({ jobTargetRef: { template: { spec: { containers: [] } } } }), field: 'spec.jobTargetRef.template.spec.containers', text: 'at least one container', source: 'core/v1 validation: containers required' },
    { name: 'restartPolicy Always', doc: scaledJob({ jobTargetRef: { template: { spec: { restartPolicy: 'Always', containers: [{ name: 'w', image: 'i' }] } } } }), field: 'spec.jobTargetRef.template.spec.restartPolicy', text: 'OnFailure or Never', source: 'batch/v1 validation; scale_jobs.go sets OnFailure when empty' },
    { name: 'metricType on a trigger', doc: scaledJob({ triggers: [{ ...SQS_TRIGGER, metricType: 'Value' }] }), field: 'spec.triggers[0].metricType', text: 'metricType cannot be set in ScaledJob triggers', source: 'scaledjob_controller.go reconcileScaledJob' },
    { name: 'a cpu trigger', doc: scaledJob({ triggers: [{ type: 'cpu', metadata: { value: '50' } }] }), field: 'spec.triggers[0].type', text: 'KEDA\'s ScaledJob loop skips it', source: 'scale_handler.go getScaledJobMetrics skips non-external metric specs' },
    { name: 'unknown strategy', doc: scaledJob({ scalingStrategy: { strategy: 'fast' } }), field: 'spec.scalingStrategy.strategy', text: 'use one of default, custom, accurate, eager', source: 'keda.sh_scaledjobs.yaml enum' },
    { name: 'unknown calculation', doc: scaledJob({ scalingStrategy: { multipleScalersCalculation: 'median' } }), field: 'spec.scalingStrategy.multipleScalersCalculation', text: 'use one of max, min, avg, sum', source: 'keda.sh_scaledjobs.yaml enum' },
    { name: 'unknown rollout strategy', doc: scaledJob({ rollout: { strategy: 'rolling' } }), field: 'spec.rollout.strategy', text: 'use one of gradual, immediate', source: 'keda.sh_scaledjobs.yaml enum' },
    { name: 'maxReplicaCount 0', doc: scaledJob({ maxReplicaCount: 0 }), field: 'spec.maxReplicaCount', text: 'minimum 1', source: 'keda.sh_scaledjobs.yaml minimum: 1' },
    { name: 'pollingInterval 0', doc: scaledJob({ pollingInterval: 0 }), field: 'spec.pollingInterval', text: 'minimum 1', source: 'keda.sh_scaledjobs.yaml minimum: 1' },
    { name: 'negative history limit', doc: scaledJob({ failedJobsHistoryLimit: -1 }), field: 'spec.failedJobsHistoryLimit', text: 'minimum 0', source: 'keda.sh_scaledjobs.yaml minimum: 0' },
    { name: 'no triggers', doc: scaledJob({ triggers: [] }), field: 'spec.triggers', text: 'has no triggers', source: 'keda.sh_scaledjobs.yaml minItems: 1' },
    { name: 'duplicate trigger names', doc: scaledJob({ triggers: [{ ...SQS_TRIGGER, name: 'q' }, { ...SQS_TRIGGER, name: 'q' }] }), field: 'spec.triggers[1].name', text: 'already used', source: 'scaledjob_webhook.go verifyTriggers → ValidateTriggers' },
    { name: 'envSourceContainerName not in the template', doc: scaledJob({ envSourceContainerName: 'sidecar' }), field: 'spec.envSourceContainerName', text: 'no container "sidecar"', source: 'resolving FromEnv needs the container' },
    { name: 'bad name', doc: scaledJob({}, { name: 'Thumbnails' }), field: 'metadata.name', text: 'DNS-1123', source: 'apimachinery IsDNS1123Subdomain' },
  ];
  it.each(rows)('$name ($source)', ({ doc, field, text }) => {
    const result = parseManifestObjects([doc]);
    expect(result.scaledJobs).toEqual([]);
    const issue = result.errors.find((candidate) => candidate.field === field);
    expect(issue, result.errors.map(formatIssue).join('\n')).toBeDefined();
    expect(`${issue!.message} (${issue!.fix})`).toContain(text);
  });

  it('one broken ScaledJob does not stop the others', () => {
    const result = parseManifestObjects([scaledJob({ pollingInterval: 0 }), scaledJob({}, { name: 'other' })]);
    expect(result.scaledJobs.map((job) => job.id)).toEqual(['media/other']);
    expect(result.errors).toHaveLength(1);
  });

  it('the same ScaledJob twice is rejected, both named', () => {
    const result = parseManifestObjects([scaledJob(), scaledJob()]);
    expect(result.scaledJobs).toEqual([]);
    expect(result.errors.map((issue) => issue.message)).toEqual(['ScaledJob media/thumbnails is defined 2 times', 'ScaledJob media/thumbnails is defined 2 times']);
  });
});
