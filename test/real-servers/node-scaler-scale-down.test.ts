/**
 * Scale-down on real servers (moved from test/node-scaler/scale-down.test.ts): the real handler, a
 * real kube-apiserver (HTTPS, RBAC, EKS tokens; the server enforces PodDisruptionBudgets on
 * eviction) and moto Auto Scaling. See real-node-scaler-world.ts for what the tests write in place
 * of the absent controllers. Differences from the hand-written server, adapted here: an evicted pod
 * bound to a node stays terminating (no kubelet), so "evicted" means gone or terminating; there is
 * no request log, so cordon and evictions are checked on the objects the server stores.
 */
import { describe, expect, it } from 'vitest';
import { CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { TO_BE_DELETED_TAINT } from '../../lambdas/engine/nodes/node-template';
import type { NodeGroupConfig } from '../../lambdas/config/scaler-config';
import { MINUTE, T0 } from '../node-scaler/node-scaler-world';
import type { RealPodPlan } from '../node-scaler/real-node-scaler-world';
import { REAL_CLUSTER, REAL_NODE_WORLD_SKIP, RealNodeScalerWorld, useRealNodeScalerWorld } from '../node-scaler/real-node-scaler-world';

describe.skipIf(REAL_NODE_WORLD_SKIP)('node scaler: scale down, on a real kube-apiserver and moto', () => {
  let world: RealNodeScalerWorld;
  useRealNodeScalerWorld((started) => (world = started));

  let sequence = 0;
  /**
   * Group `down-<n>`: n1 holds one small pod (underutilized); n2 is busy at 60% with room for n1's
   * pod. Pods live in `<group>-apps` unless `n1Namespace` says otherwise.
   */
  async function twoNodes(options: { minSize?: number; n1Pods?: Array<Omit<RealPodPlan, 'node'>>; n1Namespace?: string; config?: Partial<NodeGroupConfig>; n2Cpu?: string } = {}) {
    sequence += 1;
    const group = `down-${sequence}`;
    const [n1, n2] = [`${group}-n1`, `${group}-n2`];
    const namespace = `${group}-apps`;
    const instanceOf = await world.group({ name: group, minSize: options.minSize ?? 0, nodes: [n1, n2] });
    const n1Pods = options.n1Pods ?? [{ name: 'small-1', cpu: '200m', memory: '256Mi' }];
    await world.pods(options.n1Namespace ?? namespace, n1Pods.map((pod) => ({ ...pod, node: n1 })));
    await world.pods(namespace, [{ name: 'big-1', node: n2, cpu: options.n2Cpu ?? '1200m', memory: '1Gi' }]);
    const config: NodeGroupConfig = { cluster: REAL_CLUSTER, autoScalingGroupName: group, ...options.config };
    return { group, n1, n2, namespace, instanceOf, tickAt: (minutes: number) => world.tickAt([config], minutes) };
  }

  it('removes an unneeded node after 10 minutes: cordon + taint, evict, terminate with decrement', async () => {
    const { group, n1, namespace, instanceOf, tickAt } = await twoNodes();
    const first = await tickAt(0);
    expect(first.groups[0]?.unneeded).toEqual([expect.objectContaining({ node: n1, since: T0 })]);
    // Each tick is a cold start: "unneeded since" lives in DynamoDB.
    expect((await world.storedState(group)).state.unneededSince).toEqual({ [n1]: T0 });
    await tickAt(5);
    expect(await world.autoScalingCalls('TerminateInstanceInAutoScalingGroup')).toEqual([]);

    const removal = await tickAt(10);
    expect(removal.groups[0]?.drain).toMatchObject({ node: n1, instanceId: instanceOf.get(n1), outcome: 'terminated' });
    expect(await world.podEvicted(namespace, 'small-1')).toBe(true);
    expect(await world.autoScalingCalls('TerminateInstanceInAutoScalingGroup')).toEqual([{ InstanceId: instanceOf.get(n1), ShouldDecrementDesiredCapacity: 'true' }]);
    // Never by lowering desired capacity.
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([]);
    const node = await world.node(n1);
    expect(node?.spec.unschedulable).toBe(true);
    expect(node?.spec.taints).toContainEqual(expect.objectContaining({ key: TO_BE_DELETED_TAINT, effect: 'NoSchedule' }));
    const stored = await world.storedState(group);
    expect(stored.state.drain).toBeUndefined();
    expect(stored.state).toMatchObject({ lastScaleDownAt: T0 + 10 * MINUTE, lastRequest: { action: 'terminate' } });
    expect(world.metrics.at(-1)?.values).toMatchObject({ NodesRemoved: 1, DesiredCapacity: 1 });
    expect((await world.describeGroup(group)).DesiredCapacity).toBe(1);
  });

  it.each<[string, Parameters<typeof twoNodes>[0], RegExp]>([
    ['busy above the 0.5 threshold', { n1Pods: [{ name: 'mid-1', cpu: '1100m' }] }, /NotUnderutilized/],
    ['a safe-to-evict "false" pod', { n1Pods: [{ name: 'keep-1', cpu: '100m', annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' } }] }, /NotSafeToEvictAnnotation/],
    ['a bare pod', { n1Pods: [{ name: 'bare-1', cpu: '100m', owned: false }] }, /NotReplicated/],
    ['a kube-system pod without a PDB', { n1Pods: [{ name: 'coredns-1', cpu: '100m' }], n1Namespace: 'kube-system' }, /UnmovableKubeSystemPod/],
    ['an emptyDir on local disk', { n1Pods: [{ name: 'cache-1', cpu: '100m', volumes: [{ name: 'scratch', emptyDir: {} }] }] }, /LocalStorageRequested/],
    ['no room elsewhere for its pods', { n1Pods: [{ name: 'mid-1', cpu: '900m' }], n2Cpu: '1900m' }, /NoPlaceToMovePods/],
    ['the group at its min size', { minSize: 2 }, /at its min size 2/],
    ['scale-down disabled', { config: { scaleDownEnabled: false } }, /disabled/],
  ])('keeps the node with %s', async (_name, options, reason) => {
    const { n1, tickAt } = await twoNodes(options);
    await tickAt(0);
    const later = await tickAt(11);
    expect(await world.autoScalingCalls('TerminateInstanceInAutoScalingGroup')).toEqual([]);
    expect((await world.node(n1))?.spec.unschedulable).toBeFalsy();
    const group = later.groups[0]!;
    expect([group.scaleDownBlockedBy, ...group.unremovable.map((entry) => `${entry.reason}: ${entry.message}`)].join(' | ')).toMatch(reason);
  });

  it('local storage is allowed when the knob says so', async () => {
    const { tickAt } = await twoNodes({ n1Pods: [{ name: 'cache-1', cpu: '100m', volumes: [{ name: 'scratch', emptyDir: {} }] }], config: { skipNodesWithLocalStorage: false } });
    await tickAt(0);
    await tickAt(10);
    expect(await world.autoScalingCalls('TerminateInstanceInAutoScalingGroup')).toHaveLength(1);
  });

  /** A budget over the `app: web` pods with the status the disruption controller would write (observed, so the server enforces it). */
  async function budget(namespace: string, disruptionsAllowed: number): Promise<void> {
    const [pdb] = await world.kube.apply([
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace }, spec: { minAvailable: 1 - disruptionsAllowed, selector: { matchLabels: { app: 'web' } } } } as KubernetesObject,
    ]);
    await world.kube.writeStatus(pdb!, { observedGeneration: pdb!.metadata?.generation ?? 1, currentHealthy: 1, desiredHealthy: 1 - disruptionsAllowed, expectedPods: 1, disruptionsAllowed });
  }

  it('a PDB that allows the disruption lets the node go; one that does not keeps it', async () => {
    const { n1, namespace, tickAt } = await twoNodes({ n1Pods: [{ name: 'web-1', cpu: '100m', labels: { app: 'web' } }] });
    await budget(namespace, 0);
    await tickAt(0);
    const blocked = await tickAt(11);
    expect(blocked.groups[0]?.unremovable).toContainEqual(expect.objectContaining({ node: n1, reason: 'NotEnoughPdb' }));
    await budget(namespace, 1);
    await tickAt(12);
    await tickAt(22);
    expect(await world.autoScalingCalls('TerminateInstanceInAutoScalingGroup')).toHaveLength(1);
    expect(await world.podEvicted(namespace, 'web-1')).toBe(true);
  });

  it('waits the delay after a scale-up before removing anything', async () => {
    const { n1, namespace, tickAt } = await twoNodes();
    await tickAt(0);
    await world.pods(namespace, [{ name: 'web-1', cpu: '1900m' }]);
    const up = await tickAt(5);
    expect(up.groups[0]?.scaleUp).toBeDefined();
    // The pod went elsewhere; moto's new instance has no Node yet.
    await world.kube.adminKubeConfig().makeApiClient(CoreV1Api).deleteNamespacedPod({ name: 'web-1', namespace, gracePeriodSeconds: 0 });
    const during = await tickAt(11);
    expect(during.groups[0]?.unneeded).toContainEqual(expect.objectContaining({ node: n1, since: T0 }));
    expect(during.groups[0]?.scaleDownBlockedBy).toMatch(/scaleDownDelayAfterAddSeconds/);
    expect(await world.autoScalingCalls('TerminateInstanceInAutoScalingGroup')).toEqual([]);
    await tickAt(15);
    expect(await world.autoScalingCalls('TerminateInstanceInAutoScalingGroup')).toHaveLength(1);
  });

  it('a drain blocked by a PDB (the server\'s 429) waits across ticks, then gives up: uncordon, untaint, back off', async () => {
    // safe-to-evict "true" passes the simulation, but the real eviction still meets the PDB.
    const { group, n1, namespace, tickAt } = await twoNodes({ n1Pods: [{ name: 'web-1', cpu: '100m', labels: { app: 'web' }, annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' } }] });
    await budget(namespace, 0);
    await tickAt(0);

    const started = await tickAt(10);
    expect(started.groups[0]?.drain).toMatchObject({ node: n1, outcome: 'waiting' });
    expect(started.groups[0]?.drain?.detail).toContain(`${namespace}/web-1 (Cannot evict pod as it would violate the pod's disruption budget`);
    expect(await world.podEvicted(namespace, 'web-1')).toBe(false);
    expect((await world.node(n1))?.spec.unschedulable).toBe(true);
    expect((await world.node(n1))?.spec.taints).toContainEqual(expect.objectContaining({ key: TO_BE_DELETED_TAINT }));
    expect((await world.storedState(group)).state.drain).toMatchObject({ node: n1, startedAt: T0 + 10 * MINUTE });

    const waiting = await tickAt(11);
    expect(waiting.groups[0]?.drain?.outcome).toBe('waiting');

    const givenUp = await tickAt(13);
    expect(givenUp.groups[0]?.drain).toMatchObject({ node: n1, outcome: 'failed' });
    expect(await world.autoScalingCalls('TerminateInstanceInAutoScalingGroup')).toEqual([]);
    expect((await world.node(n1))?.spec.unschedulable).toBeFalsy();
    expect((await world.node(n1))?.spec.taints ?? []).toEqual([]);
    const stored = (await world.storedState(group)).state;
    expect(stored.drain).toBeUndefined();
    expect(stored.unremovableUntil[n1]).toBeGreaterThan(world.now);
    expect(world.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'drain failed; node uncordoned and backed off' }));

    // Backed off: not reconsidered right away.
    const next = await tickAt(14);
    expect(next.groups[0]?.unremovable).toContainEqual(expect.objectContaining({ node: n1, reason: 'RecentlyUnremovable' }));
    expect(next.groups[0]?.drain).toBeUndefined();
  });

  it('removes one node at a time per group', async () => {
    const instanceOf = await world.group({ name: 'one-at-a-time', nodes: ['one-n1', 'one-n2', 'one-n3'] });
    await world.pods('one-apps', [
      { name: 'a-1', node: 'one-n1', cpu: '100m' },
      { name: 'b-1', node: 'one-n2', cpu: '200m' },
      { name: 'c-1', node: 'one-n3', cpu: '300m' },
    ]);
    await world.tickAt(['one-at-a-time'], 0);
    await world.tickAt(['one-at-a-time'], 10);
    expect(await world.autoScalingCalls('TerminateInstanceInAutoScalingGroup')).toEqual([{ InstanceId: instanceOf.get('one-n1'), ShouldDecrementDesiredCapacity: 'true' }]);
  });
});
