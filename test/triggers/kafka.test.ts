import { describe, expect, it } from 'vitest';
import type { AuthParameterSource } from '../../lambdas/engine/spec/scaled-object';
import { formatIssue } from '../../lambdas/engine/spec/issues';
import { apacheKafkaTrigger } from '../../lambdas/triggers/apache-kafka';
import { kafkaTrigger } from '../../lambdas/triggers/kafka';
import { parsePartitionLimitation, type KafkaParams } from '../../lambdas/triggers/kafka-common';
import { TriggerError, type KafkaPartitionReading, type ParsedTrigger, type TriggerDefinition, type TriggerParseInput } from '../../lambdas/triggers/trigger-definition';

const KAFKA_TEST = 'kedacore/keda v2.20 pkg/scalers/kafka_scaler_test.go';
const APACHE_TEST = 'kedacore/keda v2.20 pkg/scalers/apache_kafka_scaler_test.go';

/** KEDA's test authParams are values; here each is a Secret key of a TriggerAuthentication (secretTargetRef). */
const secrets = (names: Record<string, string>): Record<string, AuthParameterSource> => Object.fromEntries(Object.keys(names).map((name) => [name, { from: 'secret', name: 'kafka-auth', key: name }]));
/** A TriggerAuthentication `env` entry, for modes (sasl, tls) that must be known before the read. */
const envModes = (modes: Record<string, string>) => ({
  authParams: Object.fromEntries(Object.keys(modes).map((name) => [name, { from: 'env', envVar: `K_${name.toUpperCase()}` } as AuthParameterSource])),
  resolvedEnv: Object.fromEntries(Object.entries(modes).map(([name, value]) => [`K_${name.toUpperCase()}`, value])),
});

function parse(definition: TriggerDefinition, metadata: Record<string, string>, extra: Partial<TriggerParseInput> = {}) {
  return definition.parse({ objectId: 'shop/orders', index: extra.index ?? 0, fieldPath: 'spec.triggers[0].metadata', metadata, ...extra });
}

function trigger(definition: TriggerDefinition, metadata: Record<string, string>, extra: Partial<TriggerParseInput> = {}): ParsedTrigger {
  const result = parse(definition, metadata, extra);
  if (!result.parsed) throw new Error(result.errors.map(formatIssue).join('; '));
  const { envRefs, ...parsed } = result.parsed;
  return { index: extra.index ?? 0, type: definition.type, metricType: 'AverageValue', metadata, envRefs: envRefs ?? {}, useCachedMetrics: false, ...parsed };
}

const params = (parsed: ParsedTrigger) => parsed.params as unknown as KafkaParams;

/** toMatchObject, where an expected `undefined` means the parameter is absent. */
function expectParams(actual: KafkaParams, expected: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(expected)) {
    if (value === undefined) expect((actual as unknown as Record<string, unknown>)[key], key).toBeUndefined();
    else expect(actual).toMatchObject({ [key]: value });
  }
}

