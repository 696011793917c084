/**
 * The handler's branch for an EC2 interruption notice: recognise the event, handle it
 * (interruption-handler.ts), and end the invocation with its summary, or fail it when the notice
 * could not be handled, so the function's Errors alarm fires, Lambda retries it (handling is
 * idempotent) and the failed-invocations queue keeps the event.
 */
import type { InterruptionNotice } from '../engine/nodes/interruption-notice';
import { InterruptionEventError, readInterruptionEvent } from '../engine/nodes/interruption-notice';
import type { InterruptionDependencies } from './interruption-handler';
import { handleInterruption } from './interruption-handler';
import type { NodeScalerTickSummary } from './tick-types';

export type InterruptionEvent = { notice: InterruptionNotice } | { skipped: string } | { problem: string };

/** The interruption notice in the event, or why it is skipped or unreadable; undefined for every other event. */
export function interruptionIn(event: unknown): InterruptionEvent | undefined {
  try {
    const read = readInterruptionEvent(event);
    if (read.kind === 'not-interruption') return undefined;
    if (read.kind === 'skip') return { skipped: read.reason };
    return { notice: read.notice };
  } catch (error) {
    if (error instanceof InterruptionEventError) return { problem: error.message };
    throw error;
  }
}

export async function runInterruption(
  event: InterruptionEvent,
  deps: InterruptionDependencies,
  options: { deadline: number; evictionRetryMs?: number },
): Promise<NodeScalerTickSummary> {
  const summary: NodeScalerTickSummary = { groups: [], pendingPods: 0, unhelpedPods: [], unmodelledPods: [], noticeProblems: [] };
  if ('skipped' in event) {
    // Only a lifecycle event is ever skipped (Auto Scaling's test notification, a launching transition).
    summary.interruption = { kind: 'terminate-lifecycle-action', outcome: 'skipped', detail: event.skipped, evicted: [], waitingOn: [] };
    deps.telemetry.info('interruption ignored', { detail: event.skipped });
    return summary;
  }
  if ('problem' in event) {
    deps.telemetry.error('interruption event not understood', { error: event.problem });
    throw new Error(`interruption event not understood: ${event.problem}`);
  }
  summary.interruption = await handleInterruption(deps, event.notice, options);
  if (summary.interruption.outcome === 'failed') throw new Error(`interruption not handled: ${summary.interruption.detail}`);
  return summary;
}
