import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLUSTER, MINUTE, NodeScalerWorld, T0, TEMPLATE_TAG } from './node-scaler-world';

let world: NodeScalerWorld;
beforeEach(async () => {
  world = await NodeScalerWorld.start();
});
afterEach(async () => {
  await world.close();
});

/** One full 2-CPU node in group `workers`, so its shape is known. */
function fullGroup(model: Parameters<NodeScalerWorld['addGroup']>[0] = { name: 'workers' }, config = {}) {
  world.addGroup(model, config);
  world.addNode(model.name, { name: 'n1', cpu: '2', memory: '8Gi', pods: '17' });
  world.addPod({ name: 'busy-1', node: 'n1', cpu: '1900m', memory: '1Gi' });
}

describe('node scaler: scale up', () => {
  it('sizes the group to unschedulable pods, records the request and its reason, and never asks twice', async () => {
    fullGroup();
    world.addPendingPods('web', 3, { cpu: '1', memory: '512Mi' });

    const first = await world.tickAt(0);
    expect(world.setDesiredCalls()).toEqual([{ AutoScalingGroupName: 'workers', DesiredCapacity: 3, HonorCooldown: false }]);
    expect(first.groups[0]?.scaleUp).toMatchObject({ fromDesired: 1, toDesired: 3 });
    expect(first.groups[0]?.scaleUp?.reason).toMatch(/2 node\(s\) for 3 pod\(s\).*apps\/web-1.*node shape from node n1/);
    const stored = await world.storedState('workers');
    expect(stored.state.lastScaleUp).toMatchObject({ at: T0, fromDesired: 1, toDesired: 3 });
    expect(stored.state.lastRequest).toMatchObject({ action: 'scale-up' });
    expect(world.metrics).toContainEqual({ nodeGroup: `${CLUSTER}/workers`, values: expect.objectContaining({ NodesRequested: 2, DesiredCapacity: 3, UnschedulablePods: 3 }) });
    expect(world.logs).toContainEqual(expect.objectContaining({ message: 'scale-up requested' }));

    // Next minute: the pods are still pending, the two instances are still booting.
    const second = await world.tickAt(1);
    expect(world.setDesiredCalls()).toHaveLength(1);
    expect(second.groups[0]).toMatchObject({ upcomingNodes: 2 });
    expect(second.groups[0]?.scaleUp).toBeUndefined();
  });

  it('max pods binds before CPU (EKS limit of the node, not 110)', async () => {
    fullGroup();
    // 40 pods of 10m: n1's last 100m takes 10; the other 30 need 0.3 CPU (one node by CPU, or by
    // Kubernetes' default of 110 pods) but a 2-CPU node of this group takes only 17 pods: 2 nodes.
    world.addPendingPods('tiny', 40, { cpu: '10m', memory: '16Mi' });
    const summary = await world.tickAt(0);
    expect(summary.groups[0]?.scaleUp).toMatchObject({ fromDesired: 1, toDesired: 3 });
    expect(summary.groups[0]?.scaleUp?.reason).toMatch(/pods fills up first/);
  });

  it('a group at zero takes its shape from the template tags and the instance type; DaemonSets take slots', async () => {
    world.addGroup({ name: 'batch', tags: { [`${TEMPLATE_TAG}label/pool`]: 'batch', [`${TEMPLATE_TAG}label/node.kubernetes.io/instance-type`]: 't3.medium' } });
    world.put('DaemonSet', {
      metadata: { name: 'aws-node', namespace: 'kube-system' },
      spec: { selector: { matchLabels: { app: 'aws-node' } }, template: { metadata: { labels: { app: 'aws-node' } }, spec: { containers: [{ name: 'c', image: 'x', resources: { requests: { cpu: '25m' } } }] } } },
    });
    // 33 pods: two t3.medium nodes hold 34 pods, but with aws-node on each only 32.
    world.addPendingPods('job', 33, { cpu: '10m', memory: '16Mi', nodeSelector: { pool: 'batch' } });
    const summary = await world.tickAt(0);
    expect(world.setDesiredCalls()).toEqual([{ AutoScalingGroupName: 'batch', DesiredCapacity: 3, HonorCooldown: false }]);
    expect(summary.groups[0]?.scaleUp?.reason).toMatch(/ASG tags and instance type t3.medium/);
  });

  it('a group at zero without usable tags is reported, with the tags to add', async () => {
    world.addGroup({ name: 'bare' });
    world.addPendingPods('web', 1);
    const summary = await world.tickAt(0);
    expect(world.setDesiredCalls()).toEqual([]);
    expect(summary.groups[0]?.findings.join()).toMatch(/resources\/cpu/);
    expect(summary.unhelpedPods[0]?.reason).toMatch(/no node shape/);
  });

  it('never sets desired capacity above the group max', async () => {
    fullGroup({ name: 'workers', maxSize: 2 });
    world.addPendingPods('web', 5, { cpu: '1' });
    const summary = await world.tickAt(0);
    expect(world.setDesiredCalls()).toEqual([{ AutoScalingGroupName: 'workers', DesiredCapacity: 2, HonorCooldown: false }]);
    expect(summary.unhelpedPods.map((pod) => pod.reason)).toContainEqual(expect.stringMatching(/at its max size 2/));
  });

  it('respects node selectors and taints: a pod for another pool does not grow this group', async () => {
    fullGroup();
    world.addPendingPods('gpu', 2, { cpu: '1', nodeSelector: { pool: 'gpu' } });
    const summary = await world.tickAt(0);
    expect(world.setDesiredCalls()).toEqual([]);
    expect(summary.unhelpedPods[0]?.reason).toMatch(/nodeSelector pool=gpu does not match/);
  });

  it('a failed launch backs the group off, is reported, and no more capacity is asked meanwhile', async () => {
    fullGroup();
    world.addPendingPods('web', 2, { cpu: '1' });
    await world.tickAt(0);
    expect(world.setDesiredCalls()).toHaveLength(1);
    const group = world.groups.get('workers')!;
    group.instances = group.instances.filter((instance) => instance.lifecycleState !== 'Pending');
    group.activities = [
      {
        ActivityId: 'act-1',
        AutoScalingGroupName: 'workers',
        Cause: 'scale-up',
        StartTime: new Date(T0 + 30_000),
        StatusCode: 'Failed',
        StatusMessage: 'We currently do not have sufficient m5.large capacity (InsufficientInstanceCapacity)',
        Description: 'Launching a new EC2 instance.  Status Reason: InsufficientInstanceCapacity',
      },
    ];
    const summary = await world.tickAt(1);
    expect(world.setDesiredCalls()).toHaveLength(1);
    expect(summary.groups[0]?.findings[0]).toMatch(/launch failed: .*InsufficientInstanceCapacity/);
    expect(summary.groups[0]?.backedOffUntil).toBe(T0 + MINUTE + 5 * MINUTE);
    expect(summary.unhelpedPods[0]?.reason).toMatch(/backed off/);
    expect(world.metrics.at(-1)?.values.ScaleUpFailures).toBe(1);
    expect((await world.storedState('workers')).state.backoff).toMatchObject({ level: 0, until: T0 + 6 * MINUTE });

    // After the backoff, the desired capacity the ASG keeps retrying counts as upcoming again.
    const after = await world.tickAt(7);
    expect(after.groups[0]).toMatchObject({ upcomingNodes: 1, backedOffUntil: undefined });
    expect(world.setDesiredCalls()).toHaveLength(1);
  });

  it('instances that never become Ready within 15 minutes back the group off', async () => {
    fullGroup();
    world.addPendingPods('web', 1, { cpu: '1' });
    await world.tickAt(0);
    const summary = await world.tickAt(16);
    expect(summary.groups[0]?.findings[0]).toMatch(/not Ready within 900s/);
    expect(world.setDesiredCalls()).toHaveLength(1);
  });

  it.each([
    [{}, 'refused'],
    [{ allowClusterAutoscalerTags: true }, 'managed'],
  ])('a group with Cluster Autoscaler auto-discovery tags, config %j, is %s', async (config, outcome) => {
    fullGroup({ name: 'workers', tags: { 'k8s.io/cluster-autoscaler/enabled': 'true', [`k8s.io/cluster-autoscaler/${CLUSTER}`]: 'owned' } }, config);
    world.addPendingPods('web', 1, { cpu: '1' });
    const summary = await world.tickAt(0);
    if (outcome === 'refused') {
      expect(summary.groups[0]?.error).toMatch(/refusing to manage ASG workers: it carries Cluster Autoscaler's auto-discovery tag\(s\) k8s.io\/cluster-autoscaler\/enabled.*allowClusterAutoscalerTags: true/);
      expect(world.setDesiredCalls()).toEqual([]);
    } else {
      expect(summary.groups[0]?.error).toBeUndefined();
      expect(world.setDesiredCalls()).toHaveLength(1);
    }
  });

  it('an EKS managed node group (tagged by EKS itself) is refused with the reason and the fix', async () => {
    const tags = { 'k8s.io/cluster-autoscaler/enabled': 'true', [`k8s.io/cluster-autoscaler/${CLUSTER}`]: 'owned', 'eks:nodegroup-name': 'general' };
    fullGroup({ name: 'workers', tags });
    world.addPendingPods('web', 1, { cpu: '1' });
    const summary = await world.tickAt(0);
    expect(summary.groups[0]?.error).toMatch(/EKS adds them to every managed node group's ASG, here node group general/);
    expect(summary.groups[0]?.error).toMatch(/allowClusterAutoscalerTags: true/);
    expect(world.setDesiredCalls()).toEqual([]);
  });

  it('two overlapping invocations never apply the same scale-up twice', async () => {
    fullGroup();
    world.addPendingPods('web', 3, { cpu: '1' });
    const [a, b] = await Promise.all([world.invoke(), world.invoke()]);
    expect(world.setDesiredCalls()).toHaveLength(1);
    const findings = [...a.groups[0]!.findings, ...b.groups[0]!.findings];
    expect(findings).toContainEqual(expect.stringMatching(/written by another invocation/));
  });

  it('one broken group does not stop the others', async () => {
    fullGroup();
    world.nodeGroups.push({ cluster: CLUSTER, autoScalingGroupName: 'missing' });
    world.addPendingPods('web', 1, { cpu: '1' });
    const summary = await world.tickAt(0);
    expect(summary.groups.find((group) => group.autoScalingGroupName === 'missing')?.error).toMatch(/Auto Scaling group missing not found/);
    expect(world.setDesiredCalls()).toHaveLength(1);
  });
});
