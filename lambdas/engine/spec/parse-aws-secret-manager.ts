/**
 * A TriggerAuthentication's `awsSecretManager` (KEDA v2.20 `triggerauthentication_types.go`
 * `AwsSecretManager`, resolved by `pkg/scaling/resolver/aws_secretmanager_handler.go`): each
 * `secrets[]` entry supplies one parameter from `GetSecretValue`. Parsing keeps where each value
 * lives (secret, version, JSON key, region, role); the value is read at call time by the adapter.
 *
 * How the scaler differs from KEDA, on purpose:
 * - Static `credentials` (an access key in a Kubernetes Secret) are never read: the scaler reads the
 *   secret with its own IAM role, or with `podIdentity.roleArn` when one is given. KEDA refuses the
 *   block when it has neither credentials nor a pod identity; so does this parser.
 * - Without `region`, a secret named by ARN is read in the ARN's region (where it lives), else in the
 *   scaler's own region; KEDA uses the SDK's default region for both.
 */
import { isRecord, readRecord, readString } from './crd-values';
import type { IssueCollector } from './issue-collector';
import type { AwsSecretManagerSource } from './scaled-object';

const FIELD = 'spec.awsSecretManager';
/** `arn:<partition>:secretsmanager:<region>:<account>:secret:<name>` */
const SECRET_ARN = /^arn:[a-z-]+:secretsmanager:([a-z0-9-]+):\d{12}:secret:.+$/;

export interface AwsSecretManagerParameters {
  /** Parameter name (KEDA's authParams key) to where its value lives. */
  parameters: Record<string, AwsSecretManagerSource>;
}

export function parseAwsSecretManager(issues: IssueCollector, value: unknown): AwsSecretManagerParameters | undefined {
  const block = readRecord(issues, value, FIELD);
  if (!block) return undefined;
  const region = readString(issues, block.region, `${FIELD}.region`);
  const roleArn = readIdentity(issues, block);
  if (roleArn === null) return undefined;

  if (!Array.isArray(block.secrets) || block.secrets.length === 0) {
    // The CRD says MinItems=1: the API server refuses the object without a secret.
    issues.error(`${FIELD}.secrets`, 'must list at least one secret', 'add "- parameter: queryKey\\n  name: <secret name or ARN>" under secrets');
    return undefined;
  }
  const parameters: Record<string, AwsSecretManagerSource> = {};
  block.secrets.forEach((entry, index) => {
    const path = `${FIELD}.secrets[${index}]`;
    if (!isRecord(entry)) {
      issues.error(path, 'must be a map', 'write each secret as "- parameter: ...\\n  name: ..."');
      return;
    }
    const parameter = readString(issues, entry.parameter, `${path}.parameter`, { required: true, example: 'queryKey' });
    const secretId = readString(issues, entry.name, `${path}.name`, { required: true, example: 'newrelic/query-key' });
    const versionId = readString(issues, entry.versionId, `${path}.versionId`);
    const versionStage = readString(issues, entry.versionStage, `${path}.versionStage`);
    const secretKey = readString(issues, entry.secretKey, `${path}.secretKey`);
    if (!parameter || !secretId) return;
    const secretRegion = region || SECRET_ARN.exec(secretId)?.[1];
    parameters[parameter] = {
      secretId,
      ...(versionId ? { versionId } : {}),
      ...(versionStage ? { versionStage } : {}),
      ...(secretKey ? { secretKey } : {}),
      ...(secretRegion ? { region: secretRegion } : {}),
      ...(roleArn ? { roleArn } : {}),
    };
  });
  return { parameters };
}

/**
 * The identity the secrets are read as: the role of `podIdentity` (provider aws), or undefined for
 * the scaler's own role. Null when KEDA would refuse the block (no identity at all, or a provider
 * other than aws).
 */
function readIdentity(issues: IssueCollector, block: Record<string, unknown>): string | undefined | null {
  const podIdentity = readRecord(issues, block.podIdentity, `${FIELD}.podIdentity`);
  const provider = podIdentity ? readString(issues, podIdentity.provider, `${FIELD}.podIdentity.provider`) : undefined;
  const hasCredentials = isRecord(block.credentials);
  if (provider === undefined || provider === '' || provider === 'none') {
    if (!hasCredentials) {
      issues.error(`${FIELD}`, 'has neither podIdentity nor credentials, so KEDA refuses it ("AccessKeyID and AccessSecretKey are expected when not using a pod identity provider")', 'add "podIdentity: {provider: aws}" (the scaler then reads the secret with its own IAM role, or with podIdentity.roleArn)');
      return null;
    }
    issues.warn(`${FIELD}.credentials`, 'static credentials are never read: the scaler reads these secrets with its own IAM role instead', 'grant the scaler secretsmanager:GetSecretValue on the secrets, and replace credentials with "podIdentity: {provider: aws}" (add roleArn to read them as another role)');
    return undefined;
  }
  if (provider !== 'aws') {
    // aws_secretmanager_handler.go: "pod identity provider %s not supported".
    issues.error(`${FIELD}.podIdentity.provider`, `provider "${provider}" cannot read AWS Secrets Manager (KEDA: "pod identity provider ${provider} not supported")`, 'use provider: aws');
    return null;
  }
  if (hasCredentials) {
    issues.warn(`${FIELD}.credentials`, 'static credentials are never read; podIdentity decides the identity', 'remove credentials');
  }
  const roleArn = readString(issues, podIdentity?.roleArn, `${FIELD}.podIdentity.roleArn`);
  if (podIdentity?.identityOwner === 'workload') {
    if (roleArn) {
      issues.error(`${FIELD}.podIdentity.roleArn`, "roleArn can't be set when identityOwner is workload (KEDA's admission webhook rejects it)", 'remove identityOwner (or set it to keda) to assume roleArn, or remove roleArn');
      return null;
    }
    issues.warn(`${FIELD}.podIdentity.identityOwner`, 'identityOwner "workload" (the workload\'s own service account role) is not available to the scaler, which reads the secrets with its own IAM role instead', 'set podIdentity.roleArn to a role the scaler may assume, or grant the scaler\'s role secretsmanager:GetSecretValue');
    return undefined;
  }
  return roleArn || undefined;
}
