/**
 * The group choice through the real handler, on a real kube-apiserver and moto Auto Scaling: the
 * default least-waste expander, the priority expander, and balancing similar groups (issue #18).
 */
import { describe, expect, it } from 'vitest';
import { TEMPLATE_TAG } from '../node-scaler/node-scaler-world';
import { REAL_NODE_WORLD_SKIP, RealNodeScalerWorld, useRealNodeScalerWorld } from '../node-scaler/real-node-scaler-world';

describe.skipIf(REAL_NODE_WORLD_SKIP)('node scaler: which group grows, on a real kube-apiserver and moto', () => {
  let world: RealNodeScalerWorld;
  useRealNodeScalerWorld((started) => (world = started));

  /** A group at zero whose node shape comes from CA's template tags, labelled pool=<pool>. */
  async function groupAtZero(name: string, pool: string, cpu: string, memory: string) {
    await world.group({
      name,
      tags: { [`${TEMPLATE_TAG}label/pool`]: pool, [`${TEMPLATE_TAG}resources/cpu`]: cpu, [`${TEMPLATE_TAG}resources/memory`]: memory, [`${TEMPLATE_TAG}resources/pods`]: '58' },
    });
  }

  it('least-waste (the default) grows the group whose node the pods fill best, not the first listed', async () => {
    await groupAtZero('lw-large', 'lw', '8', '32Gi');
    await groupAtZero('lw-small', 'lw', '2', '8Gi');
    await world.pendingPods('lw-apps', 'web', 1, { cpu: '1', memory: '1Gi', nodeSelector: { pool: 'lw' } });

    const summary = await world.tickAt(['lw-large', 'lw-small'], 0);
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([{ AutoScalingGroupName: 'lw-small', DesiredCapacity: '1', HonorCooldown: 'false' }]);
    expect(summary.groups.find((group) => group.autoScalingGroupName === 'lw-small')?.scaleUp?.reason).toMatch(/least-waste chose lw-small over lw-large/);
  });

  it('priority grows the group with the highest matching pattern', async () => {
    world.nodeScaling = { expander: ['priority', 'least-waste'], expanderPriorities: { 50: ['^prio-large$'], 10: ['.*'] } };
    await groupAtZero('prio-small', 'prio', '2', '8Gi');
    await groupAtZero('prio-large', 'prio', '8', '32Gi');
    await world.pendingPods('prio-apps', 'web', 1, { cpu: '1', memory: '1Gi', nodeSelector: { pool: 'prio' } });

    await world.tickAt(['prio-small', 'prio-large'], 0);
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([{ AutoScalingGroupName: 'prio-large', DesiredCapacity: '1', HonorCooldown: 'false' }]);
  });

  it('balanceSimilarNodeGroups splits the new nodes across similar groups (one per zone)', async () => {
    // The world labels each node pool=<group>; ignoring that label leaves two groups alike but for their name.
    world.nodeScaling = { balanceSimilarNodeGroups: true, balancingIgnoreLabels: ['pool'] };
    for (const name of ['bal-a', 'bal-b']) {
      await world.group({ name, nodes: [{ name: `${name}-n1`, cpu: '2', pods: '17' }] });
      await world.pods('bal-apps', [{ name: `busy-${name}`, node: `${name}-n1`, cpu: '1900m', memory: '1Gi' }]);
    }
    await world.pendingPods('bal-apps', 'web', 2, { cpu: '1500m', memory: '512Mi' });

    const summary = await world.tickAt(['bal-a', 'bal-b'], 0);
    const calls = await world.autoScalingCalls('SetDesiredCapacity');
    expect(calls).toHaveLength(2);
    expect(calls).toEqual(
      expect.arrayContaining([
        { AutoScalingGroupName: 'bal-a', DesiredCapacity: '2', HonorCooldown: 'false' },
        { AutoScalingGroupName: 'bal-b', DesiredCapacity: '2', HonorCooldown: 'false' },
      ]),
    );
    expect(summary.groups[0]?.scaleUp?.reason).toMatch(/balanced across similar groups: bal-a \+1, bal-b \+1/);
  });
});
