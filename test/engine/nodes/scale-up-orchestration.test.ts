/**
 * The planner's choice of group, its cluster limits and its balancing, through planScaleUp, with
 * scenarios from Cluster Autoscaler's orchestrator tests (kubernetes/autoscaler,
 * cluster-autoscaler/core/scaleup/orchestrator/orchestrator_test.go) and waste_test.go. CA's tests
 * force the expander's pick with ExpansionOptionToChoose; here the priority expander does it.
 */
import { describe, expect, it } from 'vitest';
import { buildGroupView } from '../../../lambdas/engine/nodes/group-view';
import { DEFAULT_NODE_GROUP_KNOBS } from '../../../lambdas/engine/nodes/node-group-knobs';
import { emptyNodeGroupState } from '../../../lambdas/engine/nodes/node-group-state';
import type { NodeInfo, PodInfo } from '../../../lambdas/engine/nodes/node-model';
import type { NodeScalingOptions } from '../../../lambdas/engine/nodes/node-scaling-options';
import { resolveNodeScaling } from '../../../lambdas/engine/nodes/node-scaling-options';
import type { PendingPod } from '../../../lambdas/engine/nodes/scale-up-plan';
import { planScaleUp } from '../../../lambdas/engine/nodes/scale-up-plan';
import { GIB, MIB, asg, inService, node, pod } from './fixtures';

const NOW = 1_800_000_000_000;
const T = 'k8s.io/cluster-autoscaler/node-template/';

/** CA's NodeConfig {name, cpu, memory, ready, group}: one Ready node, in a group of that name when given. */
interface CaNode {
  name: string;
  cpuMilli: number;
  memoryBytes: number;
  group?: string;
}

interface Scenario {
  nodes: CaNode[];
  /** Pods bound to nodes: [name, cpu, memory, node]. */
  pods: Array<[string, number, number, string]>;
  /** Pending pods: [name, cpu, memory]. */
  extraPods: Array<[string, number, number]>;
  scaling: NodeScalingOptions;
  maxSize?: number;
}

function run(scenario: Scenario) {
  const nodes: NodeInfo[] = scenario.nodes.map((spec) => node(spec.name, { allocatable: { cpuMilli: spec.cpuMilli, memoryBytes: spec.memoryBytes, pods: 110 } }));
  const groupNames = [...new Set(scenario.nodes.flatMap((spec) => (spec.group ? [spec.group] : [])))];
  const views = groupNames.map((name) => {
    const members = scenario.nodes.filter((spec) => spec.group === name).map((spec) => spec.name);
    const group = asg({ name, desiredCapacity: members.length, maxSize: scenario.maxSize ?? 10, instances: inService(...members) });
    return buildGroupView(group, DEFAULT_NODE_GROUP_KNOBS, emptyNodeGroupState(), nodes, NOW);
  });
  const running: PodInfo[] = scenario.pods.map(([name, cpu, memory, nodeName]) => pod(name, cpu, memory, { nodeName }));
  const pending: PendingPod[] = scenario.extraPods.map(([name, cpu, memory]) => ({
    id: `apps/${name}`,
    pod: pod(name, cpu, memory, { unschedulable: true, phase: 'Pending' }),
    source: 'unschedulable',
  }));
  return planScaleUp(views, nodes, running, pending, [], { scaling: resolveNodeScaling(scenario.scaling) });
}

const sizeChanges = (plan: ReturnType<typeof run>) => Object.fromEntries(plan.groups.map((group) => [group.group, group.newNodes]));
const pick = (group: string): NodeScalingOptions => ({ expander: 'priority', expanderPriorities: { 10: [`^${group}$`] } });

