/**
 * What KEDA's two Kafka scalers (`kafka.ts`, `apache-kafka.ts`) share: the partition limitation
 * syntax, credentials from a TriggerAuthentication, the read (one per cluster connection, consumer
 * group and topic set, whatever the partition limitation), and the step from offsets to the metric
 * (engine/keda/kafka-lag.ts).
 *
 * Credentials (username, password, ca, cert, key, keyPassword) come from the TriggerAuthentication:
 * a `secretTargetRef` is read by the Kafka adapter at call time from exactly that key of that
 * Secret, so a value never enters the parameters, a request key, a log line or state.
 */
import { createHash } from 'node:crypto';
import { sourceKey } from './aws-common';
import type { MetadataReader } from './metadata-values';
import { KafkaLagError, totalKafkaLag, type KafkaFlavor, type KafkaLagRules } from '../engine/keda/kafka-lag';
import {
  TriggerError,
  type AwsSource,
  type KafkaConnection,
  type KafkaCredential,
  type MetricOutcome,
  type ParsedTrigger,
  type Reading,
  type ReadContext,
  type ReadRequest,
  type TriggerParseInput,
  type TriggerParseResult,
} from './trigger-definition';
import { normalizeMetricNamePart } from './metadata-values';

/** A credential as parsed: the Secret is known by namespace and name; the cluster joins at read time. */
export type CredentialSource = { from: 'secret'; namespace: string; name: string; key: string } | { from: 'value'; value: string };

type CredentialName = 'username' | 'password' | 'ca' | 'cert' | 'key' | 'keyPassword';

export interface KafkaParams {
  flavor: KafkaFlavor;
  bootstrapServers: string[];
  consumerGroup: string;
  /** Empty: no topic given (kafka: the group's committed topics; apache-kafka: every topic of the cluster). */
  topics: string[];
  /** Partition IDs counted; absent: all (ignored without a topic, as KEDA does). */
  partitionLimitation?: number[];
  rules: KafkaLagRules;
  tls?: { insecure: boolean; ca?: CredentialSource; cert?: CredentialSource; key?: CredentialSource; keyPassword?: CredentialSource };
  sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: CredentialSource; password: CredentialSource } | { mechanism: 'AWS_MSK_IAM'; region: string };
  /** Amazon MSK IAM: whose credentials sign (a podIdentity role, or the scaler's own). */
  msk?: AwsSource;
}

/**
 * KEDA's `parsePartitionLimitation` (kafka) and typed `range` list (apache-kafka): comma-separated
 * IDs and inclusive `a-b` ranges, spaces allowed around each.
 */
export function parsePartitionLimitation(text: string): { ids: number[] } | { problem: string } {
  const ids: number[] = [];
  const int32 = (part: string): number | undefined => (/^[+-]?\d+$/.test(part) && Math.abs(Number(part)) <= 2 ** 31 - 1 ? Number(part) : undefined);
  for (const raw of text.split(',')) {
    const part = raw.trim();
    if (part.includes('-')) {
      const bounds = part.split('-');
      if (bounds.length !== 2) return { problem: `invalid partition limitation range: ${part}` };
      const start = int32((bounds[0] as string).trim());
      const end = int32((bounds[1] as string).trim());
      if (start === undefined || end === undefined) return { problem: `invalid partition limitation: ${part}` };
      if (end - start > 100_000) return { problem: `partition limitation range ${part} names more than 100000 partitions` };
      for (let id = start; id <= end; id++) ids.push(id);
    } else {
      const id = int32(part);
      if (id === undefined) return { problem: `invalid partition limitation: ${part}` };
      ids.push(id);
    }
  }
  return { ids };
}

/** A value KEDA takes from metadata or from the TriggerAuthentication (`order=triggerMetadata;authParams`). */
export function metadataOrAuth(reader: MetadataReader, input: TriggerParseInput, name: string): string | undefined {
  const written = reader.string(name);
  if (written !== undefined) return written;
  if (!input.authParams?.[name]) return undefined;
  return reader.authParam(name, `set metadata.${name} on the trigger instead (the mode is not a secret)`);
}

