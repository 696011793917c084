/**
 * `kafka` (KEDA `pkg/scalers/kafka_scaler.go`, v2.20, the sarama-based scaler): consumer-group lag
 * over one topic, or over every topic the group has committed offsets for. Fields, defaults and
 * validation as KEDA's `kafkaMetadata`; the lag as its `getTotalLag` (engine/keda/kafka-lag.ts).
 *
 * SASL: plaintext, scram_sha256, scram_sha512, and oauthbearer with `saslTokenProvider: aws_msk_iam`
 * (Amazon MSK IAM). oauthbearer with a token endpoint (`bearer`) and gssapi (Kerberos) are refused
 * with a clear error: the scaler has no way to reach a token endpoint's secrets or a KDC.
 */
import { kafkaReadRequest, kafkaToMetric, metadataOrAuth, mskSource, oneOf, parsedKafkaTrigger, parsePartitionLimitation, passwordMechanism, readCredentials, readKafkaRequests, tlsParams, type KafkaParams } from './kafka-common';
import { metadataReader } from './metadata-values';
import type { TriggerDefinition, TriggerParseInput, TriggerParseResult } from './trigger-definition';

const SASL_MODES = ['none', 'plaintext', 'scram_sha256', 'scram_sha512', 'oauthbearer', 'gssapi'] as const;
/** sarama's `ParseKafkaVersion`: 0.x.y.z before 1.0, x.y.z from 1.0. */
const KAFKA_VERSION = /^(0\.\d+\.\d+\.\d+|\d+\.\d+\.\d+)$/;
/** Parameters only a TriggerAuthentication gives (KEDA `order=authParams`); not unknown when written in metadata. */
const AUTH_ONLY = ['username', 'password', 'ca', 'cert', 'key', 'keyPassword', 'scopes', 'oauthTokenEndpointUri', 'oauthExtensions', 'keytab', 'realm', 'kerberosConfig', 'kerberosServiceName', 'kerberosDisableFAST'];

