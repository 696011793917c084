/**
 * Scenarios across ticks and overlapping invocations (the node scaler review): fresh ASG view
 * after the lock, upcoming capacity that expires, scale-up before drains, waiting for terminating
 * pods, and pending pods that count on the node they will land on.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE, NodeScalerWorld, T0 } from './node-scaler-world';

let world: NodeScalerWorld;
beforeEach(async () => {
  world = await NodeScalerWorld.start();
});
afterEach(async () => {
  await world.close();
});

const DAY = 24 * 60 * MINUTE;

/** n1 full (2 CPU taken), so any pending pod needs a new node. */
function fullNode() {
  world.addGroup({ name: 'workers' });
  world.addNode('workers', { name: 'n1', cpu: '2', memory: '8Gi', pods: '17' });
  world.addPod({ name: 'busy-1', node: 'n1', cpu: '2', memory: '1Gi' });
}

/** n1 holds one small pod (underutilized); n2 is busy at 60% with room for n1's pod. */
function twoNodes(n1Pod: Parameters<NodeScalerWorld['addPod']>[0]) {
  world.addGroup({ name: 'workers' });
  world.addNode('workers', { name: 'n1', cpu: '2', memory: '8Gi' });
  world.addNode('workers', { name: 'n2', cpu: '2', memory: '8Gi' });
  world.addPod(n1Pod);
  world.addPod({ name: 'big-1', node: 'n2', cpu: '1200m', memory: '1Gi' });
}

