/**
 * Consumer-group lag as KEDA's two Kafka scalers compute it from one read of offsets: the sum over
 * partitions of (latest offset - committed offset), with their rules for a partition without a
 * committed offset, for persistent lag, and the cap that keeps replicas at or below the partitions
 * that can be consumed (`getTotalLag` in `pkg/scalers/kafka_scaler.go` and
 * `apache_kafka_scaler.go`, KEDA v2.20). Pure: offsets in, lag out.
 *
 * The two scalers differ in small ways, kept here: `kafka` (sarama) fails on a partition missing
 * from the group's OffsetFetch answer, `apache-kafka` (kafka-go) reads it as offset 0; `apache-kafka`
 * fails on an empty answer.
 */

export type KafkaFlavor = 'kafka' | 'apache-kafka';

/** What the broker told about one partition. */
export interface PartitionOffsets {
  topic: string;
  partition: number;
  /** The high watermark (ListOffsets, timestamp -1). */
  latest: number;
  /** The group's committed offset; -1 when none is committed; undefined when OffsetFetch did not mention the partition. */
  committed: number | undefined;
}

export interface KafkaLagRules {
  flavor: KafkaFlavor;
  lagThreshold: number;
  offsetResetPolicy: 'latest' | 'earliest';
  scaleToZeroOnInvalidOffset: boolean;
  allowIdleConsumers: boolean;
  limitToPartitionsWithLag: boolean;
  ensureEvenDistributionOfPartitions: boolean;
  excludePersistentLag: boolean;
}

export interface KafkaLag {
  /** The metric: lag after the partition cap (and without persistent lag when excluded). */
  totalLag: number;
  /** What activation compares with activationLagThreshold: persistent lag counts. */
  totalLagWithPersistent: number;
  partitions: number;
  partitionsWithLag: number;
  /** Committed offsets of this read, `topic/partition` to offset: the next read's previous offsets. */
  committedOffsets: Record<string, number>;
}

export class KafkaLagError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KafkaLagError';
  }
}

/** KEDA's `invalidOffset`: what OffsetFetch returns for a partition the group has not committed. */
export const INVALID_OFFSET = -1;

const partitionKey = (topic: string, partition: number): string => `${topic}/${partition}`;

/**
 * `getLagForPartition`: [lag, lagWithPersistent]. `previous` holds the committed offsets of the
 * last read, for excludePersistentLag: a partition whose consumer did not move since is not counted.
 */
export function partitionLag(rules: KafkaLagRules, group: string, offsets: PartitionOffsets, previous: Readonly<Record<string, number>>): [number, number] {
  const { topic, partition, latest } = offsets;
  let consumer = offsets.committed;
  if (consumer === undefined) {
    if (rules.flavor === 'kafka') throw new KafkaLagError(`error finding offset block for topic ${topic} and partition ${partition} of consumer group ${group}`);
    consumer = 0; // kafka-go's map lookup of a missing partition: Go's zero value
  }
  if (consumer === INVALID_OFFSET) {
    if (rules.offsetResetPolicy === 'latest') {
      const lag = rules.scaleToZeroOnInvalidOffset ? 0 : 1;
      return [lag, lag];
    }
    return rules.scaleToZeroOnInvalidOffset ? [0, 0] : [latest, latest];
  }
  const lag = latest - consumer;
  if (rules.excludePersistentLag && previous[partitionKey(topic, partition)] === consumer) return [0, lag];
  return [lag, lag];
}

/** `getTotalLag`: the sum over partitions, then the cap on replicas. */
export function totalKafkaLag(rules: KafkaLagRules, group: string, partitions: readonly PartitionOffsets[], previous: Readonly<Record<string, number>> = {}): KafkaLag {
  if (rules.flavor === 'apache-kafka') {
    if (partitions.length === 0) throw new KafkaLagError(`no partition offsets were read for consumer group ${group} (producerOffsets is empty)`);
    if (partitions.every((offsets) => offsets.committed === undefined)) throw new KafkaLagError(`the broker returned no committed offsets for consumer group ${group} (consumerOffsets is empty)`);
  }
  let totalLag = 0;
  let totalLagWithPersistent = 0;
  let partitionsWithLag = 0;
  const committedOffsets: Record<string, number> = {};
  for (const offsets of partitions) {
    const [lag, lagWithPersistent] = partitionLag(rules, group, offsets, previous);
    totalLag += lag;
    totalLagWithPersistent += lagWithPersistent;
    if (lag > 0) partitionsWithLag += 1;
    if (offsets.committed !== undefined) committedOffsets[partitionKey(offsets.topic, offsets.partition)] = offsets.committed;
  }
  const count = partitions.length;
  if (!rules.allowIdleConsumers || rules.limitToPartitionsWithLag || rules.ensureEvenDistributionOfPartitions) {
    let upperBound = count;
    if (rules.ensureEvenDistributionOfPartitions) totalLag = nextBalancingFactor(totalLag, count, rules.lagThreshold) * rules.lagThreshold;
    if (rules.limitToPartitionsWithLag) upperBound = partitionsWithLag;
    // Go's integer division truncates toward zero.
    if (Math.trunc(totalLag / rules.lagThreshold) > upperBound) totalLag = upperBound * rules.lagThreshold;
  }
  return { totalLag, totalLagWithPersistent, partitions: count, partitionsWithLag, committedOffsets };
}

/** KEDA's `FindFactors`: every divisor of n, ascending; none for n < 1. */
export function findFactors(n: number): number[] {
  if (n < 1) return [];
  const factors: number[] = [];
  for (let i = 1; i * i <= n; i++) {
    if (n % i !== 0) continue;
    factors.push(i);
    if (i !== n / i) factors.push(n / i);
  }
  return factors.sort((a, b) => a - b);
}

/** `getNextFactorThatBalancesConsumersToTopicPartitions`: the fewest consumers dividing the partitions evenly that cover the lag. */
export function nextBalancingFactor(totalLag: number, partitions: number, lagThreshold: number): number {
  for (const factor of findFactors(partitions)) {
    if (factor * lagThreshold >= totalLag) return factor;
  }
  return partitions;
}
