/**
 * Issue 12, node scaler: a fault in one group's Auto Scaling answer stays in that group, and a
 * missing number is an error for its group, never a zero. Through the real handler on real servers
 * (test/node-scaler/real-node-scaler-world.ts: a real kube-apiserver, Auto Scaling in moto, state in
 * dynalite). Moved from test/node-scaler/fault-isolation.test.ts (the hand-written server and the
 * Auto Scaling model's hooks) with its assertions kept.
 *
 * Where the real servers differ, the set-up adapts (real server):
 *  - the faults come from the wire-level proxy between the scaler and moto (`autoScalingProxy`):
 *    moto's real DescribeAutoScalingGroups answer with one field taken out of the `broken` group's
 *    XML, and a `Throttling` ("Rate exceeded", Auto Scaling's query-protocol shape) for that group's
 *    DescribeScalingActivities, where the model's hooks edited the SDK's output or threw;
 *  - group names carry a per-test number (moto keeps a file's groups); the SetDesiredCapacity calls
 *    are moto's log (query parameters as sent, so `'2'` and `'false'`), the broken group's size is
 *    read back from moto.
 */
import { describe, expect, it } from 'vitest';
import { REAL_CLUSTER as CLUSTER, REAL_NODE_WORLD_SKIP, useRealNodeScalerWorld, type RealNodeScalerWorld } from '../node-scaler/real-node-scaler-world';

describe.skipIf(REAL_NODE_WORLD_SKIP)("node scaler: one group's Auto Scaling fault stays in that group (real kube-apiserver, moto behind the proxy)", () => {
  let world: RealNodeScalerWorld;
  useRealNodeScalerWorld((started) => (world = started));
  let sequence = 0;

  /** Two groups of full 2-CPU nodes (`broken` with 3, `healthy` with 1) and pods that need one more node. */
  async function twoFullGroups() {
    sequence += 1;
    const broken = `broken-${sequence}`;
    const healthy = `healthy-${sequence}`;
    const namespace = `isolation-${sequence}`;
    await world.group({ name: broken, minSize: 1, nodes: ['b1', 'b2', 'b3'] });
    await world.group({ name: healthy, nodes: ['h1'] });
    await world.pods(namespace, ['b1', 'b2', 'b3', 'h1'].map((node) => ({ name: `busy-${node}`, node, cpu: '1900m', memory: '1Gi' })));
    await world.pendingPods(namespace, 'web', 1, { cpu: '1', memory: '512Mi' });
    return { broken, healthy, tick: () => world.tickAt([broken, healthy], 0) };
  }

  /** moto's DescribeAutoScalingGroups answer with `<field>` taken out of `group`'s own member. */
  function withoutField(group: string, field: string) {
    return (body: string) => {
      const start = body.indexOf(`<AutoScalingGroupName>${group}</AutoScalingGroupName>`);
      if (start < 0) return body;
      const next = body.indexOf('<AutoScalingGroupName>', start + 1);
      const end = next < 0 ? body.length : next;
      const section = body.slice(start, end).replace(new RegExp(`<${field}>[^<]*</${field}>`), '');
      return body.slice(0, start) + section + body.slice(end);
    };
  }

  it.each(['DesiredCapacity', 'MinSize', 'MaxSize'])('a group described without %s is an error for it, never 0; the other group scales', async (field) => {
    const { broken, healthy, tick } = await twoFullGroups();
    world.autoScalingProxy.inject({ match: (request) => request.operation === 'DescribeAutoScalingGroups', fault: { rewrite: withoutField(broken, field) } });
    const summary = await tick();
    const brokenGroup = summary.groups.find((group) => group.autoScalingGroupName === broken)!;
    expect(brokenGroup.error).toMatch(new RegExp(`Auto Scaling group ${broken}.*DescribeAutoScalingGroups.*no ${field}`));
    expect(brokenGroup.error).toMatch(/left alone/);
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([{ AutoScalingGroupName: healthy, DesiredCapacity: '2', HonorCooldown: 'false' }]);
    expect((await world.describeGroup(broken)).DesiredCapacity).toBe(3);
    expect(world.logs).toContainEqual(expect.objectContaining({ level: 'error', fields: expect.objectContaining({ nodeGroup: `${CLUSTER}/${broken}` }) }));
  });

  it("one group's DescribeScalingActivities failure fails only that group", async () => {
    const { broken, healthy, tick } = await twoFullGroups();
    world.autoScalingProxy.inject({
      match: (request) => request.operation === 'DescribeScalingActivities' && new URLSearchParams(request.body).get('AutoScalingGroupName') === broken,
      fault: 'throttle',
    });
    const summary = await tick();
    const brokenGroup = summary.groups.find((group) => group.autoScalingGroupName === broken)!;
    const healthyGroup = summary.groups.find((group) => group.autoScalingGroupName === healthy)!;
    expect(brokenGroup.error).toMatch(new RegExp(`DescribeScalingActivities for ${broken} failed: Throttling: Rate exceeded`));
    expect(healthyGroup.error).toBeUndefined();
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([{ AutoScalingGroupName: healthy, DesiredCapacity: '2', HonorCooldown: 'false' }]);
  });
});
