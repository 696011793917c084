import type { StoredObjectState } from '../../../lambdas/adapters/state/state-store';

/** A realistic stored state for `<cluster>/<namespace>/<name>`; `pad` grows the item for paging tests. */
export function storedState(key: string, overrides: Partial<StoredObjectState> = {}): StoredObjectState {
  const [cluster = 'prod', namespace = 'jobs', name = 'orders'] = key.split('/');
  return {
    key,
    cluster,
    objectId: `${namespace}/${name}`,
    version: 0,
    scaling: {
      firstSeenAt: 1_700_000_000_000,
      lastActiveTime: 1_700_000_060_000,
      recommendations: [{ replicas: 3, timestamp: 1_700_000_060_000 }],
      scaleUpEvents: [],
      scaleDownEvents: [],
      health: { 's0-aws-sqs-orders': { numberOfFailures: 0, status: 'Happy' } },
      originalReplicaCount: 1,
    },
    status: 'active',
    active: true,
    currentReplicas: 3,
    evaluatedAt: 1_700_000_060_000,
    summary: {
      target: { namespace, apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicaCount: 0,
      maxReplicaCount: 10,
      triggerTypes: ['aws-sqs-queue'],
      restoreToOriginalReplicaCount: false,
    },
    ...overrides,
  };
}
