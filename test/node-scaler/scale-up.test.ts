/**
 * Scale-up on the Auto Scaling model (node-scaler-world.ts): only the failed launch, which needs a
 * failed scaling activity (moto's DescribeScalingActivities is always empty) and instances that
 * stay Pending (moto launches InService at once). Everything else moved to
 * test/real-servers/node-scaler-scale-up.test.ts (real kube-apiserver and moto).
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

/** One full 2-CPU node in group `workers`, so its shape is known. */
function fullGroup(model: Parameters<NodeScalerWorld['addGroup']>[0] = { name: 'workers' }, config = {}) {
  world.addGroup(model, config);
  world.addNode(model.name, { name: 'n1', cpu: '2', memory: '8Gi', pods: '17' });
  world.addPod({ name: 'busy-1', node: 'n1', cpu: '1900m', memory: '1Gi' });
}

describe('node scaler: scale up', () => {
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
});
