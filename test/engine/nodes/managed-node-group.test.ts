/**
 * Templates for groups at zero completed by EKS and EC2 (managed-node-group.ts, node-template.ts),
 * and node-group auto-discovery (node-group-discovery.ts). The merge order is Cluster Autoscaler's:
 * cluster-autoscaler/cloudprovider/aws/aws_manager.go buildNodeFromTemplate and
 * joinNodeLabelsChoosingUserValuesOverAPIValues, tested upstream in aws_manager_test.go
 * (TestBuildNodeFromTemplateWithManagedNodegroup...).
 */
import { describe, expect, it } from 'vitest';
import type { InstanceTypeCapacity } from '../../../lambdas/engine/nodes/eks-instance-types';
import { eksAllocatableOf } from '../../../lambdas/engine/nodes/eks-instance-types';
import type { ManagedNodeGroupFacts, TemplateFacts } from '../../../lambdas/engine/nodes/managed-node-group';
import { managedNodeGroupRef, smallestInstanceType } from '../../../lambdas/engine/nodes/managed-node-group';
import { clusterAutoscalerDiscoveryTags, discoveredGroupConfig, discoveryEntryProblem, discoveryTags } from '../../../lambdas/engine/nodes/node-group-discovery';
import { templateFromTags } from '../../../lambdas/engine/nodes/node-template';

const T = 'k8s.io/cluster-autoscaler/node-template/';
/** As EC2's DescribeInstanceTypes publishes them. */
const M5_LARGE: InstanceTypeCapacity = { vcpu: 2, memoryMiB: 8192, maxEnis: 3, ipv4PerEni: 10, architecture: 'amd64' };
const M5_XLARGE: InstanceTypeCapacity = { vcpu: 4, memoryMiB: 16384, maxEnis: 4, ipv4PerEni: 15, architecture: 'amd64' };
const G_TYPE: InstanceTypeCapacity = { vcpu: 8, memoryMiB: 32768, maxEnis: 4, ipv4PerEni: 15, architecture: 'arm64' };

const managed = (overrides: Partial<ManagedNodeGroupFacts> = {}): ManagedNodeGroupFacts => ({
  clusterName: 'prod',
  nodegroupName: 'batch',
  labels: { pool: 'batch' },
  taints: [{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }],
  instanceTypes: ['m5.large'],
  capacityType: 'SPOT',
  tags: {},
  ...overrides,
});

function template(tags: Record<string, string>, type: string | undefined, facts?: TemplateFacts) {
  const result = templateFromTags(tags, type, facts);
  if ('error' in result) throw new Error(result.error);
  return result.template;
}

