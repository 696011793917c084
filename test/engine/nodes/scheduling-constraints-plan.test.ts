/**
 * Scheduling constraints in the planner: how many new nodes a group needs and which group helps
 * (scale-up), and whether a node's pods can move elsewhere (scale-down). Scale-up rows mirror Cluster
 * Autoscaler's binpacking estimator test (kubernetes/autoscaler cluster-autoscaler/estimator/
 * binpacking_estimator_test.go, TestBinpackingEstimate): an existing full node "oldnode" in zone-jupiter,
 * the group's template node (1000m, 10 pods) in zone-mars, pods of app=estimatee in namespace universe.
 */
import { describe, expect, it } from 'vitest';
import { buildGroupView } from '../../../lambdas/engine/nodes/group-view';
import { DEFAULT_NODE_GROUP_KNOBS } from '../../../lambdas/engine/nodes/node-group-knobs';
import { emptyNodeGroupState } from '../../../lambdas/engine/nodes/node-group-state';
import type { NodeInfo, PodInfo, PodScheduling } from '../../../lambdas/engine/nodes/node-model';
import { planScaleDown } from '../../../lambdas/engine/nodes/scale-down-plan';
import type { PendingPod } from '../../../lambdas/engine/nodes/scale-up-plan';
import { planScaleUp } from '../../../lambdas/engine/nodes/scale-up-plan';
import { GIB, MIB, asg, inService, node, pod } from './fixtures';

const NOW = 1_800_000_000_000;
const T = 'k8s.io/cluster-autoscaler/node-template/';
const ZONE = 'topology.kubernetes.io/zone';
const HOST = 'kubernetes.io/hostname';
const GPU = 'nvidia.com/gpu';
const ESTIMATEE = { app: 'estimatee' };

function estimatees(count: number, cpuMilli: number, extra: Partial<PodScheduling> = {}): PendingPod[] {
  return Array.from({ length: count }, (_, index) => ({
    id: `universe/estimatee-${index}`,
    pod: { requests: { cpuMilli, memoryBytes: 100 * MIB, pods: 1 }, namespace: 'universe', labels: ESTIMATEE, ...extra },
    source: 'unschedulable' as const,
  }));
}

/** A group at zero whose template (from tags) is a 1000m node with 10 pod slots in `zone`. */
function groupAtZero(name: string, zone: string, tags: Record<string, string> = {}) {
  const group = asg({
    name,
    maxSize: 20,
    availabilityZones: [zone],
    tags: { [`${T}resources/cpu`]: '1000m', [`${T}resources/memory`]: '5000Mi', [`${T}resources/pods`]: '10', ...tags },
  });
  return buildGroupView(group, DEFAULT_NODE_GROUP_KNOBS, emptyNodeGroupState(), [], NOW);
}

/** CA's estimator never places on existing nodes; here pending pods try them first, so oldnode is too small for any. */
const oldnode = node('oldnode', { labels: { [HOST]: 'oldnode', [ZONE]: 'zone-jupiter' }, allocatable: { cpuMilli: 10, memoryBytes: 100 * MIB, pods: 10 } });
const spreadOn = (topologyKey: string, maxSkew: number) => ({
  topologySpread: [{ maxSkew, topologyKey, selector: { matchLabels: ESTIMATEE }, minDomains: 1, nodeAffinityPolicy: 'Honor' as const, nodeTaintsPolicy: 'Ignore' as const }],
});

