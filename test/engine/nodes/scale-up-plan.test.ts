import { describe, expect, it } from 'vitest';
import { buildGroupView } from '../../../lambdas/engine/nodes/group-view';
import { DEFAULT_NODE_GROUP_KNOBS } from '../../../lambdas/engine/nodes/node-group-knobs';
import { emptyNodeGroupState } from '../../../lambdas/engine/nodes/node-group-state';
import type { DaemonSetInfo, NodeInfo, PodInfo } from '../../../lambdas/engine/nodes/node-model';
import type { PendingPod } from '../../../lambdas/engine/nodes/scale-up-plan';
import { planScaleUp } from '../../../lambdas/engine/nodes/scale-up-plan';
import { GIB, MIB, asg, inService, node, pod } from './fixtures';

const NOW = 1_800_000_000_000;
const T = 'k8s.io/cluster-autoscaler/node-template/';

function pending(count: number, cpuMilli: number, memoryBytes: number, extra: Partial<PodInfo> = {}): PendingPod[] {
  return Array.from({ length: count }, (_, index) => {
    const item = pod(`p-${index}`, cpuMilli, memoryBytes, { unschedulable: true, phase: 'Pending', ...extra });
    return { id: `apps/p-${index}`, pod: item, source: 'unschedulable' as const };
  });
}

function viewOf(group: ReturnType<typeof asg>, nodes: NodeInfo[], state = emptyNodeGroupState()) {
  return buildGroupView(group, DEFAULT_NODE_GROUP_KNOBS, state, nodes, NOW);
}

