import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { CLUSTER, startWorldWithFullNode, type NodeScalerWorld } from './node-scaler-world';

let world: NodeScalerWorld;
beforeEach(async () => {
  world = await startWorldWithFullNode();
});
afterEach(async () => {
  await world.close();
});

const notice = (toReplicas: number, overrides: Record<string, unknown> = {}) => ({
  source: 'eks-lambda-scaler.pod-scaler',
  scaleUps: [{ cluster: CLUSTER, namespace: 'apps', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', fromReplicas: 1, toReplicas, ...overrides }],
});

/** What the pod scaler does in its tick: patch the scale subresource, then notify the node scaler. */
async function podScalerRaises(toReplicas: number) {
  const deployment = world.kube.get('Deployment', 'apps', 'web')!;
  world.put('Deployment', { ...deployment, spec: { ...(deployment.spec as object), replicas: toReplicas } });
  return world.invoke(notice(toReplicas));
}

describe('node scaler: pods and nodes scaled in the same tick', () => {
  it('requests nodes for the replicas being created before any pod is pending', async () => {
    const pendingBefore = (await world.kube.kubeConfig().makeApiClient(CoreV1Api).listPodForAllNamespaces()).items.filter((pod) => !pod.spec?.nodeName);
    expect(pendingBefore).toEqual([]);

    const summary = await podScalerRaises(5);
    // 4 new pods of 1 CPU on 2-CPU nodes with n1 full: 2 nodes, in the pod scaler's own tick.
    expect(world.setDesiredCalls()).toEqual([{ AutoScalingGroupName: 'workers', DesiredCapacity: 3, HonorCooldown: false }]);
    expect(summary.pendingPods).toBe(4);
    expect(summary.groups[0]?.scaleUp?.reason).toMatch(/apps\/web#new-1/);

    // The ReplicaSet creates the pods; they turn Unschedulable a few seconds later. The next tick
    // finds them covered by the nodes already on the way.
    world.addPendingPods('web', 4, { cpu: '1', memory: '1Gi', labels: { app: 'web' } });
    const next = await world.tickAt(1);
    expect(world.setDesiredCalls()).toHaveLength(1);
    expect(next.groups[0]).toMatchObject({ upcomingNodes: 2 });
  });

  it('counts only the replicas that do not exist yet (pods already pending are not counted twice)', async () => {
    world.addPendingPods('web', 2, { cpu: '1', memory: '1Gi', labels: { app: 'web' } });
    const summary = await podScalerRaises(5);
    // 1 running + 2 pending exist: 2 more to come, 4 pods in all → 2 nodes.
    expect(summary.pendingPods).toBe(4);
    expect(world.setDesiredCalls()).toEqual([expect.objectContaining({ DesiredCapacity: 3 })]);
  });

  it('a notice whose pods fit existing room asks for nothing', async () => {
    world.kube.delete('Pod', 'apps', 'other-0');
    const summary = await podScalerRaises(2);
    expect(world.setDesiredCalls()).toEqual([]);
    expect(summary.groups[0]?.scaleUp).toBeUndefined();
  });

  it('a notice for a workload it cannot read is reported and the tick goes on', async () => {
    world.addPendingPods('stuck', 1, { cpu: '1500m' });
    const summary = await world.invoke(notice(3, { name: 'gone' }));
    expect(summary.noticeProblems).toEqual([{ cluster: CLUSTER, notice: 'apps/gone (Deployment)', message: expect.stringMatching(/deployments.* gone|not found/) }]);
    expect(world.setDesiredCalls()).toHaveLength(1);
  });

  it('a malformed notice is logged as an error with the expected shape, and the invocation still runs as a tick', async () => {
    world.addPendingPods('stuck', 1, { cpu: '1500m' });
    const summary = await world.invoke({ source: 'eks-lambda-scaler.pod-scaler', scaleUps: [{ cluster: CLUSTER }] });
    expect(summary.noticeProblems).toEqual([{ cluster: '*', notice: 'the whole event', message: expect.stringMatching(/scaleUps\[0\] must have string cluster, namespace.*runs as a scheduled tick/) }]);
    expect(world.logs).toContainEqual(expect.objectContaining({ level: 'error', message: 'scale-up notice not understood' }));
    expect(world.setDesiredCalls()).toHaveLength(1);
  });

  it('notices for a cluster that cannot be read are reported by name, never dropped silently', async () => {
    world.kube.failNext({ method: 'GET', path: '/api/v1/nodes', status: 503, times: 5 });
    const summary = await world.invoke(notice(5));
    expect(summary.noticeProblems).toEqual([{ cluster: CLUSTER, notice: 'apps/web (Deployment)', message: expect.stringMatching(/^not counted: could not read cluster prod: .*nodes/) }]);
    expect(world.logs).toContainEqual(expect.objectContaining({ level: 'warn', message: 'scale-up notice not counted', fields: expect.objectContaining({ notice: 'apps/web (Deployment)' }) }));
  });

  it('a notice for a cluster with no node groups is reported, not ignored', async () => {
    const summary = await world.invoke(notice(5, { cluster: 'staging' }));
    expect(summary.noticeProblems).toEqual([{ cluster: 'staging', notice: 'apps/web (Deployment)', message: expect.stringMatching(/no nodeGroups entry is in cluster staging/) }]);
  });
});
