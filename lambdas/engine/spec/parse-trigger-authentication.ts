/**
 * `TriggerAuthentication` / `ClusterTriggerAuthentication`, reduced to what the scaler can use:
 * the role of `podIdentity` (provider `aws`) and its external ID, and where each parameter comes
 * from (env, Secret, ConfigMap, AWS Secrets Manager). Values are never read here: a trigger that
 * can use a credential (new-relic's queryKey) has the adapter read it at call time. Static AWS keys
 * are never read at all. Sources the scaler does not support (files, other vaults, OAuth2, tokens)
 * get a warning here.
 */
import { parseAwsSecretManager } from './parse-aws-secret-manager';
import { isRecord, readRecord, readString } from './crd-values';
import type { IssueCollector } from './issue-collector';
import { AWS_STATIC_CREDENTIAL_KEYS } from '../../triggers/aws-common';
import type { AuthParameterSource, TriggerAuthentication } from './scaled-object';

/** Sources of parameters we never read (static keys and the like). */
const PARAMETER_SOURCES = ['secretTargetRef', 'env'] as const;
/** Sources KEDA can read that the scaler does not support: each one present gets a warning. */
const UNSUPPORTED_SOURCES = [
  'filePath',
  'oauth2',
  'hashiCorpVault',
  'azureKeyVault',
  'gcpSecretManager',
  'configMapTargetRef',
  'boundServiceAccountToken',
] as const;
/** The CRD's enum for `podIdentity.provider` (KEDA v2.20 triggerauthentication_types.go). */
const PROVIDERS = ['azure-workload', 'gcp', 'aws', 'aws-eks', 'none'] as const;

export function parseTriggerAuthentication(
  issues: IssueCollector,
  kind: TriggerAuthentication['kind'],
  metadata: Record<string, unknown>,
  spec: Record<string, unknown>,
): TriggerAuthentication | undefined {
  const name = readString(issues, metadata.name, 'metadata.name', { required: true, example: 'aws-auth' });
  if (name === undefined) return undefined;
  const namespace = kind === 'TriggerAuthentication' ? (readString(issues, metadata.namespace, 'metadata.namespace') ?? 'default') : undefined;
  const auth: TriggerAuthentication = { kind, name, ...(namespace !== undefined ? { namespace } : {}), hasStaticCredentials: false };

  const podIdentity = readRecord(issues, spec.podIdentity, 'spec.podIdentity');
  if (podIdentity) readPodIdentity(issues, podIdentity, auth);

  const ignored: string[] = [];
  for (const source of PARAMETER_SOURCES) {
    const entries = spec[source];
    if (entries === undefined || entries === null) continue;
    if (!Array.isArray(entries)) {
      issues.error(`spec.${source}`, 'must be a list', `write each entry as "- parameter: ...", as in KEDA's ${source}`);
      continue;
    }
    for (const entry of entries) {
      if (!isRecord(entry) || typeof entry.parameter !== 'string') {
        ignored.push(`(${source} entry)`);
        continue;
      }
      // Credentials are never read (the static-keys policy); any other parameter is KEDA's authParams.
      if (AWS_STATIC_CREDENTIAL_KEYS.includes(entry.parameter)) ignored.push(entry.parameter);
      else auth.parameters = { ...auth.parameters, [entry.parameter]: parameterSource(source, entry) };
    }
  }
  if (Array.isArray(spec.configMapTargetRef)) {
    for (const entry of spec.configMapTargetRef) {
      if (isRecord(entry) && typeof entry.parameter === 'string' && !AWS_STATIC_CREDENTIAL_KEYS.includes(entry.parameter)) {
        auth.parameters = { ...auth.parameters, [entry.parameter]: { from: 'configMap', name: String(entry.name ?? ''), key: String(entry.key ?? '') } };
      }
    }
  }
  const secretManager = spec.awsSecretManager === undefined || spec.awsSecretManager === null ? undefined : parseAwsSecretManager(issues, spec.awsSecretManager);
  for (const [parameter, source] of Object.entries(secretManager?.parameters ?? {})) {
    // KEDA resolves awsSecretManager after secretTargetRef and env: its value wins a clash.
    if (AWS_STATIC_CREDENTIAL_KEYS.includes(parameter)) ignored.push(parameter);
    else auth.parameters = { ...auth.parameters, [parameter]: { from: 'awsSecretManager', ...source } };
  }
  for (const source of UNSUPPORTED_SOURCES) {
    if (spec[source] === undefined || spec[source] === null || spec[source] === '') continue;
    issues.warn(`spec.${source}`, `${source} is not supported: the scaler never reads it, so no parameter comes from it`, 'put non-secret parameters (awsRegion, queueURL, ...) in the trigger metadata, and name a role to assume with podIdentity (provider aws, roleArn) instead of credentials');
  }
  if (ignored.length > 0) {
    auth.hasStaticCredentials = true;
    auth.ignoredParameters = ignored;
  }
  return auth;
}

