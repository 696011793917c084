import { describe, expect, it } from 'vitest';
import type { PodScheduling, Taint } from '../../../lambdas/engine/nodes/node-model';
import { placementBlocker } from '../../../lambdas/engine/nodes/scheduling-predicates';

const requests = { cpuMilli: 100, memoryBytes: 100, pods: 1 };
const gpuNode = { labels: { pool: 'gpu', zone: 'a', gen: '5' }, taints: [{ key: 'gpu', value: 'true', effect: 'NoSchedule' }] as Taint[] };
const plainNode = { labels: { pool: 'general', zone: 'b', gen: '3' }, taints: [] as Taint[] };

describe('pod to node predicates', () => {
  it.each<[string, Partial<PodScheduling>, typeof plainNode, boolean]>([
    ['no constraints on a plain node', {}, plainNode, true],
    ['nodeSelector that matches', { nodeSelector: { pool: 'general' } }, plainNode, true],
    ['nodeSelector that does not match', { nodeSelector: { pool: 'gpu' } }, plainNode, false],
    ['affinity In', { requiredNodeAffinity: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }] }, plainNode, true],
    ['affinity NotIn', { requiredNodeAffinity: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['b'] }] }] }, plainNode, false],
    ['affinity Exists', { requiredNodeAffinity: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }] }, plainNode, true],
    ['affinity DoesNotExist', { requiredNodeAffinity: [{ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }] }, plainNode, false],
    ['affinity Gt', { requiredNodeAffinity: [{ matchExpressions: [{ key: 'gen', operator: 'Gt', values: ['4'] }] }] }, plainNode, false],
    [
      'affinity terms are OR-ed',
      { requiredNodeAffinity: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z'] }] }, { matchExpressions: [{ key: 'pool', operator: 'In', values: ['general'] }] }] },
      plainNode,
      true,
    ],
    ['a term with matchFields is not matched (metadata.name is not modelled)', { requiredNodeAffinity: [{ matchExpressions: [{ key: 'pool', operator: 'In', values: ['general'] }], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n9'] }] }] }, plainNode, false],
    ['a matchFields-only term does not stop another term from matching', { requiredNodeAffinity: [{ matchExpressions: [], matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n9'] }] }, { matchExpressions: [{ key: 'pool', operator: 'In', values: ['general'] }] }] }, plainNode, true],
    ['untolerated NoSchedule taint', {}, gpuNode, false],
    ['toleration Equal', { nodeSelector: { pool: 'gpu' }, tolerations: [{ key: 'gpu', operator: 'Equal', value: 'true', effect: 'NoSchedule' }] }, gpuNode, true],
    ['toleration Exists for the key', { tolerations: [{ key: 'gpu', operator: 'Exists' }] }, gpuNode, true],
    ['toleration with the wrong value', { tolerations: [{ key: 'gpu', operator: 'Equal', value: 'false' }] }, gpuNode, false],
    ['toleration for another effect', { tolerations: [{ key: 'gpu', operator: 'Exists', effect: 'NoExecute' }] }, gpuNode, false],
    ['tolerate everything', { tolerations: [{ operator: 'Exists' }] }, gpuNode, true],
  ])('%s', (_name, constraints, target, fits) => {
    expect(placementBlocker({ requests, ...constraints }, target) === undefined).toBe(fits);
  });

  it('ignores PreferNoSchedule taints (soft constraints do not block)', () => {
    expect(placementBlocker({ requests }, { labels: {}, taints: [{ key: 'x', effect: 'PreferNoSchedule' }] })).toBeUndefined();
  });

  it('NoExecute taints block like NoSchedule', () => {
    expect(placementBlocker({ requests }, { labels: {}, taints: [{ key: 'x', effect: 'NoExecute' }] })).toMatch(/untolerated taint x:NoExecute/);
  });
});
