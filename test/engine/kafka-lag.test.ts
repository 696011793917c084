import { describe, expect, it } from 'vitest';
import { findFactors, nextBalancingFactor, partitionLag, totalKafkaLag, type KafkaLagRules, type PartitionOffsets } from '../../lambdas/engine/keda/kafka-lag';

const KAFKA = 'kedacore/keda v2.20 pkg/scalers/kafka_scaler.go';
const APACHE = 'kedacore/keda v2.20 pkg/scalers/apache_kafka_scaler.go';
const KAFKA_TEST = 'kedacore/keda v2.20 pkg/scalers/kafka_scaler_test.go';

const rules = (overrides: Partial<KafkaLagRules> = {}): KafkaLagRules => ({
  flavor: 'kafka',
  lagThreshold: 10,
  offsetResetPolicy: 'latest',
  scaleToZeroOnInvalidOffset: false,
  allowIdleConsumers: false,
  limitToPartitionsWithLag: false,
  ensureEvenDistributionOfPartitions: false,
  excludePersistentLag: false,
  ...overrides,
});
const p = (partition: number, latest: number, committed: number | undefined, topic = 't'): PartitionOffsets => ({ topic, partition, latest, committed });

describe('partition lag: getLagForPartition', () => {
  it.each([
    ['committed offset: latest - committed', KAFKA, rules(), p(0, 100, 40), [60, 60]],
    ['no committed offset, latest policy: 1, so the group gets a consumer', KAFKA, rules(), p(0, 100, -1), [1, 1]],
    ['no committed offset, latest policy, scaleToZeroOnInvalidOffset: 0', KAFKA, rules({ scaleToZeroOnInvalidOffset: true }), p(0, 100, -1), [0, 0]],
    ['no committed offset, earliest policy: the whole partition', KAFKA, rules({ offsetResetPolicy: 'earliest' }), p(0, 100, -1), [100, 100]],
    ['no committed offset, earliest policy, scaleToZeroOnInvalidOffset: 0', KAFKA, rules({ offsetResetPolicy: 'earliest', scaleToZeroOnInvalidOffset: true }), p(0, 100, -1), [0, 0]],
    ['apache-kafka: a partition missing from OffsetFetch reads as offset 0', APACHE, rules({ flavor: 'apache-kafka' }), p(0, 100, undefined), [100, 100]],
  ] as const)('%s (%s)', (_name, _source, lagRules, offsets, expected) => {
    expect(partitionLag(lagRules, 'g', offsets, {})).toEqual(expected);
  });

  it(`kafka: a partition missing from OffsetFetch is an error naming topic, partition and group (${KAFKA})`, () => {
    expect(() => partitionLag(rules(), 'orders-group', p(3, 100, undefined, 'orders'), {})).toThrow('error finding offset block for topic orders and partition 3 of consumer group orders-group');
  });

  it(`excludePersistentLag: a consumer that did not move since the last read counts 0 lag, but still activates (${KAFKA} getLagForPartition)`, () => {
    const exclude = rules({ excludePersistentLag: true });
    expect(partitionLag(exclude, 'g', p(0, 100, 40), {})).toEqual([60, 60]);
    expect(partitionLag(exclude, 'g', p(0, 100, 40), { 't/0': 40 })).toEqual([0, 60]);
    expect(partitionLag(exclude, 'g', p(0, 100, 45), { 't/0': 40 })).toEqual([55, 55]);
    expect(partitionLag(rules(), 'g', p(0, 100, 40), { 't/0': 40 })).toEqual([60, 60]);
  });
});

describe('total lag and the partition cap: getTotalLag', () => {
  const three = [p(0, 100, 0), p(1, 100, 100), p(2, 100, 100)];
  it.each([
    ['capped at partitions x lagThreshold (allowIdleConsumers false)', rules(), three, 30],
    ['not capped with allowIdleConsumers', rules({ allowIdleConsumers: true }), three, 100],
    ['limitToPartitionsWithLag caps at partitions with lag x lagThreshold', rules({ limitToPartitionsWithLag: true }), three, 10],
    ['under the cap: the sum', rules(), [p(0, 12, 0), p(1, 5, 0), p(2, 3, 3)], 17],
    ['ensureEvenDistributionOfPartitions: the next factor of the partitions x lagThreshold', rules({ ensureEvenDistributionOfPartitions: true, lagThreshold: 10 }), [p(0, 15, 0), p(1, 0, 0), p(2, 0, 0), p(3, 0, 0)], 20],
    ['ensureEvenDistributionOfPartitions with allowIdleConsumers still caps', rules({ ensureEvenDistributionOfPartitions: true, allowIdleConsumers: true }), [p(0, 1000, 0), p(1, 0, 0)], 20],
  ] as const)(`%s (${KAFKA})`, (_name, lagRules, partitions, expected) => {
    expect(totalKafkaLag(lagRules, 'g', partitions).totalLag).toBe(expected);
  });

  it(`activation sees persistent lag that the metric leaves out (${KAFKA} GetMetricsAndActivity)`, () => {
    const lag = totalKafkaLag(rules({ excludePersistentLag: true, allowIdleConsumers: true }), 'g', [p(0, 100, 40), p(1, 10, 5)], { 't/0': 40 });
    expect(lag).toMatchObject({ totalLag: 5, totalLagWithPersistent: 65, partitions: 2, partitionsWithLag: 1, committedOffsets: { 't/0': 40, 't/1': 5 } });
  });

  it(`apache-kafka fails on empty answers (${APACHE} getLagForPartition)`, () => {
    expect(() => totalKafkaLag(rules({ flavor: 'apache-kafka' }), 'g', [])).toThrow(/producerOffsets is empty/);
    expect(() => totalKafkaLag(rules({ flavor: 'apache-kafka' }), 'g', [p(0, 5, undefined)])).toThrow(/consumerOffsets is empty/);
    expect(totalKafkaLag(rules(), 'g', []).totalLag).toBe(0);
  });
});

describe('even distribution: FindFactors and getNextFactorThatBalancesConsumersToTopicPartitions', () => {
  it.each([
    [10, [1, 2, 5, 10]],
    [13, [1, 13]],
    [17, [1, 17]],
    [25, [1, 5, 25]],
    [50, [1, 2, 5, 10, 25, 50]],
    [100, [1, 2, 4, 5, 10, 20, 25, 50, 100]],
    [0, []],
  ])(`factors of %i (${KAFKA_TEST} TestFindFactors)`, (n, expected) => {
    expect(findFactors(n)).toEqual(expected);
  });

  it.each([
    [10, 1],
    [20, 2],
    [40, 4],
    [50, 5],
    [99, 10],
    [100, 10],
    [101, 20],
  ])(`lag %i over 100 partitions, lagThreshold 10: factor %i (${KAFKA_TEST} TestGetNextFactor)`, (lag, factor) => {
    expect(nextBalancingFactor(lag, 100, 10)).toBe(factor);
  });
});
