/**
 * KEDA's `advanced.restoreToOriginalReplicaCount`, for a serverless control plane: a ScaledObject
 * "is deleted" when its source no longer yields it (it left the deployed configuration, or it was
 * deleted from the cluster). Its target then goes back to the replica count recorded when the
 * scaler first took it over (if the spec asked for that), and its state item gets a TTL so
 * DynamoDB removes it. A restore that fails leaves the item without a TTL, so the next invocation
 * finds it removed again and retries.
 *
 * Which objects are removed is the source's answer (object-source.ts `removed`), taken from the
 * spec stored in state, so the restore needs no redeploy and no copy of the deleted object.
 */
import type { TickDependencies } from './tick-types';
import { describeError } from './describe-error';
import type { RemovedObject } from './object-source';

/** How long state of a removed object is kept (for `status` and for a quick re-add), seconds. */
export const REMOVED_STATE_TTL_SECONDS = 7 * 24 * 3600;

export interface RestoreSummary {
  removed: number;
  restored: number;
  failures: string[];
}

export async function restoreRemovedObjects(
  deps: Pick<TickDependencies, 'clock' | 'stateStore' | 'scaleTargets'>,
  removed: readonly RemovedObject[],
): Promise<RestoreSummary> {
  const summary: RestoreSummary = { removed: 0, restored: 0, failures: [] };
  if (removed.length === 0) return summary;
  const now = deps.clock.now();
  const { states } = await deps.stateStore.loadMany(removed.map((object) => object.key));
  for (const object of removed) {
    const item = states.get(object.key);
    // Gone meanwhile, or marked by an overlapping invocation: nothing left to do.
    if (!item || item.expiresAt !== undefined) continue;
    summary.removed += 1;
    const original = object.originalReplicaCount;
    let statusReason = 'removed from its source; target left at its current replica count';
    let restoreFailed = false;
    if (object.restoreToOriginalReplicaCount && original !== undefined) {
      try {
        const api = await deps.scaleTargets(object.cluster);
        await api.patchScaleReplicas(object.target, original);
        summary.restored += 1;
        statusReason = `removed from its source; target restored to its original ${original} replicas`;
      } catch (error) {
        summary.failures.push(`${object.key}: ${describeError(error)}`);
        statusReason = `removed from its source; restoring ${original} replicas failed (retried by the next invocation): ${describeError(error)}`;
        restoreFailed = true;
      }
    }
    // No expiry while the restore is owed: the item is what makes the next invocation retry it.
    const removal = {
      ...item,
      status: restoreFailed ? ('error' as const) : ('ready' as const),
      statusReason,
      ...(restoreFailed ? {} : { expiresAt: Math.floor(now / 1000) + REMOVED_STATE_TTL_SECONDS }),
      evaluatedAt: now,
    };
    await deps.stateStore
      .save(removal, item.version)
      .catch((error: unknown) => summary.failures.push(`${object.key}: recording the removal failed: ${describeError(error)}`));
  }
  return summary;
}