describe('cluster-wide limits (orchestrator_test.go)', () => {
  const twoGroups: CaNode[] = [
    { name: 'n1', cpuMilli: 2000, memoryBytes: 100, group: 'ng1' },
    { name: 'n2', cpuMilli: 4000, memoryBytes: 1000, group: 'ng2' },
  ];
  const oneAutoscaled: CaNode[] = [
    { name: 'n1', cpuMilli: 2000, memoryBytes: 100, group: 'ng1' },
    { name: 'n2', cpuMilli: 4000, memoryBytes: 1000 },
  ];
  const busy: Scenario['pods'] = [
    ['p1', 1000, 0, 'n1'],
    ['p2', 3000, 0, 'n2'],
  ];

  it.each<[string, Scenario, Record<string, number>, RegExp?]>([
    [
      'TestScaleUpMaxCoresLimitHit: ng1 +2 chosen, cut to +1 by 9 cores (6 in use, 2 per node)',
      { nodes: twoGroups, pods: busy, extraPods: [['p-new-1', 2000, 0], ['p-new-2', 2000, 0]], scaling: { ...pick('ng1'), clusterLimits: { maxCoresTotal: 9 } } },
      { ng1: 1 },
      /ng1: cluster limit reached: maxCoresTotal 9 \(8 cores in the cluster, 2 per new node\)/,
    ],
    [
      'TestScaleUpMaxCoresLimitHitWithNotAutoscaledGroup: a node of no group counts its cores too',
      { nodes: oneAutoscaled, pods: busy, extraPods: [['p-new-1', 2000, 0], ['p-new-2', 2000, 0]], scaling: { ...pick('ng1'), clusterLimits: { maxCoresTotal: 9 } } },
      { ng1: 1 },
    ],
    [
      'TestScaleUpMaxMemoryLimitHit (in GiB, the setting\'s unit): ng1 +3 chosen, cut to +2 by 13 GiB (11 in use, 1 per node)',
      {
        nodes: [
          { name: 'n1', cpuMilli: 2000, memoryBytes: GIB, group: 'ng1' },
          { name: 'n2', cpuMilli: 4000, memoryBytes: 10 * GIB, group: 'ng2' },
        ],
        pods: busy,
        extraPods: [['p-new-1', 2000, GIB], ['p-new-2', 2000, GIB], ['p-new-3', 2000, GIB]],
        scaling: { ...pick('ng1'), clusterLimits: { maxMemoryTotalGiB: 13 } },
      },
      { ng1: 2 },
      /maxMemoryTotalGiB 13/,
    ],
    [
      'TestScaleUpMaxMemoryLimitHitWithNotAutoscaledGroup (in GiB)',
      {
        nodes: [
          { name: 'n1', cpuMilli: 2000, memoryBytes: GIB, group: 'ng1' },
          { name: 'n2', cpuMilli: 4000, memoryBytes: 10 * GIB },
        ],
        pods: busy,
        extraPods: [['p-new-1', 2000, GIB], ['p-new-2', 2000, GIB], ['p-new-3', 2000, GIB]],
        scaling: { ...pick('ng1'), clusterLimits: { maxMemoryTotalGiB: 13 } },
      },
      { ng1: 2 },
    ],
    [
      'TestScaleUpCapToMaxTotalNodesLimit: ng2 +3 chosen, cut to +1 by 3 nodes total',
      {
        nodes: [
          { name: 'n1', cpuMilli: 2000, memoryBytes: 100 * MIB, group: 'ng1' },
          { name: 'n2', cpuMilli: 4000, memoryBytes: 1000 * MIB, group: 'ng2' },
        ],
        pods: busy,
        extraPods: [['p-new-1', 4000, 100 * MIB], ['p-new-2', 4000, 100 * MIB], ['p-new-3', 4000, 100 * MIB]],
        scaling: { ...pick('ng2'), clusterLimits: { maxNodesTotal: 3 } },
      },
      { ng2: 1 },
      /maxNodesTotal 3 \(3 nodes registered or requested\)/,
    ],
    [
      'TestScaleUpCapToMaxTotalNodesLimitWithNotAutoscaledGroup',
      {
        nodes: [
          { name: 'n1', cpuMilli: 2000, memoryBytes: 100 * MIB },
          { name: 'n2', cpuMilli: 4000, memoryBytes: 1000 * MIB, group: 'ng2' },
        ],
        pods: busy,
        extraPods: [['p-new-1', 4000, 100 * MIB], ['p-new-2', 4000, 100 * MIB], ['p-new-3', 4000, 100 * MIB]],
        scaling: { ...pick('ng2'), clusterLimits: { maxNodesTotal: 3 } },
      },
      { ng2: 1 },
    ],
    [
      'TestNoScaleUpMaxCoresLimitHit: 7 cores with 6 in use leaves no room for a 2- or 4-core node',
      { nodes: twoGroups, pods: busy, extraPods: [['p-new-1', 2000, 0], ['p-new-2', 2000, 0]], scaling: { clusterLimits: { maxCoresTotal: 7 } } },
      {},
      /ng1: cluster limit reached: maxCoresTotal 7.*ng2: cluster limit reached: maxCoresTotal 7/,
    ],
  ])('%s', (_name, scenario, expected, unhelpedReason) => {
    const plan = run(scenario);
    expect(sizeChanges(plan)).toEqual(expected);
    if (unhelpedReason) expect(plan.unhelped.map((item) => item.reason).join('\n')).toMatch(unhelpedReason);
  });

  it('says in the plan that the cut happened and why', () => {
    const plan = run({ nodes: twoGroups, pods: busy, extraPods: [['p-new-1', 2000, 0], ['p-new-2', 2000, 0]], scaling: { ...pick('ng1'), clusterLimits: { maxCoresTotal: 9 } } });
    expect(plan.groups[0]?.choice).toMatch(/cut from 2 to 1 node\(s\) by maxCoresTotal 9/);
  });
});

