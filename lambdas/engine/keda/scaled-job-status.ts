/**
 * KEDA's status of a ScaledJob from one invocation's outcome: the Ready, Active and Paused
 * conditions and lastActiveTime, with KEDA's reasons and messages (controllers/keda/
 * scaledjob_controller.go, pkg/scaling/executor/scale_jobs.go RequestJobScale,
 * apis/keda/v1alpha1/condition_types.go). Pure.
 */

/** What the status is made from: one ScaledJob's last poll of the invocation (plain data). */
export interface ScaledJobStatusInput {
  /** The spec could not be used (parser): Ready False. */
  invalidSpec?: string;
  /** The poll could not be made at all (Jobs not listed, state unreadable). */
  error?: string;
  triggersFailing?: 'all' | 'some';
  active?: boolean;
  paused: boolean;
  /** Epoch ms, when active in this invocation. */
  lastActiveTime?: number;
}

export interface KedaCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface KedaScaledJobStatus {
  conditions: KedaCondition[];
  /** RFC 3339. */
  lastActiveTime?: string;
}

export function scaledJobStatus(outcome: ScaledJobStatusInput): KedaScaledJobStatus {
  const ready: KedaCondition = outcome.invalidSpec
    ? { type: 'Ready', status: 'False', reason: 'ScaledJobCheckFailed', message: outcome.invalidSpec }
    : outcome.error
      ? { type: 'Ready', status: 'False', reason: 'ScaledJobCheckFailed', message: outcome.error }
      : outcome.triggersFailing === 'all'
        ? { type: 'Ready', status: 'False', reason: 'TriggerError', message: 'Triggers defined in ScaledJob are not working correctly' }
        : outcome.triggersFailing === 'some'
          ? { type: 'Ready', status: 'Unknown', reason: 'PartialTriggerError', message: 'Some triggers defined in ScaledJob are not working correctly' }
          : { type: 'Ready', status: 'True', reason: 'ScaledJobReady', message: 'ScaledJob is defined correctly and is ready for scaling' };
  const active: KedaCondition = outcome.active
    ? { type: 'Active', status: 'True', reason: 'ScalerActive', message: 'Scaling is performed because triggers are active' }
    : { type: 'Active', status: 'False', reason: 'ScalerNotActive', message: 'Scaling is not performed because triggers are not active' };
  const paused: KedaCondition = outcome.paused
    ? { type: 'Paused', status: 'True', reason: 'ScaledJobPaused', message: 'ScaledJob is paused' }
    : { type: 'Paused', status: 'False', reason: 'ScaledJobUnpaused', message: 'ScaledJob is unpaused' };
  return {
    conditions: [ready, active, paused],
    ...(outcome.lastActiveTime === undefined ? {} : { lastActiveTime: new Date(outcome.lastActiveTime).toISOString() }),
  };
}

/** Whether writing `next` would change what the object shows (conditions by type/status/reason/message, lastActiveTime). */
export function scaledJobStatusChanged(current: unknown, next: KedaScaledJobStatus): boolean {
  const existing = (typeof current === 'object' && current !== null ? current : {}) as { conditions?: KedaCondition[]; lastActiveTime?: string };
  if ((existing.lastActiveTime ?? undefined) !== next.lastActiveTime) return true;
  const key = (condition: KedaCondition) => `${condition.type}|${condition.status}|${condition.reason ?? ''}|${condition.message ?? ''}`;
  const before = new Set((existing.conditions ?? []).map(key));
  return next.conditions.some((condition) => !before.has(key(condition)));
}