describe('a managed node group at zero, from DescribeNodegroup and DescribeInstanceTypes alone', () => {
  it('has the node group labels and taints, the EKS labels, and capacity from the instance type: no hand-written tag', () => {
    const shape = template({ 'eks:nodegroup-name': 'batch' }, 'm5.large', { managed: managed(), instanceTypes: new Map([['m5.large', M5_LARGE]]) });
    expect(shape.labels).toEqual({
      pool: 'batch',
      'eks.amazonaws.com/nodegroup': 'batch',
      'eks.amazonaws.com/capacityType': 'SPOT',
      'node.kubernetes.io/instance-type': 'm5.large',
      'kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
    });
    expect(shape.taints).toEqual([{ key: 'dedicated', value: 'batch', effect: 'NoSchedule' }]);
    expect(shape.allocatable).toEqual(eksAllocatableOf(M5_LARGE));
    expect(shape.allocatable.pods).toBe(29);
    expect(shape.source).toBe('ASG tags, managed node group batch and instance type m5.large (DescribeInstanceTypes)');
  });

  // Each row: what the ASG tags say, what the node group says, what the template gets (aws_manager.go buildNodeFromTemplate).
  it.each([
    ['an ASG label tag wins over the node group label (joinNodeLabelsChoosingUserValuesOverAPIValues)', { [`${T}label/pool`]: 'tagged' }, {}, { labels: { pool: 'tagged' } }],
    [
      'node group taints are added to the ASG taint tags',
      { [`${T}taint/gpu`]: 'true:NoExecute' },
      {},
      { taints: [{ key: 'gpu', value: 'true', effect: 'NoExecute' }, { key: 'dedicated', value: 'batch', effect: 'NoSchedule' }] },
    ],
    ['a node group resources tag wins over the ASG resources tag ("ManagedNodeGroup resource-indicating tags override")', { [`${T}resources/pods`]: '50' }, { tags: { [`${T}resources/pods`]: '20' } }, { allocatable: { pods: 20 } }],
    ['an ASG resources tag wins over the instance type', { [`${T}resources/pods`]: '50' }, {}, { allocatable: { pods: 50 } }],
  ])('%s', (_name, tags, nodeGroup, expected) => {
    expect(template(tags, 'm5.large', { managed: managed(nodeGroup), instanceTypes: new Map([['m5.large', M5_LARGE]]) })).toMatchObject(expected);
  });

  it('a type EC2 did not answer for falls back to the built-in table; one in neither says which tags to add', () => {
    expect(template({}, 'm5.xlarge', { managed: managed() }).allocatable.pods).toBe(58);
    const result = templateFromTags({}, 'x9z.huge', { managed: managed(), instanceTypes: new Map() });
    expect('error' in result && result.error).toMatch(/"x9z.huge" is neither known to EC2's DescribeInstanceTypes answer nor in the EKS table; add the ASG tags .*resources\/cpu/);
  });

  it('with the scheduling constraints: the group zone, GPUs from DescribeInstanceTypes, other extended resources from the node group tags', () => {
    const G4DN: InstanceTypeCapacity = { vcpu: 4, memoryMiB: 16384, maxEnis: 3, ipv4PerEni: 10, architecture: 'amd64', nvidiaGpus: 1 };
    const facts = { managed: managed({ instanceTypes: ['g4dn.xlarge'], tags: { [`${T}resources/vpc.amazonaws.com/efa`]: '1' } }), instanceTypes: new Map([['g4dn.xlarge', G4DN]]) };
    const result = templateFromTags({}, 'g4dn.xlarge', facts, 'us-east-1b');
    if ('error' in result) throw new Error(result.error);
    expect(result.template.extendedAllocatable).toEqual({ 'nvidia.com/gpu': 1, 'vpc.amazonaws.com/efa': 1 });
    expect(result.template.labels).toMatchObject({ pool: 'batch', 'topology.kubernetes.io/zone': 'us-east-1b', 'topology.kubernetes.io/region': 'us-east-1' });
    // A resources tag wins over the type's GPUs (CA: tags override the instance type's capacity).
    const tagged = templateFromTags({ [`${T}resources/nvidia.com/gpu`]: '0' }, 'g4dn.xlarge', facts, 'us-east-1b');
    expect('template' in tagged && tagged.template.extendedAllocatable).toEqual({ 'nvidia.com/gpu': 0, 'vpc.amazonaws.com/efa': 1 });
  });

  it('a type only EC2 knows (not in the built-in table) is sized from its answer, architecture included', () => {
    const shape = template({}, 'x8g.2xlarge', { instanceTypes: new Map([['x8g.2xlarge', G_TYPE]]) });
    expect(shape.labels['kubernetes.io/arch']).toBe('arm64');
    expect(shape.allocatable).toEqual(eksAllocatableOf(G_TYPE));
  });

  it('the ASG of a managed node group names it through the eks: tags EKS sets', () => {
    expect(managedNodeGroupRef({ 'eks:nodegroup-name': 'batch', 'eks:cluster-name': 'prod-eks' }, 'prod')).toEqual({ clusterName: 'prod-eks', nodegroupName: 'batch' });
    expect(managedNodeGroupRef({ 'eks:nodegroup-name': 'batch' }, 'prod')).toEqual({ clusterName: 'prod', nodegroupName: 'batch' });
    expect(managedNodeGroupRef({ team: 'x' }, 'prod')).toBeUndefined();
  });
});

describe('mixed instance types: the plan uses the smallest', () => {
  const facts: TemplateFacts = { instanceTypes: new Map([['m5.xlarge', M5_XLARGE], ['m5.large', M5_LARGE]]) };
  it.each([
    [['m5.xlarge', 'm5.large'], 'm5.large'],
    [['m5.large', 'm5.xlarge'], 'm5.large'],
    // c5.large (2 vCPU, 4 GiB) is smaller than m5.large (2 vCPU, 8 GiB): memory breaks the vCPU tie.
    [['m5.large', 'c5.large'], 'c5.large'],
    // An unknown type is passed over rather than guessed at.
    [['x9z.huge', 'm5.xlarge'], 'm5.xlarge'],
    [['x9z.huge'], 'x9z.huge'],
    [[], undefined],
  ])('%j → %s', (types, expected) => {
    expect(smallestInstanceType(types, facts)).toBe(expected);
  });
});

describe('node-group auto-discovery (aws_manager.go parseASGAutoDiscoverySpec)', () => {
  it("defaults to Cluster Autoscaler's tags for the entry's cluster, any value", () => {
    expect(discoveryTags({ cluster: 'prod' })).toEqual({ 'k8s.io/cluster-autoscaler/enabled': '', 'k8s.io/cluster-autoscaler/prod': '' });
    expect(clusterAutoscalerDiscoveryTags('dev')).toEqual({ 'k8s.io/cluster-autoscaler/enabled': '', 'k8s.io/cluster-autoscaler/dev': '' });
    expect(discoveryTags({ cluster: 'prod', tags: { 'scaler.example.com/pool': 'batch' } })).toEqual({ 'scaler.example.com/pool': 'batch' });
  });

  it('a discovered group keeps the entry knobs, takes the ASG name, and is not refused for the tags it was found by', () => {
    expect(discoveredGroupConfig({ cluster: 'prod', tags: { a: '' }, scaleDownUnneededSeconds: 300 }, 'asg-1')).toEqual({
      cluster: 'prod',
      autoScalingGroupName: 'asg-1',
      scaleDownUnneededSeconds: 300,
      allowClusterAutoscalerTags: true,
    });
  });

  it.each([
    [{ cluster: '' }, /nodeGroupDiscovery\[0\]\.cluster: empty/],
    [{ cluster: 'prod', tags: ['a'] }, /nodeGroupDiscovery\[0\]\.tags: must be an object/],
    [{ cluster: 'prod', tags: { '': 'x' } }, /is not an AWS tag key/],
    [{ cluster: 'prod', tags: { a: 3 } }, /tags\["a"\]: must be a string/],
  ])('a bad entry %j is named with its field', (entry, problem) => {
    expect(discoveryEntryProblem(entry as never, 0)).toMatch(problem);
  });
});
