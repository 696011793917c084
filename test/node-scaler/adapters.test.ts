import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoScalingClient, DescribeAutoScalingGroupsCommand, DescribeScalingActivitiesCommand, SetDesiredCapacityCommand } from '@aws-sdk/client-auto-scaling';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsAutoScalingGroupApi } from '../../lambdas/adapters/autoscaling/aws-auto-scaling-group-api';
import { KubernetesClusterNodesApi, effectiveRequests, instanceIdFromProviderId } from '../../lambdas/adapters/kubernetes/kubernetes-cluster-nodes-api';
import { DynamoDbStateStore, createStateTable } from '../../lambdas/adapters/state/dynamodb-state-store';
import { DynamoDbNodeGroupStateStore, nodeGroupStateKey } from '../../lambdas/adapters/state/node-group-state-store';
import { emptyNodeGroupState } from '../../lambdas/engine/nodes/node-group-state';
import type { KubeApiServer } from '../support/kube-api-server';
import { startKubeApiServer } from '../support/kube-api-server';
import type { RunningDynalite } from '../support/dynalite';
import { startDynalite } from '../support/dynalite';
import { waitForActiveTable } from './node-scaler-world';

describe('Auto Scaling adapter', () => {
  const client = new AutoScalingClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  const mock = mockClient(client);
  afterAll(() => mock.restore());

  it('describes groups 100 names per call and reads instance types and failed activities', async () => {
    mock.reset();
    mock.on(DescribeAutoScalingGroupsCommand).callsFake((input: { AutoScalingGroupNames: string[] }) => ({
      AutoScalingGroups: input.AutoScalingGroupNames.map((name) => ({
        AutoScalingGroupName: name,
        MinSize: 0,
        MaxSize: 5,
        DesiredCapacity: 1,
        Instances: [{ InstanceId: `i-${name}`, LifecycleState: 'InService', InstanceType: 'm5.large' }],
        MixedInstancesPolicy: { LaunchTemplate: { Overrides: [{ InstanceType: 'm5.xlarge' }] } },
        Tags: [{ Key: 'team', Value: 'a' }],
      })),
    }));
    mock.on(DescribeScalingActivitiesCommand).resolves({
      Activities: [{ ActivityId: 'a1', AutoScalingGroupName: 'g', Cause: 'c', StartTime: new Date(1000), StatusCode: 'Failed', StatusMessage: 'no capacity' }],
    });
    const names = Array.from({ length: 150 }, (_, index) => `g${index}`);
    const groups = await new AwsAutoScalingGroupApi(client).describeGroups(names);
    expect(mock.commandCalls(DescribeAutoScalingGroupsCommand)).toHaveLength(2);
    expect(groups.size).toBe(150);
    expect(groups.get('g7')).toMatchObject({ instanceTypes: ['m5.xlarge', 'm5.large'], tags: { team: 'a' }, activities: [{ id: 'a1', statusCode: 'Failed', startedAt: 1000 }] });
  });

  it('an access-denied failure names the IAM action to grant', async () => {
    mock.reset();
    mock.on(SetDesiredCapacityCommand).rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDenied' }));
    await expect(new AwsAutoScalingGroupApi(client).setDesiredCapacity('workers', 3)).rejects.toThrow(/grant autoscaling:SetDesiredCapacity on workers/);
  });
});

describe('node group state store (dynalite)', () => {
  let db: RunningDynalite;
  beforeAll(async () => {
    db = await startDynalite();
    await createStateTable(db.client, 'state');
    await waitForActiveTable(db.client, 'state');
  });
  afterAll(async () => db.close());

  it('round-trips the state and refuses a write on a stale version', async () => {
    const store = new DynamoDbNodeGroupStateStore({ client: db.client, tableName: 'state' });
    const key = nodeGroupStateKey('prod', 'workers');
    expect(key).toBe('nodegroup/prod/workers');
    expect(await store.load(key)).toMatchObject({ version: 0 });
    const state = { ...emptyNodeGroupState(), unneededSince: { n1: 5 } };
    expect(await store.save(key, state, 0, 10)).toBe('saved');
    expect(await store.save(key, state, 0, 11)).toBe('conflict');
    expect(await store.load(key)).toMatchObject({ version: 1, state: { unneededSince: { n1: 5 } } });
  });

  it("shares the pod scaler's table without showing up in its listAll", async () => {
    expect(await new DynamoDbStateStore({ client: db.client, tableName: 'state' }).listAll()).toEqual([]);
  });
});

