/**
 * Issue 15 item 12, end to end through the node scaler's real handler on real servers
 * (test/node-scaler/real-node-scaler-world.ts: a real kube-apiserver reached as the node scaler's
 * EKS identity through a recording proxy, Auto Scaling in moto, state in dynalite): empty nodes are
 * removed together, up to `maxEmptyBulkDelete` (CA's `--max-empty-bulk-delete`, 10;
 * `cluster-autoscaler/core/scaledown/budgets/budgets.go` `CropNodes`), never below the group's min,
 * each tainted first and terminated with decrement. Moved from
 * test/node-scaler/empty-bulk-delete.test.ts (the hand-written server and the Auto Scaling model)
 * with its assertions kept.
 *
 * Where the real servers differ, the set-up adapts (real server):
 *  - moto's instance ids are random: node names map to them through `group()`'s map, where the model
 *    named instances `i-<node>`; moto's log holds the query parameters as sent
 *    (`ShouldDecrementDesiredCapacity: 'true'`), where the mock held the SDK input (`true`).
 *  - the model deleted a terminated instance's Node (the cloud node lifecycle controller's job);
 *    nothing does on the real server, so the test plays that controller after each tick
 *    (`removeTerminatedNodes`).
 *  - the taint PATCH bodies and the (absent) evictions are read from the recording proxy's log.
 *  - one world per file: each test has its own group name (moto keeps groups for the file).
 */
import { describe, expect, it } from 'vitest';
import { DynamoDbNodeGroupStateStore, nodeGroupStateKey } from '../../lambdas/adapters/state/node-group-state-store';
import type { NodeGroupConfig } from '../../lambdas/config/scaler-config';
import { TO_BE_DELETED_TAINT } from '../../lambdas/engine/nodes/node-template';
import { T0 } from '../node-scaler/node-scaler-world';
import { REAL_CLUSTER, REAL_NODE_WORLD_SKIP, REAL_STATE_TABLE, useRealNodeScalerWorld, type RealNodeScalerWorld } from '../node-scaler/real-node-scaler-world';

describe.skipIf(REAL_NODE_WORLD_SKIP)('empty nodes removed in bulk, on the real kube-apiserver and moto', () => {
  let world: RealNodeScalerWorld;
  useRealNodeScalerWorld((started) => (world = started));
  let groups = 0;

  /** `count` empty 2-CPU nodes and one busy one in a new group; ticks manage that group with `config`. */
  async function emptyNodes(count: number, minSize = 0, config: Partial<NodeGroupConfig> = {}) {
    groups += 1;
    const group = `bulk-${groups}`;
    const names = [...Array.from({ length: count }, (_, index) => `e${index}`), 'busy'];
    const instanceOf = await world.group({ name: group, minSize, maxSize: 20, nodes: names });
    await world.pods(`${group}-apps`, [{ name: 'big-1', node: 'busy', cpu: '1500m', memory: '1Gi' }]);
    const nodeOf = new Map([...instanceOf].map(([node, instance]) => [instance, node]));
    const terminateCalls = () => world.autoScalingCalls('TerminateInstanceInAutoScalingGroup');
    const removed = new Set<string>();
    /** Plays the cloud node lifecycle controller: the Node of a terminated instance goes away. */
    const removeTerminatedNodes = async () => {
      for (const call of await terminateCalls()) {
        const node = nodeOf.get(call.InstanceId!)!;
        if (!removed.has(node)) await world.removeNode(node);
        removed.add(node);
      }
    };
    const tickAt = async (minutes: number) => {
      const summary = await world.tickAt([{ cluster: REAL_CLUSTER, autoScalingGroupName: group, ...config }], minutes);
      await removeTerminatedNodes();
      return summary;
    };
    return { group, instanceOf, nodeOf, terminateCalls, tickAt };
  }

  it.each([
    { label: '3 empty nodes: all 3 in one tick', count: 3, minSize: 0, config: {}, first: 3, second: 0 },
    { label: '12 empty nodes: 10 in the first tick, 2 in the next', count: 12, minSize: 0, config: {}, first: 10, second: 2 },
    { label: '6 empty nodes, min size 4 of 7: 3 removed, never below min', count: 6, minSize: 4, config: {}, first: 3, second: 0 },
    { label: 'maxEmptyBulkDelete 2: 2 per tick', count: 3, minSize: 0, config: { maxEmptyBulkDelete: 2 }, first: 2, second: 1 },
  ])('$label', async ({ count, minSize, config, first, second }) => {
    const { group, nodeOf, terminateCalls, tickAt } = await emptyNodes(count, minSize, config);
    await tickAt(0);
    const removal = await tickAt(10);
    expect(await terminateCalls()).toHaveLength(first);
    expect((await terminateCalls()).every((call) => call.ShouldDecrementDesiredCapacity === 'true')).toBe(true);
    expect(removal.groups[0]?.emptyNodes?.filter((entry) => entry.outcome === 'terminated')).toHaveLength(first);
    // Each terminated node was cordoned and tainted first.
    for (const call of await terminateCalls()) {
      const node = nodeOf.get(call.InstanceId!)!;
      const patch = world.kubeRequests.find((request) => request.method === 'PATCH' && request.path === `/api/v1/nodes/${node}`);
      expect(JSON.parse(patch?.body ?? '{}')).toMatchObject({ spec: { unschedulable: true, taints: [{ key: TO_BE_DELETED_TAINT, effect: 'NoSchedule' }] } });
    }
    expect(world.kubeRequests.filter((request) => request.method === 'POST' && request.path.endsWith('/eviction'))).toEqual([]);
    expect((await world.storedState(group)).state.emptyRemoval).toBeUndefined();
    await tickAt(11);
    expect(await terminateCalls()).toHaveLength(first + second);
    expect((await world.describeGroup(group)).DesiredCapacity).toBe(count + 1 - first - second);
  });

  it('a bulk removal left unfinished by a crashed invocation is undone: the still-running node is untainted and the record cleared', async () => {
    const { group, instanceOf, terminateCalls, tickAt } = await emptyNodes(1);
    const store = new DynamoDbNodeGroupStateStore({ client: world.dynalite.client, tableName: REAL_STATE_TABLE });
    const key = nodeGroupStateKey(REAL_CLUSTER, group);
    const leftover = { node: 'e0', instanceId: instanceOf.get('e0')!, startedAt: T0, reason: 'empty' };
    expect(await store.save(key, { unneededSince: {}, unremovableUntil: {}, emptyRemoval: [leftover] }, 0, T0)).toBe('saved');
    await tickAt(1);
    const untaint = world.kubeRequests.find((request) => request.method === 'PATCH' && request.path === '/api/v1/nodes/e0');
    expect(JSON.parse(untaint?.body ?? '{}')).toMatchObject({ spec: { unschedulable: null, taints: [] } });
    expect((await world.storedState(group)).state.emptyRemoval).toBeUndefined();
    expect(await terminateCalls()).toEqual([]);
  });
});
