/**
 * `spec.triggers`: the fields KEDA checks on every trigger, then the trigger type's own metadata
 * parse (through the registry), then the AWS credentials story told once per trigger: the scaler
 * reads with its own IAM role, or assumes the role named by `awsRoleArn` or by a
 * TriggerAuthentication's `podIdentity`; static keys are never read.
 */
import { getTriggerDefinition, SUPPORTED_TRIGGER_TYPES } from '../../triggers/registry';
import type { MetricType, ParsedTrigger, TriggerDefinition, TriggerMetricType, TriggerParseResult } from '../../triggers/trigger-definition';
import { isResourceTriggerType } from '../../triggers/cpu-memory';
import { isRecord, readBool, readEnum, readRecord, readString, readStringMap, warnUnknownFields } from './crd-values';
import type { IssueCollector } from './issue-collector';
import type { TriggerAuthentication } from './scaled-object';

const TRIGGER_FIELDS = ['type', 'name', 'metadata', 'authenticationRef', 'metricType', 'useCachedMetrics'];
const AUTH_KINDS = ['TriggerAuthentication', 'ClusterTriggerAuthentication'] as const;
const STATIC_KEY_PARAMETERS = ['awsAccessKeyID', 'awsAccessKeyId', 'awsAccessKeyIDFromEnv', 'awsSecretAccessKey', 'awsSecretAccessKeyFromEnv', 'awsSessionToken'];
const READ_PERMISSIONS: Record<string, string> = {
  'aws-sqs-queue': 'sqs:GetQueueAttributes on the queue',
  'aws-kinesis-stream': 'kinesis:ListShards on the stream (a role it assumes needs kinesis:DescribeStreamSummary, as with KEDA)',
  'aws-cloudwatch': 'cloudwatch:GetMetricData',
  'aws-dynamodb': 'dynamodb:Query on the table (and index)',
  'aws-dynamodb-streams': 'dynamodb:DescribeTable on the table and dynamodb:DescribeStream on its stream',
  prometheus: 'aps:QueryMetrics on the workspace',
};
/**
 * Trigger types that use a TriggerAuthentication (its AWS podIdentity, or parameters): prometheus
 * (SigV4 for Amazon Managed Service for Prometheus), new-relic (queryKey), kafka and apache-kafka
 * (SASL and TLS material, Amazon MSK IAM).
 */
const usesAwsIdentity = (type: string | undefined): boolean => type !== undefined && (type.startsWith('aws-') || type === 'prometheus' || type === 'new-relic' || type === 'kafka' || type === 'apache-kafka');

export interface TriggerContext {
  issues: IssueCollector;
  objectId: string;
  namespace: string;
  authentications: readonly TriggerAuthentication[];
}

/** Parses `spec.triggers`; undefined entries are triggers with errors. */
export function parseTriggers(context: TriggerContext, value: unknown): (ParsedTrigger | undefined)[] {
  const { issues } = context;
  if (value === undefined || value === null) {
    issues.error('spec.triggers', 'is required', 'add at least one trigger, e.g. "- type: aws-sqs-queue"');
    return [];
  }
  if (!Array.isArray(value)) {
    issues.error('spec.triggers', 'must be a list of triggers', 'write each trigger as "- type: ..." under triggers');
    return [];
  }
  if (value.length === 0) {
    issues.error('spec.triggers', 'has no triggers', `add at least one trigger of type ${SUPPORTED_TRIGGER_TYPES.join(', ')}`);
    return [];
  }
  const names = new Map<string, number>();
  return value.map((entry, index) => {
    const path = `spec.triggers[${index}]`;
    if (!isRecord(entry)) {
      issues.error(path, 'must be a map with type and metadata', 'write it as "- type: ...\\n  metadata: {...}"');
      return undefined;
    }
    const name = readString(issues, entry.name, `${path}.name`);
    if (name !== undefined) {
      const first = names.get(name);
      if (first !== undefined) {
        issues.error(`${path}.name`, `trigger name "${name}" is already used by spec.triggers[${first}]`, 'give every trigger a unique name');
      } else names.set(name, index);
    }
    return parseTrigger(context, entry, index, name);
  });
}

