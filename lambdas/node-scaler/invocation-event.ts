/**
 * The node scaler's two kinds of invocation: the EventBridge schedule (every minute) and a notice
 * from the pod scaler listing the scale-ups it just made.
 */
import type { ScaleUpNotice } from '../pod-scaler/tick-types';

export const POD_SCALER_SOURCE = 'eks-lambda-scaler.pod-scaler';

export type NodeScalerEvent = { kind: 'tick' } | { kind: 'scale-up-notice'; notices: ScaleUpNotice[] };

const NOTICE_FIELDS = ['cluster', 'namespace', 'apiVersion', 'kind', 'name'] as const;

function isNotice(value: unknown): value is ScaleUpNotice {
  if (!value || typeof value !== 'object') return false;
  const notice = value as Record<string, unknown>;
  const jobPods = notice.jobPods as { template?: unknown; selector?: unknown } | undefined;
  // A ScaledJob's notice carries its Jobs' pod template and the labels of that poll's pods.
  const jobPodsValid = jobPods === undefined || (isObject(jobPods) && isObject(jobPods.template) && isObject(jobPods.selector) && Object.values(jobPods.selector).every((value) => typeof value === 'string'));
  return NOTICE_FIELDS.every((field) => typeof notice[field] === 'string') && Number.isInteger(notice.fromReplicas) && Number.isInteger(notice.toReplicas) && jobPodsValid;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Anything that is not a pod-scaler notice is a scheduled tick (EventBridge, or a manual invoke). */
export function parseNodeScalerEvent(event: unknown): NodeScalerEvent {
  const body = event as { source?: unknown; scaleUps?: unknown } | undefined;
  if (body?.source !== POD_SCALER_SOURCE) return { kind: 'tick' };
  if (!Array.isArray(body.scaleUps)) {
    throw new Error(`event from ${POD_SCALER_SOURCE} has no scaleUps array; expected { source, scaleUps: [{ cluster, namespace, apiVersion, kind, name, fromReplicas, toReplicas }] }`);
  }
  const bad = body.scaleUps.findIndex((notice) => !isNotice(notice));
  if (bad >= 0) {
    throw new Error(`event from ${POD_SCALER_SOURCE}: scaleUps[${bad}] must have string ${NOTICE_FIELDS.join(', ')} and integer fromReplicas, toReplicas`);
  }
  return { kind: 'scale-up-notice', notices: body.scaleUps as ScaleUpNotice[] };
}
