/**
 * `apache-kafka` (KEDA `pkg/scalers/apache_kafka_scaler.go`, v2.20, the kafka-go-based scaler):
 * consumer-group lag over one or more topics (a comma-separated `topic`), or over every topic of the
 * cluster when none is named (as KEDA reads it). Fields, defaults and validation as KEDA's
 * `apacheKafkaMetadata`; the lag as its `getTotalLag` (engine/keda/kafka-lag.ts).
 *
 * SASL: plaintext, scram_sha256, scram_sha512 and aws_msk_iam (Amazon MSK IAM, TLS required).
 * gssapi is in KEDA's enum but its client refuses it; here that is a parse error.
 */
import { kafkaReadRequest, kafkaToMetric, mskSource, oneOf, parsedKafkaTrigger, parsePartitionLimitation, passwordMechanism, readCredentials, readKafkaRequests, tlsParams, type KafkaParams } from './kafka-common';
import { metadataReader, type MetadataReader } from './metadata-values';
import type { TriggerDefinition, TriggerParseInput, TriggerParseResult } from './trigger-definition';

const SASL_MODES = ['none', 'plaintext', 'scram_sha256', 'scram_sha512', 'gssapi', 'aws_msk_iam'] as const;
const AUTH_ONLY = ['username', 'password', 'ca', 'cert', 'key', 'keyPassword'];

/**
 * `sasl` and `tls` (`order=triggerMetadata;authParams`): in one place only
 * (`parseApacheKafkaAuthParams`); a TriggerAuthentication's value is trimmed ("plaintext\n" is read).
 */
function modeParameter(reader: MetadataReader, input: TriggerParseInput, name: 'sasl' | 'tls'): string | undefined {
  const written = reader.string(name);
  const fromAuth = input.authParams?.[name];
  if (written !== undefined && fromAuth) {
    reader.error(name, `unable to set \`${name}\` in both ScaledObject and TriggerAuthentication together`, `remove ${name} from the trigger's metadata or from the TriggerAuthentication`);
    return undefined;
  }
  if (written !== undefined || !fromAuth) return written;
  return reader.authParam(name, `set metadata.${name} on the trigger instead (the mode is not a secret)`);
}

