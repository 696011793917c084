/**
 * Which ScaledObjects a CloudWatch alarm speaks for. An alarm on a queue's depth, a stream, or the
 * very metric a cloudwatch trigger reads lets the pod scaler evaluate those objects at once
 * instead of at the next minute's tick. Pure. Not matched: expression (Metrics Insights) triggers,
 * and metadata given through `...FromEnv` (unknown until the target's env is read); those objects
 * wait for the next scheduled tick.
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
        return (
          metric.namespace === metadata.namespace?.trim() &&
          metric.name === metadata.metricName?.trim() &&
          sameDimensions(metric.dimensions, metadata.dimensionName, metadata.dimensionValue)
        );
      default:
        return false;
    }
  });
}

/** The trigger's `;`-separated dimensions, exactly the alarm metric's (the same CloudWatch metric). */
function sameDimensions(alarm: Record<string, string>, names = '', values = ''): boolean {
  const keys = names.split(';').map((part) => part.trim()).filter(Boolean);
  const vals = values.split(';').map((part) => part.trim());
  if (keys.length !== Object.keys(alarm).length) return false;
  return keys.every((key, i) => alarm[key] === vals[i]);
}

function lastPathSegment(queueUrl: string): string {
  const trimmed = queueUrl.trim();
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}
