/**
 * Which ScaledObjects a CloudWatch alarm speaks for. An alarm on a queue's depth, a stream, or the
 * very metric a cloudwatch trigger reads lets the pod scaler evaluate those objects at once
 * instead of at the next minute's tick. Pure.
 */
import type { ScaledObject } from '../engine/spec/scaled-object';

export interface AlarmMetric {
  namespace: string;
  name: string;
  dimensions: Record<string, string>;
}

/** The object ids whose triggers read the alarm's queue, stream or metric. */
export function objectsForAlarm(objects: readonly ScaledObject[], metrics: readonly AlarmMetric[]): string[] {
  return objects.filter((object) => metrics.some((metric) => objectReadsMetric(object, metric))).map((object) => object.id);
}

function objectReadsMetric(object: ScaledObject, metric: AlarmMetric): boolean {
  return object.triggers.some((trigger) => {
    const metadata = trigger.metadata;
    switch (trigger.type) {
      case 'aws-sqs-queue': {
        const queueName = lastPathSegment(metadata.queueURL ?? '');
        return metric.namespace === 'AWS/SQS' && queueName !== '' && metric.dimensions.QueueName === queueName;
      }
      case 'aws-kinesis-stream':
        return metric.namespace === 'AWS/Kinesis' && metric.dimensions.StreamName === metadata.streamName?.trim();
      case 'aws-cloudwatch':
        return metric.namespace === metadata.namespace?.trim() && metric.name === metadata.metricName?.trim();
      default:
        return false;
    }
  });
}

function lastPathSegment(queueUrl: string): string {
  const trimmed = queueUrl.trim();
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}
