/**
 * A TriggerAuthentication's `awsSecretManager` (issue 20 item 3), parsed as KEDA v2.20 reads it.
 * Rows cite:
 * - `apis/keda/v1alpha1/triggerauthentication_types.go` `AwsSecretManager` (`secrets` with
 *   `+kubebuilder:validation:MinItems=1`; `parameter` and `name` required; `versionId`,
 *   `versionStage`, `secretKey`, `region`, `credentials`, `podIdentity` optional);
 * - `pkg/scaling/resolver/aws_secretmanager_handler.go` `Initialize` (no provider and no
 *   credentials: "AccessKeyID and AccessSecretKey are expected when not using a pod identity
 *   provider"; a provider other than aws: "pod identity provider %s not supported") and `Read`
 *   (GetSecretValue with VersionId / VersionStage when set);
 * - `pkg/scaling/resolver/scale_resolvers.go` `resolveAuthRef` (awsSecretManager is resolved after
 *   env and secretTargetRef, so its value wins a clash).
 * Where the scaler differs on purpose (static credentials never read; an ARN's region used when no
 * region is given), the row says so.
 */
import { describe, expect, it } from 'vitest';
import { parseManifestObjects } from '../../../lambdas/engine/spec/parse-manifests';
import { deriveTriggerResources } from '../../../lambdas/engine/iam/trigger-resources';
import { iamRefusal } from '../../../lambdas/engine/iam/iam-allowance';

const ROLE = 'arn:aws:iam::123456789012:role/secret-reader';
const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:newrelic/key-AbC123';
const auth = (awsSecretManager: unknown, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'TriggerAuthentication',
  metadata: { name: 'nr-auth', namespace: 'shop' },
  spec: { awsSecretManager, ...extra },
});
const scaledObject = {
  apiVersion: 'keda.sh/v1alpha1',
  kind: 'ScaledObject',
  metadata: { name: 'orders', namespace: 'shop' },
  spec: {
    scaleTargetRef: { name: 'orders' },
    triggers: [{ type: 'new-relic', authenticationRef: { name: 'nr-auth' }, metadata: { account: '1234567', nrql: 'SELECT 1', threshold: '10' } }],
  },
};
const identity = { podIdentity: { provider: 'aws' } };

describe('awsSecretManager: accepted blocks and where each value is read (triggerauthentication_types.go AwsSecretManager; aws_secretmanager_handler.go Read)', () => {
  it.each([
    ['a secret by name, read as the scaler in its own region', { ...identity, secrets: [{ parameter: 'queryKey', name: 'newrelic/key' }] }, { secretId: 'newrelic/key' }],
    ['versionId, versionStage and secretKey carried to GetSecretValue', { ...identity, secrets: [{ parameter: 'queryKey', name: 'nr', versionId: 'v-1', versionStage: 'AWSPREVIOUS', secretKey: 'key' }] }, { secretId: 'nr', versionId: 'v-1', versionStage: 'AWSPREVIOUS', secretKey: 'key' }],
    ['region applies to every secret', { ...identity, region: 'us-west-2', secrets: [{ parameter: 'queryKey', name: 'nr' }] }, { secretId: 'nr', region: 'us-west-2' }],
    ['an ARN without region is read in the ARN\'s region (ours: KEDA uses the SDK default region)', { ...identity, secrets: [{ parameter: 'queryKey', name: SECRET_ARN }] }, { secretId: SECRET_ARN, region: 'eu-west-1' }],
    ['podIdentity.roleArn: the secret is read as that role', { podIdentity: { provider: 'aws', roleArn: ROLE }, secrets: [{ parameter: 'queryKey', name: 'nr' }] }, { secretId: 'nr', roleArn: ROLE }],
  ])('%s', (_label, block, expected) => {
    const result = parseManifestObjects([auth(block), scaledObject]);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([]);
    expect(result.authentications[0]!.parameters).toEqual({ queryKey: { from: 'awsSecretManager', ...expected } });
    expect((result.objects[0]!.triggers[0]!.params as { queryKey: unknown }).queryKey).toEqual({ from: 'aws-secret', ...expected });
  });

  it('awsSecretManager wins a clash with secretTargetRef (resolveAuthRef resolves it last)', () => {
    const result = parseManifestObjects([auth({ ...identity, secrets: [{ parameter: 'queryKey', name: 'nr' }] }, { secretTargetRef: [{ parameter: 'queryKey', name: 'k8s', key: 'k' }] }), scaledObject]);
    expect(result.errors).toEqual([]);
    expect(result.authentications[0]!.parameters?.queryKey).toMatchObject({ from: 'awsSecretManager', secretId: 'nr' });
  });
});

