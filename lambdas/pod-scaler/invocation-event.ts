/**
 * The four ways the pod scaler is invoked, told apart from the raw event:
 * - the EventBridge Scheduler tick (every minute; anything not matching the others);
 * - a CloudWatch alarm state change routed by an EventBridge rule;
 * - a shard of a large deployment, invoked by the scheduled invocation itself;
 * - a window's hand-over to its next pass, from the hand-over queue (parked-windows.ts).
 */
import type { AlarmMetric } from './alarm-match';
import { HANDOVER_EVENT_SOURCE, type HandoverMessage } from './pass-handover';

export const SHARD_EVENT_SOURCE = 'eks-lambda-scaler.shard';

export type InvocationEvent =
  | { kind: 'schedule' }
  | { kind: 'alarm'; alarmName: string; state: string; metrics: AlarmMetric[] }
  | { kind: 'shard'; shard: number; of: number; objectIds: string[] }
  /** `messages` are the records that are hand-overs; `unreadable` says why the others are not. */
  | { kind: 'pass'; messages: HandoverMessage[]; unreadable: string[] };

interface AlarmDetail {
  alarmName?: string;
  state?: { value?: string };
  configuration?: {
    metrics?: { metricStat?: { metric?: { namespace?: string; name?: string; dimensions?: Record<string, string> } } }[];
  };
}

export function classifyEvent(event: unknown): InvocationEvent {
  const record = (event ?? {}) as Record<string, unknown>;
  if (Array.isArray(record.Records) && record.Records.some((entry) => (entry as { eventSource?: unknown } | null)?.eventSource === 'aws:sqs')) {
    return handoversOf(record.Records as unknown[]);
  }
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

/** The hand-overs in an SQS event; a record that is not one is named, never thrown (SQS would redeliver it). */
function handoversOf(records: unknown[]): InvocationEvent {
  const messages: HandoverMessage[] = [];
  const unreadable: string[] = [];
  for (const entry of records) {
    const { body, messageId } = (entry ?? {}) as { body?: unknown; messageId?: unknown };
    let parsed: Partial<HandoverMessage> | undefined;
    try {
      parsed = typeof body === 'string' ? (JSON.parse(body) as Partial<HandoverMessage>) : undefined;
    } catch {
      parsed = undefined;
    }
    if (
      parsed?.source === HANDOVER_EVENT_SOURCE &&
      typeof parsed.window === 'string' &&
      Number.isFinite(parsed.windowStart) &&
      Number.isFinite(parsed.offsetMs)
    ) {
      messages.push({ source: HANDOVER_EVENT_SOURCE, window: parsed.window, windowStart: parsed.windowStart!, offsetMs: parsed.offsetMs! });
    } else {
      unreadable.push(
        `SQS message ${String(messageId ?? '(no id)')} is not a pass hand-over (${HANDOVER_EVENT_SOURCE} with window, windowStart, offsetMs); ` +
          'dropped: only the pod scaler should send to its hand-over queue',
      );
    }
  }
  return { kind: 'pass', messages, unreadable };
}
