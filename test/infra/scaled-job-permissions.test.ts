/**
 * A bundled ScaledJob through the CDK construct (issue 17): it ships in the Lambda's configuration,
 * and its triggers get the same IAM as a ScaledObject's, derived from the triggers (exactly the queue
 * named, or the role to assume), nothing else.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScaledObjectSource } from '../../lib';
import { asList, buildScaler, REPO_ROOT, statementBySid } from './support/scaler-stack';

const SQS_SCALED_JOB = `
apiVersion: keda.sh/v1alpha1
kind: ScaledJob
metadata: { name: render, namespace: media }
spec:
  jobTargetRef: { template: { spec: { containers: [{ name: worker, image: public.ecr.aws/docker/library/busybox:1.36 }] } } }
  triggers:
    - type: aws-sqs-queue
      metadata: { queueURL: "https://sqs.us-east-1.amazonaws.com/111111111111/renders", queueLength: "1", awsRegion: us-east-1 }
`;

describe('a bundled ScaledJob in the construct', () => {
  it("ships in the configuration, and its queue is read with exactly sqs:GetQueueAttributes on it", () => {
    const { scaler, template } = buildScaler({ scaledObjects: [ScaledObjectSource.fromYaml(SQS_SCALED_JOB, 'render.yaml')] });
    expect(scaler.config.scaledJobs?.map((job) => job.id)).toEqual(['media/render']);
    const queues = statementBySid(template, 'ScalerPodScalerRole', 'ReadScaledObjectQueues');
    expect(queues).toMatchObject({ Effect: 'Allow', Action: 'sqs:GetQueueAttributes' });
    expect(asList(queues?.Resource)).toEqual(['arn:aws:sqs:us-east-1:111111111111:renders']);
  });

  it("examples/sqs-scaledjob.yaml: the TriggerAuthentication's role is assumed, the queue is not read directly", () => {
    const { template } = buildScaler({ scaledObjects: [ScaledObjectSource.fromFile(join(REPO_ROOT, 'examples/sqs-scaledjob.yaml'))] });
    const assume = statementBySid(template, 'ScalerPodScalerRole', 'AssumeTriggerRoles');
    expect(asList(assume?.Resource)).toEqual(['arn:aws:iam::123456789012:role/thumbnails-queue-reader']);
    expect(statementBySid(template, 'ScalerPodScalerRole', 'ReadScaledObjectQueues')).toBeUndefined();
  });
});