/** One of `allowed`, or an error naming them. */
export function oneOf<T extends string>(reader: MetadataReader, name: string, text: string | undefined, allowed: readonly T[]): T | undefined {
  if (text === undefined) return undefined;
  if ((allowed as readonly string[]).includes(text)) return text as T;
  reader.error(name, `"${text}" is not one of ${allowed.map((value) => `"${value}"`).join(', ')}`, `set ${name} to one of ${allowed.join(', ')}`);
  return undefined;
}

/**
 * A credential parameter (KEDA `order=authParams`): from the TriggerAuthentication only. A Secret
 * is read at call time; a container env var at tick time; a ConfigMap is refused. A metadata value
 * of the same name is ignored by KEDA, so it gets a warning.
 */
export function readCredential(reader: MetadataReader, input: TriggerParseInput, name: CredentialName): CredentialSource | undefined {
  if (input.metadata[name]?.trim()) {
    reader.has(name);
    reader.warn(name, `KEDA reads ${name} only from a TriggerAuthentication, so this metadata value is ignored (and it is a credential in plain text)`, `move it to a Secret and name it in a TriggerAuthentication secretTargetRef (parameter: ${name})`);
  }
  const source = input.authParams?.[name];
  if (!source) return undefined;
  const namespace = input.objectId.split('/')[0] ?? '';
  if (source.from === 'secret') {
    if (input.authenticationKind === 'ClusterTriggerAuthentication') {
      reader.error(name, `${name} comes from Secret "${source.name}" of a ClusterTriggerAuthentication, whose Secrets live in KEDA's own namespace, which the scaler does not read`, `use a TriggerAuthentication in namespace ${namespace} whose secretTargetRef names a Secret there`);
      return undefined;
    }
    if (!source.name || !source.key) {
      reader.error(name, `the TriggerAuthentication's secretTargetRef for ${name} lacks name or key`, 'set name (the Secret) and key (its data key) on the secretTargetRef entry');
      return undefined;
    }
    return { from: 'secret', namespace, name: source.name, key: source.key };
  }
  if (source.from === 'configMap') {
    reader.error(name, `${name} comes from ConfigMap "${source.name}", which the scaler does not read`, 'put it in a Secret and name it with secretTargetRef');
    return undefined;
  }
  const value = reader.authParam(name, 'name a Secret with secretTargetRef instead');
  if (value === undefined) return reader.hasDeferredEnv ? { from: 'value', value: '' } : undefined;
  return { from: 'value', value };
}

/**
 * Amazon MSK IAM signs with the credentials of a TriggerAuthentication `podIdentity` of provider
 * aws (its role, or the scaler's own role when it names none), as KEDA's `GetAwsAuthorization` does.
 */
/** Every credential both scalers take, read in one order (so their warnings and errors come in it). */
export function readCredentials(reader: MetadataReader, input: TriggerParseInput): Record<CredentialName, CredentialSource | undefined> {
  const read = (name: CredentialName) => readCredential(reader, input, name);
  const ca = read('ca');
  const cert = read('cert');
  const key = read('key');
  const keyPassword = read('keyPassword');
  const username = read('username');
  const password = read('password');
  return { ca, cert, key, keyPassword, username, password };
}

/** The SASL mechanism a password login (`sasl: plaintext | scram_sha256 | scram_sha512`) names on the wire. */
export function passwordMechanism(mode: 'plaintext' | 'scram_sha256' | 'scram_sha512'): 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512' {
  return mode === 'plaintext' ? 'PLAIN' : mode === 'scram_sha256' ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512';
}

/** The TLS parameters: `insecure` skips verifying the brokers' certificates; the rest as given. */
export function tlsParams(insecure: boolean, { ca, cert, key, keyPassword }: Record<CredentialName, CredentialSource | undefined>): NonNullable<KafkaParams['tls']> {
  return { insecure, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(keyPassword ? { keyPassword } : {}) };
}