describe('overlapping invocations act on the ASG as it is after the lock', () => {
  it('a run whose ASG snapshot predates another run never lowers desired capacity', async () => {
    fullNode();
    world.addPendingPods('old', 1, { cpu: '1500m' });
    // While the scheduled run (B) holds its stale snapshot (desired 1), another run (A) sees three
    // more pods and raises desired to 5.
    world.duringNextDescribe = async () => {
      world.addPendingPods('new', 3, { cpu: '1500m' });
      const a = await world.invoke();
      expect(a.groups[0]?.scaleUp).toMatchObject({ fromDesired: 1, toDesired: 5 });
    };
    const b = await world.invoke();
    expect(world.setDesiredCalls().map((call) => call.DesiredCapacity)).toEqual([5]);
    expect(world.groups.get('workers')?.desiredCapacity).toBe(5);
    expect(b.groups[0]?.scaleUp).toBeUndefined();
    expect(b.groups[0]?.error).toBeUndefined();
  });

  it('a drain finished by an overlapping run is not terminated a second time', async () => {
    twoNodes({ name: 'web-1', node: 'n1', cpu: '200m', labels: { app: 'web' }, annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' } });
    world.put('PodDisruptionBudget', { metadata: { name: 'web', namespace: 'apps' }, spec: { selector: { matchLabels: { app: 'web' } } }, status: { disruptionsAllowed: 0 } });
    await world.tickAt(0);
    world.now = T0 + 10 * MINUTE;
    // Run A starts the drain, the PDB refuses, A waits 10 s; meanwhile the PDB allows it and run B
    // (a notice-driven invocation) carries the drain through to the termination.
    let b: Awaited<ReturnType<NodeScalerWorld['invoke']>> | undefined;
    world.duringNextSleep = async () => {
      const pdb = world.kube.get('PodDisruptionBudget', 'apps', 'web')!;
      world.put('PodDisruptionBudget', { ...pdb, status: { disruptionsAllowed: 1 } });
      b = await world.invoke();
    };
    const a = await world.invoke();
    expect(b?.groups[0]?.drain).toMatchObject({ node: 'n1', outcome: 'terminated' });
    expect(world.terminateCalls()).toEqual([{ InstanceId: 'i-n1', ShouldDecrementDesiredCapacity: true }]);
    expect(world.groups.get('workers')?.desiredCapacity).toBe(1);
    expect(a.groups[0]?.drain?.outcome).not.toBe('terminated');
  });
});

describe('upcoming capacity expires after maxNodeProvisionSeconds', () => {
  it('a node NotReady for days is not counted as a node on the way: pending pods get a new node', async () => {
    fullNode();
    world.addNode('workers', { name: 'n2', cpu: '2', memory: '8Gi', pods: '17', ready: false, createdAt: T0 - 3 * DAY });
    world.addPendingPods('web', 1, { cpu: '1500m' });
    const summary = await world.tickAt(0);
    expect(summary.groups[0]).toMatchObject({ readyNodes: 1, upcomingNodes: 0 });
    expect(world.setDesiredCalls().map((call) => call.DesiredCapacity)).toEqual([3]);
  });

  it('a booting NotReady node still counts, so the same pods are not asked for twice', async () => {
    fullNode();
    world.addNode('workers', { name: 'n2', cpu: '2', memory: '8Gi', pods: '17', ready: false, createdAt: T0 - 2 * MINUTE });
    world.addPendingPods('web', 1, { cpu: '1500m' });
    const summary = await world.tickAt(0);
    expect(summary.groups[0]).toMatchObject({ upcomingNodes: 1 });
    expect(world.setDesiredCalls()).toEqual([]);
  });

  it('an instance that never registers stops counting 15 minutes after it was first seen, across cold starts', async () => {
    fullNode();
    const group = world.groups.get('workers')!;
    group.instances.push({ instanceId: 'i-stuck', lifecycleState: 'InService' });
    group.desiredCapacity = 2;
    world.addPendingPods('web', 1, { cpu: '1500m' });
    expect((await world.tickAt(0)).groups[0]).toMatchObject({ upcomingNodes: 1 });
    expect((await world.tickAt(15)).groups[0]).toMatchObject({ upcomingNodes: 1 });
    expect(world.setDesiredCalls()).toEqual([]);
    const later = await world.tickAt(16);
    expect(later.groups[0]).toMatchObject({ upcomingNodes: 0 });
    expect(world.setDesiredCalls().map((call) => call.DesiredCapacity)).toEqual([3]);
  });
});

describe('drain timing', () => {
  it('scale-up is requested at the start of the invocation, not after a drain in flight', async () => {
    twoNodes({ name: 'web-1', node: 'n1', cpu: '200m', labels: { app: 'web' }, annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' } });
    world.put('PodDisruptionBudget', { metadata: { name: 'web', namespace: 'apps' }, spec: { selector: { matchLabels: { app: 'web' } } }, status: { disruptionsAllowed: 0 } });
    await world.tickAt(0);
    expect((await world.tickAt(10)).groups[0]?.drain?.outcome).toBe('waiting');
    world.addPendingPods('burst', 2, { cpu: '1500m' });
    const summary = await world.tickAt(11);
    expect(summary.groups[0]?.scaleUp).toMatchObject({ fromDesired: 2, toDesired: 4 });
    expect((await world.storedState('workers')).state.lastScaleUp?.at).toBe(T0 + 11 * MINUTE);
    expect(summary.groups[0]?.drain?.outcome).toBe('waiting');
  });

  it('a pod already terminating with a long grace period is waited for past maxDrainSeconds', async () => {
    twoNodes({ name: 'db-1', node: 'n1', cpu: '200m', labels: { app: 'db' }, annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' } });
    world.put('PodDisruptionBudget', { metadata: { name: 'db', namespace: 'apps' }, spec: { selector: { matchLabels: { app: 'db' } } }, status: { disruptionsAllowed: 0 } });
    await world.tickAt(0);
    expect((await world.tickAt(10)).groups[0]?.drain?.outcome).toBe('waiting');
    // The pod is deleted (by its owner rollout, say) 30 s into the drain, with 300 s of grace.
    world.addPod({
      name: 'db-1',
      node: 'n1',
      cpu: '200m',
      labels: { app: 'db' },
      deletingSince: T0 + 10 * MINUTE + 30_000,
      terminationGracePeriodSeconds: 300,
    });
    const waiting = await world.tickAt(13);
    expect(waiting.groups[0]?.drain).toMatchObject({ node: 'n1', outcome: 'waiting' });
    expect(waiting.groups[0]?.drain?.detail).toMatch(/apps\/db-1 \(terminating\)/);
    expect(world.terminateCalls()).toEqual([]);
    // The kubelet finishes within the grace period; the node is removed.
    world.kube.delete('Pod', 'apps', 'db-1');
    const done = await world.tickAt(15);
    expect(done.groups[0]?.drain).toMatchObject({ node: 'n1', outcome: 'terminated' });
  });

  it('maxGracefulTerminationSeconds caps the wait for a pod whose grace is longer', async () => {
    twoNodes({ name: 'db-1', node: 'n1', cpu: '200m', labels: { app: 'db' }, annotations: { 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' } });
    world.nodeGroups[0]!.maxGracefulTerminationSeconds = 60;
    world.put('PodDisruptionBudget', { metadata: { name: 'db', namespace: 'apps' }, spec: { selector: { matchLabels: { app: 'db' } } }, status: { disruptionsAllowed: 0 } });
    await world.tickAt(0);
    await world.tickAt(10);
    world.addPod({ name: 'db-1', node: 'n1', cpu: '200m', labels: { app: 'db' }, deletingSince: T0 + 10 * MINUTE + 30_000, terminationGracePeriodSeconds: 3600 });
    // min(3600, 60) + 30 s after the deletion, the pod no longer holds the node.
    expect((await world.tickAt(11)).groups[0]?.drain?.outcome).toBe('waiting');
    expect((await world.tickAt(12)).groups[0]?.drain).toMatchObject({ node: 'n1', outcome: 'terminated' });
  });
});

describe('pending pods in the scale-down simulation', () => {
  it('a pod the scheduler has yet to place on a node keeps that node from being drained, and is reported', async () => {
    twoNodes({ name: 'small-1', node: 'n1', cpu: '200m' });
    await world.tickAt(0);
    // Unschedulable although n1 has room: some constraint the node scaler does not model.
    world.addPendingPods('late', 1, { cpu: '1000m' });
    const summary = await world.tickAt(10);
    expect(summary.groups[0]?.drain).toBeUndefined();
    expect(summary.groups[0]?.unremovable).toContainEqual(expect.objectContaining({ node: 'n1', reason: 'NotUnderutilized' }));
    expect(summary.unmodelledPods).toEqual([expect.objectContaining({ cluster: 'prod', id: 'apps/late-1', reason: expect.stringMatching(/does not model/) })]);
    expect(world.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: expect.stringMatching(/constraint it does not model/) }));
    expect(world.setDesiredCalls()).toEqual([]);
  });

  it('a kube-system pod without a PDB blocks only in its first hour', async () => {
    twoNodes({ name: 'dns-1', namespace: 'kube-system', node: 'n1', cpu: '200m', createdAt: T0 - 50 * MINUTE });
    await world.tickAt(0);
    const blocked = await world.tickAt(5);
    expect(blocked.groups[0]?.unremovable).toContainEqual(expect.objectContaining({ node: 'n1', reason: 'UnmovableKubeSystemPod' }));
    await world.tickAt(10);
    // Unneeded since minute 10 (when the block lapsed); removable after the unneeded time.
    const removed = await world.tickAt(20);
    expect(removed.groups[0]?.drain).toMatchObject({ node: 'n1', outcome: 'terminated' });
  });
});
