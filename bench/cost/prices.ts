/**
 * The prices the cost table counts with: us-east-1 list prices, as AWS bills them. The first block
 * comes from shared/reference/aws-cost-model.md (AWS pricing pages as published late 2026); the
 * last two (Contributor Insights, the m7g.large node) are from the CloudWatch and EC2 pricing pages
 * and are not in that sheet. Re-check them before publishing a figure; the date and region travel
 * with every table printed from this file.
 */
export const PRICE_TABLE = {
  date: '2026-12-02',
  region: 'us-east-1',
  /** Lambda arm64, per GB-second of running time (sleeping included). */
  lambdaGbSecond: 0.0000133334,
  lambdaPerRequest: 0.2 / 1e6,
  /** CloudWatch GetMetricData: per metric requested (a query in a batched call counts once). */
  getMetricDataPerMetric: 0.01 / 1000,
  /** Custom metrics per month: the first 10,000, then the next tier. */
  customMetricMonthFirst10k: 0.3,
  customMetricMonthNext: 0.1,
  alarmMetricMonth: 0.1,
  logsPerGb: 0.5,
  sqsPerRequest: 0.4 / 1e6,
  /** Kinesis DescribeStreamSummary (reads through an assumed role): no charge, but 20 calls per second per account. ListShards: no charge, 1,000 per second per stream. */
  kinesisDescribeLimitPerSecond: 20,
  dynamoDbPerWriteUnit: 0.625 / 1e6,
  dynamoDbPerReadUnit: 0.125 / 1e6,
  schedulerPerInvocation: 1 / 1e6,
  schedulerFreeInvocationsPerMonth: 14e6,
  /** CloudWatch Contributor Insights for logs: per rule per month, and per million log events matched. */
  contributorInsightsRuleMonth: 0.5,
  contributorInsightsPerMatchedEvent: 0.02 / 1e6,
  /** EC2 m7g.large on demand (2 vCPU, 8 GiB), per hour, and what EKS leaves allocatable on it. */
  nodeHour: 0.0816,
  nodeAllocatableMillicores: 1930,
  nodeAllocatableMiB: 7168,
} as const;

export const HOURS_PER_MONTH = 730;
export const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;
export const GIB = 2 ** 30;

/** Custom metrics are tiered: $0.30 each for the first 10,000 a month, $0.10 for the next. */
export function customMetricsMonthly(count: number): number {
  const first = Math.min(count, 10_000);
  return first * PRICE_TABLE.customMetricMonthFirst10k + Math.max(0, count - 10_000) * PRICE_TABLE.customMetricMonthNext;
}