describe('scale-up with constraints (CA TestBinpackingEstimate)', () => {
  it.each<[string, PendingPod[], number, number]>([
    ['hostport conflict forces pod-per-node', estimatees(8, 200, { hostPorts: [{ port: 5555, protocol: 'TCP', hostIP: '' }] }), 8, 8],
    ['hostname topology spreading with maxSkew=2 forces 2 pods/node', estimatees(8, 200, spreadOn(HOST, 2)), 4, 8],
    ['zonal topology spreading with maxSkew=2 only allows 2 pods to schedule', estimatees(8, 20, spreadOn(ZONE, 2)), 1, 2],
  ])('%s', (_name, pending, nodes, pods) => {
    const plan = planScaleUp([groupAtZero('mars', 'zone-mars')], [oldnode], [], pending, []);
    expect(plan.groups[0]?.newNodes ?? 0).toBe(nodes);
    expect(plan.groups[0]?.pods.length ?? 0).toBe(pods);
    expect(plan.unhelped.length).toBe(pending.length - pods);
  });

  it('hostname anti-affinity puts each replica on its own new node (TestBinpackingEstimatePlacementOnAddedNodes: "pods go to an earlier node when the last node fails hostname anti-affinity")', () => {
    const anti = { requiredPodAntiAffinity: [{ selector: { matchLabels: ESTIMATEE }, topologyKey: HOST, namespaces: [], anyNamespace: false }] };
    const plan = planScaleUp([groupAtZero('mars', 'zone-mars')], [oldnode], [], estimatees(3, 100, anti), []);
    expect(plan.groups[0]?.newNodes).toBe(3);
  });

  it('anti-affinity with a pod already running in the zone: no node of that zone helps, and the reason says so', () => {
    const running = pod('estimatee-old', 5, MIB, { namespace: 'universe', labels: ESTIMATEE, nodeName: 'oldnode' });
    const anti = { requiredPodAntiAffinity: [{ selector: { matchLabels: ESTIMATEE }, topologyKey: ZONE, namespaces: [], anyNamespace: false }] };
    const plan = planScaleUp([groupAtZero('jupiter', 'zone-jupiter'), groupAtZero('mars', 'zone-mars')], [oldnode], [running], estimatees(1, 100, anti), []);
    expect(plan.groups).toEqual([expect.objectContaining({ group: 'mars', newNodes: 1 })]);
  });

  it('a GPU pod skips the first group (no GPUs) for the GPU group', () => {
    const plan = planScaleUp(
      [groupAtZero('general', 'zone-mars'), groupAtZero('gpu', 'zone-mars', { [`${T}resources/${GPU}`]: '1' })],
      [oldnode],
      [],
      estimatees(2, 100, { extendedRequests: { [GPU]: 1 } }),
      [],
    );
    expect(plan.groups).toEqual([expect.objectContaining({ group: 'gpu', newNodes: 2 })]);
  });

  it('a GPU pod no group has GPUs for is reported with the reason', () => {
    const plan = planScaleUp([groupAtZero('general', 'zone-mars')], [oldnode], [], estimatees(1, 100, { extendedRequests: { [GPU]: 1 } }), []);
    expect(plan.unhelped[0]?.reason).toBe('general: insufficient nvidia.com/gpu (requests 1, 0 free)');
  });

  it('a pod whose EBS volume is in zone-mars goes to the zone-mars group', () => {
    const volumeTopology = [{ volume: 'pv-1', nodeAffinity: [{ matchExpressions: [{ key: ZONE, operator: 'In' as const, values: ['zone-mars'] }] }] }];
    const plan = planScaleUp([groupAtZero('jupiter', 'zone-jupiter'), groupAtZero('mars', 'zone-mars')], [oldnode], [], estimatees(1, 100, { volumeTopology }), []);
    expect(plan.groups).toEqual([expect.objectContaining({ group: 'mars', newNodes: 1 })]);
  });
});

