/**
 * Issue 15 item 3: parameters from a TriggerAuthentication that are not credentials are honoured as
 * KEDA v2.20 does. Rows cite:
 * - `pkg/scalers/aws_sqs_queue_scaler.go` (and the kinesis / cloudwatch scalers): `AwsRegion ...
 *   order=triggerMetadata;authParams`: metadata first, then the TriggerAuthentication;
 * - `pkg/scalers/aws/aws_common.go` `GetAwsAuthorization`: `awsRoleArn` comes from authParams, after
 *   `podIdentity.roleArn`;
 * - `pkg/scaling/resolver/scale_resolvers.go` `resolveAuthRef`: `env` entries read the scale
 *   target's container env, `secretTargetRef` entries a Secret (which the scaler cannot read: the
 *   objects are bundled at synth, Secrets are not).
 */
import { describe, expect, it } from 'vitest';
import { parseManifestObjects, resolveTriggerEnv } from '../../../lambdas/engine/spec/parse-manifests';
import { deriveTriggerResources } from '../../../lambdas/engine/iam/trigger-resources';

const ROLE = 'arn:aws:iam::123456789012:role/reader';
const OTHER_ROLE = 'arn:aws:iam::123456789012:role/other';
const QUEUE = 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders';
const object = (metadata: Record<string, string>) => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: 'worker', namespace: 'jobs' },
  spec: { scaleTargetRef: { name: 'worker' }, triggers: [{ type: 'aws-sqs-queue', metadata, authenticationRef: { name: 'aws-auth' } }] },
});
const auth = (spec: Record<string, unknown>) => ({ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'aws-auth', namespace: 'jobs' }, spec });

interface Row {
  label: string;
  metadata: Record<string, string>;
  authSpec: Record<string, unknown>;
  env?: Record<string, string>;
  /** Expected source after the env is resolved, or the error's field and message. */
  aws?: Record<string, string>;
  error?: { field: string; message: string; fix: string };
}

const rows: Row[] = [
  { label: 'awsRegion from env (AwsRegion order=triggerMetadata;authParams; resolveAuthRef env)', metadata: { queueURL: QUEUE }, authSpec: { env: [{ parameter: 'awsRegion', name: 'AWS_REGION' }] }, env: { AWS_REGION: 'us-east-2' }, aws: { region: 'us-east-2' } },
  { label: 'metadata awsRegion wins over the TriggerAuthentication (triggerMetadata first)', metadata: { queueURL: QUEUE, awsRegion: 'eu-west-1' }, authSpec: { env: [{ parameter: 'awsRegion', name: 'AWS_REGION' }] }, env: { AWS_REGION: 'us-east-2' }, aws: { region: 'eu-west-1' } },
  { label: 'metadata awsRegion wins over a Secret', metadata: { queueURL: QUEUE, awsRegion: 'eu-west-1' }, authSpec: { secretTargetRef: [{ parameter: 'awsRegion', name: 'aws', key: 'region' }] }, env: {}, aws: { region: 'eu-west-1' } },
  { label: 'awsRegion from a Secret: a clear error saying where to put it', metadata: { queueURL: QUEUE }, authSpec: { secretTargetRef: [{ parameter: 'awsRegion', name: 'aws', key: 'region' }] }, error: { field: 'spec.triggers[0].metadata.awsRegion', message: 'Secret "aws" (key "region")', fix: 'set metadata.awsRegion' } },
  { label: 'awsRoleArn from env (aws_common.go GetAwsAuthorization authParams)', metadata: { queueURL: QUEUE, awsRegion: 'eu-west-1' }, authSpec: { env: [{ parameter: 'awsRoleArn', name: 'ROLE_ARN' }] }, env: { ROLE_ARN: ROLE }, aws: { region: 'eu-west-1', roleArn: ROLE } },
  { label: 'podIdentity.roleArn wins over awsRoleArn from authParams', metadata: { queueURL: QUEUE, awsRegion: 'eu-west-1' }, authSpec: { podIdentity: { provider: 'aws', roleArn: ROLE }, env: [{ parameter: 'awsRoleArn', name: 'ROLE_ARN' }] }, env: { ROLE_ARN: OTHER_ROLE }, aws: { region: 'eu-west-1', roleArn: ROLE } },
  { label: 'awsRoleArn from a Secret: a clear error pointing at podIdentity.roleArn', metadata: { queueURL: QUEUE, awsRegion: 'eu-west-1' }, authSpec: { secretTargetRef: [{ parameter: 'awsRoleArn', name: 'aws', key: 'role' }] }, error: { field: 'spec.triggers[0].metadata.awsRoleArn', message: 'Secret "aws" (key "role")', fix: 'podIdentity' } },
  { label: 'env with a containerName the scaler does not read: an error', metadata: { queueURL: QUEUE }, authSpec: { env: [{ parameter: 'awsRegion', name: 'AWS_REGION', containerName: 'sidecar' }] }, error: { field: 'spec.triggers[0].metadata.awsRegion', message: 'containerName "sidecar"', fix: 'envSourceContainerName' } },
];

