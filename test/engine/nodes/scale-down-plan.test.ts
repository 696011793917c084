import { describe, expect, it } from 'vitest';
import { buildGroupView } from '../../../lambdas/engine/nodes/group-view';
import type { NodeGroupKnobs } from '../../../lambdas/engine/nodes/node-group-knobs';
import { DEFAULT_NODE_GROUP_KNOBS } from '../../../lambdas/engine/nodes/node-group-knobs';
import type { NodeGroupState } from '../../../lambdas/engine/nodes/node-group-state';
import { emptyNodeGroupState } from '../../../lambdas/engine/nodes/node-group-state';
import type { NodeInfo, PdbInfo, PodInfo } from '../../../lambdas/engine/nodes/node-model';
import { TO_BE_DELETED_TAINT } from '../../../lambdas/engine/nodes/node-template';
import { planScaleDown } from '../../../lambdas/engine/nodes/scale-down-plan';
import type { ExistingPlacement } from '../../../lambdas/engine/nodes/scale-up-plan';
import { GIB, asg, inService, node, pod } from './fixtures';

const NOW = 1_800_000_000_000;
const MIN = 60_000;

interface Case {
  placed?: ExistingPlacement[];
  nodes?: NodeInfo[];
  pods?: PodInfo[];
  pdbs?: PdbInfo[];
  state?: Partial<NodeGroupState>;
  knobs?: Partial<NodeGroupKnobs>;
  minSize?: number;
  scalingUp?: boolean;
}

/** n1 (candidate, 1 small pod) and n2 (busy at 60%, room for more). */
function scenario(input: Case = {}) {
  const nodes = input.nodes ?? [node('n1'), node('n2')];
  const pods = input.pods ?? [pod('small-1', 400, GIB, { nodeName: 'n1' }), pod('big-1', 2400, 4 * GIB, { nodeName: 'n2' })];
  const group = asg({ minSize: input.minSize ?? 0, desiredCapacity: nodes.length, instances: inService(...nodes.map((n) => n.name)) });
  const state = { ...emptyNodeGroupState(), ...input.state };
  const view = buildGroupView(group, { ...DEFAULT_NODE_GROUP_KNOBS, ...input.knobs }, state, nodes, NOW);
  return planScaleDown(view, { nodes, pods, pdbs: input.pdbs ?? [], now: NOW, scalingUp: input.scalingUp ?? false, placed: input.placed });
}

const unneededLongAgo = { unneededSince: { n1: NOW - 11 * MIN } };

