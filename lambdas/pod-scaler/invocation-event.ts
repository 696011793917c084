/**
 * The three ways the pod scaler is invoked, told apart from the raw event:
 * - the EventBridge Scheduler tick (every minute; anything not matching the others);
 * - a CloudWatch alarm state change routed by an EventBridge rule;
 * - a shard of a large deployment, invoked by the scheduled invocation itself.
 */
import type { AlarmMetric } from './alarm-match';

export const SHARD_EVENT_SOURCE = 'eks-lambda-scaler.shard';

export type InvocationEvent =
  | { kind: 'schedule' }
  | { kind: 'alarm'; alarmName: string; state: string; metrics: AlarmMetric[] }
  | { kind: 'shard'; shard: number; of: number; objectIds: string[] };

interface AlarmDetail {
  alarmName?: string;
  state?: { value?: string };
  configuration?: {
    metrics?: { metricStat?: { metric?: { namespace?: string; name?: string; dimensions?: Record<string, string> } } }[];
  };
}

export function classifyEvent(event: unknown): InvocationEvent {
  const record = (event ?? {}) as Record<string, unknown>;
  if (record.source === SHARD_EVENT_SOURCE && Array.isArray(record.objectIds)) {
    return {
      kind: 'shard',
      shard: Number(record.shard ?? 0),
      of: Number(record.of ?? 1),
      objectIds: record.objectIds.map(String),
    };
  }
  if (record.source === 'aws.cloudwatch' && record['detail-type'] === 'CloudWatch Alarm State Change') {
    const detail = (record.detail ?? {}) as AlarmDetail;
    const metrics: AlarmMetric[] = (detail.configuration?.metrics ?? []).flatMap((entry) => {
      const metric = entry.metricStat?.metric;
      return metric?.namespace && metric.name
        ? [{ namespace: metric.namespace, name: metric.name, dimensions: metric.dimensions ?? {} }]
        : [];
    });
    return { kind: 'alarm', alarmName: detail.alarmName ?? 'unknown', state: detail.state?.value ?? 'UNKNOWN', metrics };
  }
  return { kind: 'schedule' };
}