describe('balancing similar groups (orchestrator_test.go TestScaleUpTwoGroups)', () => {
  const scenario: Scenario = {
    nodes: [
      { name: 'ng1-n1', cpuMilli: 1500, memoryBytes: 1000 * MIB, group: 'ng1' },
      { name: 'ng2-n1', cpuMilli: 1500, memoryBytes: 1000 * MIB, group: 'ng2' },
    ],
    pods: [
      ['p1', 1400, 0, 'ng1-n1'],
      ['p2', 1400, 0, 'ng2-n1'],
    ],
    extraPods: [['p3', 1400, 0], ['p4', 1400, 0]],
    scaling: { balanceSimilarNodeGroups: true },
  };

  it('TestScaleUpTwoGroups: two new nodes end as ng1 2 and ng2 2', () => {
    const plan = run(scenario);
    expect(sizeChanges(plan)).toEqual({ ng1: 1, ng2: 1 });
    expect(plan.groups.flatMap((group) => group.pods).sort()).toEqual(['apps/p3', 'apps/p4']);
    expect(plan.groups[0]?.choice).toMatch(/balanced across similar groups: ng1 \+1, ng2 \+1/);
  });

  it('without balanceSimilarNodeGroups both nodes go to the group the expander picks', () => {
    expect(sizeChanges(run({ ...scenario, scaling: {} }))).toEqual({ ng1: 2 });
  });

  it('TestCloudProviderFailingToScaleUpGroups setting (MaxSize 2): each group takes one node and no more', () => {
    const plan = run({ ...scenario, maxSize: 2, extraPods: [['p3', 1400, 0], ['p4', 1400, 0], ['p5', 1400, 0]] });
    expect(sizeChanges(plan)).toEqual({ ng1: 1, ng2: 1 });
    expect(plan.unhelped.map((item) => item.id)).toEqual(['apps/p5']);
    expect(plan.unhelped[0]?.reason).toMatch(/ng1: at its max size 2; ng2: at its max size 2/);
  });

  it('an option counts the room of the similar groups too (estimator/sng_capacity_threshold.go): one choice for four nodes', () => {
    const nodes = scenario.nodes.map((spec) => node(spec.name, { allocatable: { cpuMilli: 1500, memoryBytes: 1000 * MIB, pods: 110 } }));
    const views = [
      buildGroupView(asg({ name: 'ng1', desiredCapacity: 1, maxSize: 2, instances: inService('ng1-n1') }), DEFAULT_NODE_GROUP_KNOBS, emptyNodeGroupState(), nodes, NOW),
      buildGroupView(asg({ name: 'ng2', desiredCapacity: 1, maxSize: 10, instances: inService('ng2-n1') }), DEFAULT_NODE_GROUP_KNOBS, emptyNodeGroupState(), nodes, NOW),
    ];
    const pending = ['p3', 'p4', 'p5', 'p6'].map((name) => ({ id: `apps/${name}`, pod: pod(name, 1400, 0), source: 'unschedulable' as const }));
    const running = scenario.pods.map(([name, cpu, memory, nodeName]) => pod(name, cpu, memory, { nodeName }));
    const plan = planScaleUp(views, nodes, running, pending, [], { scaling: resolveNodeScaling({ balanceSimilarNodeGroups: true }) });
    expect(sizeChanges(plan)).toEqual({ ng1: 1, ng2: 3 });
    expect(plan.groups[0]?.choice).toMatch(/balanced across similar groups: ng1 \+1, ng2 \+3$/);
    expect(plan.unhelped).toEqual([]);
  });

  it('a group that is not similar (a different label) is not balanced onto', () => {
    const nodes: CaNode[] = scenario.nodes;
    const plan = planScaleUp(
      ['ng1', 'ng2'].map((name, index) =>
        buildGroupView(
          asg({ name, desiredCapacity: 1, instances: inService(nodes[index]!.name) }),
          DEFAULT_NODE_GROUP_KNOBS,
          emptyNodeGroupState(),
          nodes.map((spec, at) => node(spec.name, { labels: { pool: at === 0 ? 'a' : 'b' }, allocatable: { cpuMilli: 1500, memoryBytes: 1000 * MIB, pods: 110 } })),
          NOW,
        ),
      ),
      nodes.map((spec, at) => node(spec.name, { labels: { pool: at === 0 ? 'a' : 'b' }, allocatable: { cpuMilli: 1500, memoryBytes: 1000 * MIB, pods: 110 } })),
      scenario.pods.map(([name, cpu, memory, nodeName]) => pod(name, cpu, memory, { nodeName })),
      scenario.extraPods.map(([name, cpu, memory]) => ({ id: `apps/${name}`, pod: pod(name, cpu, memory), source: 'unschedulable' as const })),
      [],
      { scaling: resolveNodeScaling({ balanceSimilarNodeGroups: true }) },
    );
    expect(sizeChanges(plan)).toEqual({ ng1: 2 });
  });
});