function parse(input: TriggerParseInput): TriggerParseResult {
  const reader = metadataReader(input, ['bootstrapServers', 'consumerGroup', 'topic'], []);
  const bootstrapServers = reader.list('bootstrapServers', ',', { required: true });
  const consumerGroup = reader.string('consumerGroup', { required: true });
  const topics = reader.list('topic', ',') ?? [];
  const limitationText = reader.string('partitionLimitation');
  const lagThreshold = reader.int('lagThreshold', { default: 10 });
  const activationLagThreshold = reader.int('activationLagThreshold', { default: 0 });
  const offsetResetPolicy = oneOf(reader, 'offsetResetPolicy', reader.string('offsetResetPolicy', { default: 'latest' }), ['earliest', 'latest'] as const);
  const allowIdleConsumers = reader.bool('allowIdleConsumers', { default: false });
  const excludePersistentLag = reader.bool('excludePersistentLag', { default: false });
  const scaleToZeroOnInvalidOffset = reader.bool('scaleToZeroOnInvalidOffset', { default: false });
  const limitToPartitionsWithLag = reader.bool('limitToPartitionsWithLag', { default: false });
  const ensureEvenDistributionOfPartitions = reader.bool('ensureEvenDistributionOfPartitions', { default: false });
  const saslMode = oneOf(reader, 'sasl', modeParameter(reader, input, 'sasl') ?? 'none', SASL_MODES);
  const tls = oneOf(reader, 'tls', modeParameter(reader, input, 'tls') ?? 'disable', ['enable', 'disable'] as const);
  const awsRegion = reader.string('awsRegion');

  let partitionLimitation: number[] | undefined;
  if (limitationText !== undefined) {
    const parsed = parsePartitionLimitation(limitationText);
    if ('problem' in parsed) reader.error('partitionLimitation', parsed.problem, 'write partition IDs and ranges separated by commas, e.g. "1,2,10-20"');
    else if (topics.length > 0) partitionLimitation = parsed.ids;
    else reader.warn('partitionLimitation', 'is ignored without a topic (as KEDA does)', 'set topic, or remove partitionLimitation');
  }
  // apacheKafkaMetadata.Validate, in KEDA's order.
  if (lagThreshold !== undefined && lagThreshold <= 0) reader.error('lagThreshold', `lagThreshold must be a positive number (got ${lagThreshold})`, 'set lagThreshold to 1 or more (default 10)');
  if (activationLagThreshold !== undefined && activationLagThreshold < 0) reader.error('activationLagThreshold', `activationLagThreshold must be a positive number (got ${activationLagThreshold})`, 'set activationLagThreshold to 0 or more');
  if (allowIdleConsumers && limitToPartitionsWithLag) reader.error('limitToPartitionsWithLag', 'allowIdleConsumers and limitToPartitionsWithLag cannot be set simultaneously', 'set only one of them to "true"');
  if (topics.length === 0 && limitToPartitionsWithLag) reader.error('topic', 'topic must be specified when using limitToPartitionsWithLag', 'set topic');
  if (topics.length === 0) {
    reader.warn('topic', 'without a topic, apache-kafka counts every topic of the cluster (as KEDA does), including topics the group never read (each adds a lag of 1 with offsetResetPolicy latest)', 'name the group\'s topics in topic (comma-separated)');
  }

  const has = (name: string): boolean => Boolean(input.authParams?.[name]);
  const credentials = readCredentials(reader, input);
  const { username, password } = credentials;
  if (tls === 'enable' && has('cert') !== has('key')) reader.error(has('cert') ? 'key' : 'cert', "can't set only one of cert or key when using TLS", 'give both cert and key in the TriggerAuthentication, or neither');

  let sasl: KafkaParams['sasl'];
  let msk: KafkaParams['msk'];
  if (saslMode === 'plaintext' || saslMode === 'scram_sha256' || saslMode === 'scram_sha512') {
    // KEDA checks these only for plaintext; a SCRAM login without them can only fail at the broker.
    if (!has('username') || !has('password')) reader.error(has('username') ? 'password' : 'username', `username and password must be set when using SASL/${saslMode.toUpperCase()}`, 'add parameters username and password to the TriggerAuthentication');
    if (username && password) sasl = { mechanism: passwordMechanism(saslMode), username, password };
  } else if (saslMode === 'aws_msk_iam') {
    if (awsRegion === undefined) reader.error('awsRegion', 'awsRegion must be set when using AWS MSK IAM', 'set metadata.awsRegion to the MSK cluster\'s region');
    else if (tls !== 'enable') reader.error('tls', 'TLS must be enabled when using AWS MSK IAM', 'set tls to "enable"');
    else {
      msk = mskSource(reader, input, awsRegion);
      if (msk) sasl = { mechanism: 'AWS_MSK_IAM', region: awsRegion };
    }
  } else if (saslMode === 'gssapi') {
    reader.error('sasl', 'err sasl type "gssapi" given: KEDA\'s apache-kafka client does not implement it, nor does the scaler', 'use plaintext, scram_sha256, scram_sha512 or aws_msk_iam');
  }

  reader.finish(AUTH_ONLY);
  if (
    reader.errors.length > 0 ||
    !bootstrapServers ||
    consumerGroup === undefined ||
    lagThreshold === undefined ||
    activationLagThreshold === undefined ||
    !offsetResetPolicy ||
    allowIdleConsumers === undefined ||
    excludePersistentLag === undefined ||
    scaleToZeroOnInvalidOffset === undefined ||
    limitToPartitionsWithLag === undefined ||
    ensureEvenDistributionOfPartitions === undefined
  ) {
    return { errors: reader.errors, warnings: reader.warnings };
  }
  const params: KafkaParams = {
    flavor: 'apache-kafka',
    bootstrapServers,
    consumerGroup,
    topics,
    ...(partitionLimitation ? { partitionLimitation } : {}),
    rules: { flavor: 'apache-kafka', lagThreshold, offsetResetPolicy, scaleToZeroOnInvalidOffset, allowIdleConsumers, limitToPartitionsWithLag, ensureEvenDistributionOfPartitions, excludePersistentLag },
    // KEDA's apache-kafka always verifies the brokers' certificates (no unsafeSsl).
    ...(tls === 'enable' ? { tls: tlsParams(false, credentials) } : {}),
    ...(sasl ? { sasl } : {}),
    ...(msk ? { msk } : {}),
  };
  return parsedKafkaTrigger(input, reader, params, topics.length > 0 ? `kafka-${topics.join(',')}` : `kafka-${consumerGroup}-topics`, lagThreshold, activationLagThreshold);
}

export const apacheKafkaTrigger: TriggerDefinition = {
  type: 'apache-kafka',
  parse,
  readRequest: kafkaReadRequest,
  toMetric: kafkaToMetric,
  readBatch: (requests, _clients, options) => readKafkaRequests(requests, options),
};
