/**
 * The Kafka triggers' reads against a real Apache Kafka broker (test/support/kafka-broker.ts):
 * the scaler's own protocol client through the read plan, SASL PLAIN and SCRAM logins, and a
 * broker that is not there.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsClientFactory } from '../../lambdas/adapters/aws/aws-client-factory';
import { createTriggerReader } from '../../lambdas/adapters/aws/read-plan';
import { createKafkaOffsetReader } from '../../lambdas/adapters/kafka/kafka-offset-reader';
import type { AuthParameterSource } from '../../lambdas/engine/spec/scaled-object';
import { formatIssue } from '../../lambdas/engine/spec/issues';
import { apacheKafkaTrigger } from '../../lambdas/triggers/apache-kafka';
import { kafkaTrigger } from '../../lambdas/triggers/kafka';
import { TriggerError, type ParsedTrigger, type SecretKeyRef, type TriggerDefinition, type TriggerParseInput } from '../../lambdas/triggers/trigger-definition';
import { KAFKA_SKIP, KAFKA_START_TIMEOUT_MS, KAFKA_TLS_CA, KAFKA_USERS, startKafka, type KafkaBroker } from '../support/kafka-broker';

function trigger(definition: TriggerDefinition, metadata: Record<string, string>, extra: Partial<TriggerParseInput> = {}): ParsedTrigger {
  const result = definition.parse({ objectId: 'shop/orders', index: 0, fieldPath: 'spec.triggers[0].metadata', metadata, ...extra });
  if (!result.parsed) throw new Error(result.errors.map(formatIssue).join('; '));
  const { envRefs, ...parsed } = result.parsed;
  return { index: 0, type: definition.type, metricType: 'AverageValue', metadata, envRefs: envRefs ?? {}, useCachedMetrics: false, ...parsed };
}

const secretRefs = (...names: string[]): Record<string, AuthParameterSource> => Object.fromEntries(names.map((name) => [name, { from: 'secret', name: 'kafka-auth', key: name }]));
/** Another Secret: another identity, so another connection (a connection is kept per credential source). */
const otherSecretRefs = (...names: string[]): Record<string, AuthParameterSource> => Object.fromEntries(names.map((name) => [name, { from: 'secret', name: 'kafka-auth-stale', key: name }]));

