/**
 * Issue 15 item 12, end to end through the node scaler's tick (Kubernetes API test server, DynamoDB
 * state, mocked Auto Scaling): empty nodes are removed together, up to `maxEmptyBulkDelete` (CA's
 * `--max-empty-bulk-delete`, 10; `cluster-autoscaler/core/scaledown/budgets/budgets.go`
 * `CropNodes`), never below the group's min, each tainted first and terminated with decrement.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbNodeGroupStateStore, nodeGroupStateKey } from '../../lambdas/adapters/state/node-group-state-store';
import { TO_BE_DELETED_TAINT } from '../../lambdas/engine/nodes/node-template';
import { CLUSTER, NodeScalerWorld, T0 } from './node-scaler-world';

let world: NodeScalerWorld;
beforeEach(async () => {
  world = await NodeScalerWorld.start();
});
afterEach(async () => {
  await world.close();
});

function emptyNodes(count: number, minSize = 0, config: object = {}) {
  world.addGroup({ name: 'workers', minSize, maxSize: 20 }, config);
  for (let index = 0; index < count; index += 1) world.addNode('workers', { name: `e${index}`, cpu: '2', memory: '8Gi' });
  world.addNode('workers', { name: 'busy', cpu: '2', memory: '8Gi' });
  world.addPod({ name: 'big-1', node: 'busy', cpu: '1500m', memory: '1Gi' });
}

describe('empty nodes removed in bulk (CA budgets.go CropNodes, --max-empty-bulk-delete)', () => {
  it.each([
    { label: '3 empty nodes: all 3 in one tick', count: 3, minSize: 0, config: {}, first: 3, second: 0 },
    { label: '12 empty nodes: 10 in the first tick, 2 in the next', count: 12, minSize: 0, config: {}, first: 10, second: 2 },
    { label: '6 empty nodes, min size 4 of 7: 3 removed, never below min', count: 6, minSize: 4, config: {}, first: 3, second: 0 },
    { label: 'maxEmptyBulkDelete 2: 2 per tick', count: 3, minSize: 0, config: { maxEmptyBulkDelete: 2 }, first: 2, second: 1 },
  ])('$label', async ({ count, minSize, config, first, second }) => {
    emptyNodes(count, minSize, config);
    await world.tickAt(0);
    const removal = await world.tickAt(10);
    expect(world.terminateCalls()).toHaveLength(first);
    expect(world.terminateCalls().every((call) => call.ShouldDecrementDesiredCapacity === true)).toBe(true);
    expect(removal.groups[0]?.emptyNodes?.filter((entry) => entry.outcome === 'terminated')).toHaveLength(first);
    // Each terminated node was cordoned and tainted first.
    for (const call of world.terminateCalls()) {
      const node = call.InstanceId!.slice(2);
      const patch = world.kube.requests.find((request) => request.method === 'PATCH' && request.path === `/api/v1/nodes/${node}`);
      expect(patch?.body).toMatchObject({ spec: { unschedulable: true, taints: [{ key: TO_BE_DELETED_TAINT, effect: 'NoSchedule' }] } });
    }
    expect(world.evictions()).toEqual([]);
    expect((await world.storedState('workers')).state.emptyRemoval).toBeUndefined();
    await world.tickAt(11);
    expect(world.terminateCalls()).toHaveLength(first + second);
    expect(world.groups.get('workers')!.desiredCapacity).toBe(count + 1 - first - second);
  });
});

describe('a bulk removal left unfinished by a crashed invocation', () => {
  it('is undone: the still-running node is untainted and the record cleared', async () => {
    emptyNodes(1);
    const store = new DynamoDbNodeGroupStateStore({ client: world.dynamo.client, tableName: world.tableName });
    const key = nodeGroupStateKey(CLUSTER, 'workers');
    const leftover = { node: 'e0', instanceId: 'i-e0', startedAt: T0, reason: 'empty' };
    expect(await store.save(key, { unneededSince: {}, unremovableUntil: {}, emptyRemoval: [leftover] }, 0, T0)).toBe('saved');
    await world.tickAt(1);
    const untaint = world.kube.requests.find((request) => request.method === 'PATCH' && request.path === '/api/v1/nodes/e0');
    expect(untaint?.body).toMatchObject({ spec: { unschedulable: null, taints: [] } });
    expect((await world.storedState('workers')).state.emptyRemoval).toBeUndefined();
    expect(world.terminateCalls()).toEqual([]);
  });
});
