/**
 * Issue 12, node scaler: a fault in one group's Auto Scaling answer stays in that group, and a
 * missing number is an error for its group, never a zero.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLUSTER, NodeScalerWorld } from './node-scaler-world';

let world: NodeScalerWorld;
beforeEach(async () => {
  world = await NodeScalerWorld.start();
});
afterEach(async () => {
  await world.close();
});

/** Two groups of full 2-CPU nodes (`broken` with 3, `healthy` with 1) and pods that need one more node. */
function twoFullGroups() {
  world.addGroup({ name: 'broken', minSize: 1 });
  world.addGroup({ name: 'healthy' });
  for (const name of ['b1', 'b2', 'b3']) {
    world.addNode('broken', { name, cpu: '2', memory: '8Gi' });
    world.addPod({ name: `busy-${name}`, node: name, cpu: '1900m', memory: '1Gi' });
  }
  world.addNode('healthy', { name: 'h1', cpu: '2', memory: '8Gi' });
  world.addPod({ name: 'busy-h1', node: 'h1', cpu: '1900m', memory: '1Gi' });
  world.addPendingPods('web', 1, { cpu: '1', memory: '512Mi' });
}

describe('node scaler: one group\'s Auto Scaling fault stays in that group', () => {
  it.each(['DesiredCapacity', 'MinSize', 'MaxSize'])('a group described without %s is an error for it, never 0; the other group scales', async (field) => {
    twoFullGroups();
    world.rewriteDescribedGroup = (group) => {
      if (group.AutoScalingGroupName === 'broken') delete group[field];
    };
    const summary = await world.tickAt(0);
    const broken = summary.groups.find((group) => group.autoScalingGroupName === 'broken')!;
    expect(broken.error).toMatch(new RegExp(`Auto Scaling group broken.*DescribeAutoScalingGroups.*no ${field}`));
    expect(broken.error).toMatch(/left alone/);
    expect(world.setDesiredCalls()).toEqual([{ AutoScalingGroupName: 'healthy', DesiredCapacity: 2, HonorCooldown: false }]);
    expect(world.groups.get('broken')!.desiredCapacity).toBe(3);
    expect(world.logs).toContainEqual(expect.objectContaining({ level: 'error', fields: expect.objectContaining({ nodeGroup: `${CLUSTER}/broken` }) }));
  });

  it("one group's DescribeScalingActivities failure fails only that group", async () => {
    twoFullGroups();
    world.activitiesFailures.set('broken', Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }));
    const summary = await world.tickAt(0);
    const broken = summary.groups.find((group) => group.autoScalingGroupName === 'broken')!;
    const healthy = summary.groups.find((group) => group.autoScalingGroupName === 'healthy')!;
    expect(broken.error).toMatch(/DescribeScalingActivities for broken failed: Throttling: Rate exceeded/);
    expect(healthy.error).toBeUndefined();
    expect(world.setDesiredCalls()).toEqual([{ AutoScalingGroupName: 'healthy', DesiredCapacity: 2, HonorCooldown: false }]);
  });
});