describe.skipIf(KAFKA_SKIP)('kafka triggers against a real Apache Kafka broker', () => {
  let kafka: KafkaBroker;
  /** The Secret the TriggerAuthentication names, as the Kubernetes adapter would read it. */
  let secret: Record<string, string> = {};
  const secretsRead: SecretKeyRef[] = [];
  const port = createKafkaOffsetReader({
    readSecretKey: async (ref) => {
      secretsRead.push(ref);
      const value = secret[ref.key];
      if (value === undefined) throw new Error(`no key ${ref.key}`);
      return value;
    },
  });
  const read = createTriggerReader({ clientFactory: new AwsClientFactory(), kafka: port, callTimeoutMs: 20_000 });

  beforeAll(async () => {
    kafka = await startKafka({ partitions: 3 });
    // 30 records, the group caught up; then 12 more: lag 12 over 3 partitions.
    await kafka.produce('orders', 30);
    await kafka.resetGroup('workers', 'orders', '--to-latest');
    await kafka.produce('orders', 12);
  }, KAFKA_START_TIMEOUT_MS);
  afterAll(async () => {
    port.close();
    await kafka?.stop();
  });

  it('reads the group\'s lag on a topic through the read plan, one read shared by two triggers', async () => {
    const plain = trigger(kafkaTrigger, { bootstrapServers: kafka.bootstrap, consumerGroup: 'workers', topic: 'orders', lagThreshold: '5', allowIdleConsumers: 'true' });
    const capped = trigger(kafkaTrigger, { bootstrapServers: kafka.bootstrap, consumerGroup: 'workers', topic: 'orders', lagThreshold: '1' });
    const { readings, calls } = await read([{ id: 'plain', trigger: plain, cluster: 'prod' }, { id: 'capped', trigger: capped, cluster: 'prod' }], 0);
    const reading = readings.get('plain');
    if (reading instanceof TriggerError) throw reading;
    expect(reading).toMatchObject({ service: 'kafka' });
    expect(readings.get('capped')).toBe(reading);
    // Metadata, FindCoordinator, OffsetFetch and one ListOffsets (one leader): one read for both triggers.
    expect(calls).toEqual({ kafka: 4 });
    const partitions = reading?.service === 'kafka' ? reading.partitions : [];
    expect(partitions.map((p) => p.partition).sort()).toEqual([0, 1, 2]);
    expect(partitions.reduce((sum, p) => sum + p.latest, 0)).toBe(42);
    expect(partitions.reduce((sum, p) => sum + (p.committed ?? 0), 0)).toBe(30);
    expect(kafkaTrigger.toMetric(plain, reading, 0)).toEqual({ value: 12, active: true });
    // lagThreshold 1, one consumer per partition at most: 3 partitions cap the lag at 3.
    expect(kafkaTrigger.toMetric(capped, reading, 0)).toEqual({ value: 3, active: true });
  });

  it('reads every topic the group committed when no topic is named (kafka), and a group with no offsets as invalid offsets', async () => {
    const byGroup = trigger(kafkaTrigger, { bootstrapServers: kafka.bootstrap, consumerGroup: 'workers', allowIdleConsumers: 'true' });
    const fresh = trigger(apacheKafkaTrigger, { bootstrapServers: kafka.bootstrap, consumerGroup: 'never-consumed', topic: 'orders' });
    const { readings } = await read([{ id: 'group', trigger: byGroup }, { id: 'fresh', trigger: fresh }], 1);
    expect(kafkaTrigger.toMetric(byGroup, readings.get('group') as never, 0)).toEqual({ value: 12, active: true });
    // No committed offset, offsetResetPolicy latest: 1 per partition (KEDA scales the group to one consumer).
    expect(apacheKafkaTrigger.toMetric(fresh, readings.get('fresh') as never, 0)).toEqual({ value: 3, active: true });
  });

  it('logs in with SASL PLAIN and SCRAM-SHA-256/512, the credentials read from the TriggerAuthentication\'s Secret at call time', async () => {
    const cases = [
      ['plaintext', KAFKA_USERS.plain],
      ['scram_sha256', KAFKA_USERS.scram],
      ['scram_sha512', KAFKA_USERS.scram],
    ] as const;
    for (const [sasl, user] of cases) {
      secret = { username: user.username, password: user.password };
      const parsed = trigger(kafkaTrigger, { bootstrapServers: kafka.saslBootstrap, consumerGroup: 'workers', topic: 'orders', sasl, allowIdleConsumers: 'true' }, { authParams: secretRefs('username', 'password') });
      const { readings } = await read([{ id: sasl, trigger: parsed, cluster: 'prod' }], 10 + cases.findIndex(([name]) => name === sasl));
      expect(kafkaTrigger.toMetric(parsed, readings.get(sasl) as never, 0), sasl).toEqual({ value: 12, active: true });
    }
    expect(secretsRead).toContainEqual({ cluster: 'prod', namespace: 'shop', name: 'kafka-auth', key: 'password' });
  });

  it('connects over TLS, verifying the brokers against the TriggerAuthentication\'s ca (or not, with unsafeSsl)', async () => {
    secret = { ca: KAFKA_TLS_CA };
    const tls = { bootstrapServers: kafka.tlsBootstrap, consumerGroup: 'workers', topic: 'orders', tls: 'enable', allowIdleConsumers: 'true' };
    const verified = trigger(kafkaTrigger, tls, { authParams: secretRefs('ca') });
    const unverifiable = trigger(apacheKafkaTrigger, tls);
    const unsafe = trigger(kafkaTrigger, { ...tls, unsafeSsl: 'true' });
    const { readings } = await read([{ id: 'verified', trigger: verified, cluster: 'prod' }, { id: 'unverifiable', trigger: unverifiable }, { id: 'unsafe', trigger: unsafe }], 25);
    expect(kafkaTrigger.toMetric(verified, readings.get('verified') as never, 0)).toEqual({ value: 12, active: true });
    expect(String(readings.get('unverifiable'))).toMatch(/cannot connect to broker 127\.0\.0\.1:\d+ \(TLS\): self[- ]signed certificate/);
    expect(kafkaTrigger.toMetric(unsafe, readings.get('unsafe') as never, 0)).toEqual({ value: 12, active: true });
  });

  it('reports a refused login and an unknown topic as errors of those triggers only', async () => {
    secret = { username: KAFKA_USERS.scram.username, password: 'wrong' };
    const refused = trigger(kafkaTrigger, { bootstrapServers: kafka.saslBootstrap, consumerGroup: 'workers', topic: 'orders', sasl: 'scram_sha512' }, { authParams: otherSecretRefs('username', 'password') });
    const unknown = trigger(kafkaTrigger, { bootstrapServers: kafka.bootstrap, consumerGroup: 'workers', topic: 'no-such-topic' });
    const fine = trigger(kafkaTrigger, { bootstrapServers: kafka.bootstrap, consumerGroup: 'workers', topic: 'orders', allowIdleConsumers: 'true' });
    const { readings } = await read([{ id: 'refused', trigger: refused, cluster: 'prod' }, { id: 'unknown', trigger: unknown }, { id: 'fine', trigger: fine }], 20);
    expect(String(readings.get('refused'))).toMatch(/refused the SASL SCRAM-SHA-512 login/);
    expect(String(readings.get('refused'))).not.toContain('wrong');
    expect(String(readings.get('unknown'))).toMatch(/no-such-topic: UNKNOWN_TOPIC_OR_PARTITION/);
    expect(kafkaTrigger.toMetric(fine, readings.get('fine') as never, 0)).toEqual({ value: 12, active: true });
  });

  it('fails a read whose brokers do not answer within the read\'s timeout, naming the brokers', async () => {
    const quick = createTriggerReader({ clientFactory: new AwsClientFactory(), kafka: port, callTimeoutMs: 1_000 });
    // 192.0.2.0/24 (TEST-NET-1) is never routed: the connection hangs until the timeout.
    const lost = trigger(kafkaTrigger, { bootstrapServers: '192.0.2.1:9092', consumerGroup: 'workers', topic: 'orders' });
    const { readings } = await quick([{ id: 'lost', trigger: lost }], 30);
    expect(readings.get('lost')).toBeInstanceOf(TriggerError);
    expect(String(readings.get('lost'))).toMatch(/192\.0\.2\.1:9092/);
  });
});
