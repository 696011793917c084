/**
 * `TriggerAuthentication` / `ClusterTriggerAuthentication`, reduced to what the scaler can use:
 * the role of `podIdentity` (provider `aws`). Parameters that come from secrets, env vars,
 * config maps or vaults are never read; we only note them so the ScaledObject can warn.
 */
import { isRecord, readRecord, readString } from './crd-values';
import type { IssueCollector } from './issue-collector';
import type { TriggerAuthentication } from './scaled-object';

/** Sources of parameters we never read (static keys and the like). */
const PARAMETER_SOURCES = ['secretTargetRef', 'env', 'configMapTargetRef'] as const;
const VAULT_SOURCES = ['hashiCorpVault', 'azureKeyVault', 'gcpSecretManager', 'awsSecretManager', 'boundServiceAccountToken'] as const;

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
  if (podIdentity) {
    const provider = readString(issues, podIdentity.provider, 'spec.podIdentity.provider', { required: true, example: 'aws' });
    if (provider === 'aws') {
      const roleArn = readString(issues, podIdentity.roleArn, 'spec.podIdentity.roleArn');
      if (roleArn) auth.roleArn = roleArn;
      const externalId = readString(issues, podIdentity.externalID, 'spec.podIdentity.externalID');
      if (externalId && roleArn) auth.externalId = externalId;
      else if (externalId) {
        issues.error('spec.podIdentity.externalID', 'externalID requires roleArn: it is sent only with the AssumeRole of that role', 'set podIdentity.roleArn to the role whose trust policy asks for this external ID, or remove externalID');
      }
      if (podIdentity.identityOwner === 'workload') {
        issues.warn('spec.podIdentity.identityOwner', 'identityOwner "workload" (the workload\'s own service account role) is not available to the scaler, which uses its own IAM role instead', 'set podIdentity.roleArn to a role the scaler may assume, or grant the scaler\'s role the read permissions');
      }
    } else if (provider === 'aws-eks' || provider === 'aws-kiam') {
      issues.warn('spec.podIdentity.provider', `provider "${provider}" was removed from KEDA; the scaler uses its own IAM role`, 'use provider: aws (with roleArn to assume a role)');
    } else if (provider !== undefined && provider !== 'none') {
      issues.warn('spec.podIdentity.provider', `provider "${provider}" does not apply to AWS; the scaler uses its own IAM role`, 'use provider: aws');
    }
  }

  const ignored: string[] = [];
  for (const source of PARAMETER_SOURCES) {
    const entries = spec[source];
    if (entries === undefined || entries === null) continue;
    if (!Array.isArray(entries)) {
      issues.error(`spec.${source}`, 'must be a list', `write each entry as "- parameter: ...", as in KEDA's ${source}`);
      continue;
    }
    for (const entry of entries) {
      if (isRecord(entry) && typeof entry.parameter === 'string') ignored.push(entry.parameter);
      else ignored.push(`(${source} entry)`);
    }
  }
  for (const source of VAULT_SOURCES) {
    if (spec[source] !== undefined && spec[source] !== null) ignored.push(`(${source})`);
  }
  if (ignored.length > 0) {
    auth.hasStaticCredentials = true;
    auth.ignoredParameters = ignored;
  }
  return auth;
}
