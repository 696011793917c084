/**
 * Which stored objects have left their source: state items of one cluster whose key the source
 * no longer yields. Both sources use it (the bundled configuration after a deployment, the
 * cluster after a delete), and restore-removed.ts acts on the result. An item already marked
 * removed (it has an expiry) is done and not returned again.
 */
import type { StateStore, StoredObjectState } from '../adapters/state/state-store';
import type { RemovedObject } from './object-source';

export async function findRemovedObjects(
  stateStore: Pick<StateStore, 'listAll'>,
  isPresent: (key: string) => boolean,
  /** Which state items this source speaks for (its cluster, and for the cluster source its namespaces). */
  speaksFor: (item: StoredObjectState) => boolean,
): Promise<RemovedObject[]> {
  const items = await stateStore.listAll();
  return items
    .filter((item) => speaksFor(item) && item.expiresAt === undefined && !isPresent(item.key))
    .map((item) => ({
      key: item.key,
      cluster: item.cluster,
      target: item.summary.target,
      restoreToOriginalReplicaCount: item.summary.restoreToOriginalReplicaCount,
      ...(item.scaling.originalReplicaCount === undefined ? {} : { originalReplicaCount: item.scaling.originalReplicaCount }),
    }));
}