describe('awsSecretManager: refused as KEDA refuses it, and the scaler\'s own limits', () => {
  it.each([
    ['no secrets (MinItems=1)', { ...identity, secrets: [] }, 'spec.awsSecretManager.secrets', 'must list at least one secret'],
    ['a secret without name (required)', { ...identity, secrets: [{ parameter: 'queryKey' }] }, 'spec.awsSecretManager.secrets[0].name', 'is required'],
    ['a secret without parameter (required)', { ...identity, secrets: [{ name: 'nr' }] }, 'spec.awsSecretManager.secrets[0].parameter', 'is required'],
    ['neither podIdentity nor credentials (Initialize: AccessKeyID and AccessSecretKey are expected)', { secrets: [{ parameter: 'queryKey', name: 'nr' }] }, 'spec.awsSecretManager', 'has neither podIdentity nor credentials'],
    ['provider gcp (Initialize: pod identity provider not supported)', { podIdentity: { provider: 'gcp' }, secrets: [{ parameter: 'queryKey', name: 'nr' }] }, 'spec.awsSecretManager.podIdentity.provider', 'cannot read AWS Secrets Manager'],
    ['roleArn with identityOwner workload (triggerauthentication_webhook.go validateSpec)', { podIdentity: { provider: 'aws', roleArn: ROLE, identityOwner: 'workload' }, secrets: [{ parameter: 'queryKey', name: 'nr' }] }, 'spec.awsSecretManager.podIdentity.roleArn', "roleArn can't be set when identityOwner is workload"],
  ])('%s', (_label, block, field, message) => {
    const result = parseManifestObjects([auth(block)]);
    expect(result.authentications).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ field, message: expect.stringContaining(message) })]);
  });

  it('static credentials are never read: a warning, and the scaler\'s own role reads the secret', () => {
    const credentials = { accessKey: { valueFrom: { secretKeyRef: { name: 'aws', key: 'id' } } }, accessSecretKey: { valueFrom: { secretKeyRef: { name: 'aws', key: 'secret' } } } };
    const result = parseManifestObjects([auth({ credentials, secrets: [{ parameter: 'queryKey', name: 'nr' }] }), scaledObject]);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([expect.objectContaining({ field: 'spec.awsSecretManager.credentials', message: expect.stringContaining('never read') })]);
    expect(result.authentications[0]!.parameters?.queryKey).toEqual({ from: 'awsSecretManager', secretId: 'nr' });
  });

  it('a parameter the trigger needs while parsing (account) cannot come from a secret: an error naming the secret and the fix', () => {
    const object = structuredClone(scaledObject);
    delete (object.spec.triggers[0]!.metadata as Record<string, string>).account;
    const result = parseManifestObjects([auth({ ...identity, secrets: [{ parameter: 'queryKey', name: 'nr' }, { parameter: 'account', name: 'nr-account' }] }), object]);
    expect(result.errors).toEqual([expect.objectContaining({ field: 'spec.triggers[0].metadata.account', message: expect.stringContaining('AWS Secrets Manager secret "nr-account"') })]);
  });
});

describe('awsSecretManager: IAM derived from the objects', () => {
  const context = { account: '123456789012', partitionOf: () => 'aws', region: 'us-east-1' };
  const resourcesOf = (block: unknown) => {
    const parsed = parseManifestObjects([auth(block), scaledObject]);
    expect(parsed.errors).toEqual([]);
    return { objects: parsed.objects, resources: deriveTriggerResources(parsed.objects, context) };
  };

  it('grants GetSecretValue on exactly that secret (the 6-character suffix Secrets Manager adds), in its region', () => {
    expect(resourcesOf({ ...identity, secrets: [{ parameter: 'queryKey', name: 'newrelic/key' }] }).resources.secretArns).toEqual(['arn:aws:secretsmanager:us-east-1:123456789012:secret:newrelic/key-??????']);
    expect(resourcesOf({ ...identity, region: 'eu-west-1', secrets: [{ parameter: 'queryKey', name: 'nr' }] }).resources.secretArns).toEqual(['arn:aws:secretsmanager:eu-west-1:123456789012:secret:nr-??????']);
    expect(resourcesOf({ ...identity, secrets: [{ parameter: 'queryKey', name: SECRET_ARN }] }).resources.secretArns).toEqual([SECRET_ARN]);
  });

  it('a role to read as gets sts:AssumeRole instead, and that role carries the secret permission', () => {
    const { resources } = resourcesOf({ podIdentity: { provider: 'aws', roleArn: ROLE }, secrets: [{ parameter: 'queryKey', name: 'nr' }] });
    expect(resources.secretArns).toEqual([]);
    expect(resources.assumeRoleArns).toEqual([ROLE]);
  });

  it('grants nothing for secrets no trigger reads', () => {
    const { resources } = resourcesOf({ ...identity, secrets: [{ parameter: 'queryKey', name: 'nr' }, { parameter: 'unused', name: 'other' }] });
    expect(resources.secretArns).toEqual(['arn:aws:secretsmanager:us-east-1:123456789012:secret:nr-??????']);
  });

  it('a cluster object outside clusterObjectPermissions.secretArns is refused with the statement to add', () => {
    const { objects } = resourcesOf({ ...identity, secrets: [{ parameter: 'queryKey', name: 'newrelic/key' }] });
    expect(iamRefusal(objects[0]!, { secretArns: ['arn:aws:secretsmanager:us-east-1:123456789012:secret:newrelic/*'] }, context)).toBeUndefined();
    expect(iamRefusal(objects[0]!, {}, context)).toContain('secretsmanager:GetSecretValue on arn:aws:secretsmanager:us-east-1:123456789012:secret:newrelic/key-?????? is outside the access the scaler was given: add');
  });
});