/** The parse result of either scaler once its parameters are built; `metricNamePart` is KEDA's metric name before normalising. */
export function parsedKafkaTrigger(
  input: TriggerParseInput,
  reader: MetadataReader,
  params: KafkaParams,
  metricNamePart: string,
  lagThreshold: number,
  activationLagThreshold: number,
): TriggerParseResult {
  return {
    parsed: {
      metricName: `s${input.index}-${normalizeMetricNamePart(metricNamePart)}`,
      target: lagThreshold,
      activationTarget: activationLagThreshold,
      params: params as unknown as Record<string, unknown>,
      ...(params.msk ? { aws: params.msk } : {}),
      envRefs: { ...reader.envRefs },
    },
    errors: reader.errors,
    warnings: reader.warnings,
  };
}

export function mskSource(reader: MetadataReader, input: TriggerParseInput, region: string): AwsSource | undefined {
  if (input.podIdentityProvider !== 'aws') {
    reader.error('sasl', 'Amazon MSK IAM authentication signs with AWS credentials, and the trigger has no TriggerAuthentication with podIdentity provider aws', 'add authenticationRef to a TriggerAuthentication with spec.podIdentity.provider: aws (roleArn optional: without it the scaler signs with its own role)');
    return undefined;
  }
  return {
    region,
    ...(input.podIdentityRoleArn ? { roleArn: input.podIdentityRoleArn } : {}),
    ...(input.podIdentityRoleArn && input.podIdentityExternalId ? { externalId: input.podIdentityExternalId } : {}),
  };
}

function credentialAt(source: CredentialSource, cluster: string | undefined, what: string): KafkaCredential {
  if (source.from === 'value') {
    if (!source.value) throw new TriggerError(`${what} comes from container env, which has not been resolved`, 'UnresolvedEnv');
    return { from: 'value', value: source.value };
  }
  if (!cluster) throw new TriggerError(`${what} comes from a Secret, but the read was not told which cluster the ScaledObject is in`, 'NoCluster');
  return { from: 'secret', secret: { cluster, namespace: source.namespace, name: source.name, key: source.key } };
}

/** A credential's identity for the read key: the Secret's coordinates or a hash, never the value. */
function credentialIdentity(credential: KafkaCredential | undefined): string {
  if (!credential) return '';
  if (credential.from === 'secret') return `secret:${credential.secret.cluster}/${credential.secret.namespace}/${credential.secret.name}/${credential.secret.key}`;
  return `value:${createHash('sha256').update(credential.value).digest('hex').slice(0, 32)}`;
}

export function connectionOf(params: KafkaParams, context: ReadContext): KafkaConnection {
  const { tls, sasl } = params;
  const connection: KafkaConnection = { brokers: params.bootstrapServers };
  if (tls) {
    connection.tls = { insecure: tls.insecure };
    for (const name of ['ca', 'cert', 'key', 'keyPassword'] as const) {
      const source = tls[name];
      if (source) connection.tls[name] = credentialAt(source, context.cluster, name);
    }
  }
  if (sasl) {
    connection.sasl =
      sasl.mechanism === 'AWS_MSK_IAM'
        ? sasl
        : { mechanism: sasl.mechanism, username: credentialAt(sasl.username, context.cluster, 'username'), password: credentialAt(sasl.password, context.cluster, 'password') };
  }
  return connection;
}

/** The connection's identity: equal for reads that may share one client. */
export function connectionKey(connection: KafkaConnection, source: AwsSource | undefined): string {
  const tls = connection.tls ? `tls:${connection.tls.insecure}:${credentialIdentity(connection.tls.ca)}:${credentialIdentity(connection.tls.cert)}:${credentialIdentity(connection.tls.key)}:${credentialIdentity(connection.tls.keyPassword)}` : 'plain';
  const sasl = !connection.sasl ? 'none' : connection.sasl.mechanism === 'AWS_MSK_IAM' ? `msk:${source ? sourceKey(source) : ''}` : `${connection.sasl.mechanism}:${credentialIdentity(connection.sasl.username)}:${credentialIdentity(connection.sasl.password)}`;
  return `${connection.brokers.join(',')}|${tls}|${sasl}`;
}

