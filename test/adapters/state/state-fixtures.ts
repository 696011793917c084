import type { AttributeValue } from '@aws-sdk/client-dynamodb';
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

/**
 * The state of a busy object as the pod scaler stores it: synced every 15 s, so the default 300 s
 * stabilization window holds 21 recommendations; two triggers; a scaling behavior's events; the
 * last decision with its whole explanation (per-trigger details and steps, which format 2 drops).
 */
export function busyState(key = 'production-eu/payments-settlement/invoice-settlement-worker'): StoredObjectState {
  const now = 1_795_349_385_123;
  const [, namespace = 'jobs', name = 'worker'] = key.split('/');
  const base = storedState(key);
  const recommendations = Array.from({ length: 21 }, (_, i) => ({ replicas: 12 + (i % 5), timestamp: now - (20 - i) * 15_000 }));
  return {
    ...base,
    scaling: {
      firstSeenAt: now - 86_400_000 * 40,
      lastActiveTime: now - 15_000,
      recommendations,
      scaleUpEvents: [{ replicas: 3, timestamp: now - 200_000 }, { replicas: 2, timestamp: now - 45_000 }],
      scaleDownEvents: [{ replicas: 1, timestamp: now - 400_000 }],
      health: {
        [`s0-aws-sqs-${name}-queue`]: { numberOfFailures: 0, status: 'Happy' },
        's1-aws-cloudwatch-ApproximateAgeOfOldestMessage': { numberOfFailures: 2, status: 'Failing' },
      },
      originalReplicaCount: 2,
    },
    status: 'active',
    active: true,
    currentReplicas: 16,
    lastDecision: {
      at: now - 45_000,
      fromReplicas: 14,
      desiredReplicas: 16,
      applied: true,
      explanation: {
        rule: 'rate-limit',
        message: `scaled 14 → 16: s0-aws-sqs-${name}-queue 1,620 / 100 → 17 replicas, capped by Pods policy 2/60s`,
        triggers: [
          { index: 0, type: 'aws-sqs-queue', metricName: `s0-aws-sqs-${name}-queue`, metricType: 'AverageValue', target: 100, value: 1620, active: true, proposal: 17, withinTolerance: false },
          { index: 1, type: 'aws-cloudwatch', metricName: 's1-aws-cloudwatch-ApproximateAgeOfOldestMessage', metricType: 'AverageValue', target: 300, error: 'throttled' },
        ],
        steps: [
          'keda: between polls (HPA sync only): activation and cooldown wait for the next poll',
          `hpa: s0-aws-sqs-${name}-queue AverageValue ratio 1.157 → 17`,
          'hpa: max over metrics → 17',
          'hpa: scale-up policy Pods 2/60s caps 17 → 16',
        ],
      } as never,
    },
    lastScaleAt: now - 45_000,
    evaluatedAt: now,
    polledAt: now - 15_000,
    summary: {
      target: { namespace, apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicaCount: 1,
      maxReplicaCount: 40,
      triggerTypes: ['aws-sqs-queue', 'aws-cloudwatch'],
      restoreToOriginalReplicaCount: true,
    },
  };
}

/** An item as the scaler wrote it before format 2 (state-item-codec.ts): the whole document as JSON in `doc`. */
export function legacyItem(state: StoredObjectState, version: number): Record<string, AttributeValue> {
  const { key, version: _version, expiresAt, ...document } = state;
  return {
    pk: { S: key },
    version: { N: String(version) },
    doc: { S: JSON.stringify(document) },
    ...(expiresAt === undefined ? {} : { expiresAt: { N: String(expiresAt) } }),
  };
}