describe('kafka parse: KEDA parseKafkaMetadataTestDataset', () => {
  const g = { bootstrapServers: 'foobar:9092', consumerGroup: 'my-group' };
  const t = { ...g, topic: 'my-topic' };
  it.each([
    ['no bootstrapServers', {}, true, undefined],
    ['no consumer group', { bootstrapServers: 'foobar:9092' }, true, undefined],
    ['no topic', g, false, { topics: [], bootstrapServers: ['foobar:9092'] }],
    ['partitionLimitation ignored without topic', { ...g, partitionLimitation: '1,2,3,4,5,6' }, false, { topics: [], partitionLimitation: undefined }],
    ['whitespace partitionLimitation', { ...g, partitionLimitation: '           ' }, false, { partitionLimitation: undefined }],
    ['empty partitionLimitation', { ...g, partitionLimitation: '' }, false, { partitionLimitation: undefined }],
    ['version not supported', { ...t, version: '1.2.3.4' }, true, undefined],
    ['lagThreshold negative', { ...t, lagThreshold: '-1' }, true, undefined],
    ['lagThreshold 0', { ...t, lagThreshold: '0' }, true, undefined],
    ['lagThreshold 1000000', { ...t, lagThreshold: '1000000', activationLagThreshold: '0' }, false, { rules: expect.objectContaining({ lagThreshold: 1000000 }) }],
    ['activationLagThreshold not int', { ...t, lagThreshold: '10', activationLagThreshold: 'AA' }, true, undefined],
    ['activationLagThreshold 0', { ...t, lagThreshold: '10', activationLagThreshold: '0' }, false, {}],
    ['success', t, false, { topics: ['my-topic'], rules: expect.objectContaining({ offsetResetPolicy: 'latest', allowIdleConsumers: false }) }],
    ['partitionLimitation as list', { ...t, partitionLimitation: '1,2,3,4' }, false, { partitionLimitation: [1, 2, 3, 4] }],
    ['partitionLimitation as range', { ...t, partitionLimitation: '1-4' }, false, { partitionLimitation: [1, 2, 3, 4] }],
    ['partitionLimitation mixed', { ...t, partitionLimitation: '1-4,8,10-12' }, false, { partitionLimitation: [1, 2, 3, 4, 8, 10, 11, 12] }],
    ['partitionLimitation wrong data type', { ...t, partitionLimitation: 'a,b,c,d' }, true, undefined],
    ['more brokers', { ...t, bootstrapServers: 'foo:9092,bar:9092' }, false, { bootstrapServers: ['foo:9092', 'bar:9092'] }],
    ['offsetResetPolicy latest', { ...t, offsetResetPolicy: 'latest' }, false, { rules: expect.objectContaining({ offsetResetPolicy: 'latest' }) }],
    ['offsetResetPolicy wrong', { ...t, offsetResetPolicy: 'foo' }, true, undefined],
    ['offsetResetPolicy earliest', { ...t, offsetResetPolicy: 'earliest' }, false, { rules: expect.objectContaining({ offsetResetPolicy: 'earliest' }) }],
    ['allowIdleConsumers malformed', { ...t, allowIdleConsumers: 'notvalid' }, true, undefined],
    ['allowIdleConsumers true', { ...t, allowIdleConsumers: 'true' }, false, { rules: expect.objectContaining({ allowIdleConsumers: true }) }],
    ['excludePersistentLag malformed', { ...t, excludePersistentLag: 'notvalid' }, true, undefined],
    ['excludePersistentLag true', { ...t, excludePersistentLag: 'true' }, false, { rules: expect.objectContaining({ excludePersistentLag: true }) }],
    ['version supported', { ...t, allowIdleConsumers: 'true', version: '1.0.0' }, false, {}],
    ['limitToPartitionsWithLag true', { ...t, limitToPartitionsWithLag: 'true' }, false, { rules: expect.objectContaining({ limitToPartitionsWithLag: true }) }],
    ['limitToPartitionsWithLag malformed', { ...t, limitToPartitionsWithLag: 'notvalid' }, true, undefined],
    ['allowIdleConsumers and limitToPartitionsWithLag', { ...t, allowIdleConsumers: 'true', limitToPartitionsWithLag: 'true' }, true, undefined],
    ['allowIdleConsumers with limitToPartitionsWithLag false', { ...t, allowIdleConsumers: 'true', limitToPartitionsWithLag: 'false' }, false, {}],
    ['limitToPartitionsWithLag without topic', { ...g, limitToPartitionsWithLag: 'true' }, true, undefined],
    ['ensureEvenDistributionOfPartitions true', { ...t, ensureEvenDistributionOfPartitions: 'true' }, false, { rules: expect.objectContaining({ ensureEvenDistributionOfPartitions: true }) }],
    ['limitToPartitionsWithLag and ensureEvenDistributionOfPartitions', { ...t, ensureEvenDistributionOfPartitions: 'true', limitToPartitionsWithLag: 'true' }, true, undefined],
    // kafka_scaler.go Validate (v2.20): fullMetadata false needs a topic.
    ['fullMetadata false without topic', { ...g, fullMetadata: 'false' }, true, undefined],
  ] as const)(`%s (${KAFKA_TEST})`, (_name, metadata, isError, expected) => {
    const result = parse(kafkaTrigger, metadata as Record<string, string>);
    expect(result.errors.length > 0, result.errors.map(formatIssue).join('; ')).toBe(isError);
    if (expected) expectParams(params(trigger(kafkaTrigger, metadata as Record<string, string>)), expected);
  });

  it('names the metric as KEDA (kafkaMetricIdentifiers) and targets lagThreshold (default 10)', () => {
    expect(trigger(kafkaTrigger, { bootstrapServers: 'foobar:9092', consumerGroup: 'my-group', topic: 'my-topic' })).toMatchObject({ metricName: 's0-kafka-my-topic', target: 10, activationTarget: 0 });
    expect(trigger(kafkaTrigger, { bootstrapServers: 'foobar:9092', consumerGroup: 'my-group', topic: 'my-topic' }, { index: 1 }).metricName).toBe('s1-kafka-my-topic');
    expect(trigger(kafkaTrigger, { bootstrapServers: 'foobar:9092', consumerGroup: 'my-group' }, { index: 1 }).metricName).toBe('s1-kafka-my-group-topics');
  });

  it('gives every error a field and a fix', () => {
    const result = parse(kafkaTrigger, { bootstrapServers: 'foobar:9092', consumerGroup: 'my-group', lagThreshold: '0', limitToPartitionsWithLag: 'true' });
    expect(result.errors.map((issue) => issue.field)).toEqual(['spec.triggers[0].metadata.lagThreshold', 'spec.triggers[0].metadata.topic']);
    for (const issue of result.errors) expect(issue.fix).toBeTruthy();
  });
});