function parseTrigger(context: TriggerContext, entry: Record<string, unknown>, index: number, name: string | undefined): ParsedTrigger | undefined {
  const { issues } = context;
  const path = `spec.triggers[${index}]`;
  const errorsBefore = issues.errors.length;
  warnUnknownFields(issues, entry, path, TRIGGER_FIELDS);

  const type = readString(issues, entry.type, `${path}.type`, { required: true, example: SUPPORTED_TRIGGER_TYPES[0] });
  const definition = type === undefined ? undefined : getTriggerDefinition(type);
  const resourceTrigger = type !== undefined && isResourceTriggerType(type);
  if (type !== undefined && !definition) {
    issues.error(`${path}.type`, `trigger type "${type}" is not supported`, `use one of: ${SUPPORTED_TRIGGER_TYPES.join(', ')}`);
  }
  if (entry.metadata === undefined || entry.metadata === null) {
    issues.error(`${path}.metadata`, 'is required', "add metadata with the trigger's parameters (all values quoted strings)");
  }
  const errorsBeforeMetadata = issues.errors.length;
  const metadata = readStringMap(issues, entry.metadata, `${path}.metadata`);
  // A value that is not a string is left out of the map; parsing without it would only add a
  // misleading "missing parameter" to the "quote it" error.
  const metadataTyped = issues.errors.length === errorsBeforeMetadata;
  // cpu and memory read their own metricType (Utilization is valid for them); see cpu-memory.ts.
  const triggerMetricType = resourceTrigger ? readString(issues, entry.metricType, `${path}.metricType`) : undefined;
  const metricType = resourceTrigger ? 'AverageValue' : parseMetricType(issues, entry.metricType, `${path}.metricType`);
  const authenticationRef = parseAuthenticationRef(issues, entry.authenticationRef, `${path}.authenticationRef`);
  const useCachedMetrics = readBool(issues, entry.useCachedMetrics, `${path}.useCachedMetrics`) ?? false;
  if (useCachedMetrics && (type === 'cron' || resourceTrigger)) {
    // KEDA's ValidateTriggers refuses it for cpu, memory and cron, which have no metric to cache.
    issues.error(`${path}.useCachedMetrics`, `property "useCachedMetrics" is not supported for "${type}" scaler`, 'remove useCachedMetrics from this trigger');
  }
  if (!definition || !metadataTyped) return undefined;

  const podIdentity = type !== undefined && usesAwsIdentity(type) ? resolveAwsIdentity(context, index, type, metadata, authenticationRef) : undefined;
  const result = definition.parse({
    objectId: context.objectId,
    index,
    fieldPath: `${path}.metadata`,
    metadata,
    ...(podIdentity?.roleArn !== undefined ? { podIdentityRoleArn: podIdentity.roleArn } : {}),
    ...(podIdentity?.externalId !== undefined ? { podIdentityExternalId: podIdentity.externalId } : {}),
    ...(podIdentity?.podIdentityProvider !== undefined ? { podIdentityProvider: podIdentity.podIdentityProvider } : {}),
    ...(authenticationRef ? { authenticationKind: authenticationRef.kind } : {}),
    ...(podIdentity?.parameters !== undefined ? { authParams: podIdentity.parameters } : {}),
    ...(triggerMetricType !== undefined ? { triggerMetricType } : {}),
  });
  issues.adopt(result.errors);
  issues.adopt(result.warnings);
  if (issues.errors.length > errorsBefore || !result.parsed || metricType === undefined) return undefined;
  return buildTrigger(definition, result, { index, name, metricType, metadata, authenticationRef, useCachedMetrics, ...(podIdentity?.parameters ? { authParams: podIdentity.parameters } : {}) });
}

interface TriggerFields {
  index: number;
  name: string | undefined;
  metricType: TriggerMetricType;
  metadata: Record<string, string>;
  authenticationRef: ParsedTrigger['authenticationRef'];
  useCachedMetrics: boolean;
  authParams?: ParsedTrigger['authParams'];
}

export function buildTrigger(definition: TriggerDefinition, result: TriggerParseResult, fields: TriggerFields): ParsedTrigger {
  const parsed = result.parsed!;
  return {
    index: fields.index,
    type: definition.type,
    ...(fields.name !== undefined ? { name: fields.name } : {}),
    metricName: parsed.metricName,
    metricType: parsed.metricType ?? fields.metricType,
    target: parsed.target,
    activationTarget: parsed.activationTarget,
    params: parsed.params,
    ...(parsed.aws ? { aws: parsed.aws } : {}),
    metadata: fields.metadata,
    envRefs: parsed.envRefs ?? envRefsOf(fields.metadata),
    ...(fields.authenticationRef ? { authenticationRef: fields.authenticationRef } : {}),
    ...(fields.authParams ? { authParams: fields.authParams } : {}),
    useCachedMetrics: fields.useCachedMetrics,
  };
}

