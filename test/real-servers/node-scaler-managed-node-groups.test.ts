/**
 * Issue 18 items 2 and 3 through the real node scaler handler: a real kube-apiserver (HTTPS, RBAC,
 * EKS tokens) holds the pending pods; moto answers Auto Scaling, EKS DescribeNodegroup and EC2
 * DescribeInstanceTypes (the last through our signed Query adapter). Nothing is hand-written on the
 * ASG: its tags are the ones EKS sets on a managed node group's ASG.
 */
import { describe, expect, it } from 'vitest';
import { CreateClusterCommand, CreateNodegroupCommand } from '@aws-sdk/client-eks';
import { UpdateAutoScalingGroupCommand } from '@aws-sdk/client-auto-scaling';
import { REAL_CLUSTER, REAL_NODE_WORLD_SKIP, RealNodeScalerWorld, useRealNodeScalerWorld } from '../node-scaler/real-node-scaler-world';

/** The tags EKS puts on the ASG of every managed node group (and nothing else). */
const eksTags = (nodegroup: string) => ({
  'eks:cluster-name': REAL_CLUSTER,
  'eks:nodegroup-name': nodegroup,
  'k8s.io/cluster-autoscaler/enabled': 'true',
  [`k8s.io/cluster-autoscaler/${REAL_CLUSTER}`]: 'owned',
  [`kubernetes.io/cluster/${REAL_CLUSTER}`]: 'owned',
});

describe.skipIf(REAL_NODE_WORLD_SKIP)('node scaler: managed node groups and auto-discovery, on a real kube-apiserver and moto', () => {
  let world: RealNodeScalerWorld;
  useRealNodeScalerWorld((started) => (world = started));

  async function managedNodeGroup(name: string) {
    await world.scalerEks.send(new CreateClusterCommand({ name: REAL_CLUSTER, roleArn: 'arn:aws:iam::123456789012:role/eks', resourcesVpcConfig: { subnetIds: ['subnet-1'] } })).catch(() => undefined);
    await world.scalerEks.send(
      new CreateNodegroupCommand({
        clusterName: REAL_CLUSTER,
        nodegroupName: name,
        nodeRole: 'arn:aws:iam::123456789012:role/node',
        subnets: ['subnet-1'],
        instanceTypes: ['m5.xlarge', 'm5.large'],
        labels: { workload: 'batch' },
        taints: [{ key: 'dedicated', value: 'batch', effect: 'NO_SCHEDULE' }],
      }),
    );
    await world.group({ name: `eks-${name}`, minSize: 0, maxSize: 10, tags: eksTags(name) });
  }

  it('A managed node group scales from zero with no hand-written tags', async () => {
    await managedNodeGroup('batch');
    const toleration = { key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' };
    // 1500m each: one per m5.large (1930m allocatable), two per m5.xlarge (3920m). The smallest type is planned.
    await world.pendingPods('batch-jobs', 'job', 3, { cpu: '1500m', memory: '1Gi', nodeSelector: { workload: 'batch' }, tolerations: [toleration] });
    // Without the toleration the node group's taint keeps the pod off: no node for it.
    await world.pendingPods('other-jobs', 'stray', 1, { cpu: '100m', nodeSelector: { workload: 'batch' } });

    const summary = await world.tickAt(['eks-batch'], 0, undefined, { nodeGroupFacts: true });

    expect(summary.groups[0]?.error).toBeUndefined();
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([{ AutoScalingGroupName: 'eks-batch', DesiredCapacity: '3', HonorCooldown: 'false' }]);
    expect(summary.groups[0]?.scaleUp?.reason).toMatch(/managed node group batch and instance type m5.large \(DescribeInstanceTypes\)/);
    expect(summary.unhelpedPods).toEqual([expect.objectContaining({ id: 'other-jobs/stray-1', reason: expect.stringMatching(/dedicated/) })]);
    const requests = await world.moto.recordedRequests();
    expect(requests.filter((request) => request.path === `/clusters/${REAL_CLUSTER}/node-groups/batch`)).toHaveLength(1);
    expect(requests.filter((request) => request.operation === 'DescribeInstanceTypes')).not.toHaveLength(0);
  });

  it('without the EKS and EC2 reads the same group says which tags to add, and nothing moves', async () => {
    await managedNodeGroup('plain');
    await world.pendingPods('plain-jobs', 'job', 1, { cpu: '100m' });
    const summary = await world.tickAt(['eks-plain'], 0);
    expect(summary.groups[0]?.error).toBeUndefined();
    expect(summary.groups[0]?.findings).toContainEqual(expect.stringMatching(/cannot scale up from zero: .*add the ASG tags/));
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([]);
  });

  it("auto-discovery: a group found by Cluster Autoscaler's tags is sized, with min and max re-read every tick", async () => {
    await managedNodeGroup('found');
    await world.autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'eks-found', MaxSize: 1 }));
    // The other tests' groups carry the same tags and are found too: the pods pick this one by the label EKS puts on its nodes.
    await world.pendingPods('found-jobs', 'job', 3, { cpu: '1500m', nodeSelector: { 'eks.amazonaws.com/nodegroup': 'found' }, tolerations: [{ key: 'dedicated', operator: 'Exists' }] });
    const discovery = { nodeGroupDiscovery: [{ cluster: REAL_CLUSTER }], nodeGroupFacts: true };

    const first = await world.tickAt([], 0, undefined, discovery);
    expect(first.groups.map((group) => [group.autoScalingGroupName, group.error])).toContainEqual(['eks-found', undefined]);
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([{ AutoScalingGroupName: 'eks-found', DesiredCapacity: '1', HonorCooldown: 'false' }]);
    const filtered = await world.moto.recordedQueryParams('DescribeAutoScalingGroups');
    expect(filtered.some((params) => params['Filters.member.1.Name'] === 'tag-key')).toBe(true);

    await world.autoScaling.send(new UpdateAutoScalingGroupCommand({ AutoScalingGroupName: 'eks-found', MaxSize: 5 }));
    await world.tickAt([], 1, undefined, discovery);
    expect((await world.autoScalingCalls('SetDesiredCapacity')).map((call) => call.DesiredCapacity)).toEqual(['1', '3']);
  });

  it('a failed discovery call (Auto Scaling answers 5xx at the wire) is reported for its entry; the named groups still scale', async () => {
    await managedNodeGroup('named');
    await world.pendingPods('named-jobs', 'job', 1, { cpu: '1500m', nodeSelector: { 'eks.amazonaws.com/nodegroup': 'named' }, tolerations: [{ key: 'dedicated', operator: 'Exists' }] });
    world.autoScalingProxy.inject({ match: (request) => request.operation === 'DescribeAutoScalingGroups' && request.body.includes('Filters.member'), fault: '5xx' });

    const summary = await world.tickAt(['eks-named'], 0, undefined, { nodeGroupDiscovery: [{ cluster: REAL_CLUSTER }], nodeGroupFacts: true });

    expect(summary.discoveryProblems).toEqual([{ entry: expect.stringMatching(/^nodeGroupDiscovery\[0\] \(cluster real-cluster, tags k8s.io\/cluster-autoscaler\/enabled/), message: expect.stringMatching(/DescribeAutoScalingGroups/) }]);
    expect(world.logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'node group discovery failed' }));
    expect(summary.groups.map((group) => group.autoScalingGroupName)).toEqual(['eks-named']);
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([{ AutoScalingGroupName: 'eks-named', DesiredCapacity: '1', HonorCooldown: 'false' }]);
  });
});