function parse(input: TriggerParseInput): TriggerParseResult {
  const reader = metadataReader(input, ['bootstrapServers', 'consumerGroup', 'topic'], []);
  const bootstrapServers = reader.list('bootstrapServers', ',', { required: true });
  const consumerGroup = reader.string('consumerGroup', { required: true });
  const topic = reader.string('topic');
  const limitationText = reader.string('partitionLimitation');
  const lagThreshold = reader.int('lagThreshold', { default: 10 });
  const activationLagThreshold = reader.int('activationLagThreshold', { default: 0 });
  const offsetResetPolicy = oneOf(reader, 'offsetResetPolicy', reader.string('offsetResetPolicy', { default: 'latest' }), ['latest', 'earliest'] as const);
  const allowIdleConsumers = reader.bool('allowIdleConsumers', { default: false });
  const excludePersistentLag = reader.bool('excludePersistentLag', { default: false });
  const scaleToZeroOnInvalidOffset = reader.bool('scaleToZeroOnInvalidOffset', { default: false });
  const limitToPartitionsWithLag = reader.bool('limitToPartitionsWithLag', { default: false });
  const ensureEvenDistributionOfPartitions = reader.bool('ensureEvenDistributionOfPartitions', { default: false });
  const fullMetadata = reader.bool('fullMetadata', { default: true });
  const version = reader.string('version');
  const tls = oneOf(reader, 'tls', metadataOrAuth(reader, input, 'tls') ?? 'disable', ['enable', 'disable'] as const);
  const unsafeSsl = reader.bool('unsafeSsl', { default: false });
  const saslMode = oneOf(reader, 'sasl', metadataOrAuth(reader, input, 'sasl'), SASL_MODES);
  const tokenProvider = oneOf(reader, 'saslTokenProvider', metadataOrAuth(reader, input, 'saslTokenProvider'), ['bearer', 'aws_msk_iam'] as const);
  const awsRegion = reader.string('awsRegion');

  // kafkaMetadata.Validate, in KEDA's order.
  if (lagThreshold !== undefined && lagThreshold <= 0) reader.error('lagThreshold', `"lagThreshold" must be positive number (got ${lagThreshold})`, 'set lagThreshold to 1 or more (default 10)');
  if (activationLagThreshold !== undefined && activationLagThreshold < 0) reader.error('activationLagThreshold', `"activationLagThreshold" must be a non-negative number (got ${activationLagThreshold})`, 'set activationLagThreshold to 0 or more');
  let partitionLimitation: number[] | undefined;
  if (limitationText !== undefined) {
    const parsed = parsePartitionLimitation(limitationText);
    if ('problem' in parsed) reader.error('partitionLimitation', parsed.problem, 'write partition IDs and ranges separated by commas, e.g. "1,2,10-20"');
    else if (topic !== undefined) partitionLimitation = parsed.ids;
    else reader.warn('partitionLimitation', 'is ignored without a topic (as KEDA does)', 'set topic, or remove partitionLimitation');
  }
  if (allowIdleConsumers && limitToPartitionsWithLag) reader.error('limitToPartitionsWithLag', 'allowIdleConsumers and limitToPartitionsWithLag cannot be set simultaneously', 'set only one of them to "true"');
  if (topic === undefined && limitToPartitionsWithLag) reader.error('topic', 'topic must be specified when using limitToPartitionsWithLag', 'set topic');
  if (limitToPartitionsWithLag && ensureEvenDistributionOfPartitions) reader.error('ensureEvenDistributionOfPartitions', 'limitToPartitionsWithLag and ensureEvenDistributionOfPartitions cannot be set simultaneously', 'set only one of them to "true"');
  if (topic === undefined && ensureEvenDistributionOfPartitions) reader.error('topic', 'topic must be specified when using ensureEvenDistributionOfPartitions', 'set topic');
  if (fullMetadata === false && topic === undefined) reader.error('topic', 'topic must be specified when fullMetadata is false', 'set topic, or remove fullMetadata');
  if (version !== undefined && !KAFKA_VERSION.test(version)) reader.error('version', `invalid version \`${version}\``, 'write a Kafka version such as "2.8.0" (or "0.11.0.2" before 1.0), or remove it: the scaler negotiates with the brokers');

  const has = (name: string): boolean => Boolean(input.authParams?.[name]);
  const credentials = readCredentials(reader, input);
  const { username, password } = credentials;
  if (tls === 'enable') {
    if (has('cert') && !has('key')) reader.error('key', 'key must be provided with cert', 'add the client key (parameter key) to the TriggerAuthentication');
    if (has('key') && !has('cert')) reader.error('cert', 'cert must be provided with key', 'add the client certificate (parameter cert) to the TriggerAuthentication');
  } else if (unsafeSsl) {
    reader.warn('unsafeSsl', 'has no effect without tls: enable', 'set tls to "enable", or remove unsafeSsl');
  }

  let sasl: KafkaParams['sasl'];
  let msk: KafkaParams['msk'];
  if (saslMode === 'plaintext' || saslMode === 'scram_sha256' || saslMode === 'scram_sha512') {
    if (!has('username')) reader.error('username', 'no username given', `add parameter username to the TriggerAuthentication (sasl: ${saslMode})`);
    else if (!has('password')) reader.error('password', 'no password given', `add parameter password to the TriggerAuthentication (sasl: ${saslMode})`);
    if (username && password) sasl = { mechanism: passwordMechanism(saslMode), username, password };
  } else if (saslMode === 'oauthbearer') {
    if ((tokenProvider ?? 'bearer') === 'bearer') {
      reader.error('sasl', 'SASL/OAUTHBEARER with a token endpoint (saslTokenProvider: bearer) is not supported by the scaler', 'use sasl: plaintext, scram_sha256 or scram_sha512, or saslTokenProvider: aws_msk_iam for Amazon MSK');
    } else if (tls !== 'enable') {
      reader.error('tls', 'error parsing OAuth token provider configuration: TLS is required for AWS MSK authentication', 'set tls to "enable"');
    } else if (awsRegion === undefined) {
      reader.error('awsRegion', 'error parsing OAuth token provider configuration: no awsRegion given', 'set metadata.awsRegion to the MSK cluster\'s region');
    } else {
      msk = mskSource(reader, input, awsRegion);
      if (msk) sasl = { mechanism: 'AWS_MSK_IAM', region: awsRegion };
    }
  } else if (saslMode === 'gssapi') {
    reader.error('sasl', 'SASL/GSSAPI (Kerberos) is not supported by the scaler', 'use sasl: plaintext, scram_sha256 or scram_sha512, or Amazon MSK IAM (sasl: oauthbearer, saslTokenProvider: aws_msk_iam)');
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
    ensureEvenDistributionOfPartitions === undefined ||
    unsafeSsl === undefined
  ) {
    return { errors: reader.errors, warnings: reader.warnings };
  }
  const params: KafkaParams = {
    flavor: 'kafka',
    bootstrapServers,
    consumerGroup,
    topics: topic !== undefined ? [topic] : [],
    ...(partitionLimitation ? { partitionLimitation } : {}),
    rules: { flavor: 'kafka', lagThreshold, offsetResetPolicy, scaleToZeroOnInvalidOffset, allowIdleConsumers, limitToPartitionsWithLag, ensureEvenDistributionOfPartitions, excludePersistentLag },
    ...(tls === 'enable' ? { tls: tlsParams(unsafeSsl, credentials) } : {}),
    ...(sasl ? { sasl } : {}),
    ...(msk ? { msk } : {}),
  };
  return parsedKafkaTrigger(input, reader, params, topic !== undefined ? `kafka-${topic}` : `kafka-${consumerGroup}-topics`, lagThreshold, activationLagThreshold);
}

export const kafkaTrigger: TriggerDefinition = {
  type: 'kafka',
  parse,
  readRequest: kafkaReadRequest,
  toMetric: kafkaToMetric,
  readBatch: (requests, _clients, options) => readKafkaRequests(requests, options),
};