describe('kafka parse: KEDA parseKafkaAuthParamsTestDataset (TriggerAuthentication Secrets)', () => {
  const base = { bootstrapServers: 'foobar:9092', consumerGroup: 'my-group', topic: 'my-topic', allowIdleConsumers: 'true', version: '1.0.0' };
  it.each([
    ['SASL plaintext', { sasl: 'plaintext' }, { username: 'admin', password: 'admin' }, false, { sasl: expect.objectContaining({ mechanism: 'PLAIN' }) }],
    ['SASL scram_sha256', { sasl: 'scram_sha256' }, { username: 'admin', password: 'admin' }, false, { sasl: expect.objectContaining({ mechanism: 'SCRAM-SHA-256' }) }],
    ['SASL scram_sha512', { sasl: 'scram_sha512' }, { username: 'admin', password: 'admin' }, false, { sasl: expect.objectContaining({ mechanism: 'SCRAM-SHA-512' }) }],
    ['TLS only', { tls: 'enable' }, { ca: 'caaa', cert: 'ceert', key: 'keey' }, false, { tls: expect.objectContaining({ insecure: false }) }],
    ['TLS cert/key, public CA', { tls: 'enable' }, { cert: 'ceert', key: 'keey' }, false, { tls: expect.anything() }],
    ['TLS cert/key + keyPassword', { tls: 'enable' }, { cert: 'ceert', key: 'keey', keyPassword: 'keeyPassword' }, false, { tls: expect.objectContaining({ keyPassword: { from: 'secret', namespace: 'shop', name: 'kafka-auth', key: 'keyPassword' } }) }],
    ['TLS CA only', { tls: 'enable' }, { ca: 'caaa' }, false, { tls: expect.anything() }],
    ['SASL + TLS', { sasl: 'plaintext', tls: 'enable' }, { username: 'admin', password: 'admin', ca: 'caaa', cert: 'ceert', key: 'keey' }, false, { sasl: expect.anything(), tls: expect.anything() }],
    ['SASL + TLS disabled', { sasl: 'plaintext', tls: 'disable' }, { username: 'admin', password: 'admin' }, false, { tls: undefined }],
    ['SASL incorrect type', { sasl: 'foo' }, { username: 'admin', password: 'admin' }, true, undefined],
    ['SASL missing username', { sasl: 'plaintext' }, { password: 'admin' }, true, undefined],
    ['SASL missing password', { sasl: 'plaintext' }, { username: 'admin' }, true, undefined],
    ['TLS missing cert', { tls: 'enable' }, { ca: 'caaa', key: 'keey' }, true, undefined],
    ['TLS missing key', { tls: 'enable' }, { ca: 'caaa', cert: 'ceert' }, true, undefined],
    ['TLS invalid', { tls: 'random' }, { ca: 'caaa', cert: 'ceert', key: 'keey' }, true, undefined],
    // Beyond KEDA: the scaler has no token endpoint client nor Kerberos, so these are refused at parse.
    ['SASL oauthbearer with a token endpoint (not supported)', { sasl: 'oauthbearer' }, { username: 'admin', password: 'admin' }, true, undefined],
    ['SASL gssapi (not supported)', { sasl: 'gssapi' }, { username: 'admin', password: 'admin' }, true, undefined],
  ] as const)(`%s (${KAFKA_TEST} TestKafkaAuthParamsInScaledObject)`, (_name, modes, credentials, isError, expected) => {
    const extra = { authParams: secrets(credentials) };
    const metadata = { ...base, ...modes } as Record<string, string>;
    const result = parse(kafkaTrigger, metadata, extra);
    expect(result.errors.length > 0, result.errors.map(formatIssue).join('; ')).toBe(isError);
    if (expected) expectParams(params(trigger(kafkaTrigger, metadata, extra)), expected);
  });

  it('takes sasl and tls from the TriggerAuthentication when metadata has none (order=triggerMetadata;authParams)', () => {
    const { authParams, resolvedEnv } = envModes({ sasl: 'scram_sha512', tls: 'enable' });
    const parsed = params(trigger(kafkaTrigger, base, { authParams: { ...authParams, ...secrets({ username: 'u', password: 'p' }) }, resolvedEnv }));
    expect(parsed.sasl).toMatchObject({ mechanism: 'SCRAM-SHA-512' });
    expect(parsed.tls).toEqual({ insecure: false });
  });

  it('refuses a sasl mode from a Secret with a fix (it decides how to connect, before any Secret is read)', () => {
    const result = parse(kafkaTrigger, base, { authParams: secrets({ sasl: 'plaintext', username: 'u', password: 'p' }) });
    expect(result.errors[0]).toMatchObject({ field: 'spec.triggers[0].metadata.sasl', fix: expect.stringContaining('metadata.sasl') });
  });

  it('accepts Amazon MSK IAM as sasl oauthbearer + saslTokenProvider aws_msk_iam, which needs tls and awsRegion (parseOAuthParams)', () => {
    const msk = { ...base, sasl: 'oauthbearer', saslTokenProvider: 'aws_msk_iam', tls: 'enable', awsRegion: 'eu-west-1' };
    const parsed = trigger(kafkaTrigger, msk, { podIdentityProvider: 'aws', podIdentityRoleArn: 'arn:aws:iam::123456789012:role/msk-reader' });
    expect(params(parsed).sasl).toEqual({ mechanism: 'AWS_MSK_IAM', region: 'eu-west-1' });
    expect(parsed.aws).toEqual({ region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/msk-reader' });
    expect(parse(kafkaTrigger, { ...msk, tls: 'disable' }, { podIdentityProvider: 'aws' }).errors[0]?.message).toContain('TLS is required for AWS MSK authentication');
    expect(parse(kafkaTrigger, { ...msk, awsRegion: '' }, { podIdentityProvider: 'aws' }).errors[0]?.message).toContain('no awsRegion given');
    expect(parse(kafkaTrigger, msk).errors[0]?.fix).toContain('podIdentity.provider: aws');
  });

  it('warns that a credential written in metadata is ignored, as KEDA ignores it', () => {
    const result = parse(kafkaTrigger, { ...base, sasl: 'plaintext', username: 'admin', password: 'admin' }, { authParams: secrets({ username: 'u', password: 'p' }) });
    expect(result.errors).toEqual([]);
    expect(result.warnings.map((issue) => issue.field)).toEqual(['spec.triggers[0].metadata.username', 'spec.triggers[0].metadata.password']);
  });
});

describe('kafka partitionLimitation syntax: KEDA TestKafkaParsePartitionLimitation', () => {
  it.each([
    ['single value', '1', [1]],
    ['comma-separated list', '1,2,3,4', [1, 2, 3, 4]],
    ['list with whitespace around values', ' 1 , 2 , 3 ', [1, 2, 3]],
    ['simple range', '1-4', [1, 2, 3, 4]],
    ['single-element range (start == end)', '3-3', [3]],
    ['range with whitespace', ' 1 - 4 ', [1, 2, 3, 4]],
    ['mixed list and ranges', '1-4,8,10-12', [1, 2, 3, 4, 8, 10, 11, 12]],
    ['non-numeric value', 'a,b,c', undefined],
    ['invalid range: too many parts', '1-2-3', undefined],
    ['invalid range: non-numeric start', 'a-3', undefined],
    ['invalid range: non-numeric end', '1-b', undefined],
  ])(`%s (${KAFKA_TEST})`, (_name, text, expected) => {
    const parsed = parsePartitionLimitation(text);
    if (expected) expect(parsed).toEqual({ ids: expected });
    else expect(parsed).toHaveProperty('problem');
  });
});

describe('apache-kafka parse: KEDA parseApacheKafkaMetadataTestDataset and parseApacheKafkaAuthParamsTestDataset2', () => {
  const t = { bootstrapServers: 'foobar:9092', consumerGroup: 'my-group', topic: 'my-topics' };
  it.each([
    ['no bootstrapServers', {}, true],
    ['no consumer group', { bootstrapServers: 'foobar:9092' }, true],
    ['no topic', { bootstrapServers: 'foobar:9092', consumerGroup: 'my-group' }, false],
    ['lagThreshold 0', { ...t, lagThreshold: '0' }, true],
    ['activationLagThreshold negative', { ...t, activationLagThreshold: '-1' }, true],
    ['offsetResetPolicy wrong', { ...t, offsetResetPolicy: 'foo' }, true],
    ['partitionLimitation mixed', { ...t, partitionLimitation: '1-4,8,10-12' }, false],
    ['partitionLimitation wrong data type', { ...t, partitionLimitation: 'a,b,c,d' }, true],
    ['allowIdleConsumers and limitToPartitionsWithLag', { ...t, allowIdleConsumers: 'true', limitToPartitionsWithLag: 'true' }, true],
    ['limitToPartitionsWithLag without topic', { bootstrapServers: 'foobar:9092', consumerGroup: 'my-group', limitToPartitionsWithLag: 'true' }, true],
    ['more topics', { ...t, topic: 'a,b' }, false],
  ] as const)(`%s (${APACHE_TEST})`, (_name, metadata, isError) => {
    expect(parse(apacheKafkaTrigger, metadata as Record<string, string>).errors.length > 0).toBe(isError);
  });

  const base = { ...t, allowIdleConsumers: 'true' };
  it.each([
    ['SASL plaintext', { sasl: 'plaintext' }, {}, { username: 'admin', password: 'admin' }, false],
    ['SASL scram_sha256', { sasl: 'scram_sha256' }, {}, { username: 'admin', password: 'admin' }, false],
    ['SASL scram_sha512', { sasl: 'scram_sha512' }, {}, { username: 'admin', password: 'admin' }, false],
    ['TLS only', { tls: 'enable' }, {}, { ca: 'caaa', cert: 'ceert', key: 'keey' }, false],
    ['TLS CA only', { tls: 'enable' }, {}, { ca: 'caaa' }, false],
    ['SASL + TLS', { sasl: 'plaintext', tls: 'enable' }, {}, { username: 'admin', password: 'admin', ca: 'caaa', cert: 'ceert', key: 'keey' }, false],
    ['SASL incorrect type', { sasl: 'foo' }, {}, { username: 'admin', password: 'admin' }, true],
    ['SASL missing username', { sasl: 'plaintext' }, {}, { password: 'admin' }, true],
    ['SASL missing password', { sasl: 'plaintext' }, {}, { username: 'admin' }, true],
    ['TLS missing cert', { tls: 'enable' }, {}, { ca: 'caaa', key: 'keey' }, true],
    ['TLS missing key', { tls: 'enable' }, {}, { ca: 'caaa', cert: 'ceert' }, true],
    ['TLS invalid', { tls: 'random' }, {}, { ca: 'caaa', cert: 'ceert', key: 'keey' }, true],
    ['SASL values in both places', { sasl: 'scram_sha512' }, { sasl: 'scram_sha512' }, { username: 'admin', password: 'admin' }, true],
    ['TLS values in both places', { tls: 'enable' }, { tls: 'enable' }, { ca: 'caaa', cert: 'ceert', key: 'keey' }, true],
    ['SASL plaintext with extra \\n in TriggerAuthentication', {}, { sasl: 'plaintext\n' }, { username: 'admin', password: 'admin' }, false],
    ['SASL scram_sha512 with extra space in TriggerAuthentication', {}, { sasl: 'scram_sha512 ' }, { username: 'admin', password: 'admin' }, false],
    ['aws_msk_iam with tls and awsRegion', { awsRegion: 'us-east-1' }, { tls: 'enable', sasl: 'aws_msk_iam' }, {}, false],
    ['aws_msk_iam without awsRegion', {}, { tls: 'enable', sasl: 'aws_msk_iam' }, {}, true],
    ['aws_msk_iam with tls disabled', { awsRegion: 'us-east-1' }, { sasl: 'aws_msk_iam' }, {}, true],
  ] as const)(`%s (${APACHE_TEST} TestApacheKafkaAuthParams)`, (_name, metadata, modes, credentials, isError) => {
    const fromEnv = envModes(modes);
    const extra: Partial<TriggerParseInput> = { authParams: { ...fromEnv.authParams, ...secrets(credentials) }, resolvedEnv: fromEnv.resolvedEnv, podIdentityProvider: 'aws' };
    const result = parse(apacheKafkaTrigger, { ...base, ...metadata } as Record<string, string>, extra);
    expect(result.errors.length > 0, result.errors.map(formatIssue).join('; ')).toBe(isError);
  });

  it('names the metric as KEDA (apacheKafkaMetricIdentifiers)', () => {
    expect(trigger(apacheKafkaTrigger, t).metricName).toBe('s0-kafka-my-topics');
    expect(trigger(apacheKafkaTrigger, { bootstrapServers: 'foobar:9092', consumerGroup: 'my-group' }, { index: 1 }).metricName).toBe('s1-kafka-my-group-topics');
  });
});

describe('kafka reads: one read per connection, group and topic set', () => {
  const base = { bootstrapServers: 'b1:9092,b2:9092', consumerGroup: 'orders', topic: 'orders' };
  it('shares the read between triggers that differ only in how they count (partitionLimitation, thresholds)', () => {
    const one = kafkaTrigger.readRequest(trigger(kafkaTrigger, base), 0, { cluster: 'prod' });
    const two = kafkaTrigger.readRequest(trigger(kafkaTrigger, { ...base, partitionLimitation: '0-1', lagThreshold: '5' }), 0, { cluster: 'prod' });
    expect(one?.key).toBe(two?.key);
    const other = kafkaTrigger.readRequest(trigger(kafkaTrigger, { ...base, consumerGroup: 'billing' }), 0, { cluster: 'prod' });
    expect(other?.key).not.toBe(one?.key);
  });

  it('names a Secret credential by its coordinates, never its value, and needs the cluster to read it', () => {
    const parsed = trigger(kafkaTrigger, { ...base, sasl: 'scram_sha256' }, { authParams: secrets({ username: 'u', password: 'p' }) });
    const request = kafkaTrigger.readRequest(parsed, 0, { cluster: 'prod' });
    expect(request).toMatchObject({ service: 'kafka', connection: { brokers: ['b1:9092', 'b2:9092'], sasl: { mechanism: 'SCRAM-SHA-256', username: { from: 'secret', secret: { cluster: 'prod', namespace: 'shop', name: 'kafka-auth', key: 'username' } } } } });
    expect(request?.key).toContain('secret:prod/shop/kafka-auth/password');
    expect(() => kafkaTrigger.readRequest(parsed, 0, {})).toThrow(TriggerError);
  });

  it('reads the group\'s committed topics (kafka) or every topic (apache-kafka) when no topic is named', () => {
    expect(kafkaTrigger.readRequest(trigger(kafkaTrigger, { bootstrapServers: 'b:9092', consumerGroup: 'g' }), 0, {})).toMatchObject({ topics: { kind: 'committed' } });
    expect(apacheKafkaTrigger.readRequest(trigger(apacheKafkaTrigger, { bootstrapServers: 'b:9092', consumerGroup: 'g' }), 0, {})).toMatchObject({ topics: { kind: 'all' } });
  });
});

describe('kafka metric: partitionLimitation and activation on a reading', () => {
  const p = (partition: number, latest: number, committed: number | undefined): KafkaPartitionReading => ({ topic: 'orders', partition, latest, committed });
  const reading = { service: 'kafka' as const, partitions: [p(0, 100, 40), p(1, 50, 50), p(2, 30, 0)] };

  it('sums only the limited partitions, and activates on lag above activationLagThreshold', () => {
    const parsed = trigger(kafkaTrigger, { bootstrapServers: 'b:9092', consumerGroup: 'g', topic: 'orders', partitionLimitation: '0,1', activationLagThreshold: '60' });
    // 60 lag over 2 partitions, lagThreshold 10: capped at 2 partitions * 10.
    expect(kafkaTrigger.toMetric(parsed, reading, 0)).toEqual({ value: 20, active: false });
    const all = trigger(kafkaTrigger, { bootstrapServers: 'b:9092', consumerGroup: 'g', topic: 'orders', allowIdleConsumers: 'true' });
    expect(kafkaTrigger.toMetric(all, reading, 0)).toEqual({ value: 90, active: true });
  });

  it('fails (kafka) when the limitation leaves a topic no partition: getTopicPartitions', () => {
    const parsed = trigger(kafkaTrigger, { bootstrapServers: 'b:9092', consumerGroup: 'g', topic: 'orders', partitionLimitation: '7' });
    expect(() => kafkaTrigger.toMetric(parsed, reading, 0)).toThrow(/expected at least one active partition within the topic 'orders'/);
  });

  it('names the group and brokers when a partition has no offset block (kafka)', () => {
    const parsed = trigger(kafkaTrigger, { bootstrapServers: 'b:9092', consumerGroup: 'g', topic: 'orders' });
    expect(() => kafkaTrigger.toMetric(parsed, { service: 'kafka', partitions: [p(0, 10, undefined)] }, 0)).toThrow(/offset block for topic orders and partition 0.*b:9092/);
  });
});
