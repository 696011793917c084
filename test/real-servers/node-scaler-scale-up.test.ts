/**
 * Scale-up on real servers (moved from test/node-scaler/scale-up.test.ts): the real handler, a real
 * kube-apiserver (HTTPS, RBAC, EKS tokens) holding the unschedulable pods, and moto Auto Scaling.
 * What stays on the ASG model in test/node-scaler/scale-up.test.ts: the failed launch (moto's
 * DescribeScalingActivities is always empty). Adapted here: moto's new instances are InService at
 * once with no Node, where the model kept them Pending; the scaler counts them as upcoming the same way.
 */
import { describe, expect, it } from 'vitest';
import { AppsV1Api } from '@kubernetes/client-node';
import { TEMPLATE_TAG, T0 } from '../node-scaler/node-scaler-world';
import type { RealGroupSpec } from '../node-scaler/real-node-scaler-world';
import { REAL_CLUSTER, REAL_NODE_WORLD_SKIP, RealNodeScalerWorld, useRealNodeScalerWorld } from '../node-scaler/real-node-scaler-world';

describe.skipIf(REAL_NODE_WORLD_SKIP)('node scaler: scale up, on a real kube-apiserver and moto', () => {
  let world: RealNodeScalerWorld;
  useRealNodeScalerWorld((started) => (world = started));

  /** One full 2-CPU, 17-pod node `<group>-n1` in the group, so its shape is known; pods go in `<group>-apps`. */
  async function fullGroup(spec: Omit<RealGroupSpec, 'nodes'>) {
    const node = `${spec.name}-n1`;
    const namespace = `${spec.name}-apps`;
    await world.group({ ...spec, nodes: [{ name: node, cpu: '2', pods: '17' }] });
    await world.pods(namespace, [{ name: 'busy-1', node, cpu: '1900m', memory: '1Gi' }]);
    return { node, namespace };
  }

  it('sizes the group to unschedulable pods, records the request and its reason, and never asks twice', async () => {
    const { node, namespace } = await fullGroup({ name: 'sized' });
    await world.pendingPods(namespace, 'web', 3, { cpu: '1', memory: '512Mi' });

    const first = await world.tickAt(['sized'], 0);
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([{ AutoScalingGroupName: 'sized', DesiredCapacity: '3', HonorCooldown: 'false' }]);
    expect(first.groups[0]?.scaleUp).toMatchObject({ fromDesired: 1, toDesired: 3 });
    expect(first.groups[0]?.scaleUp?.reason).toMatch(new RegExp(`2 node\\(s\\) for 3 pod\\(s\\).*${namespace}/web-1.*node shape from node ${node}`));
    const stored = await world.storedState('sized');
    expect(stored.state.lastScaleUp).toMatchObject({ at: T0, fromDesired: 1, toDesired: 3 });
    expect(stored.state.lastRequest).toMatchObject({ action: 'scale-up' });
    expect(world.metrics).toContainEqual({ nodeGroup: `${REAL_CLUSTER}/sized`, values: expect.objectContaining({ NodesRequested: 2, DesiredCapacity: 3, UnschedulablePods: 3 }) });
    expect(world.logs).toContainEqual(expect.objectContaining({ message: 'scale-up requested' }));
    expect((await world.describeGroup('sized')).DesiredCapacity).toBe(3);

    // Next minute: the pods are still pending; moto's two instances have no Node yet.
    const second = await world.tickAt(['sized'], 1);
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toHaveLength(1);
    expect(second.groups[0]).toMatchObject({ upcomingNodes: 2 });
    expect(second.groups[0]?.scaleUp).toBeUndefined();
  });

  it('max pods binds before CPU (EKS limit of the node, not 110)', async () => {
    const { namespace } = await fullGroup({ name: 'maxpods' });
    // 40 pods of 10m: n1's last 100m takes 10; the other 30 need 0.3 CPU (one node by CPU, or by
    // Kubernetes' default of 110 pods) but a 2-CPU node of this group takes only 17 pods: 2 nodes.
    await world.pendingPods(namespace, 'tiny', 40, { cpu: '10m', memory: '16Mi' });
    const summary = await world.tickAt(['maxpods'], 0);
    expect(summary.groups[0]?.scaleUp).toMatchObject({ fromDesired: 1, toDesired: 3 });
    expect(summary.groups[0]?.scaleUp?.reason).toMatch(/pods fills up first/);
  });

  it('a group at zero takes its shape from the template tags and the instance type; DaemonSets take slots', async () => {
    await world.group({ name: 'batch', instanceType: 't3.medium', tags: { [`${TEMPLATE_TAG}label/pool`]: 'batch', [`${TEMPLATE_TAG}label/node.kubernetes.io/instance-type`]: 't3.medium' } });
    const [daemonSet] = await world.kube.apply(`
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: aws-node, namespace: kube-system}
spec:
  selector: {matchLabels: {app: aws-node}}
  template:
    metadata: {labels: {app: aws-node}}
    spec: {containers: [{name: c, image: "x:1", resources: {requests: {cpu: 25m}}}]}
`);
    try {
      // 33 pods: two t3.medium nodes hold 34 pods, but with aws-node on each only 32.
      await world.pendingPods('batch-apps', 'job', 33, { cpu: '10m', memory: '16Mi', nodeSelector: { pool: 'batch' } });
      const summary = await world.tickAt(['batch'], 0);
      expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([{ AutoScalingGroupName: 'batch', DesiredCapacity: '3', HonorCooldown: 'false' }]);
      expect(summary.groups[0]?.scaleUp?.reason).toMatch(/ASG tags and instance type t3.medium/);
    } finally {
      // Cluster-wide: it would take slots on every other test's nodes.
      await world.kube.adminKubeConfig().makeApiClient(AppsV1Api).deleteNamespacedDaemonSet({ name: daemonSet!.metadata!.name!, namespace: 'kube-system' });
    }
  });

  it('a group at zero without usable tags is reported, with the tags to add', async () => {
    await world.group({ name: 'bare' });
    await world.pendingPods('bare-apps', 'web', 1, { cpu: '100m' });
    const summary = await world.tickAt(['bare'], 0);
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([]);
    expect(summary.groups[0]?.findings.join()).toMatch(/resources\/cpu/);
    expect(summary.unhelpedPods[0]?.reason).toMatch(/no node shape/);
  });

  it('never sets desired capacity above the group max', async () => {
    const { namespace } = await fullGroup({ name: 'capped', maxSize: 2 });
    await world.pendingPods(namespace, 'web', 5, { cpu: '1' });
    const summary = await world.tickAt(['capped'], 0);
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([{ AutoScalingGroupName: 'capped', DesiredCapacity: '2', HonorCooldown: 'false' }]);
    expect(summary.unhelpedPods.map((pod) => pod.reason)).toContainEqual(expect.stringMatching(/at its max size 2/));
  });

  it('respects node selectors and taints: a pod for another pool does not grow this group', async () => {
    const { namespace } = await fullGroup({ name: 'general' });
    await world.pendingPods(namespace, 'gpu', 2, { cpu: '1', nodeSelector: { pool: 'gpu' } });
    const summary = await world.tickAt(['general'], 0);
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([]);
    expect(summary.unhelpedPods[0]?.reason).toMatch(/nodeSelector pool=gpu does not match/);
  });

  it.each([
    [{}, 'refused'],
    [{ allowClusterAutoscalerTags: true }, 'managed'],
  ])('a group with Cluster Autoscaler auto-discovery tags, config %j, is %s', async (config, outcome) => {
    const name = `ca-tagged-${outcome}`;
    const { namespace } = await fullGroup({ name, tags: { 'k8s.io/cluster-autoscaler/enabled': 'true', [`k8s.io/cluster-autoscaler/${REAL_CLUSTER}`]: 'owned' } });
    await world.pendingPods(namespace, 'web', 1, { cpu: '1' });
    const summary = await world.tickAt([{ cluster: REAL_CLUSTER, autoScalingGroupName: name, ...config }], 0);
    if (outcome === 'refused') {
      expect(summary.groups[0]?.error).toMatch(new RegExp(`refusing to manage ASG ${name}: it carries Cluster Autoscaler's auto-discovery tag\\(s\\) k8s.io/cluster-autoscaler/enabled.*allowClusterAutoscalerTags: true`));
      expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([]);
    } else {
      expect(summary.groups[0]?.error).toBeUndefined();
      expect(await world.autoScalingCalls('SetDesiredCapacity')).toHaveLength(1);
    }
  });

  it('an EKS managed node group (tagged by EKS itself) is managed without allowClusterAutoscalerTags (issue 18)', async () => {
    const tags = { 'k8s.io/cluster-autoscaler/enabled': 'true', [`k8s.io/cluster-autoscaler/${REAL_CLUSTER}`]: 'owned', 'eks:nodegroup-name': 'general' };
    const { namespace } = await fullGroup({ name: 'eks-managed', tags });
    await world.pendingPods(namespace, 'web', 1, { cpu: '1' });
    const summary = await world.tickAt(['eks-managed'], 0);
    expect(summary.groups[0]?.error).toBeUndefined();
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toHaveLength(1);
  });

  it('instances that never become Ready within 15 minutes back the group off (moto\'s instance never joins as a Node)', async () => {
    const { namespace } = await fullGroup({ name: 'never-ready' });
    await world.pendingPods(namespace, 'web', 1, { cpu: '1' });
    await world.tickAt(['never-ready'], 0);
    const summary = await world.tickAt(['never-ready'], 16);
    expect(summary.groups[0]?.findings[0]).toMatch(/not Ready within 900s/);
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toHaveLength(1);
  });

  it('two overlapping invocations never apply the same scale-up twice', async () => {
    const { namespace } = await fullGroup({ name: 'overlap' });
    await world.pendingPods(namespace, 'web', 3, { cpu: '1' });
    const [a, b] = await Promise.all([world.tickAt(['overlap'], 0), world.tickAt(['overlap'], 0)]);
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toHaveLength(1);
    const findings = [...a.groups[0]!.findings, ...b.groups[0]!.findings];
    expect(findings).toContainEqual(expect.stringMatching(/written by another invocation/));
  });

  it('one broken group (not in Auto Scaling) does not stop the others', async () => {
    const { namespace } = await fullGroup({ name: 'healthy' });
    await world.pendingPods(namespace, 'web', 1, { cpu: '1' });
    const summary = await world.tickAt(['healthy', 'missing'], 0);
    expect(summary.groups.find((group) => group.autoScalingGroupName === 'missing')?.error).toMatch(/Auto Scaling group missing not found/);
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toHaveLength(1);
  });
});