export function kafkaReadRequest(trigger: ParsedTrigger, _now: number, context: ReadContext = {}): ReadRequest {
  const params = trigger.params as unknown as KafkaParams;
  const connection = connectionOf(params, context);
  const topics: Extract<ReadRequest, { service: 'kafka' }>['topics'] =
    params.topics.length > 0 ? { kind: 'named', names: [...params.topics].sort() } : params.flavor === 'kafka' ? { kind: 'committed' } : { kind: 'all' };
  const topicKey = topics.kind === 'named' ? `topics:${topics.names.join(',')}` : topics.kind;
  return {
    service: 'kafka',
    key: `kafka|${connectionKey(connection, params.msk)}|${params.consumerGroup}|${topicKey}`,
    connection,
    group: params.consumerGroup,
    topics,
    ...(params.msk ? { source: params.msk } : {}),
  };
}

/** The offsets read, limited to the partitions this trigger counts, to KEDA's lag and activity. */
export function kafkaToMetric(trigger: ParsedTrigger, reading: Reading | undefined): MetricOutcome {
  const params = trigger.params as unknown as KafkaParams;
  const where = `consumer group ${params.consumerGroup}${params.topics.length > 0 ? ` on topic ${params.topics.join(',')}` : ''} (${params.bootstrapServers.join(',')})`;
  if (reading?.service !== 'kafka') throw new TriggerError(`no Kafka offsets read for ${where}`, 'NoReading');
  const limit = params.partitionLimitation;
  const partitions = limit ? reading.partitions.filter((offsets) => limit.includes(offsets.partition)) : reading.partitions;
  if (params.flavor === 'kafka' && limit) {
    // KEDA's kafka scaler: a topic left with no partition after the limitation is an error.
    for (const topic of new Set(reading.partitions.map((offsets) => offsets.topic))) {
      if (!partitions.some((offsets) => offsets.topic === topic)) throw new TriggerError(`expected at least one active partition within the topic '${topic}' (partitionLimitation ${limit.join(',')} names none of its partitions)`, 'KafkaNoActivePartition');
    }
  }
  try {
    const previous: Record<string, number> = {};
    for (const offsets of partitions) if (offsets.previousCommitted !== undefined) previous[`${offsets.topic}/${offsets.partition}`] = offsets.previousCommitted;
    const lag = totalKafkaLag(params.rules, params.consumerGroup, partitions, previous);
    return { value: lag.totalLag, active: lag.totalLagWithPersistent > trigger.activationTarget };
  } catch (error) {
    if (error instanceof KafkaLagError) throw new TriggerError(`${error.message} (${where})`, 'KafkaOffsets');
    throw error;
  }
}

export async function readKafkaRequests(requests: readonly ReadRequest[], options: { signal?: AbortSignal; kafka?: import('./trigger-definition').KafkaReadPort }): Promise<Map<string, Reading | TriggerError>> {
  const out = new Map<string, Reading | TriggerError>();
  const signal = options.signal ?? AbortSignal.timeout(5_000);
  await Promise.all(
    requests.map(async (request) => {
      if (request.service !== 'kafka') return;
      if (!options.kafka) return void out.set(request.key, new TriggerError('no Kafka reader is wired into this read plan, so kafka triggers cannot be read', 'NoReader'));
      try {
        out.set(request.key, { service: 'kafka', partitions: await options.kafka.readOffsets(request, signal) });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        out.set(request.key, error instanceof TriggerError ? error : new TriggerError(`Kafka read for consumer group ${request.group} at ${request.connection.brokers.join(',')} failed: ${message}`, 'KafkaUnreachable'));
      }
    }),
  );
  return out;
}