function readPodIdentity(issues: IssueCollector, podIdentity: Record<string, unknown>, auth: TriggerAuthentication): void {
  const provider = readString(issues, podIdentity.provider, 'spec.podIdentity.provider', { required: true, example: 'aws' });
  if (provider === undefined) return;
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    // The API server refuses a value outside the CRD's enum, so KEDA never sees it.
    issues.error('spec.podIdentity.provider', `provider "${provider}" is not one of ${PROVIDERS.join(', ')}`, 'use provider: aws (with roleArn to assume a role)');
    return;
  }
  auth.podIdentityProvider = provider;
  if (provider === 'aws') {
    const roleArn = readString(issues, podIdentity.roleArn, 'spec.podIdentity.roleArn');
    const workloadOwner = podIdentity.identityOwner === 'workload';
    if (roleArn && workloadOwner) {
      issues.error('spec.podIdentity.roleArn', "roleArn can't be set when identityOwner is workload (KEDA's admission webhook rejects it)", 'remove identityOwner (or set it to keda) to assume roleArn, or remove roleArn');
      return;
    }
    if (roleArn) auth.roleArn = roleArn;
    const externalId = readString(issues, podIdentity.externalID, 'spec.podIdentity.externalID');
    if (externalId && roleArn) auth.externalId = externalId;
    else if (externalId) {
      issues.error('spec.podIdentity.externalID', 'externalID requires roleArn: it is sent only with the AssumeRole of that role', 'set podIdentity.roleArn to the role whose trust policy asks for this external ID, or remove externalID');
    }
    if (workloadOwner) {
      issues.warn('spec.podIdentity.identityOwner', 'identityOwner "workload" (the workload\'s own service account role) is not available to the scaler, which uses its own IAM role instead', 'set podIdentity.roleArn to a role the scaler may assume, or grant the scaler\'s role the read permissions');
    }
  } else if (provider === 'aws-eks') {
    issues.warn('spec.podIdentity.provider', 'provider "aws-eks" is deprecated in KEDA (still served in 2.20); the scaler cannot use the workload\'s IRSA role and reads with its own IAM role', 'use provider: aws (with roleArn to assume a role)');
  } else if (provider !== 'none') {
    issues.warn('spec.podIdentity.provider', `provider "${provider}" does not apply to AWS; the scaler uses its own IAM role`, 'use provider: aws');
  }
}

function parameterSource(source: (typeof PARAMETER_SOURCES)[number], entry: Record<string, unknown>): AuthParameterSource {
  if (source === 'env') {
    const containerName = typeof entry.containerName === 'string' && entry.containerName !== '' ? entry.containerName : undefined;
    return { from: 'env', envVar: String(entry.name ?? ''), ...(containerName ? { containerName } : {}) };
  }
  return { from: 'secret', name: String(entry.name ?? ''), key: String(entry.key ?? '') };
}
