/**
 * The core/v1 Event the scaler writes on a workload, shaped like the ones KEDA's operator writes,
 * so `kubectl describe` and `kubectl get events` show the scaler's decisions beside the rollout's.
 */
import { randomBytes } from 'node:crypto';
import type { CoreV1Event } from '@kubernetes/client-node';
import type { KubernetesEvent, WorkloadRef } from './scale-target-api';

export const EVENT_SOURCE_COMPONENT = 'eks-lambda-scaler';
/** The API server's limit on an event's message. */
const MAX_MESSAGE_BYTES = 1024;

/** Cuts at a character boundary so the result is at most `maxBytes` of valid UTF-8. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  const ellipsis = '…';
  let bytes = Buffer.byteLength(ellipsis);
  let cut = '';
  for (const char of text) {
    const size = Buffer.byteLength(char);
    if (bytes + size > maxBytes) break;
    bytes += size;
    cut += char;
  }
  return cut + ellipsis;
}

export function workloadEvent(ref: WorkloadRef, event: KubernetesEvent, now: number): CoreV1Event {
  const at = new Date(now);
  return {
    metadata: {
      // kubectl's convention: the object's name plus a unique suffix.
      name: `${ref.name}.${now.toString(16)}${randomBytes(4).toString('hex')}`,
      namespace: ref.namespace,
    },
    involvedObject: { apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name, namespace: ref.namespace },
    type: event.type,
    reason: event.reason,
    message: truncateUtf8(event.message, MAX_MESSAGE_BYTES),
    source: { component: EVENT_SOURCE_COMPONENT },
    reportingComponent: EVENT_SOURCE_COMPONENT,
    reportingInstance: EVENT_SOURCE_COMPONENT,
    firstTimestamp: at,
    lastTimestamp: at,
    count: 1,
  };
}
