import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { AutoScalingApiError, type DescribedGroup } from '../../lambdas/adapters/autoscaling/auto-scaling-group-api';
import { AwsAutoScalingGroupApi } from '../../lambdas/adapters/autoscaling/aws-auto-scaling-group-api';
import type { AutoScalingGroupInfo } from '../../lambdas/engine/nodes/auto-scaling-group';
import { effectiveRequests, instanceIdFromProviderId } from '../../lambdas/adapters/kubernetes/kubernetes-cluster-nodes-api';
import { DynamoDbStateStore, createStateTable } from '../../lambdas/adapters/state/dynamodb-state-store';
import { DynamoDbNodeGroupStateStore, nodeGroupStateKey } from '../../lambdas/adapters/state/node-group-state-store';
import { emptyNodeGroupState } from '../../lambdas/engine/nodes/node-group-state';
import type { RunningDynalite } from '../support/dynalite';
import { startDynalite } from '../support/dynalite';
import { waitForActiveTable } from './node-scaler-world';
import { MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../support/moto-server';
import { useMotoBehindProxy, type FaultProxy } from '../support/fault-proxy';

/** The group's description, failing the test when the adapter reported an error for it instead. */
function described(groups: Map<string, DescribedGroup>, name: string): AutoScalingGroupInfo {
  const group = groups.get(name);
  if (!group || group instanceof AutoScalingApiError) throw new Error(`group ${name}: ${group?.message ?? 'not described'}`);
  return group;
}

describe.skipIf(MOTO_SKIP)('Auto Scaling adapter against moto', () => {
  let moto: MotoServer;
  let client: AutoScalingClient;
  beforeAll(async () => {
    moto = await startMoto();
    client = new AutoScalingClient(moto.clientConfig('us-east-1'));
  }, MOTO_START_TIMEOUT_MS);
  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });
  beforeEach(() => moto.reset());

  const createGroup = (name: string, desired: number, tags: Record<string, string> = {}) => moto.createAutoScalingGroup({ name, maxSize: 5, desiredCapacity: desired, tags });

  it('describes groups 100 names per call, with sizes, instances, instance types and tags', async () => {
    const names = Array.from({ length: 150 }, (_, index) => `g${index}`);
    for (const name of names) await createGroup(name, name === 'g7' ? 2 : 0, { team: name === 'g7' ? 'a' : 'b' });
    await moto.recordRequests();
    const groups = await new AwsAutoScalingGroupApi(client).describeGroups([...names, 'not-a-group']);
    const describeCalls = await moto.recordedRequests('DescribeAutoScalingGroups');
    expect(describeCalls.map((call) => [...new URLSearchParams(call.body).keys()].filter((key) => key.startsWith('AutoScalingGroupNames.member.')).length)).toEqual([100, 51]);
    // One DescribeScalingActivities per group found; an unknown name is left out, as AWS does.
    expect(await moto.recordedRequests('DescribeScalingActivities')).toHaveLength(150);
    expect(groups.size).toBe(150);
    expect(groups.get('g7')).toMatchObject({ name: 'g7', minSize: 0, maxSize: 5, desiredCapacity: 2, instanceTypes: ['m5.large'], tags: { team: 'a' }, activities: [] });
    expect(described(groups, 'g7').instances).toEqual([
      { instanceId: expect.stringMatching(/^i-/), lifecycleState: 'InService', instanceType: 'm5.large' },
      { instanceId: expect.stringMatching(/^i-/), lifecycleState: 'InService', instanceType: 'm5.large' },
    ]);
  }, 120_000); // 150 groups created in moto one by one: slow on a busy machine, and this row is about paging, not speed

  it('sets the desired capacity (HonorCooldown false) and terminates one instance, shrinking the group', async () => {
    await createGroup('workers', 1);
    const api = new AwsAutoScalingGroupApi(client);
    await moto.recordRequests();
    await api.setDesiredCapacity('workers', 3);
    expect(Object.fromEntries(new URLSearchParams((await moto.recordedRequests('SetDesiredCapacity'))[0]!.body))).toMatchObject({ AutoScalingGroupName: 'workers', DesiredCapacity: '3', HonorCooldown: 'false' });
    const grown = described(await api.describeGroups(['workers']), 'workers');
    expect(grown).toMatchObject({ desiredCapacity: 3 });
    expect(grown.instances).toHaveLength(3);

    await api.terminateInstance(grown.instances[0]!.instanceId);
    const shrunk = described(await api.describeGroups(['workers']), 'workers');
    expect(shrunk.desiredCapacity).toBe(2);
    expect(shrunk.instances.map((instance) => instance.instanceId)).not.toContain(grown.instances[0]!.instanceId);
  });

  it('an access-denied failure (a real AccessDenied) names the IAM action to grant', async () => {
    await createGroup('workers', 1);
    const reader = await moto.createIamUser('node-scaler', { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'autoscaling:Describe*', Resource: '*' }] });
    const api = new AwsAutoScalingGroupApi(new AutoScalingClient(moto.clientConfig('us-east-1', reader.credentials)));
    await moto.enforceIam(true);
    try {
      expect((await api.describeGroups(['workers'])).get('workers')).toMatchObject({ desiredCapacity: 1 });
      await expect(api.setDesiredCapacity('workers', 3)).rejects.toThrow(/AccessDenied: .*grant autoscaling:SetDesiredCapacity on workers to the node scaler's role/);
    } finally {
      await moto.enforceIam(false);
    }
  });
});

