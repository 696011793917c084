/**
 * Interruption notices through the node scaler's real handler, with the events exactly as
 * EventBridge delivers them (test/node-scaler/fixtures/interruption-events.ts, AWS's samples), a
 * real kube-apiserver (RBAC from deploy/rbac.yaml, the Eviction API enforcing PDBs), moto Auto
 * Scaling (groups, instances, lifecycle hooks) and a fake clock. CompleteLifecycleAction, which moto
 * lacks, is answered at the wire by test/support/lifecycle-action-emulator.ts.
 *
 * No disruption controller or kubelet runs: a PDB's status is written by the test (`onSleep`, as
 * the controller would once a replacement pod is ready), and an evicted pod is deleted at once only
 * when its grace is 0 (the world's pods), otherwise it stays terminating.
 */
import { PutLifecycleHookCommand } from '@aws-sdk/client-auto-scaling';
import type { KubernetesObject } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { INTERRUPTION_TAINT } from '../../lambdas/engine/nodes/interruption-notice';
import { T0 } from '../node-scaler/node-scaler-world';
import { REAL_CLUSTER, REAL_NODE_WORLD_SKIP, RealNodeScalerWorld, useRealNodeScalerWorld } from '../node-scaler/real-node-scaler-world';
import { lifecycleTestNotification, rebalanceRecommendation, spotInterruptionWarning, terminateLifecycleAction } from '../node-scaler/fixtures/interruption-events';
import { emulateCompleteLifecycleAction } from '../support/lifecycle-action-emulator';

/** The interruption function's Lambda timeout (lib/node-interruptions.ts: the notice plus 30 s). */
const INTERRUPTION_REMAINING_MS = 150_000;
const ISSUED = new Date(T0).toISOString();