describe('Kubernetes cluster nodes adapter', () => {
  let server: KubeApiServer;
  beforeAll(async () => {
    server = await startKubeApiServer();
  });
  afterAll(async () => server.close());

  it('effective requests: containers summed, at least the largest init container, plus sidecars', () => {
    expect(
      effectiveRequests({
        containers: [{ name: 'a', resources: { requests: { cpu: '100m', memory: '100Mi' } } }, { name: 'b', resources: { requests: { cpu: '200m' } } }],
        initContainers: [{ name: 'init', resources: { requests: { cpu: '1', memory: '10Mi' } } }, { name: 'proxy', restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } }],
      }),
    ).toEqual({ cpuMilli: 1000, memoryBytes: 100 * 2 ** 20, pods: 1 });
  });

  it.each([
    ['aws:///us-east-1a/i-0123456789abcdef0', 'i-0123456789abcdef0'],
    ['aws:///i-abc', 'i-abc'],
    ['gce://p/z/n', undefined],
    [undefined, undefined],
  ])('provider ID %s names instance %s', (providerId, instanceId) => {
    expect(instanceIdFromProviderId(providerId)).toBe(instanceId);
  });

  it('cordon + taint and back keep the node\'s other taints', async () => {
    server.put('Node', { metadata: { name: 'n1' }, spec: { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] }, status: {} });
    const api = new KubernetesClusterNodesApi(server.kubeConfig());
    await api.cordonAndTaint('n1', { key: 'eks-lambda-scaler.io/to-be-deleted', effect: 'NoSchedule' });
    await api.cordonAndTaint('n1', { key: 'eks-lambda-scaler.io/to-be-deleted', effect: 'NoSchedule' });
    expect(server.get('Node', '', 'n1')?.spec).toEqual({ unschedulable: true, taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }, { key: 'eks-lambda-scaler.io/to-be-deleted', effect: 'NoSchedule' }] });
    await api.uncordonAndUntaint('n1', 'eks-lambda-scaler.io/to-be-deleted');
    expect(server.get('Node', '', 'n1')?.spec).toEqual({ taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] });
  });

  it('a 403 names the RBAC rule to add', async () => {
    server.failNext({ method: 'GET', path: '/api/v1/nodes', status: 403 });
    await expect(new KubernetesClusterNodesApi(server.kubeConfig()).listNodes()).rejects.toThrow(/add to the node scaler's ClusterRole: apiGroups \[""\], resources \["nodes"\], verbs \["list"\]/);
  });

  it('eviction: 201 evicted, 429 blocked by the PDB, 404 gone', async () => {
    server.put('Pod', { metadata: { name: 'p1', namespace: 'apps', labels: { app: 'web' } }, spec: { containers: [] }, status: { phase: 'Running' } });
    server.put('Pod', { metadata: { name: 'p2', namespace: 'apps', labels: { app: 'db' } }, spec: { containers: [] }, status: { phase: 'Running' } });
    server.put('PodDisruptionBudget', { metadata: { name: 'db', namespace: 'apps' }, spec: { selector: { matchLabels: { app: 'db' } } }, status: { disruptionsAllowed: 0 } });
    const api = new KubernetesClusterNodesApi(server.kubeConfig());
    expect(await api.evictPod('apps', 'p1')).toEqual({ outcome: 'evicted' });
    expect(await api.evictPod('apps', 'p2')).toEqual({ outcome: 'blocked', message: expect.stringMatching(/disruption budget/) });
    expect(await api.evictPod('apps', 'p1')).toEqual({ outcome: 'gone' });
  });
});
