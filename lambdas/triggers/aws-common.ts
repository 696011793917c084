/**
 * Metadata every AWS trigger shares (KEDA's `pkg/scalers/aws/aws_common.go`): where to read
 * (`awsRegion`, `awsEndpoint`) and as whom (`awsRoleArn`, a TriggerAuthentication's podIdentity role,
 * `identityOwner`). Static keys are never read: the ScaledObject parser warns about them once, so
 * here they are only declared known.
 */
import { normalizeMetricNamePart, type MetadataReader } from './metadata-values';
import type { AwsSource, ParsedTrigger, Reading, ReadRequest, TriggerParseInput, TriggerParseResult } from './trigger-definition';
import { TriggerError } from './trigger-definition';

/**
 * Credential keys KEDA reads from metadata or authParams. `MetadataReader.finish` strips `FromEnv`,
 * so these also cover `awsAccessKeyIDFromEnv` and `awsSecretAccessKeyFromEnv`.
 */
export const AWS_STATIC_CREDENTIAL_KEYS: readonly string[] = ['awsAccessKeyID', 'awsAccessKeyId', 'awsSecretAccessKey', 'awsSessionToken'];

/** Parameters every AWS scaler also takes from a TriggerAuthentication (`AwsRegion ... order=triggerMetadata;authParams`). */
export const AWS_AUTH_PARAMS: readonly string[] = ['awsRegion'];

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\-/]+$/;
const IDENTITY_OWNERS = new Set(['pod', 'operator']);

/**
 * Reads awsRegion (required), awsEndpoint, awsRoleArn and identityOwner. The podIdentity role wins
 * over `awsRoleArn`, as KEDA checks podIdentity first. `identityOwner: operator` means the scaler's
 * own identity, which is what the Lambda uses whenever no role is named.
 */
export function readAwsSource(reader: MetadataReader, input: TriggerParseInput): AwsSource {
  const region = reader.string('awsRegion', { required: true });
  const endpoint = reader.string('awsEndpoint');
  if (endpoint !== undefined && !isHttpUrl(endpoint)) {
    // KEDA passes awsEndpoint to the SDK unchecked; we require the scheme (a documented difference).
    const schemeless = /^[\w.-]+(:\d+)?(\/.*)?$/.test(endpoint);
    if (schemeless) {
      const scheme = /^(localhost|127\.|\[?::1)/.test(endpoint) ? 'http' : 'https';
      reader.error(fieldOf(input, 'awsEndpoint'), `"${endpoint}" has no scheme; the scaler needs a full http(s) URL (KEDA accepts the bare host:port unchecked)`, `write awsEndpoint as "${scheme}://${endpoint}"`);
    } else {
      reader.error(fieldOf(input, 'awsEndpoint'), `"${endpoint}" is not an http(s) URL`, 'set awsEndpoint to a base URL such as "https://sqs.eu-west-1.amazonaws.com" or "http://localhost:4566", or remove it');
    }
  }
  const metadataRole = reader.string('awsRoleArn');
  if (metadataRole !== undefined && !ROLE_ARN.test(metadataRole)) {
    reader.error(fieldOf(input, 'awsRoleArn'), `"${metadataRole}" is not an IAM role ARN`, 'use the form arn:aws:iam::<12-digit account>:role/<name>');
  }
  if (input.podIdentityRoleArn && metadataRole && metadataRole !== input.podIdentityRoleArn) {
    reader.warn('awsRoleArn', `ignored: the TriggerAuthentication's podIdentity role ${input.podIdentityRoleArn} is used instead`, 'remove awsRoleArn or make it match the podIdentity roleArn');
  }
  // KEDA reads awsRoleArn from the TriggerAuthentication (GetAwsAuthorization), after podIdentity.roleArn.
  const authRole = reader.authParam('awsRoleArn', 'name the role in the TriggerAuthentication\'s podIdentity.roleArn (provider aws) instead, which the scaler assumes');
  if (authRole !== undefined && !ROLE_ARN.test(authRole)) {
    reader.error('awsRoleArn', `"${authRole}" (awsRoleArn from the TriggerAuthentication) is not an IAM role ARN`, 'use the form arn:aws:iam::<12-digit account>:role/<name>');
  }
  const owner = reader.string('identityOwner');
  if (owner !== undefined && !IDENTITY_OWNERS.has(owner)) {
    reader.warn('identityOwner', `"${owner}" is not "pod" or "operator"; the scaler reads with its own IAM role`, 'set identityOwner to "pod" or "operator", or remove it');
  }
  const roleArn = input.podIdentityRoleArn ?? authRole ?? metadataRole;
  // KEDA sends the external ID only with the podIdentity role it belongs to.
  const externalId = input.podIdentityRoleArn ? input.podIdentityExternalId : undefined;
  return {
    // Empty only while awsRegion still waits on a container env var (synth time).
    region: region ?? '',
    ...(roleArn ? { roleArn } : {}),
    ...(externalId ? { externalId } : {}),
    ...(endpoint ? { endpoint } : {}),
  };
}

/** The metadata key a value was given under: `name`, or `nameFromEnv` when it came from the env. */
export function fieldOf(input: TriggerParseInput, name: string): string {
  // A defaulted parameter (neither key given) is named by its own key, not its FromEnv form.
  return !input.metadata[name]?.trim() && input.metadata[`${name}FromEnv`]?.trim() ? `${name}FromEnv` : name;
}

/** Params that still wait on container env (synth time): stored so a read fails with a clear reason. */
export function unresolvedEnvOf(reader: MetadataReader): Record<string, string> | undefined {
  return reader.hasDeferredEnv ? { ...reader.envRefs } : undefined;
}

/** Throws when the trigger was parsed without its container env and never re-parsed with it. */
export function assertEnvResolved(trigger: ParsedTrigger): void {
  const unresolved = trigger.params.unresolvedEnv as Record<string, string> | undefined;
  if (!unresolved) return;
  const [param, envVar] = Object.entries(unresolved)[0] ?? ['?', '?'];
  throw new TriggerError(
    `${param} comes from container env var ${envVar}, which has not been resolved: the target's container env must be read before the trigger can be read`,
    'UnresolvedEnv',
  );
}

/** The trigger's source; a trigger without a region cannot be read. */
export function requireAwsSource(trigger: ParsedTrigger): AwsSource {
  if (!trigger.aws?.region) throw new TriggerError(`trigger ${trigger.metricName} has no awsRegion`, 'MissingRegion');
  return trigger.aws;
}

/** Identity of a source: reads with equal keys can share a client and a call. */
export function sourceKey(source: AwsSource): string {
  return `${source.region}|${source.roleArn ?? ''}|${source.externalId ?? ''}|${source.endpoint ?? ''}`;
}

/** The ARN partition of a region (IAM resource names in error messages and docs). */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host !== '';
  } catch {
    return false;
  }
}