// A minute or two per test under a loaded machine: the first handler call loads the SDK and client-node.
describe.skipIf(REAL_NODE_WORLD_SKIP)('node scaler: interruption notices (real kube-apiserver, moto, fake clock)', { timeout: 120_000 }, () => {
  let world: RealNodeScalerWorld;
  useRealNodeScalerWorld((started) => (world = started));

  /** A PDB over the namespace's pods, its status as the disruption controller would write it. */
  async function budget(namespace: string, pods: number, disruptionsAllowed: number): Promise<KubernetesObject> {
    const [pdb] = await world.kube.apply([
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: namespace } } } } as KubernetesObject,
    ]);
    await writeBudget(pdb!, pods, disruptionsAllowed);
    return pdb!;
  }

  async function writeBudget(pdb: KubernetesObject, pods: number, disruptionsAllowed: number): Promise<void> {
    await world.kube.writeStatus(pdb, { observedGeneration: pdb.metadata?.generation ?? 1, currentHealthy: pods, desiredHealthy: pods - 1, expectedPods: pods, disruptionsAllowed });
  }

  const evictionsOf = (pod: string) => world.kubeRequests.filter((request) => request.method === 'POST' && request.path.endsWith(`/pods/${pod}/eviction`));

  it('A Spot interruption event drains its node before the two minutes end', async () => {
    const instances = await world.group({ name: 'spot-a', nodes: ['sa-1', 'sa-2'] });
    await world.pods('spot-web', [
      { name: 'web-1', node: 'sa-1', cpu: '100m' },
      { name: 'web-2', node: 'sa-1', cpu: '100m' },
      { name: 'web-3', node: 'sa-2', cpu: '100m' },
    ]);
    // One disruption at a time: the second eviction is refused (429) until the first pod's
    // replacement is ready, which the disruption controller would report 30 s later.
    const pdb = await budget('spot-web', 3, 1);
    world.onSleep = async (now) => {
      if (now >= T0 + 35_000) await writeBudget(pdb, 3, 1);
    };
    world.now = T0 + 5_000; // EventBridge delivered the warning 5 s after EC2 issued it.

    const summary = await world.tickAt(['spot-a'], 0, spotInterruptionWarning({ instanceId: instances.get('sa-1')!, time: ISSUED }), { remainingMs: INTERRUPTION_REMAINING_MS });

    expect(summary.interruption).toMatchObject({ kind: 'spot-interruption', outcome: 'drained', node: 'sa-1', autoScalingGroupName: 'spot-a', cluster: REAL_CLUSTER, noticeEndsAt: T0 + 120_000, waitingOn: [] });
    expect(summary.interruption!.evicted.sort()).toEqual(['spot-web/web-1', 'spot-web/web-2']);
    expect(world.now).toBeLessThan(T0 + 120_000);
    expect(world.now).toBeGreaterThanOrEqual(T0 + 35_000); // it waited for the PDB rather than forcing the pod out
    expect(evictionsOf('web-2').length).toBeGreaterThan(1);
    expect(await world.podEvicted('spot-web', 'web-1')).toBe(true);
    expect(await world.podEvicted('spot-web', 'web-2')).toBe(true);
    expect(await world.podEvicted('spot-web', 'web-3')).toBe(false);
    const node = await world.node('sa-1');
    expect(node?.spec.unschedulable).toBe(true);
    expect(node?.spec.taints).toContainEqual(expect.objectContaining({ key: INTERRUPTION_TAINT, value: 'spot-interruption', effect: 'NoSchedule' }));
    expect((await world.node('sa-2'))?.spec.unschedulable).toBeUndefined();
    // EC2 reclaims the instance itself: the node scaler neither terminates it nor resizes the group.
    expect(await world.autoScalingCalls('TerminateInstanceInAutoScalingGroup')).toEqual([]);
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([]);
    expect(world.logs).toContainEqual(expect.objectContaining({ level: 'info', message: 'interruption: node drained' }));

    // The next tick leaves the interrupted node alone: its instance is on its way out.
    const tick = await world.tickAt(['spot-a'], 1);
    expect(tick.groups[0]?.unremovable).toContainEqual(expect.objectContaining({ node: 'sa-1', reason: 'CurrentlyBeingDeleted' }));
    expect(tick.groups[0]?.drain).toBeUndefined();
  });

  it("cuts each pod's termination grace to the time the notice leaves", async () => {
    const instances = await world.group({ name: 'spot-b', nodes: ['sb-1'] });
    await world.pods('slow', []);
    const [pod] = await world.kube.apply([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'slow-1', namespace: 'slow', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'slow-rs', uid: 'u-slow', controller: true }] },
        spec: { nodeName: 'sb-1', terminationGracePeriodSeconds: 600, containers: [{ name: 'main', image: 'app:1' }] },
      } as KubernetesObject,
    ]);
    await world.kube.writeStatus(pod!, { phase: 'Running' });
    world.now = T0 + 20_000; // 100 s of the two minutes left

    const summary = await world.tickAt(['spot-b'], 0, spotInterruptionWarning({ instanceId: instances.get('sb-1')!, time: ISSUED }), { remainingMs: INTERRUPTION_REMAINING_MS });

    const evicted = await world.kube.read<KubernetesObject>('v1', 'Pod', 'slow', 'slow-1');
    expect(evicted?.metadata?.deletionTimestamp).toBeDefined();
    expect(evicted?.metadata?.deletionGracePeriodSeconds).toBe(100);
    // No kubelet ends the pod here, so it is still terminating when the notice runs out (5 s before the end).
    expect(summary.interruption).toMatchObject({ outcome: 'not-drained', evicted: ['slow/slow-1'], waitingOn: ['slow/slow-1 (terminating)'] });
    expect(world.now).toBeLessThanOrEqual(T0 + 115_000);
  });

  it('a terminate lifecycle action: drained, then CONTINUE once; a second delivery completes nothing again', async () => {
    const instances = await world.group({ name: 'hooked', nodes: ['hk-1', 'hk-2'] });
    await world.autoScaling.send(
      new PutLifecycleHookCommand({ AutoScalingGroupName: 'hooked', LifecycleHookName: 'drain', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 90, DefaultResult: 'CONTINUE' }),
    );
    await world.pods('hooked-web', [{ name: 'web-1', node: 'hk-1', cpu: '100m' }]);
    const instanceId = instances.get('hk-1')!;
    const emulator = emulateCompleteLifecycleAction(world.autoScalingProxy);
    emulator.pending({ group: 'hooked', hook: 'drain', token: 'tok-hk-1', instanceId });
    const event = terminateLifecycleAction({ instanceId, time: ISSUED, group: 'hooked', hook: 'drain', token: 'tok-hk-1' });
    world.now = T0 + 2_000;

    const first = await world.tickAt(['hooked'], 0, event, { remainingMs: INTERRUPTION_REMAINING_MS });
    expect(first.interruption).toMatchObject({ kind: 'terminate-lifecycle-action', outcome: 'drained', node: 'hk-1', evicted: ['hooked-web/web-1'], lifecycleAction: 'completed', noticeEndsAt: T0 + 90_000 });
    expect(emulator.completed).toEqual([expect.objectContaining({ AutoScalingGroupName: 'hooked', LifecycleHookName: 'drain', LifecycleActionToken: 'tok-hk-1', InstanceId: instanceId, LifecycleActionResult: 'CONTINUE' })]);

    // EventBridge delivers at least once: the same event again.
    const again = await world.tickAt(['hooked'], 0, event, { remainingMs: INTERRUPTION_REMAINING_MS });
    expect(again.interruption).toMatchObject({ outcome: 'drained', evicted: [], lifecycleAction: 'not-pending' });
    expect(emulator.calls).toHaveLength(2);
    expect(emulator.completed).toHaveLength(1);
    expect((await world.node('hk-1'))?.spec.unschedulable).toBe(true);
    expect((await world.node('hk-2'))?.spec.unschedulable).toBeUndefined();
  });

  it('a PDB that never allows the eviction: CONTINUE when the hook runs out, or left to its timeout when the invocation ends first', async () => {
    const instances = await world.group({ name: 'blocked', nodes: ['bl-1', 'bl-2'] });
    for (const [hook, seconds] of [['short', 60], ['long', 600]] as const) {
      await world.autoScaling.send(new PutLifecycleHookCommand({ AutoScalingGroupName: 'blocked', LifecycleHookName: hook, LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: seconds }));
    }
    await world.pods('blocked-web', [
      { name: 'web-1', node: 'bl-1', cpu: '100m' },
      { name: 'web-2', node: 'bl-2', cpu: '100m' },
    ]);
    await budget('blocked-web', 2, 0);
    const emulator = emulateCompleteLifecycleAction(world.autoScalingProxy);
    emulator.pending({ group: 'blocked', hook: 'short', token: 'tok-short', instanceId: instances.get('bl-1')! });
    emulator.pending({ group: 'blocked', hook: 'long', token: 'tok-long', instanceId: instances.get('bl-2')! });
    world.now = T0 + 2_000;

    const short = await world.tickAt(['blocked'], 0, terminateLifecycleAction({ instanceId: instances.get('bl-1')!, time: ISSUED, group: 'blocked', hook: 'short', token: 'tok-short' }), { remainingMs: INTERRUPTION_REMAINING_MS });
    expect(short.interruption).toMatchObject({ outcome: 'not-drained', lifecycleAction: 'completed', waitingOn: [expect.stringMatching(/^blocked-web\/web-1 \(.*disruption budget/)] });
    expect(world.now).toBeLessThanOrEqual(T0 + 55_000); // stopped 5 s before the 60 s heartbeat ran out
    expect(world.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'interruption: node not drained in time' }));

    // A 600 s hook outlasts a 60 s invocation: the pods still wait, so the action is not completed.
    world.now = T0 + 2_000;
    const long = await world.tickAt(['blocked'], 0, terminateLifecycleAction({ instanceId: instances.get('bl-2')!, time: ISSUED, group: 'blocked', hook: 'long', token: 'tok-long' }), { remainingMs: 60_000 });
    expect(long.interruption).toMatchObject({ outcome: 'not-drained', lifecycleAction: 'left-to-heartbeat-timeout', detail: expect.stringContaining('this invocation had to end') });
    expect(emulator.completed.map((call) => call.LifecycleActionToken)).toEqual(['tok-short']);
    expect(await world.podEvicted('blocked-web', 'web-1')).toBe(false);
  });

  it('ignores, with a log line, instances in no configured group and in no group at all; completes the hook of an instance with no node', async () => {
    const other = await world.group({ name: 'not-managed', nodes: ['nm-1'] });
    const managed = await world.group({ name: 'managed', nodes: ['mg-1'] });
    const [unjoined] = await world.moto.createAutoScalingGroup({ name: 'managed-unjoined', maxSize: 2, desiredCapacity: 1, region: 'us-east-1' });
    await world.autoScaling.send(
      new PutLifecycleHookCommand({ AutoScalingGroupName: 'managed-unjoined', LifecycleHookName: 'drain', LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING', HeartbeatTimeout: 60 }),
    );
    const groups = ['managed', 'managed-unjoined'];

    const notManaged = await world.tickAt(groups, 0, spotInterruptionWarning({ instanceId: other.get('nm-1')!, time: ISSUED }), { remainingMs: INTERRUPTION_REMAINING_MS });
    expect(notManaged.interruption).toMatchObject({ outcome: 'ignored', detail: expect.stringContaining('Auto Scaling group not-managed, which is not in nodeGroups') });
    expect((await world.node('nm-1'))?.spec.unschedulable).toBeUndefined();

    const noGroup = await world.tickAt(groups, 0, rebalanceRecommendation({ instanceId: 'i-0000000000000dead', time: ISSUED }), { remainingMs: INTERRUPTION_REMAINING_MS });
    expect(noGroup.interruption).toMatchObject({ outcome: 'ignored', detail: expect.stringContaining('is in no Auto Scaling group') });
    expect(world.logs.filter((log) => log.message === 'interruption ignored')).toHaveLength(2);

    const emulator = emulateCompleteLifecycleAction(world.autoScalingProxy);
    emulator.pending({ group: 'managed-unjoined', hook: 'drain', token: 'tok-u', instanceId: unjoined! });
    const noNode = await world.tickAt(groups, 0, terminateLifecycleAction({ instanceId: unjoined!, time: ISSUED, group: 'managed-unjoined', hook: 'drain', token: 'tok-u' }), { remainingMs: INTERRUPTION_REMAINING_MS });
    expect(noNode.interruption).toMatchObject({ outcome: 'ignored', lifecycleAction: 'completed', detail: expect.stringContaining(`no node of cluster ${REAL_CLUSTER} has providerID`) });
    expect(emulator.completed).toHaveLength(1);
    expect((await world.node('mg-1'))?.spec.unschedulable).toBeUndefined();
    expect(managed.size).toBe(1);
  });

  it("one node's failure stays with its event: the next event drains its own node", async () => {
    const instances = await world.group({ name: 'split', nodes: ['sp-1', 'sp-2'] });
    await world.pods('split-web', [
      { name: 'web-1', node: 'sp-1', cpu: '100m' },
      { name: 'web-2', node: 'sp-2', cpu: '100m' },
    ]);
    world.kubeProxy.inject({ match: (request) => request.method === 'PATCH' && request.path === '/api/v1/nodes/sp-1', fault: 'denied' });

    await expect(world.tickAt(['split'], 0, spotInterruptionWarning({ instanceId: instances.get('sp-1')!, time: ISSUED }), { remainingMs: INTERRUPTION_REMAINING_MS })).rejects.toThrow(
      /interruption not handled: .*patch nodes sp-1/,
    );
    expect(world.logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'interruption not handled', fields: expect.objectContaining({ node: 'sp-1', outcome: 'failed' }) }));

    const other = await world.tickAt(['split'], 0, rebalanceRecommendation({ instanceId: instances.get('sp-2')!, time: ISSUED }), { remainingMs: INTERRUPTION_REMAINING_MS });
    expect(other.interruption).toMatchObject({ kind: 'rebalance-recommendation', outcome: 'drained', node: 'sp-2', evicted: ['split-web/web-2'] });
    expect(other.interruption?.noticeEndsAt).toBeUndefined();
    expect(await world.podEvicted('split-web', 'web-1')).toBe(false);
  });

  it('one notice whose pods leave at once costs one Auto Scaling call and seven Kubernetes requests (docs/performance.md §16)', async () => {
    const instances = await world.group({ name: 'counted', nodes: ['ct-1'] });
    await world.pods('counted-web', [
      { name: 'web-1', node: 'ct-1', cpu: '100m' },
      { name: 'web-2', node: 'ct-1', cpu: '100m' },
    ]);
    world.kubeProxy.reset();
    world.autoScalingProxy.reset();
    const summary = await world.tickAt(['counted'], 0, spotInterruptionWarning({ instanceId: instances.get('ct-1')!, time: ISSUED }), { remainingMs: INTERRUPTION_REMAINING_MS });
    expect(summary.interruption?.outcome).toBe('drained');
    expect(world.autoScalingProxy.requests.map((request) => request.operation)).toEqual(['DescribeAutoScalingInstances']);
    const kinds = world.kubeRequests.map((request) => `${request.method} ${request.path.replace(/\/namespaces\/[^/]+\/pods\/[^/]+/, '/namespaces/*/pods/*')}`);
    expect(kinds.sort()).toEqual(
      [
        'GET /api/v1/nodes', // find the node by providerID
        'GET /api/v1/nodes/ct-1', // cordon and taint: read...
        'PATCH /api/v1/nodes/ct-1', // ...then write with its resourceVersion
        'GET /api/v1/pods', // the node's pods (fieldSelector spec.nodeName)
        'POST /api/v1/namespaces/*/pods/*/eviction',
        'POST /api/v1/namespaces/*/pods/*/eviction',
        'GET /api/v1/pods', // one look after the evictions: gone
      ].sort(),
    );
  });

  it('a malformed interruption event fails its invocation, naming the field, before any call', async () => {
    await world.group({ name: 'malformed', nodes: ['ml-1'] });
    const event = { ...spotInterruptionWarning({ instanceId: 'i-1', time: ISSUED }), detail: { 'instance-action': 'terminate' } };
    await expect(world.tickAt(['malformed'], 0, event, { remainingMs: INTERRUPTION_REMAINING_MS })).rejects.toThrow(/interruption event not understood: .*field "instance-id" must be a non-empty string/);
    expect(world.logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'interruption event not understood' }));
    expect(world.kubeRequests).toEqual([]);
    expect(world.autoScalingProxy.requests).toEqual([]);
  });

  it("skips Auto Scaling's test notification without a call", async () => {
    await world.group({ name: 'quiet', nodes: ['q-1'] });
    const summary = await world.tickAt(['quiet'], 0, lifecycleTestNotification({ group: 'quiet', time: ISSUED }), { remainingMs: INTERRUPTION_REMAINING_MS });
    expect(summary.interruption).toMatchObject({ outcome: 'skipped' });
    expect(world.kubeRequests).toEqual([]);
    expect(world.autoScalingProxy.requests).toEqual([]);
  });
});
