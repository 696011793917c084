/**
 * Balancing similar groups, row by row from Cluster Autoscaler's nodegroupset tests
 * (kubernetes/autoscaler, cluster-autoscaler/processors/nodegroupset/...). Each row names its test.
 */
import { describe, expect, it } from 'vitest';
import type { GroupSize } from '../../../../lambdas/engine/nodes/balancing/balance-scale-up';
import { balanceScaleUp } from '../../../../lambdas/engine/nodes/balancing/balance-scale-up';
import type { GroupShape } from '../../../../lambdas/engine/nodes/balancing/similar-node-groups';
import { areSimilarGroups } from '../../../../lambdas/engine/nodes/balancing/similar-node-groups';

/** CA's BuildTestNode(name, cpu, mem): capacity = allocatable, 100 pods, a hostname label; no pods on it. */
function testNode(name: string, cpuMilli: number, memoryBytes: number, labels: Record<string, string> = {}): GroupShape {
  const allocatable = { cpuMilli, memoryBytes, pods: 100 };
  return { labels: { 'kubernetes.io/hostname': name, ...labels }, allocatable, free: { ...allocatable } };
}

/** The node with pods of these requests on it (CA's checkNodesSimilarWithPods). */
function withPods(shape: GroupShape, cpuMilli: number, memoryBytes: number): GroupShape {
  return { ...shape, free: { cpuMilli: shape.allocatable.cpuMilli - cpuMilli, memoryBytes: shape.allocatable.memoryBytes - memoryBytes, pods: shape.allocatable.pods - 1 } };
}

function withAllocatable(shape: GroupShape, change: Partial<GroupShape['allocatable']>): GroupShape {
  const allocatable = { ...shape.allocatable, ...change };
  return { ...shape, allocatable, free: { ...allocatable } };
}

const KI = 1024;

describe('similar node groups (compare_nodegroups_test.go, aws_nodegroups_test.go, balancing_processor_test.go)', () => {
  const n1 = testNode('node1', 1000, 2000);
  it.each<[string, GroupShape, GroupShape, boolean, string[]?]>([
    ['TestIdenticalNodesSimilar', n1, testNode('node2', 1000, 2000), true],
    ['TestNodesSimilarVariousRequirements: different CPU capacity (1000m vs 1001m) is not similar', n1, testNode('node2', 1001, 2000), false],
    ['TestNodesSimilarVariousRequirements: slightly different allocatable CPU (999m) is similar', n1, withAllocatable(testNode('node3', 1000, 2000), { cpuMilli: 999 }), true],
    ['TestNodesSimilarVariousRequirements: significantly different allocatable CPU (500m) is not', n1, withAllocatable(testNode('node4', 1000, 2000), { cpuMilli: 500 }), false],
    [
      'TestNodesSimilarVariousRequirementsAndPods: different allocatable, same free is not similar',
      withPods(n1, 500, 1000),
      withAllocatable(testNode('node2', 1000, 2000), { cpuMilli: 500, memoryBytes: 1000 }),
      false,
    ],
    ['TestNodesSimilarVariousRequirementsAndPods: same requests of pods', withPods(n1, 500, 1000), withPods(testNode('node3', 1000, 2000), 500, 1000), true],
    [
      'TestNodesSimilarVariousRequirementsAndPods: similar allocatable, similar pods',
      withPods(n1, 500, 1000),
      withPods(withAllocatable(testNode('node4', 1000, 2000), { cpuMilli: 999 }), 501, 1001),
      true,
    ],
    ['TestNodesSimilarVariousMemoryRequirements: memory within 1.5 % (986 of 1000)', testNode('node1', 1000, 1000), testNode('node2', 1000, 1000 - 15 + 1), true],
    ['TestNodesSimilarVariousMemoryRequirements: memory past 1.5 % (984 of 1000)', testNode('node1', 1000, 1000), testNode('node3', 1000, 1000 - 15 - 1), false],
    ['TestNodesSimilarVariousLargeMemoryRequirementsM5XLarge: two m5.xlarge in different zones', testNode('node1', 1000, 16116152 * KI), testNode('node2', 1000, 15944120 * KI), true],
    ['TestNodesSimilarVariousLargeMemoryRequirementsM5XLarge: 2 % more memory is not similar', testNode('node1', 1000, 16116152 * KI), testNode('node3', 1000, 16438475 * KI), false],
    ['TestNodesSimilarVariousLargeMemoryRequirementsM516XLarge: two m5.16xlarge', testNode('node1', 1000, 259970052 * KI), testNode('node2', 1000, 257217528 * KI), true],
    ['TestNodesSimilarVariousLargeMemoryRequirementsM516XLarge: 2 % more memory is not similar', testNode('node1', 1000, 259970052 * KI), testNode('node3', 1000, 265169453 * KI), false],
    ['TestNodesSimilarVariousLabels: a label missing on one side', testNode('node1', 1000, 2000, { 'test-label': 'test-value', character: 'winnie the pooh' }), testNode('node2', 1000, 2000, { 'test-label': 'test-value' }), false],
    ['TestNodesSimilarVariousLabels: the same labels', testNode('node1', 1000, 2000, { 'test-label': 'test-value', character: 'winnie the pooh' }), testNode('node2', 1000, 2000, { 'test-label': 'test-value', character: 'winnie the pooh' }), true],
    [
      'TestNodesSimilarVariousLabels: different zones do not matter',
      testNode('node1', 1000, 2000, { 'failure-domain.beta.kubernetes.io/zone': 'mars-olympus-mons1-b', 'topology.kubernetes.io/zone': 'eu-west-1a' }),
      testNode('node2', 1000, 2000, { 'failure-domain.beta.kubernetes.io/zone': 'us-houston1-a', 'topology.kubernetes.io/zone': 'eu-west-1b' }),
      true,
    ],
    ['TestNodesSimilarVariousLabels: fluentd-ds-ready differing or missing does not matter', testNode('node1', 1000, 2000, { 'beta.kubernetes.io/fluentd-ds-ready': 'true' }), testNode('node2', 1000, 2000), true],
    ['TestNodesSimilarVariousLabels: a custom label differs', testNode('node1', 1000, 2000, { 'example.com/ready': 'true' }), testNode('node2', 1000, 2000, { 'example.com/ready': 'false' }), false],
    ['TestNodesSimilarVariousLabels: the same custom label, ignored by --balancing-ignore-label', testNode('node1', 1000, 2000, { 'example.com/ready': 'true' }), testNode('node2', 1000, 2000, { 'example.com/ready': 'false' }), true, ['example.com/ready']],
    ...(
      ['alpha.eksctl.io/instance-id', 'alpha.eksctl.io/nodegroup-name', 'eks.amazonaws.com/nodegroup', 'k8s.amazonaws.com/eniConfig', 'lifecycle', 'topology.ebs.csi.aws.com/zone'].flatMap((label) => [
        [`TestIsAwsNodeInfoSimilar "${label} different values"`, testNode('node1', 1000, 2000, { [label]: 'foo' }), testNode('node2', 1000, 2000, { [label]: 'bar' }), true],
        [`TestIsAwsNodeInfoSimilar "${label} one node labeled"`, testNode('node1', 1000, 2000, { [label]: 'foo' }), testNode('node2', 1000, 2000), true],
      ]) as Array<[string, GroupShape, GroupShape, boolean]>
    ),
    ['beyond CA: the EKS zone ID label differs per AZ like the zone label', testNode('node1', 1000, 2000, { 'topology.k8s.aws/zone-id': 'euw1-az1' }), testNode('node2', 1000, 2000, { 'topology.k8s.aws/zone-id': 'euw1-az2' }), true],
    ['TestFindSimilarNodeGroups: a node twice the size (n3 2000m/2000) is not similar to n1 (1000m/1000)', testNode('n1', 1000, 1000), testNode('n3', 2000, 2000), false],
  ])('%s', (_name, a, b, similar, ignore = []) => {
    expect(areSimilarGroups(a, b, ignore)).toBe(similar);
    expect(areSimilarGroups(b, a, ignore)).toBe(similar);
  });
});