// moto answers DescribeScalingActivities with an empty list whatever happened
// (moto/autoscaling/responses.py describe_scaling_activities), so the failed launch is moto's answer
// with one Failed activity written into it on the wire by the fault proxy; the group, the request
// and both parsers are real. (It was a client mock.)
describe.skipIf(MOTO_SKIP)('Auto Scaling adapter: failed scaling activities (moto behind the fault proxy)', () => {
  const served = useMotoBehindProxy('aws-query');
  let moto: MotoServer;
  let proxy: FaultProxy;
  beforeEach(() => ({ moto, proxy } = served()));

  const FAILED_ACTIVITY =
    '<member><ActivityId>a1</ActivityId><AutoScalingGroupName>g</AutoScalingGroupName><Cause>c</Cause><StartTime>1970-01-01T00:00:01.000Z</StartTime>' +
    '<StatusCode>Failed</StatusCode><StatusMessage>no capacity</StatusMessage><Progress>100</Progress></member>';
  const withFailedActivity = (body: string) => {
    const rewritten = body.replace(/<Activities\s*\/>|<Activities>\s*<\/Activities>/, `<Activities>${FAILED_ACTIVITY}</Activities>`);
    return rewritten === body ? body.replace('<DescribeScalingActivitiesResult>', `<DescribeScalingActivitiesResult><Activities>${FAILED_ACTIVITY}</Activities>`) : rewritten;
  };

  it('reads the recent failed activities of each group', async () => {
    await moto.createAutoScalingGroup({ name: 'g', maxSize: 5, desiredCapacity: 1, instanceType: 'm5.xlarge' });
    await moto.recordRequests();
    proxy.inject({ match: (request) => request.operation === 'DescribeScalingActivities', fault: { rewrite: withFailedActivity } });
    const client = new AutoScalingClient({ ...moto.clientConfig('us-east-1'), endpoint: proxy.url });
    const groups = await new AwsAutoScalingGroupApi(client).describeGroups(['g']);
    client.destroy();
    expect(await moto.recordedQueryParams('DescribeScalingActivities')).toEqual([{ AutoScalingGroupName: 'g', MaxRecords: '20' }]);
    expect(groups.get('g')).toMatchObject({ instanceTypes: ['m5.xlarge'], activities: [{ id: 'a1', statusCode: 'Failed', startedAt: 1000, statusMessage: 'no capacity' }] });
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

// Its calls against a server (cordon and taint, a 403, eviction) run on the real kube-apiserver:
// test/real-servers/node-cluster-nodes-adapter.test.ts.
describe('Kubernetes cluster nodes adapter: pure helpers', () => {
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
});
