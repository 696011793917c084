/**
 * Scheduling constraints inside the node planner's options: each group's option is packed with the
 * same predicates and template bins as placement on existing nodes, so the expander compares what
 * each group would really need (CA's orchestrator computes each option with its binpacking estimator,
 * kubernetes/autoscaler cluster-autoscaler/core/scaleup/orchestrator/orchestrator.go
 * computeExpansionOption, which runs the scheduler's filters through estimator/binpacking_estimator.go).
 */
import { describe, expect, it } from 'vitest';
import { buildGroupView } from '../../../lambdas/engine/nodes/group-view';
import { DEFAULT_NODE_GROUP_KNOBS } from '../../../lambdas/engine/nodes/node-group-knobs';
import { emptyNodeGroupState } from '../../../lambdas/engine/nodes/node-group-state';
import type { PodScheduling } from '../../../lambdas/engine/nodes/node-model';
import type { NodeScalingOptions } from '../../../lambdas/engine/nodes/node-scaling-options';
import { resolveNodeScaling } from '../../../lambdas/engine/nodes/node-scaling-options';
import type { PendingPod } from '../../../lambdas/engine/nodes/scale-up-plan';
import { planScaleUp } from '../../../lambdas/engine/nodes/scale-up-plan';
import { MIB, asg, node, pod } from './fixtures';

const NOW = 1_800_000_000_000;
const T = 'k8s.io/cluster-autoscaler/node-template/';
const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const WEB = { app: 'web' };
const hostnameAntiAffinity = { requiredPodAntiAffinity: [{ selector: { matchLabels: WEB }, topologyKey: HOST, namespaces: [], anyNamespace: false }] };
const zoneAntiAffinity = { requiredPodAntiAffinity: [{ selector: { matchLabels: WEB }, topologyKey: ZONE, namespaces: [], anyNamespace: false }] };

function replicas(count: number, cpuMilli: number, extra: Partial<PodScheduling> = {}): PendingPod[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `shop/web-${index}`,
    pod: { requests: { cpuMilli, memoryBytes: 100 * MIB, pods: 1 }, namespace: 'shop', labels: WEB, ...extra },
    source: 'unschedulable' as const,
  }));
}

/** A group at zero in `zone` whose template (from tags) has `cpu` and 4 GiB per core. */
function group(name: string, zone: string, cpu: number, overrides: { maxSize?: number; desiredCapacity?: number } = {}) {
  const info = asg({
    name,
    maxSize: overrides.maxSize ?? 20,
    desiredCapacity: overrides.desiredCapacity ?? 0,
    availabilityZones: [zone],
    tags: { [`${T}resources/cpu`]: String(cpu), [`${T}resources/memory`]: `${cpu * 4}Gi`, [`${T}resources/pods`]: '58' },
  });
  return buildGroupView(info, DEFAULT_NODE_GROUP_KNOBS, emptyNodeGroupState(), [], NOW);
}

const plan = (views: ReturnType<typeof group>[], pending: PendingPod[], scaling: NodeScalingOptions = {}, running = [] as ReturnType<typeof pod>[], nodes = [] as ReturnType<typeof node>[]) =>
  planScaleUp(views, nodes, running, pending, [], { scaling: resolveNodeScaling(scaling) });

describe('constraints in each expansion option', () => {
  it('least-waste compares options packed with anti-affinity: one replica per node makes the small group the least waste', () => {
    // Without the rule, one 3-core node holds the three 1-core replicas with no CPU left over (less
    // waste than two 2-core nodes); with it, three 2-core nodes waste less than three 3-core ones.
    const withoutRule = plan([group('big', 'zone-a', 3), group('small', 'zone-a', 2)], replicas(3, 1000));
    expect(withoutRule.groups).toEqual([expect.objectContaining({ group: 'big', newNodes: 1 })]);
    const withRule = plan([group('big', 'zone-a', 3), group('small', 'zone-a', 2)], replicas(3, 1000, hostnameAntiAffinity));
    expect(withRule.groups).toEqual([expect.objectContaining({ group: 'small', newNodes: 3 })]);
    expect(withRule.groups[0]?.choice).toMatch(/least-waste chose small over big/);
  });

  it('a group a pod-to-pod rule refuses even on a new node is no option; the reason says why', () => {
    const old = node('old-a', { labels: { [HOST]: 'old-a', [ZONE]: 'zone-a' }, allocatable: { cpuMilli: 100, memoryBytes: 100 * MIB, pods: 10 } });
    const running = [pod('web-old', 10, MIB, { namespace: 'shop', labels: WEB, nodeName: 'old-a' })];
    const result = plan([group('in-a', 'zone-a', 2)], replicas(1, 500, zoneAntiAffinity), {}, running, [old]);
    expect(result.groups).toEqual([]);
    expect(result.unhelped).toEqual([{ id: 'shop/web-0', reason: expect.stringMatching(/^in-a: .*anti-affinity.* \(even on a new node\)$/) }]);
  });

  it('anti-affinity past the max size: the group grows to its max, the rest is reported at max size', () => {
    const result = plan([group('small', 'zone-a', 2, { maxSize: 2 })], replicas(3, 500, hostnameAntiAffinity));
    expect(result.groups).toEqual([expect.objectContaining({ group: 'small', newNodes: 2 })]);
    expect(result.unhelped).toEqual([{ id: expect.any(String), reason: 'small: at its max size 2' }]);
  });

  it('an upcoming node is a template bin with its own hostname: one replica waits for it, the next needs a new node', () => {
    const result = plan([group('small', 'zone-a', 2, { desiredCapacity: 1 })], replicas(2, 500, hostnameAntiAffinity));
    expect(result.fitUpcoming).toHaveLength(1);
    expect(result.groups).toEqual([expect.objectContaining({ group: 'small', newNodes: 1 })]);
  });

  it('a later choice sees the nodes of an earlier one: zone anti-affinity puts one replica in each zone group', () => {
    const result = plan([group('in-a', 'zone-a', 2), group('in-b', 'zone-b', 2), group('in-c', 'zone-c', 2)], replicas(4, 500, zoneAntiAffinity));
    expect(Object.fromEntries(result.groups.map((entry) => [entry.group, entry.newNodes]))).toEqual({ 'in-a': 1, 'in-b': 1, 'in-c': 1 });
    expect(result.unhelped).toHaveLength(1);
    expect(result.unhelped[0]?.reason).toMatch(/in-a: .*\(even on a new node\); in-b: .*\(even on a new node\); in-c: .*\(even on a new node\)/);
  });
});

describe('constraints with balancing across similar groups', () => {
  const balance: NodeScalingOptions = { balanceSimilarNodeGroups: true };

  it('nodes balanced onto the similar group become its nodes (own hostname and zone): hostname anti-affinity still one per node', () => {
    const result = plan([group('in-a', 'zone-a', 2), group('in-b', 'zone-b', 2)], replicas(4, 500, hostnameAntiAffinity), balance);
    expect(Object.fromEntries(result.groups.map((entry) => [entry.group, entry.newNodes]))).toEqual({ 'in-a': 2, 'in-b': 2 });
    expect(result.unhelped).toEqual([]);
  });

  it('a pod whose volume is in zone-a is not balanced onto the zone-b group', () => {
    const volumeTopology = [{ volume: 'pv-1', zoneLabels: { [ZONE]: ['zone-a'] } }];
    const result = plan([group('in-a', 'zone-a', 2), group('in-b', 'zone-b', 2)], replicas(2, 1500, { volumeTopology }), balance);
    expect(result.groups).toEqual([expect.objectContaining({ group: 'in-a', newNodes: 2 })]);
  });
});
