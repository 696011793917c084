/**
 * EC2 interruption notices as EventBridge delivers them, read into one plain shape: a Spot
 * Instance Interruption Warning, an Instance Rebalance Recommendation, or an Auto Scaling
 * instance-terminate lifecycle action. Also the two time rules of an interruption drain: when the
 * notice ends, and how much termination grace a pod may still be given. Pure: no I/O, the clock
 * passed in.
 *
 * Event shapes: AWS docs "EC2 Spot Instance interruption notices" and "EC2 instance rebalance
 * recommendations" (source aws.ec2), "Amazon EC2 Auto Scaling lifecycle hooks: EventBridge"
 * (source aws.autoscaling); the same shapes aws-node-termination-handler's queue processor reads
 * (pkg/monitor/sqsevent/{spot-itn,rebalance-recommendation,asg-lifecycle}-event.go).
 */

export const SPOT_INTERRUPTION_DETAIL_TYPE = 'EC2 Spot Instance Interruption Warning';
export const REBALANCE_RECOMMENDATION_DETAIL_TYPE = 'EC2 Instance Rebalance Recommendation';
export const TERMINATE_LIFECYCLE_ACTION_DETAIL_TYPE = 'EC2 Instance-terminate Lifecycle Action';
export const TERMINATING_TRANSITION = 'autoscaling:EC2_INSTANCE_TERMINATING';
/** Sent by Auto Scaling when a hook's notification target is first set up; carries no instance. */
export const TEST_NOTIFICATION = 'autoscaling:TEST_NOTIFICATION';

/** EC2 reclaims a Spot instance two minutes after the warning (AWS docs: "Spot Instance interruption notices"). */
export const SPOT_NOTICE_SECONDS = 120;

/**
 * The taint an interrupted node gets (besides being cordoned). A taint of its own, not the scale-down
 * taint: a tick that gives up its own drain of the node removes only its taint and uncordons, and
 * this one still keeps new pods off. NoSchedule, as aws-node-termination-handler's taints.
 */
export const INTERRUPTION_TAINT = 'eks-lambda-scaler.io/interruption';

export type InterruptionKind = 'spot-interruption' | 'rebalance-recommendation' | 'terminate-lifecycle-action';

export interface LifecycleAction {
  autoScalingGroupName: string;
  hookName: string;
  token: string;
}

export interface InterruptionNotice {
  kind: InterruptionKind;
  /** EventBridge's event id (the same on a redelivery). */
  eventId: string;
  instanceId: string;
  region: string;
  /** Epoch ms of the event's `time`: when EC2 or Auto Scaling issued it. */
  issuedAt: number;
  /** Spot only: what EC2 will do (terminate, stop or hibernate). */
  instanceAction?: string;
  /** Lifecycle actions only: what completes the action. */
  lifecycleAction?: LifecycleAction;
}

export type ReadInterruption =
  /** Not an interruption event at all (a scheduled tick, a pod-scaler notice...). */
  | { kind: 'not-interruption' }
  /** An interruption event with nothing to do: Auto Scaling's test notification, a launching transition. */
  | { kind: 'skip'; reason: string }
  | { kind: 'notice'; notice: InterruptionNotice };

const DETAIL_TYPES: Record<string, { source: string; kind: InterruptionKind }> = {
  [SPOT_INTERRUPTION_DETAIL_TYPE]: { source: 'aws.ec2', kind: 'spot-interruption' },
  [REBALANCE_RECOMMENDATION_DETAIL_TYPE]: { source: 'aws.ec2', kind: 'rebalance-recommendation' },
  [TERMINATE_LIFECYCLE_ACTION_DETAIL_TYPE]: { source: 'aws.autoscaling', kind: 'terminate-lifecycle-action' },
};

export class InterruptionEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InterruptionEventError';
  }
}

function text(record: Record<string, unknown>, field: string, where: string): string {
  const value = record[field];
  if (typeof value !== 'string' || value === '') {
    throw new InterruptionEventError(`${where}: field "${field}" must be a non-empty string (got ${JSON.stringify(value) ?? 'nothing'}); the event is not as EventBridge delivers it`);
  }
  return value;
}

