/**
 * The Kubernetes Events a pass writes on the workload when a trigger starts or stops failing, and
 * when the fallback engages or ends: Warning events beside the Normal scale events, so
 * `kubectl describe` and `kubectl get events --field-selector type=Warning` show a broken trigger.
 *
 * Events are written on transitions only, found by comparing the state stored by the previous pass
 * with this pass's output. A trigger that fails for a day writes one Warning, not 5,760, and an
 * object whose triggers are healthy costs no Kubernetes call at all (docs/performance.md).
 *
 * Pure: no I/O, plain data in and out.
 */
import type { KubernetesEvent } from '../adapters/kubernetes/scale-target-api';
import type { StoredObjectState } from '../adapters/state/state-store';
import type { EvaluateOutput } from '../engine/evaluate-types';

/** KEDA's reason for a scaler that fails (pkg/eventreason/eventreason.go `KEDAScalerFailed`). */
export const TRIGGER_FAILED_REASON = 'KEDAScalerFailed';
/** Ours: KEDA writes no event when a scaler works again. */
export const TRIGGER_RECOVERED_REASON = 'ScalerRecovered';
/**
 * KEDA's reasons when its fallback engages or ends (pkg/eventreason/eventreason.go, recorded by
 * pkg/scaling/scale_handler.go checkScalers). KEDA records both as Normal; the engaged one is a
 * Warning here, so `kubectl get events --field-selector type=Warning` shows it.
 */
export const FALLBACK_ENGAGED_REASON = 'ScaledObjectFallbackActivated';
export const FALLBACK_ENDED_REASON = 'ScaledObjectFallbackDeactivated';

/** What a pass left about its triggers: the stored state, or this pass's output. */
type PassOutcome = Pick<StoredObjectState, 'status' | 'statusReason' | 'scaling'>;

export function transitionEvents(objectId: string, previous: PassOutcome | undefined, output: EvaluateOutput): KubernetesEvent[] {
  const names = output.explanation.triggers.map((trigger) => trigger.metricName);
  // A paused object reads no trigger: nothing is known about them, so nothing has changed.
  if (names.length === 0) return [];
  const current: PassOutcome = { status: output.status, scaling: output.state, ...(output.statusReason === undefined ? {} : { statusReason: output.statusReason }) };
  // One predicate on both sides, so a trigger that keeps failing (or keeps working) is no transition.
  const failedBefore = (name: string) => previous !== undefined && isFailing(previous, name);
  const events: KubernetesEvent[] = [];

  const startedFailing = names.filter((name) => isFailing(current, name) && !failedBefore(name));
  if (startedFailing.length > 0) {
    events.push({
      type: 'Warning',
      reason: TRIGGER_FAILED_REASON,
      message: `ScaledObject ${objectId}: ${plural('trigger', startedFailing)} failing: ${output.statusReason ?? 'no value was read'}`,
    });
  }
  const recovered = names.filter((name) => !isFailing(current, name) && failedBefore(name));
  if (recovered.length > 0) {
    events.push({
      type: 'Normal',
      reason: TRIGGER_RECOVERED_REASON,
      message: `ScaledObject ${objectId}: ${plural('trigger', recovered)} working again`,
    });
  }

  const fallbackBefore = previous?.status === 'fallback';
  const fallbackNow = output.status === 'fallback';
  if (fallbackNow && !fallbackBefore) {
    events.push({
      type: 'Warning',
      reason: FALLBACK_ENGAGED_REASON,
      message: `ScaledObject ${objectId}: fallback engaged, ${output.statusReason ?? 'a trigger failed more than fallback.failureThreshold times'}`,
    });
  } else if (fallbackBefore && !fallbackNow) {
    events.push({
      type: 'Normal',
      reason: FALLBACK_ENDED_REASON,
      message: `ScaledObject ${objectId}: fallback ended, status now ${output.status}${output.statusReason ? `: ${output.statusReason}` : ''}`,
    });
  }
  return events;
}

/**
 * Whether a pass saw this trigger fail: KEDA's failure count (kept when a fallback is set), or the
 * status reason, which names each failing trigger as `<metricName>: <error>` (explanation.ts
 * `statusReasonOf`, composite-explanation.ts), segments joined by `; `.
 */
function isFailing(pass: PassOutcome, metricName: string): boolean {
  const health = pass.scaling.health[metricName];
  if (health !== undefined && health.numberOfFailures > 0) return true;
  const reason = pass.statusReason;
  if (reason === undefined) return false;
  return reason.startsWith(`${metricName}: `) || reason.includes(`; ${metricName}: `);
}

function plural(noun: string, names: readonly string[]): string {
  return `${noun}${names.length > 1 ? 's' : ''} ${names.join(', ')}`;
}