describe('the default expander is least-waste (waste_test.go TestLeastWaste, as groups at zero)', () => {
  /** A group at zero whose shape comes from CA's node-template tags. */
  const atZero = (name: string, cpu: string, memory: string) =>
    buildGroupView(
      asg({ name, tags: { [`${T}resources/cpu`]: cpu, [`${T}resources/memory`]: memory, [`${T}resources/pods`]: '100' } }),
      DEFAULT_NODE_GROUP_KNOBS,
      emptyNodeGroupState(),
      [],
      NOW,
    );
  const onePod: PendingPod[] = [{ id: 'apps/p', pod: pod('p', 500, 1000 * MIB, { unschedulable: true, phase: 'Pending' }), source: 'unschedulable' }];

  it.each<[string, string[], string]>([
    ['TestLeastWaste: balanced beats highmem', ['balanced', 'highmem'], 'balanced'],
    ['TestLeastWaste: lowcpu beats balanced and highmem', ['balanced', 'highmem', 'lowcpu'], 'lowcpu'],
    ['TestLeastWaste: the configuration order does not matter', ['lowcpu', 'highmem', 'balanced'], 'lowcpu'],
  ])('%s', (_name, order, expected) => {
    const shapes: Record<string, [string, string]> = { balanced: ['8', '16000Mi'], highmem: ['8', '32000Mi'], lowcpu: ['4', '16000Mi'] };
    const plan = planScaleUp(order.map((name) => atZero(name, ...shapes[name]!)), [], [], onePod, []);
    expect(plan.groups.map((group) => group.group)).toEqual([expected]);
    expect(plan.groups[0]?.choice).toMatch(new RegExp(`^least-waste chose ${expected}`));
  });

  it('one pod per kind: each pod goes where only it fits, whatever the expander (TestMixedScaleUp)', () => {
    const cpuHeavy = atZero('cpu-heavy', '1', '128Mi');
    const memoryHeavy = atZero('memory-heavy', '100m', '1Gi');
    const pods: PendingPod[] = [
      { id: 'apps/triggering', pod: pod('triggering', 900, 0), source: 'unschedulable' },
      { id: 'apps/remaining', pod: pod('remaining', 2000, 0), source: 'unschedulable' },
      { id: 'apps/awaiting', pod: pod('awaiting', 0, 200 * MIB), source: 'unschedulable' },
    ];
    const plan = planScaleUp([cpuHeavy, memoryHeavy], [], [], pods, []);
    expect(sizeChanges(plan as never)).toEqual({ 'cpu-heavy': 1, 'memory-heavy': 1 });
    expect(plan.unhelped.map((item) => item.id)).toEqual(['apps/remaining']);
  });
});

describe('node scaling options (synth-time validation)', () => {
  it.each<[string, unknown, RegExp]>([
    ['an unknown expander', { expander: 'price' }, /nodeScaling.expander: "price" is not an expander; use least-waste, priority, most-pods, random/],
    ['an empty chain', { expander: [] }, /nodeScaling.expander: is empty/],
    ['priority without priorities', { expander: 'priority' }, /nodeScaling.expanderPriorities: the priority expander needs it/],
    ['priorities without the priority expander', { expanderPriorities: { 1: ['.*'] } }, /only the priority expander reads it/],
    ['a limit of zero', { clusterLimits: { maxNodesTotal: 0 } }, /nodeScaling.clusterLimits.maxNodesTotal: 0 is not valid; use a whole number of 1 or more/],
    ['a limit that is not a number', { clusterLimits: { maxCoresTotal: '64' } }, /maxCoresTotal: "64" is not valid/],
    ['balancing that is not a boolean', { balanceSimilarNodeGroups: 'yes' }, /balanceSimilarNodeGroups: "yes" is not a boolean/],
    ['an empty ignored label', { balancingIgnoreLabels: [''] }, /balancingIgnoreLabels: give a list of label keys/],
  ])('refuses %s, naming the field and the fix', (_name, options, error) => {
    expect(() => resolveNodeScaling(options as NodeScalingOptions)).toThrow(error);
  });

  it("defaults to CA's: least-waste, no balancing, no limits", () => {
    expect(resolveNodeScaling(undefined)).toEqual({ expanders: ['least-waste'], priorities: undefined, balanceSimilarNodeGroups: false, balancingIgnoreLabels: [], limits: {} });
  });

  it('takes a chain, as CA\'s --expander=priority,least-waste', () => {
    expect(resolveNodeScaling({ expander: ['priority', 'least-waste'], expanderPriorities: { 10: ['spot'] } }).expanders).toEqual(['priority', 'least-waste']);
  });
});