/** Whether the event is one of the three interruption events, and what it says. Throws InterruptionEventError on a malformed one. */
export function readInterruptionEvent(event: unknown): ReadInterruption {
  if (!event || typeof event !== 'object') return { kind: 'not-interruption' };
  const body = event as Record<string, unknown>;
  const type = typeof body['detail-type'] === 'string' ? DETAIL_TYPES[body['detail-type']] : undefined;
  if (!type || body.source !== type.source) return { kind: 'not-interruption' };
  const where = `${String(body['detail-type'])} event ${typeof body.id === 'string' ? body.id : '(no id)'}`;
  const detail = body.detail;
  if (!detail || typeof detail !== 'object') throw new InterruptionEventError(`${where}: it has no "detail" object; the event is not as EventBridge delivers it`);
  const details = detail as Record<string, unknown>;
  if (type.kind === 'terminate-lifecycle-action' && (details.LifecycleTransition === TEST_NOTIFICATION || details.Event === TEST_NOTIFICATION)) {
    return { kind: 'skip', reason: 'Auto Scaling test notification (sent when a lifecycle hook is set up): no instance to drain' };
  }
  const time = text(body, 'time', where);
  const issuedAt = Date.parse(time);
  if (!Number.isFinite(issuedAt)) throw new InterruptionEventError(`${where}: field "time" is not an ISO 8601 time (got ${JSON.stringify(time)})`);
  const common = { eventId: text(body, 'id', where), region: text(body, 'region', where), issuedAt };
  if (type.kind === 'terminate-lifecycle-action') {
    const transition = text(details, 'LifecycleTransition', `${where} detail`);
    if (transition !== TERMINATING_TRANSITION) return { kind: 'skip', reason: `lifecycle transition ${transition} is not ${TERMINATING_TRANSITION}` };
    return {
      kind: 'notice',
      notice: {
        kind: type.kind,
        ...common,
        instanceId: text(details, 'EC2InstanceId', `${where} detail`),
        lifecycleAction: {
          autoScalingGroupName: text(details, 'AutoScalingGroupName', `${where} detail`),
          hookName: text(details, 'LifecycleHookName', `${where} detail`),
          token: text(details, 'LifecycleActionToken', `${where} detail`),
        },
      },
    };
  }
  const instanceId = text(details, 'instance-id', `${where} detail`);
  const instanceAction = type.kind === 'spot-interruption' && typeof details['instance-action'] === 'string' ? details['instance-action'] : undefined;
  return { kind: 'notice', notice: { kind: type.kind, ...common, instanceId, ...(instanceAction ? { instanceAction } : {}) } };
}

/**
 * When the notice runs out (epoch ms), or undefined when it has no end (a rebalance recommendation:
 * the instance is at elevated risk, with no time given). Spot: two minutes after the warning was
 * issued. A lifecycle action: the hook's heartbeat timeout after it was issued (undefined when the
 * hook could not be read).
 */
export function noticeEndsAt(notice: InterruptionNotice, heartbeatTimeoutSeconds?: number): number | undefined {
  if (notice.kind === 'spot-interruption') return notice.issuedAt + SPOT_NOTICE_SECONDS * 1000;
  if (notice.kind === 'terminate-lifecycle-action' && heartbeatTimeoutSeconds !== undefined) return notice.issuedAt + heartbeatTimeoutSeconds * 1000;
  return undefined;
}

/**
 * The termination grace to ask for when evicting a pod at `now` on a node that goes at `endsAt`:
 * its own grace period (Kubernetes' default 30 s when unset), cut to the whole seconds left but not
 * below 1 s (the cut never makes a deletion immediate; a pod whose own grace is 0 keeps 0). Never
 * more than its own. Undefined when there is no end: the pod keeps its own grace.
 */
export function cappedGraceSeconds(podGraceSeconds: number | undefined, now: number, endsAt: number | undefined): number | undefined {
  if (endsAt === undefined) return undefined;
  const left = Math.floor((endsAt - now) / 1000);
  return Math.min(podGraceSeconds ?? 30, Math.max(1, left));
}

export function describeNotice(notice: InterruptionNotice): string {
  switch (notice.kind) {
    case 'spot-interruption':
      return `Spot interruption warning for ${notice.instanceId} (${notice.instanceAction ?? 'terminate'} at ${new Date(notice.issuedAt + SPOT_NOTICE_SECONDS * 1000).toISOString()})`;
    case 'rebalance-recommendation':
      return `rebalance recommendation for ${notice.instanceId}`;
    case 'terminate-lifecycle-action':
      return `terminate lifecycle action for ${notice.instanceId} (hook ${notice.lifecycleAction!.hookName} of ${notice.lifecycleAction!.autoScalingGroupName})`;
  }
}