describe('drain simulation with constraints (can the pods move elsewhere?)', () => {
  const knobs = { ...DEFAULT_NODE_GROUP_KNOBS, scaleDownUnneededSeconds: 0 };
  const nodeIn = (name: string, zone: string, extra: Partial<NodeInfo> = {}) =>
    node(name, { labels: { [HOST]: name, [ZONE]: zone }, allocatable: { cpuMilli: 4000, memoryBytes: 16 * GIB, pods: 58 }, ...extra });
  function assess(nodes: NodeInfo[], pods: PodInfo[]) {
    const group = asg({ minSize: 0, desiredCapacity: nodes.length, instances: inService(...nodes.map((each) => each.name)) });
    const view = buildGroupView(group, knobs, emptyNodeGroupState(), nodes, NOW);
    return planScaleDown(view, { nodes, pods, pdbs: [], now: NOW, scalingUp: false });
  }

  it('a pod with a zonal volume cannot move to a node in another zone (VolumeZone / VolumeBinding in CA drain simulation)', () => {
    const nodes = [nodeIn('a1', 'zone-a'), nodeIn('b1', 'zone-b')];
    const volumeTopology = [{ volume: 'pv-db', zoneLabels: { [ZONE]: ['zone-a'] } }];
    const plan = assess(nodes, [pod('db-0', 100, GIB, { nodeName: 'a1', owner: { kind: 'StatefulSet', name: 'db' }, volumeTopology })]);
    const a1 = plan.assessments.find((entry) => entry.node === 'a1');
    expect(a1).toMatchObject({ reason: 'NoPlaceToMovePods' });
    expect(a1?.message).toMatch(/volume pv-db is in topology\.kubernetes\.io\/zone=zone-a/);
  });

  it('the same pod moves when another node in its zone has room', () => {
    const nodes = [nodeIn('a1', 'zone-a'), nodeIn('a2', 'zone-a', { instanceId: 'i-a2' })];
    const volumeTopology = [{ volume: 'pv-db', zoneLabels: { [ZONE]: ['zone-a'] } }];
    const plan = assess(nodes, [pod('db-0', 100, GIB, { nodeName: 'a1', owner: { kind: 'StatefulSet', name: 'db' }, volumeTopology })]);
    expect(plan.assessments.find((entry) => entry.node === 'a1')?.reason).toBeUndefined();
  });

  it('hostname anti-affinity: a replica cannot move onto the node that holds its sibling', () => {
    const anti = { requiredPodAntiAffinity: [{ selector: { matchLabels: { app: 'web' } }, topologyKey: HOST, namespaces: [], anyNamespace: false }] };
    const nodes = [nodeIn('n1', 'zone-a'), nodeIn('n2', 'zone-a')];
    const pods = [pod('web-1', 100, GIB, { nodeName: 'n1', labels: { app: 'web' }, ...anti }), pod('web-2', 100, GIB, { nodeName: 'n2', labels: { app: 'web' }, ...anti })];
    const plan = assess(nodes, pods);
    expect(plan.assessments.map((entry) => entry.reason)).toEqual(['NoPlaceToMovePods', 'NoPlaceToMovePods']);
  });

  it('host ports: a pod cannot move where the same host port is bound', () => {
    const port = { hostPorts: [{ port: 9100, protocol: 'TCP' as const, hostIP: '' }] };
    const nodes = [nodeIn('n1', 'zone-a'), nodeIn('n2', 'zone-a')];
    const pods = [pod('exporter-1', 100, GIB, { nodeName: 'n1', ...port }), pod('exporter-2', 100, GIB, { nodeName: 'n2', ...port })];
    expect(assess(nodes, pods).assessments.map((entry) => entry.reason)).toEqual(['NoPlaceToMovePods', 'NoPlaceToMovePods']);
  });

  it('a GPU pod moves only to a node with a free GPU', () => {
    const gpuPod = pod('train-0', 100, GIB, { nodeName: 'g1', extendedRequests: { [GPU]: 1 } });
    const withoutGpu = assess([nodeIn('g1', 'zone-a', { extendedAllocatable: { [GPU]: 1 } }), nodeIn('c1', 'zone-a')], [gpuPod]);
    expect(withoutGpu.assessments.find((entry) => entry.node === 'g1')?.message).toMatch(/insufficient nvidia\.com\/gpu/);
    const withGpu = assess([nodeIn('g1', 'zone-a', { extendedAllocatable: { [GPU]: 1 } }), nodeIn('g2', 'zone-a', { extendedAllocatable: { [GPU]: 1 } })], [gpuPod]);
    expect(withGpu.assessments.find((entry) => entry.node === 'g1')?.reason).toBeUndefined();
  });
});
