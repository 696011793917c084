import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { TO_BE_DELETED_TAINT } from '../../lambdas/engine/nodes/node-template';
import type { PodSpec } from './node-scaler-world';
import { MINUTE, NodeScalerWorld, T0 } from './node-scaler-world';

let world: NodeScalerWorld;
beforeEach(async () => {
  world = await NodeScalerWorld.start();
});
afterEach(async () => {
  await world.close();
});

/** n1 holds one small pod (underutilized); n2 is busy at 60% with room for n1's pod. */
function twoNodes(options: { minSize?: number; n1Pods?: PodSpec[]; config?: object; n2Cpu?: string } = {}) {
  world.addGroup({ name: 'workers', minSize: options.minSize ?? 0 }, options.config ?? {});
  world.addNode('workers', { name: 'n1', cpu: '2', memory: '8Gi' });
  world.addNode('workers', { name: 'n2', cpu: '2', memory: '8Gi' });
  for (const pod of options.n1Pods ?? [{ name: 'small-1', node: 'n1', cpu: '200m', memory: '256Mi' }]) world.addPod(pod);
  world.addPod({ name: 'big-1', node: 'n2', cpu: options.n2Cpu ?? '1200m', memory: '1Gi' });
}

describe('node scaler: scale down', () => {
  it('removes an unneeded node after 10 minutes: cordon + taint, evict, terminate with decrement', async () => {
    twoNodes();
    const first = await world.tickAt(0);
    expect(first.groups[0]?.unneeded).toEqual([expect.objectContaining({ node: 'n1', since: T0 })]);
    // Each tick is a cold start: "unneeded since" lives in DynamoDB.
    expect((await world.storedState('workers')).state.unneededSince).toEqual({ n1: T0 });
    await world.tickAt(5);
    expect(world.terminateCalls()).toEqual([]);

    const removal = await world.tickAt(10);
    expect(removal.groups[0]?.drain).toMatchObject({ node: 'n1', instanceId: 'i-n1', outcome: 'terminated' });
    expect(world.evictions()).toEqual(['201 small-1']);
    expect(world.terminateCalls()).toEqual([{ InstanceId: 'i-n1', ShouldDecrementDesiredCapacity: true }]);
    // Never by lowering desired capacity.
    expect(world.asgMock.commandCalls(SetDesiredCapacityCommand)).toEqual([]);
    const cordon = world.kube.requests.find((request) => request.method === 'PATCH' && request.path === '/api/v1/nodes/n1');
    expect(cordon?.body).toMatchObject({ spec: { unschedulable: true, taints: [{ key: TO_BE_DELETED_TAINT, effect: 'NoSchedule' }] } });
    const stored = await world.storedState('workers');
    expect(stored.state.drain).toBeUndefined();
    expect(stored.state).toMatchObject({ lastScaleDownAt: T0 + 10 * MINUTE, lastRequest: { action: 'terminate' } });
    expect(world.metrics.at(-1)?.values).toMatchObject({ NodesRemoved: 1, DesiredCapacity: 1 });
  });

  it.each<[string, Parameters<typeof twoNodes>[0], RegExp]>([
    ['busy above the 0.5 threshold', { n1Pods: [{ name: 'mid-1', node: 'n1', cpu: '1100m' }] }, /NotUnderutilized/],
    ['a safe-to-evict "false" pod', { n1Pods: [{ name: 'keep-1', node: 'n1', annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'false' } }] }, /NotSafeToEvictAnnotation/],
    ['a bare pod', { n1Pods: [{ name: 'bare-1', node: 'n1', owner: null }] }, /NotReplicated/],
    ['a kube-system pod without a PDB', { n1Pods: [{ name: 'coredns-1', namespace: 'kube-system', node: 'n1' }] }, /UnmovableKubeSystemPod/],
    ['an emptyDir on local disk', { n1Pods: [{ name: 'cache-1', node: 'n1', volumes: [{ name: 'scratch', emptyDir: {} }] }] }, /LocalStorageRequested/],
    ['no room elsewhere for its pods', { n1Pods: [{ name: 'mid-1', node: 'n1', cpu: '900m' }], n2Cpu: '1900m' }, /NoPlaceToMovePods/],
    ['the group at its min size', { minSize: 2 }, /at its min size 2/],
    ['scale-down disabled', { config: { scaleDownEnabled: false } }, /disabled/],
  ])('keeps the node with %s', async (_name, options, reason) => {
    twoNodes(options);
    await world.tickAt(0);
    const later = await world.tickAt(11);
    expect(world.terminateCalls()).toEqual([]);
    expect(world.evictions()).toEqual([]);
    const group = later.groups[0]!;
    expect([group.scaleDownBlockedBy, ...group.unremovable.map((entry) => `${entry.reason}: ${entry.message}`)].join(' | ')).toMatch(reason);
  });

  it('local storage is allowed when the knob says so', async () => {
    twoNodes({ n1Pods: [{ name: 'cache-1', node: 'n1', volumes: [{ name: 'scratch', emptyDir: {} }] }], config: { skipNodesWithLocalStorage: false } });
    await world.tickAt(0);
    await world.tickAt(10);
    expect(world.terminateCalls()).toHaveLength(1);
  });

  it('a PDB that allows the disruption lets the node go; one that does not keeps it', async () => {
    twoNodes({ n1Pods: [{ name: 'web-1', node: 'n1', labels: { app: 'web' } }] });
    world.put('PodDisruptionBudget', { metadata: { name: 'web', namespace: 'apps' }, spec: { selector: { matchLabels: { app: 'web' } } }, status: { disruptionsAllowed: 0 } });
    await world.tickAt(0);
    const blocked = await world.tickAt(11);
    expect(blocked.groups[0]?.unremovable).toContainEqual(expect.objectContaining({ node: 'n1', reason: 'NotEnoughPdb' }));
    world.put('PodDisruptionBudget', { metadata: { name: 'web', namespace: 'apps' }, spec: { selector: { matchLabels: { app: 'web' } } }, status: { disruptionsAllowed: 1 } });
    await world.tickAt(12);
    await world.tickAt(22);
    expect(world.terminateCalls()).toHaveLength(1);
  });

  it('waits the delay after a scale-up before removing anything', async () => {
    twoNodes();
    await world.tickAt(0);
    world.addPendingPods('web', 1, { cpu: '1900m' });
    const up = await world.tickAt(5);
    expect(up.groups[0]?.scaleUp).toBeDefined();
    world.kube.delete('Pod', 'apps', 'web-1');
    const during = await world.tickAt(11);
    expect(during.groups[0]?.unneeded).toContainEqual(expect.objectContaining({ node: 'n1', since: T0 }));
    expect(during.groups[0]?.scaleDownBlockedBy).toMatch(/scaleDownDelayAfterAddSeconds/);
    expect(world.terminateCalls()).toEqual([]);
    await world.tickAt(15);
    expect(world.terminateCalls()).toHaveLength(1);
  });

  it('a drain blocked by a PDB (429) waits across ticks, then gives up: uncordon, untaint, back off', async () => {
    // safe-to-evict "true" passes the simulation, but the real eviction still meets the PDB.
    twoNodes({ n1Pods: [{ name: 'web-1', node: 'n1', labels: { app: 'web' }, annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' } }] });
    world.put('PodDisruptionBudget', { metadata: { name: 'web', namespace: 'apps' }, spec: { selector: { matchLabels: { app: 'web' } } }, status: { disruptionsAllowed: 0 } });
    await world.tickAt(0);

    const started = await world.tickAt(10);
    expect(started.groups[0]?.drain).toMatchObject({ node: 'n1', outcome: 'waiting' });
    expect(started.groups[0]?.drain?.detail).toMatch(/apps\/web-1 \(Cannot evict pod as it would violate the pod's disruption budget/);
    expect(world.evictions().every((entry) => entry.startsWith('429'))).toBe(true);
    expect(world.nodeCordoned('n1')).toBe(true);
    expect(world.nodeTaints('n1')).toContainEqual(expect.objectContaining({ key: TO_BE_DELETED_TAINT }));
    expect((await world.storedState('workers')).state.drain).toMatchObject({ node: 'n1', startedAt: T0 + 10 * MINUTE });

    const waiting = await world.tickAt(11);
    expect(waiting.groups[0]?.drain?.outcome).toBe('waiting');

    const givenUp = await world.tickAt(13);
    expect(givenUp.groups[0]?.drain).toMatchObject({ node: 'n1', outcome: 'failed' });
    expect(world.terminateCalls()).toEqual([]);
    expect(world.nodeCordoned('n1')).toBe(false);
    expect(world.nodeTaints('n1')).toEqual([]);
    const stored = (await world.storedState('workers')).state;
    expect(stored.drain).toBeUndefined();
    expect(stored.unremovableUntil.n1).toBeGreaterThan(world.now);
    expect(world.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'drain failed; node uncordoned and backed off' }));

    // Backed off: not reconsidered right away.
    const next = await world.tickAt(14);
    expect(next.groups[0]?.unremovable).toContainEqual(expect.objectContaining({ node: 'n1', reason: 'RecentlyUnremovable' }));
    expect(next.groups[0]?.drain).toBeUndefined();
  });

  it('removes one node at a time per group', async () => {
    world.addGroup({ name: 'workers' });
    for (const name of ['n1', 'n2', 'n3']) world.addNode('workers', { name, cpu: '2' });
    world.addPod({ name: 'a-1', node: 'n1', cpu: '100m' });
    world.addPod({ name: 'b-1', node: 'n2', cpu: '200m' });
    world.addPod({ name: 'c-1', node: 'n3', cpu: '300m' });
    await world.tickAt(0);
    await world.tickAt(10);
    expect(world.terminateCalls()).toEqual([{ InstanceId: 'i-n1', ShouldDecrementDesiredCapacity: true }]);
  });
});