describe('non-credential parameters from a TriggerAuthentication', () => {
  it.each(rows)('$label', (row) => {
    const parsed = parseManifestObjects([object(row.metadata), auth(row.authSpec)]);
    if (row.error) {
      expect(parsed.errors).toEqual([expect.objectContaining({ field: row.error.field, message: expect.stringContaining(row.error.message), fix: expect.stringContaining(row.error.fix) })]);
      return;
    }
    expect(parsed.errors).toEqual([]);
    // Nothing here is a credential: no "own IAM role is used instead" warning.
    expect(parsed.warnings.map((issue) => issue.message).join(' | ')).not.toContain('IAM role is used instead');
    const resolved = resolveTriggerEnv(parsed.objects[0]!, row.env ?? {});
    expect(resolved.errors).toEqual([]);
    expect(resolved.object!.triggers[0]!.aws).toEqual(row.aws);
  });

  it('an env var the TriggerAuthentication names but the container lacks is an error at tick time', () => {
    const parsed = parseManifestObjects([object({ queueURL: QUEUE }), auth({ env: [{ parameter: 'awsRegion', name: 'AWS_REGION' }] })]);
    const resolved = resolveTriggerEnv(parsed.objects[0]!, {});
    expect(resolved.errors[0]).toMatchObject({ field: 'spec.triggers[0].metadata.awsRegion', message: expect.stringContaining('AWS_REGION') });
  });

  it('credentials keep the static-keys policy and its wording', () => {
    const parsed = parseManifestObjects([object({ queueURL: QUEUE, awsRegion: 'eu-west-1' }), auth({ secretTargetRef: [{ parameter: 'awsAccessKeyID', name: 's', key: 'k' }, { parameter: 'awsRegion', name: 's', key: 'r' }] })]);
    expect(parsed.errors).toEqual([]);
    expect(parsed.warnings).toHaveLength(1);
    expect(parsed.warnings[0]!.message).toContain('supplies awsAccessKeyID');
    expect(parsed.warnings[0]!.message).not.toContain('awsRegion');
  });
});

describe('IAM for a role that comes from container env at run time', () => {
  it('is reported as unscoped (no sts:AssumeRole can be derived at synth), not silently missing', () => {
    const parsed = parseManifestObjects([object({ queueURL: QUEUE, awsRegion: 'eu-west-1' }), auth({ env: [{ parameter: 'awsRoleArn', name: 'ROLE_ARN' }] })]);
    const resources = deriveTriggerResources(parsed.objects, { account: '123456789012', partitionOf: () => 'aws' });
    expect(resources.assumeRoleArns).toEqual([]);
    expect(resources.unscoped).toEqual([expect.objectContaining({ field: 'spec.triggers[0].authenticationRef', reason: expect.stringContaining('ROLE_ARN') })]);
  });
});
