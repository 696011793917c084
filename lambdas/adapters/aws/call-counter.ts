/**
 * Counts AWS calls per service for one read pass. Calls are made deep inside SDK clients and
 * credential providers shared by every pass of a container, so the count travels with the async
 * context of the pass rather than through every function signature.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { TriggerService } from '../../pod-scaler/tick-types';

export type CallCounts = Partial<Record<TriggerService, number>>;

const current = new AsyncLocalStorage<CallCounts>();

/** Runs `work`, counting every AWS call it makes (directly or through shared clients). */
export async function countAwsCalls<T>(work: () => Promise<T>): Promise<{ result: T; calls: CallCounts }> {
  const calls: CallCounts = {};
  const result = await current.run(calls, work);
  return { result, calls };
}

/** Records one call (one API operation; SDK retries of it are not counted again). */
export function recordAwsCall(service: TriggerService): void {
  const calls = current.getStore();
  if (calls) calls[service] = (calls[service] ?? 0) + 1;
}
