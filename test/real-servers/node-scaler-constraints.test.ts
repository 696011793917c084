/**
 * Scheduling constraints through the real node scaler handler, on a real kube-apiserver (deploy/rbac.yaml
 * applied, reached as the node scaler's identity) and moto Auto Scaling: required anti-affinity forces
 * a node per replica, a GPU pod picks the group whose template has GPUs, and a pod whose EBS volume is
 * in one zone picks that zone's group (PVCs and PVs listed under the node scaler's RBAC).
 */
import { describe, expect, it } from 'vitest';
import { CoreV1Api } from '@kubernetes/client-node';
import { TEMPLATE_TAG } from '../node-scaler/node-scaler-world';
import { REAL_NODE_WORLD_SKIP, RealNodeScalerWorld, useRealNodeScalerWorld } from '../node-scaler/real-node-scaler-world';

describe.skipIf(REAL_NODE_WORLD_SKIP)('node scaler: scheduling constraints, on a real kube-apiserver and moto', () => {
  let world: RealNodeScalerWorld;
  useRealNodeScalerWorld((started) => (world = started));

  it('hostname anti-affinity: three replicas need three nodes though one node has room for all', async () => {
    await world.group({ name: 'anti', nodes: [{ name: 'anti-n1', cpu: '2', pods: '17' }] });
    const affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { role: 'replica' } }, topologyKey: 'kubernetes.io/hostname' }],
      },
    };
    await world.pendingPods('anti-apps', 'replica', 3, { cpu: '100m', memory: '128Mi', labels: { role: 'replica' }, affinity });

    const summary = await world.tickAt(['anti'], 0);
    // One replica fits anti-n1; the other two each need a node of their own.
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([{ AutoScalingGroupName: 'anti', DesiredCapacity: '3', HonorCooldown: 'false' }]);
    expect(summary.groups[0]?.scaleUp).toMatchObject({ fromDesired: 1, toDesired: 3 });
  });

  it('a GPU pod skips the first group, which has no GPUs, for the GPU group', async () => {
    const shape = { [`${TEMPLATE_TAG}label/node.kubernetes.io/instance-type`]: 'm5.xlarge' };
    await world.group({ name: 'cpu-pool', instanceType: 'm5.xlarge', tags: shape });
    await world.group({ name: 'gpu-pool', instanceType: 'm5.xlarge', tags: { ...shape, [`${TEMPLATE_TAG}resources/nvidia.com/gpu`]: '1' } });
    await world.pendingPods('gpu-apps', 'train', 1, { cpu: '500m', memory: '1Gi', limits: { 'nvidia.com/gpu': '1' } });

    const summary = await world.tickAt(['cpu-pool', 'gpu-pool'], 0);
    expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([{ AutoScalingGroupName: 'gpu-pool', DesiredCapacity: '1', HonorCooldown: 'false' }]);
    expect(summary.unhelpedPods).toEqual([]);
  });

  it('a pod whose bound EBS volume is in us-east-1b scales the us-east-1b group, not the first group (us-east-1a)', async () => {
    const shape = { [`${TEMPLATE_TAG}label/node.kubernetes.io/instance-type`]: 'm5.xlarge' };
    await world.group({ name: 'zone-a', instanceType: 'm5.xlarge', tags: shape });
    await world.group({ name: 'zone-b', instanceType: 'm5.xlarge', tags: { ...shape, [`${TEMPLATE_TAG}label/topology.kubernetes.io/zone`]: 'us-east-1b' } });
    const [volume, claim] = await world.kube.apply(`
apiVersion: v1
kind: PersistentVolume
metadata: {name: data-db-0}
spec:
  capacity: {storage: 10Gi}
  accessModes: [ReadWriteOnce]
  claimRef: {namespace: db-apps, name: data-db-0}
  csi: {driver: ebs.csi.aws.com, volumeHandle: vol-0abc}
  nodeAffinity:
    required:
      nodeSelectorTerms:
        - matchExpressions: [{key: topology.kubernetes.io/zone, operator: In, values: [us-east-1b]}]
---
apiVersion: v1
kind: Namespace
metadata: {name: db-apps}
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data-db-0, namespace: db-apps}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 10Gi}}
  volumeName: data-db-0
  storageClassName: ""
`).then((objects) => [objects[0], objects[2]]);
    try {
      await world.pendingPods('db-apps', 'db', 1, { cpu: '500m', memory: '1Gi', volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }] });
      const summary = await world.tickAt(['zone-a', 'zone-b'], 0);
      expect(await world.autoScalingCalls('SetDesiredCapacity')).toEqual([{ AutoScalingGroupName: 'zone-b', DesiredCapacity: '1', HonorCooldown: 'false' }]);
      expect(summary.groups.flatMap((group) => group.findings)).toEqual([]);
      // The claims and volumes were listed once each, as the node scaler (RBAC allowed it).
      const lists = world.kubeRequests.filter((request) => /\/(persistentvolumeclaims|persistentvolumes)(\?|$)/.test(request.path));
      expect(lists.map((request) => request.path.split('?')[0])).toEqual(expect.arrayContaining(['/api/v1/persistentvolumeclaims', '/api/v1/persistentvolumes']));
      expect(lists).toHaveLength(2);
    } finally {
      const core = world.kube.adminKubeConfig().makeApiClient(CoreV1Api);
      await core.deleteNamespacedPersistentVolumeClaim({ name: claim!.metadata!.name!, namespace: 'db-apps' });
      await core.deletePersistentVolume({ name: volume!.metadata!.name! });
    }
  });
});
