/**
 * Issue 15 item 5: `podIdentity.externalID` reaches STS as `ExternalId` and is part of the
 * credential cache key. Rows cite KEDA v2.20:
 * - `pkg/scalers/aws/aws_common.go` `GetAwsAuthorization`: with provider aws and a roleArn, the
 *   externalID is copied into the authorization;
 * - `pkg/scalers/aws/aws_config_cache.go` `retrievePodIdentityCredentials`: AssumeRole gets it as
 *   `ExternalID`; `getCacheKey`: the key is roleArn-externalID-region;
 * - `apis/keda/v1alpha1/triggerauthentication_webhook.go` `validateSpec`: externalID needs roleArn.
 * The AssumeRole side (ExternalId on the wire, the cache key) runs against moto's STS:
 * test/adapters/aws/assume-role-external-id.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { parseManifestObjects, resolveTriggerEnv } from '../../../lambdas/engine/spec/parse-manifests';

const ROLE = 'arn:aws:iam::123456789012:role/reader';
const SQS = { type: 'aws-sqs-queue', metadata: { queueURL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', awsRegion: 'eu-west-1' }, authenticationRef: { name: 'aws-auth' } };
const object = { apiVersion: 'keda.sh/v1alpha1', kind: 'ScaledObject', metadata: { name: 'worker', namespace: 'jobs' }, spec: { scaleTargetRef: { name: 'worker' }, triggers: [SQS] } };
const auth = (podIdentity: Record<string, unknown>) => ({ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'aws-auth', namespace: 'jobs' }, spec: { podIdentity } });

describe('podIdentity.externalID in the parsed trigger (aws_common.go GetAwsAuthorization)', () => {
  it.each([
    ['roleArn and externalID', { provider: 'aws', roleArn: ROLE, externalID: 'tenant-42' }, { region: 'eu-west-1', roleArn: ROLE, externalId: 'tenant-42' }],
    ['roleArn alone', { provider: 'aws', roleArn: ROLE }, { region: 'eu-west-1', roleArn: ROLE }],
    ['an empty externalID is none', { provider: 'aws', roleArn: ROLE, externalID: '' }, { region: 'eu-west-1', roleArn: ROLE }],
  ])('%s → %j', (_label, podIdentity, source) => {
    const result = parseManifestObjects([object, auth(podIdentity)]);
    expect(result.errors).toEqual([]);
    const trigger = result.objects[0]!.triggers[0]!;
    expect(trigger.aws).toEqual(source);
    // Kept when the trigger is re-parsed with its container env at tick time.
    expect(resolveTriggerEnv(result.objects[0]!, {}).object!.triggers[0]!.aws).toEqual(source);
  });

  it('externalID without roleArn is an error (triggerauthentication_webhook.go validateSpec)', () => {
    const result = parseManifestObjects([object, auth({ provider: 'aws', externalID: 'tenant-42' })]);
    expect(result.errors).toEqual([expect.objectContaining({ field: 'spec.podIdentity.externalID', message: expect.stringContaining('requires roleArn') })]);
  });
});