describe('scale-up bin-packing', () => {
  const full = node('n1', { allocatable: { cpuMilli: 2000, memoryBytes: 8 * GIB, pods: 17 } });
  const fillFull = [pod('busy', 2000, 8 * GIB, { nodeName: 'n1' })];
  const group = asg({ desiredCapacity: 1, instances: inService('n1') });

  it.each<[string, PendingPod[], DaemonSetInfo[], number]>([
    ['3 pods of 1 CPU on 2-CPU nodes need 2 nodes', pending(3, 1000, 256 * MIB), [], 2],
    ['40 tiny pods: max pods (17) binds before CPU', pending(40, 10, 16 * MIB), [], 3],
    [
      'DaemonSet overhead (2 pods, 500m) leaves room for one 800m pod per new node',
      pending(4, 800, 128 * MIB),
      [
        { namespace: 'kube-system', name: 'aws-node', pod: { requests: { cpuMilli: 250, memoryBytes: 64 * MIB, pods: 1 } } },
        { namespace: 'kube-system', name: 'kube-proxy', pod: { requests: { cpuMilli: 250, memoryBytes: 64 * MIB, pods: 1 } } },
      ],
      4,
    ],
    [
      'a DaemonSet that does not match the template adds nothing',
      pending(4, 800, 128 * MIB),
      [{ namespace: 'gpu', name: 'nvidia', pod: { requests: { cpuMilli: 1000, memoryBytes: 0, pods: 1 }, nodeSelector: { pool: 'gpu' } } }],
      2,
    ],
  ])('%s', (_name, pods, daemonSets, expected) => {
    const plan = planScaleUp([viewOf(group, [full])], [full], fillFull, pods, daemonSets);
    expect(plan.groups[0]?.newNodes ?? 0).toBe(expected);
  });

  it('names pods as the binding resource when max pods fills first', () => {
    const plan = planScaleUp([viewOf(group, [full])], [full], fillFull, pending(40, 10, 16 * MIB), []);
    expect(plan.groups[0]?.bindingResource).toBe('pods');
  });

  it('pods that fit free room on existing nodes ask for nothing', () => {
    const roomy = node('n1');
    const plan = planScaleUp([viewOf(group, [roomy])], [roomy], [], pending(3, 1000, GIB), []);
    expect(plan.groups).toEqual([]);
    expect(plan.fitExisting).toHaveLength(3);
  });

  it('returns where pods fitting existing room were placed', () => {
    const roomy = node('n2');
    const plan = planScaleUp([viewOf(asg({ desiredCapacity: 2, instances: inService('n1', 'n2') }), [full, roomy])], [full, roomy], fillFull, pending(2, 1000, GIB), []);
    expect(plan.existingPlacements.map((placement) => [placement.id, placement.node])).toEqual([
      ['apps/p-0', 'n2'],
      ['apps/p-1', 'n2'],
    ]);
  });

  it.each<[string, PendingPod['source'], string[]]>([
    ['an Unschedulable pod that fits existing room is reported as an unmodelled constraint', 'unschedulable', ['apps/p-0']],
    ['a pod the pod scaler is about to create is not (the scheduler has not tried it yet)', 'scale-up notice', []],
  ])('%s', (_name, source, unmodelled) => {
    const roomy = node('n1');
    const items = pending(1, 500, GIB).map((item) => ({ ...item, source }));
    const plan = planScaleUp([viewOf(asg({ desiredCapacity: 1, instances: inService('n1') }), [roomy])], [roomy], [], items, []);
    expect(plan.groups).toEqual([]);
    expect(plan.unmodelled).toEqual(unmodelled);
  });

  it('instances requested but not Ready count as capacity (no second request)', () => {
    const booting = asg({ desiredCapacity: 3, instances: [...inService('n1'), { instanceId: 'i-b1', lifecycleState: 'Pending' }, { instanceId: 'i-b2', lifecycleState: 'Pending' }] });
    const plan = planScaleUp([viewOf(booting, [full])], [full], fillFull, pending(3, 1000, 256 * MIB), []);
    expect(plan.groups).toEqual([]);
    expect(plan.fitUpcoming).toHaveLength(3);
  });

  it('never plans beyond the group max and says why', () => {
    const capped = asg({ desiredCapacity: 1, maxSize: 2, instances: inService('n1') });
    const plan = planScaleUp([viewOf(capped, [full])], [full], fillFull, pending(6, 1000, 256 * MIB), []);
    expect(plan.groups[0]?.newNodes).toBe(1);
    expect(plan.unhelped).toHaveLength(4);
    expect(plan.unhelped[0]?.reason).toMatch(/at its max size 2/);
  });

  it('respects node selectors and taints across groups (the first group that fits wins)', () => {
    const general = asg({ name: 'general', desiredCapacity: 1, instances: inService('n1') });
    const gpu = asg({
      name: 'gpu',
      tags: { [`${T}label/pool`]: 'gpu', [`${T}taint/gpu`]: 'true:NoSchedule', [`${T}resources/cpu`]: '8', [`${T}resources/memory`]: '32Gi', [`${T}resources/pods`]: '58' },
    });
    const gpuPods = pending(2, 3000, GIB, { nodeSelector: { pool: 'gpu' }, tolerations: [{ key: 'gpu', operator: 'Exists' }] }).map((item) => ({ ...item, id: `${item.id}-gpu` }));
    const plan = planScaleUp([viewOf(general, [full]), viewOf(gpu, [full])], [full], fillFull, [...pending(1, 500, GIB), ...gpuPods], []);
    expect(plan.groups).toEqual([
      expect.objectContaining({ group: 'general', newNodes: 1 }),
      expect.objectContaining({ group: 'gpu', newNodes: 1 }),
    ]);
  });

  it('a pod bigger than an empty node is reported, not scaled for', () => {
    const plan = planScaleUp([viewOf(group, [full])], [full], fillFull, pending(1, 3000, GIB), []);
    expect(plan.groups).toEqual([]);
    expect(plan.unhelped[0]?.reason).toMatch(/larger than an empty node/);
  });

  it('a group at zero uses its template tags (t3.medium: 17 pods)', () => {
    const zero = asg({ tags: { [`${T}label/pool`]: 'general' }, instanceTypes: ['t3.medium'] });
    const plan = planScaleUp([viewOf(zero, [])], [], [], pending(20, 10, 16 * MIB), []);
    expect(plan.groups[0]).toMatchObject({ newNodes: 2, bindingResource: 'pods' });
  });
});
