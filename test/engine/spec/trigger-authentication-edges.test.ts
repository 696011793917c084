/**
 * Issue 15 item 6: TriggerAuthentication edges as KEDA v2.20 treats them. Rows cite:
 * - `apis/keda/v1alpha1/triggerauthentication_webhook.go` `validateSpec` (provider aws: roleArn is
 *   rejected when identityOwner is workload);
 * - `apis/keda/v1alpha1/triggerauthentication_types.go` `AuthPodIdentity.Provider`
 *   (`+kubebuilder:validation:Enum=azure-workload;gcp;aws;aws-eks;none`: anything else is refused
 *   by the API server; aws-eks is still served) and `TriggerAuthenticationSpec` (the sources:
 *   filePath, oauth2, hashiCorpVault, azureKeyVault, gcpSecretManager, configMapTargetRef,
 *   boundServiceAccountToken; awsSecretManager is supported: aws-secret-manager.test.ts).
 */
import { describe, expect, it } from 'vitest';
import { parseManifestObjects } from '../../../lambdas/engine/spec/parse-manifests';

const ROLE = 'arn:aws:iam::123456789012:role/reader';
const auth = (spec: Record<string, unknown>) => ({ apiVersion: 'keda.sh/v1alpha1', kind: 'TriggerAuthentication', metadata: { name: 'aws-auth', namespace: 'jobs' }, spec });

describe('podIdentity errors (triggerauthentication_webhook.go validateSpec, triggerauthentication_types.go provider enum)', () => {
  it.each([
    ['roleArn with identityOwner workload', { provider: 'aws', roleArn: ROLE, identityOwner: 'workload' }, 'spec.podIdentity.roleArn', "roleArn can't be set when identityOwner is workload"],
    ['provider aws-kiam (not in the enum)', { provider: 'aws-kiam' }, 'spec.podIdentity.provider', 'provider "aws-kiam" is not one of azure-workload, gcp, aws, aws-eks, none'],
    ['an unknown provider', { provider: 'azure' }, 'spec.podIdentity.provider', 'provider "azure" is not one of azure-workload, gcp, aws, aws-eks, none'],
  ])('%s is an error', (_label, podIdentity, field, message) => {
    const result = parseManifestObjects([auth({ podIdentity })]);
    expect(result.authentications).toEqual([]);
    expect(result.errors).toEqual([expect.objectContaining({ field, message: expect.stringContaining(message) })]);
  });

  it.each([
    ['identityOwner keda with roleArn', { provider: 'aws', roleArn: ROLE, identityOwner: 'keda' }],
    ['identityOwner workload without roleArn', { provider: 'aws', identityOwner: 'workload' }],
    ['provider none', { provider: 'none' }],
  ])('%s is accepted', (_label, podIdentity) => {
    expect(parseManifestObjects([auth({ podIdentity })]).errors).toEqual([]);
  });

  it('aws-eks is deprecated, not removed (still in the 2.20 enum): a warning', () => {
    const result = parseManifestObjects([auth({ podIdentity: { provider: 'aws-eks' } })]);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]!.message).toContain('deprecated');
    expect(result.warnings[0]!.message).not.toContain('removed');
  });
});

describe('unsupported sources warn, never silently ignored (triggerauthentication_types.go TriggerAuthenticationSpec)', () => {
  it.each([
    ['filePath', '/var/run/auth.json'],
    ['oauth2', { type: 'clientCredentials', clientId: 'c', tokenUrl: 'https://idp/token' }],
    ['hashiCorpVault', { address: 'https://vault', authentication: 'token', credential: {}, secrets: [] }],
    ['azureKeyVault', { vaultUri: 'https://kv', secrets: [] }],
    ['gcpSecretManager', { secrets: [] }],
    ['configMapTargetRef', [{ parameter: 'awsRegion', name: 'settings', key: 'region' }]],
    ['boundServiceAccountToken', [{ parameter: 'token', serviceAccountName: 'sa' }]],
  ])('%s', (source, value) => {
    const result = parseManifestObjects([auth({ podIdentity: { provider: 'aws', roleArn: ROLE }, [source]: value })]);
    expect(result.errors).toEqual([]);
    expect(result.warnings).toEqual([expect.objectContaining({ field: `spec.${source}`, message: expect.stringContaining('not supported') })]);
    expect(result.authentications).toHaveLength(1);
  });
});