/** `<name>FromEnv` keys whose `<name>` is not given directly (what KEDA would read from env). */
function envRefsOf(metadata: Record<string, string>): Record<string, string> {
  const refs: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    if (!key.endsWith('FromEnv') || !value.trim()) continue;
    const name = key.slice(0, -'FromEnv'.length);
    if (!metadata[name]?.trim()) refs[name] = value.trim();
  }
  return refs;
}

function parseMetricType(issues: IssueCollector, value: unknown, path: string): MetricType | undefined {
  if (value === undefined || value === null || value === '') return 'AverageValue';
  const text = readString(issues, value, path);
  if (text === undefined) return undefined;
  if (text === 'AverageValue' || text === 'Value') return text;
  if (text === 'Utilization') {
    // KEDA's GetMetricTargetType refuses it for every external metric (ErrScalerUnsupportedUtilizationMetricType).
    issues.error(path, 'metricType "Utilization" is unsupported for external metrics, which every trigger type here is', 'use AverageValue (the default) or Value');
  } else {
    issues.error(path, `metricType "${text}" is not supported`, 'use AverageValue (the default) or Value');
  }
  return undefined;
}

function parseAuthenticationRef(issues: IssueCollector, value: unknown, path: string): ParsedTrigger['authenticationRef'] {
  const map = readRecord(issues, value, path);
  if (!map) return undefined;
  warnUnknownFields(issues, map, path, ['name', 'kind']);
  const name = readString(issues, map.name, `${path}.name`, { required: true, example: 'aws-auth' });
  const kind = map.kind === undefined || map.kind === null || map.kind === '' ? 'TriggerAuthentication' : readEnum(issues, map.kind, `${path}.kind`, AUTH_KINDS);
  return name !== undefined && kind !== undefined ? { name, kind } : undefined;
}

/**
 * Warns where KEDA would use credentials we never read, and returns the podIdentity role (and its
 * external ID) of the referenced TriggerAuthentication, if any.
 */
function resolveAwsIdentity(
  context: TriggerContext,
  index: number,
  type: string,
  metadata: Record<string, string>,
  ref: ParsedTrigger['authenticationRef'],
): Pick<TriggerAuthentication, 'roleArn' | 'externalId' | 'parameters' | 'podIdentityProvider'> | undefined {
  const { issues } = context;
  const path = `spec.triggers[${index}]`;
  const grant = `grant the scaler's IAM role ${READ_PERMISSIONS[type] ?? 'read access'}, or name a role to assume with metadata.awsRoleArn or a TriggerAuthentication with podIdentity.provider: aws and roleArn`;
  const staticKeys = STATIC_KEY_PARAMETERS.filter((key) => metadata[key]?.trim());
  if (staticKeys.length > 0) {
    issues.warn(`${path}.metadata.${staticKeys[0]}`, `static AWS keys (${staticKeys.join(', ')}) are never read; the scaler's own IAM role is used instead`, grant);
  }
  if (!ref) return undefined;
  const auth = context.authentications.find((candidate) =>
    candidate.kind === ref.kind && candidate.name === ref.name && (ref.kind === 'ClusterTriggerAuthentication' || candidate.namespace === context.namespace),
  );
  if (!auth) {
    const where = ref.kind === 'ClusterTriggerAuthentication' ? '' : ` in namespace ${context.namespace}`;
    if (!type.startsWith('aws-')) {
      // prometheus (podIdentity for SigV4) and new-relic (queryKey, account, region) take parameters from it, not only a role.
      issues.warn(`${path}.authenticationRef.name`, `${ref.kind} "${ref.name}"${where} is not in the input, so the parameters it supplies (its podIdentity, queryKey, account, region) are unknown`, `add the ${ref.kind} to the same input`);
      return undefined;
    }
    issues.warn(`${path}.authenticationRef.name`, `${ref.kind} "${ref.name}"${where} is not in the input, so its credentials are unknown; the scaler's own IAM role is used instead`, `add the ${ref.kind} to the same input, or ${grant}`);
    return undefined;
  }
  if (auth.hasStaticCredentials) {
    const parameters = auth.ignoredParameters?.join(', ') ?? 'static keys';
    issues.warn(`${path}.authenticationRef`, `${ref.kind} "${ref.name}" supplies ${parameters} from secrets or env, which are never read; ${auth.roleArn ? `its podIdentity role ${auth.roleArn} is assumed` : "the scaler's own IAM role is used instead"}`, grant);
  }
  return {
    ...(auth.roleArn ? { roleArn: auth.roleArn } : {}),
    ...(auth.externalId ? { externalId: auth.externalId } : {}),
    ...(auth.podIdentityProvider ? { podIdentityProvider: auth.podIdentityProvider } : {}),
    ...(auth.parameters ? { parameters: auth.parameters } : {}),
  };
}