/**
 * The result an AWS trigger that scales on one named resource (a queue, a stream) ends its parse
 * with: KEDA's metric name `s<index>-aws-<kind>-<resource>`, the resource name standing in as
 * `from-env-<VAR>` while it still comes from the container env (synth time).
 */
export function namedResourceParsed(
  input: TriggerParseInput,
  reader: MetadataReader,
  resource: { kind: 'sqs' | 'kinesis'; param: string; name: string | undefined },
  values: { target: number; activationTarget: number; params: Record<string, unknown>; aws: AwsSource },
): TriggerParseResult {
  const nameForMetric = resource.name ?? `from-env-${reader.envRefs[resource.param] ?? ''}`;
  const unresolvedEnv = unresolvedEnvOf(reader);
  return {
    parsed: {
      metricName: `s${input.index}-${normalizeMetricNamePart(`aws-${resource.kind}-${nameForMetric}`)}`,
      target: values.target,
      activationTarget: values.activationTarget,
      params: { ...values.params, ...(unresolvedEnv ? { unresolvedEnv } : {}) },
      aws: values.aws,
      envRefs: { ...reader.envRefs },
    },
    errors: reader.errors,
    warnings: reader.warnings,
  };
}

/**
 * A `readBatch` for services read one request per call: each request of `service` is read at
 * once, in parallel, and answered under its key.
 */
export async function readEachRequest<S extends ReadRequest['service']>(
  requests: readonly ReadRequest[],
  service: S,
  read: (request: Extract<ReadRequest, { service: S }>) => Promise<Reading | TriggerError>,
): Promise<Map<string, Reading | TriggerError>> {
  const out = new Map<string, Reading | TriggerError>();
  const mine = requests.filter((request): request is Extract<ReadRequest, { service: S }> => request.service === service);
  await Promise.all(mine.map(async (request) => out.set(request.key, await read(request))));
  return out;
}

/**
 * `shardCount` (default 2; the HPA target, so > 0) and `activationShardCount` (default 0), as KEDA's
 * Kinesis and DynamoDB Streams scalers both declare them.
 */
export function readShardTargets(reader: MetadataReader, input: TriggerParseInput): { shardCount?: number; activationShardCount?: number } {
  const shardCount = reader.int('shardCount', { default: 2 });
  const activationShardCount = reader.int('activationShardCount', { default: 0 });
  if (shardCount !== undefined && shardCount <= 0) {
    reader.error(fieldOf(input, 'shardCount'), `${shardCount} is not a positive number of shards per pod (the HPA rejects a target of 0 or less)`, 'set shardCount to 1 or more');
  }
  return { ...(shardCount === undefined ? {} : { shardCount }), ...(activationShardCount === undefined ? {} : { activationShardCount }) };
}