describe('splitting new nodes across similar groups (balancing_processor_test.go)', () => {
  const group = (name: string, maxSize: number, currentSize: number): GroupSize => ({ group: name, maxSize, currentSize });
  const sizes = (result: ReturnType<typeof balanceScaleUp>) => Object.fromEntries(result.map((entry) => [entry.group, entry.newSize]));

  const underMax = [group('ng1', 10, 1), group('ng2', 10, 3), group('ng3', 10, 5), group('ng4', 10, 5)];
  const hitting = { ng1: group('ng1', 1, 1), ng2: group('ng2', 3, 1), ng3: group('ng3', 10, 3), ng4: group('ng4', 7, 5), ng5: group('ng5', 3, 6) };

  it.each<[string, GroupSize[], number, Record<string, number>]>([
    ['TestBalanceSingleGroup: one node', [group('ng1', 10, 1)], 1, { ng1: 2 }],
    ['TestBalanceSingleGroup: multiple nodes', [group('ng1', 10, 1)], 4, { ng1: 5 }],
    ['TestBalanceUnderMaxSize: a single node goes to the smallest group', underMax, 1, { ng1: 2 }],
    ['TestBalanceUnderMaxSize: multiple nodes to a single group', underMax, 2, { ng1: 3 }],
    ['TestBalanceUnderMaxSize: groups of different sizes, divisible', underMax, 4, { ng1: 4, ng2: 4 }],
    ['TestBalanceUnderMaxSize: all groups, divisible', underMax, 10, { ng1: 6, ng2: 6, ng3: 6, ng4: 6 }],
    ['TestBalanceHittingMaxSize: just one maxed-out group', [hitting.ng1], 1, {}],
    ['TestBalanceHittingMaxSize: smallest group already maxed out, add one node', [hitting.ng1, hitting.ng2], 1, { ng2: 2 }],
    ['TestBalanceHittingMaxSize: too many nodes are capped to the capacity', [hitting.ng1, hitting.ng2], 5, { ng2: 3 }],
    ['TestBalanceHittingMaxSize: the first group maxes out before the next', [hitting.ng2, hitting.ng3], 4, { ng2: 3, ng3: 5 }],
    ['TestBalanceHittingMaxSize: the last group maxes out before the previous one', [hitting.ng2, hitting.ng3, hitting.ng4], 9, { ng2: 3, ng3: 8, ng4: 7 }],
    ['TestBalanceHittingMaxSize: use all capacity, cap to max', [hitting.ng2, hitting.ng3, hitting.ng4], 900, { ng2: 3, ng3: 10, ng4: 7 }],
    ['TestBalanceHittingMaxSize: a group already above its max takes nothing', [hitting.ng2, hitting.ng5], 1, { ng2: 2 }],
  ])('%s', (_name, groups, newNodes, expected) => {
    expect(sizes(balanceScaleUp(groups, newNodes))).toEqual(expected);
  });

  it('TestBalanceUnderMaxSize: groups of different sizes, non-divisible: new sizes 4 and 5, either way round', () => {
    const result = balanceScaleUp(underMax, 5);
    expect(result.map((entry) => entry.group).sort()).toEqual(['ng1', 'ng2']);
    expect(result.map((entry) => entry.newSize).sort()).toEqual([4, 5]);
  });
});