describe('scale-down eligibility', () => {
  it('starts tracking an underutilized node but waits the unneeded time', () => {
    const plan = scenario();
    expect(plan.state.unneededSince).toEqual({ n1: NOW });
    expect(plan.drain).toBeUndefined();
    expect(plan.blockedBy).toMatch(/no node unneeded for 600s \(unready nodes: 1200s\) yet/);
  });

  it('drains the node once unneeded for 10 minutes', () => {
    const plan = scenario({ state: unneededLongAgo });
    expect(plan.drain).toMatchObject({ node: 'n1', instanceId: 'i-n1' });
    expect(plan.drain?.pods.map((p) => p.name)).toEqual(['small-1']);
  });

  // CA eligibility.go isNodeBelowUtilizationThreshold: `Utilization >= threshold` is not underutilized.
  it('a node exactly at the threshold stays (CA compares strictly below)', () => {
    const plan = scenario({ pods: [pod('half-1', 2000, GIB, { nodeName: 'n1' })], state: unneededLongAgo });
    expect(plan.drain).toBeUndefined();
    expect(plan.assessments.find((entry) => entry.node === 'n1')).toMatchObject({ utilization: 0.5, reason: 'NotUnderutilized' });
  });

  it.each<[string, Case, string]>([
    ['utilization above the threshold', { pods: [pod('big-2', 2100, GIB, { nodeName: 'n1' })] }, 'NotUnderutilized'],
    ['memory counts too (max of cpu, memory)', { pods: [pod('mem-1', 100, 9 * GIB, { nodeName: 'n1' })] }, 'NotUnderutilized'],
    ['safe-to-evict "false"', { pods: [pod('keep-1', 100, GIB, { nodeName: 'n1', annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' } })] }, 'NotSafeToEvictAnnotation'],
    ['a bare pod', { pods: [pod('bare-1', 100, GIB, { nodeName: 'n1', owner: undefined })] }, 'NotReplicated'],
    ['a kube-system pod without PDB created 30 min ago', { pods: [pod('dns-1', 100, GIB, { nodeName: 'n1', namespace: 'kube-system', createdAt: NOW - 30 * MIN })] }, 'UnmovableKubeSystemPod'],
    ['a pod annotated safe-to-evict "on-completion"', { pods: [pod('job-1', 100, GIB, { nodeName: 'n1', annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'on-completion' } })] }, 'BlockedByOnCompletionPod'],
    ['local storage', { pods: [pod('cache-1', 100, GIB, { nodeName: 'n1', localStorageVolumes: ['data'] })] }, 'LocalStorageRequested'],
    [
      'a PDB that allows one disruption for two pods on the node',
      {
        pods: [pod('web-1', 100, GIB, { nodeName: 'n1', labels: { app: 'web' } }), pod('web-2', 100, GIB, { nodeName: 'n1', labels: { app: 'web' } })],
        pdbs: [{ namespace: 'apps', name: 'web', selector: { matchLabels: { app: 'web' } }, disruptionsAllowed: 1 }],
      },
      'NotEnoughPdb',
    ],
    ['no room elsewhere', { pods: [pod('mid-1', 1900, GIB, { nodeName: 'n1' }), pod('big-1', 3000, 4 * GIB, { nodeName: 'n2' })] }, 'NoPlaceToMovePods'],
    ['the scale-down-disabled annotation', { nodes: [node('n1', { annotations: { 'cluster-autoscaler.kubernetes.io/scale-down-disabled': 'true' } }), node('n2')] }, 'ScaleDownDisabledAnnotation'],
    ['a node already being deleted', { nodes: [node('n1', { taints: [{ key: TO_BE_DELETED_TAINT, effect: 'NoSchedule' }] }), node('n2')] }, 'CurrentlyBeingDeleted'],
    ['a node whose drain failed recently', { state: { unremovableUntil: { n1: NOW + MIN } } }, 'RecentlyUnremovable'],
    [
      'pending pods this tick placed on its free room (CA adds them to the snapshot first)',
      { placed: [0, 1, 2].map((index) => ({ id: `apps/web#new-${index}`, node: 'n1', pod: pod(`web-${index}`, 1000, GIB) })) },
      'NotUnderutilized',
    ],
    [
      'a pending pod placed on it with no room left elsewhere',
      { placed: [{ id: 'apps/mid-1', node: 'n1', pod: pod('mid-1', 1500, GIB) }] },
      'NoPlaceToMovePods',
    ],
  ])('%s keeps the node', (_name, input, reason) => {
    const plan = scenario({ ...input, state: { ...unneededLongAgo, ...input.state } });
    expect(plan.drain).toBeUndefined();
    expect(plan.assessments.find((entry) => entry.node === 'n1')).toMatchObject({ reason });
    // A node that is not removable forgets its unneeded time.
    expect(plan.state.unneededSince.n1).toBeUndefined();
  });

  it.each<[string, Case, RegExp]>([
    ['within the delay after a scale-up', { state: { lastScaleUp: { at: NOW - 5 * MIN, fromDesired: 1, toDesired: 2, reason: 'x' } } }, /scaleDownDelayAfterAddSeconds/],
    ['within the delay after a failed removal', { state: { lastScaleDownFailureAt: NOW - MIN } }, /scaleDownDelayAfterFailureSeconds/],
    ['in a tick that scales the group up', { scalingUp: true }, /scales up in this tick/],
    ['at the group min size', { minSize: 2 }, /at its min size 2/],
    ['with scale-down disabled', { knobs: { scaleDownEnabled: false } }, /disabled/],
  ])('%s nothing is drained', (_name, input, blockedBy) => {
    const plan = scenario({ ...input, state: { ...unneededLongAgo, ...input.state } });
    expect(plan.drain).toBeUndefined();
    expect(plan.blockedBy).toMatch(blockedBy);
  });

  it('keeps counting the unneeded time during the delay after a scale-up', () => {
    const plan = scenario({ state: { ...unneededLongAgo, lastScaleUp: { at: NOW - MIN, fromDesired: 1, toDesired: 2, reason: 'x' } } });
    expect(plan.state.unneededSince.n1).toBe(NOW - 11 * MIN);
  });

  it('picks the least utilized of several removable nodes, one at a time', () => {
    const nodes = [node('n1'), node('n2'), node('n3')];
    const pods = [pod('a-1', 800, GIB, { nodeName: 'n1' }), pod('b-1', 200, GIB, { nodeName: 'n2' }), pod('c-1', 600, GIB, { nodeName: 'n3' })];
    const plan = scenario({ nodes, pods, state: { unneededSince: { n1: NOW - 20 * MIN, n2: NOW - 20 * MIN, n3: NOW - 20 * MIN } } });
    expect(plan.drain?.node).toBe('n2');
    expect(Object.keys(plan.state.unneededSince).sort()).toEqual(['n1', 'n2', 'n3']);
  });
});
