/**
 * KEDA's `advanced.restoreToOriginalReplicaCount`, for a serverless control plane: a ScaledObject
 * "is deleted" when it leaves the deployed configuration. Its target then goes back to the replica
 * count recorded when the scaler first took it over (if the spec asked for that), and its state
 * item gets a TTL so DynamoDB removes it. A restore that fails leaves the item without a TTL, so
 * the next invocation (the container does not mark the configuration checked) tries again.
 *
 * The configuration only changes with a deployment, and a deployment starts new Lambda containers,
 * so this runs once per container rather than scanning the table every minute.
 */
import type { TickDependencies } from './tick-types';
import { objectKey } from './object-key';
import { describeError } from './describe-error';

/** How long state of a removed object is kept (for `status` and for a quick re-add), seconds. */
export const REMOVED_STATE_TTL_SECONDS = 7 * 24 * 3600;

export interface RestoreSummary {
  removed: number;
  restored: number;
  failures: string[];
}

const checkedConfigs = new WeakSet<object>();

export async function restoreRemovedObjects(deps: TickDependencies): Promise<RestoreSummary> {
  const summary: RestoreSummary = { removed: 0, restored: 0, failures: [] };
  if (checkedConfigs.has(deps.config)) return summary;
  const configured = new Set(deps.config.scaledObjects.map((object) => objectKey(object, deps.config)));
  const now = deps.clock.now();
  for (const item of await deps.stateStore.listAll()) {
    if (configured.has(item.key) || item.expiresAt !== undefined) continue;
    summary.removed += 1;
    const original = item.scaling.originalReplicaCount;
    let statusReason = 'removed from the configuration; target left at its current replica count';
    let restoreFailed = false;
    if (item.summary.restoreToOriginalReplicaCount && original !== undefined) {
      try {
        const api = await deps.scaleTargets(item.cluster);
        await api.patchScaleReplicas(item.summary.target, original);
        summary.restored += 1;
        statusReason = `removed from the configuration; target restored to its original ${original} replicas`;
      } catch (error) {
        summary.failures.push(`${item.key}: ${describeError(error)}`);
        statusReason = `removed from the configuration; restoring ${original} replicas failed (retried by the next invocation): ${describeError(error)}`;
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
      .catch((error: unknown) => summary.failures.push(`${item.key}: recording the removal failed: ${describeError(error)}`));
  }
  if (summary.failures.length === 0) checkedConfigs.add(deps.config);
  return summary;
}
