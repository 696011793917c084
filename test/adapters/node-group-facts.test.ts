/**
 * The node-group facts adapters against moto: eks:DescribeNodegroup (EKS client), ec2:DescribeInstanceTypes
 * (our signed Query call, no EC2 SDK client), and Auto Scaling's tag filters for auto-discovery; and
 * the container cache in front of the first two, on a fake clock, counting the requests moto received.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { CreateClusterCommand, CreateNodegroupCommand, EKSClient } from '@aws-sdk/client-eks';
import { AutoScalingApiError } from '../../lambdas/adapters/autoscaling/auto-scaling-group-api';
import { AwsAutoScalingGroupApi } from '../../lambdas/adapters/autoscaling/aws-auto-scaling-group-api';
import { CachedNodeGroupFacts, MANAGED_NODE_GROUP_TTL_MS } from '../../lambdas/adapters/node-group-facts/cached-node-group-facts';
import { Ec2InstanceTypes } from '../../lambdas/adapters/node-group-facts/ec2-instance-types';
import { describeManagedNodeGroup } from '../../lambdas/adapters/node-group-facts/eks-managed-node-groups';
import { MOTO_CREDENTIALS, MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../support/moto-server';
import { useMotoBehindProxy } from '../support/fault-proxy';

const REGION = 'us-east-1';

describe.skipIf(MOTO_SKIP)('node-group facts against moto', () => {
  let moto: MotoServer;
  let eks: EKSClient;
  let autoScaling: AutoScalingClient;
  // moto loads its EC2 backend (every instance type) on the first call: seconds on a busy machine.
  const ec2 = () => new Ec2InstanceTypes({ credentials: async () => MOTO_CREDENTIALS, endpointFor: () => moto.endpoint, timeoutMs: 30_000 });

  beforeAll(async () => {
    moto = await startMoto();
    eks = new EKSClient(moto.clientConfig(REGION));
    autoScaling = new AutoScalingClient(moto.clientConfig(REGION));
  }, MOTO_START_TIMEOUT_MS);
  afterAll(async () => {
    eks?.destroy();
    autoScaling?.destroy();
    await moto?.stop();
  });
  beforeEach(() => moto.reset());

  async function createNodegroup(cluster: string, nodegroup: string) {
    await eks.send(new CreateClusterCommand({ name: cluster, roleArn: 'arn:aws:iam::123456789012:role/eks', resourcesVpcConfig: { subnetIds: ['subnet-1'] } }));
    await eks.send(
      new CreateNodegroupCommand({
        clusterName: cluster,
        nodegroupName: nodegroup,
        nodeRole: 'arn:aws:iam::123456789012:role/node',
        subnets: ['subnet-1'],
        instanceTypes: ['m5.xlarge', 'm5.large'],
        capacityType: 'SPOT',
        labels: { pool: 'batch' },
        taints: [{ key: 'dedicated', value: 'batch', effect: 'NO_SCHEDULE' }, { key: 'spot', effect: 'PREFER_NO_SCHEDULE' }],
        tags: { 'k8s.io/cluster-autoscaler/node-template/resources/ephemeral-storage': '20Gi', team: 'data' },
      }),
    );
  }

  it('DescribeNodegroup: labels, taints (EKS effects in Kubernetes spelling), instance types, capacity type and tags', async () => {
    await createNodegroup('prod', 'batch');
    expect(await describeManagedNodeGroup(eks, 'prod', 'batch')).toEqual({
      clusterName: 'prod',
      nodegroupName: 'batch',
      labels: { pool: 'batch' },
      taints: [
        { key: 'dedicated', value: 'batch', effect: 'NoSchedule' },
        { key: 'spot', effect: 'PreferNoSchedule' },
      ],
      instanceTypes: ['m5.xlarge', 'm5.large'],
      capacityType: 'SPOT',
      tags: expect.objectContaining({ team: 'data' }),
    });
  });

  it('DescribeNodegroup of a missing node group fails with the operation, the group and the cluster named', async () => {
    await createNodegroup('prod', 'batch');
    await expect(describeManagedNodeGroup(eks, 'prod', 'nope')).rejects.toThrow(/eks:DescribeNodegroup for managed node group nope of cluster prod failed: ResourceNotFoundException/);
  });

  it('DescribeInstanceTypes: vCPUs, memory, ENIs, IPv4 per ENI and architecture as EC2 publishes them; an unknown name is left out', async () => {
    await moto.recordRequests();
    const types = await ec2().describe(REGION, ['m5.large', 'm6g.xlarge', 'x9z.huge']);
    expect(Object.fromEntries(types)).toEqual({
      'm5.large': { vcpu: 2, memoryMiB: 8192, maxEnis: 3, ipv4PerEni: 10, architecture: 'amd64' },
      'm6g.xlarge': { vcpu: 4, memoryMiB: 16384, maxEnis: 4, ipv4PerEni: 15, architecture: 'arm64' },
    });
    const calls = await moto.recordedRequests('DescribeInstanceTypes');
    // One call for all three, then (EC2 refuses the whole call for the unknown name) one per name.
    expect(calls.map((call) => [...new URLSearchParams(call.body).entries()].filter(([key]) => key.startsWith('InstanceType.')).map(([, value]) => value))).toEqual([
      ['m5.large', 'm6g.xlarge', 'x9z.huge'],
      ['m5.large'],
      ['m6g.xlarge'],
      ['x9z.huge'],
    ]);
    // Signed with SigV4 for ec2 in the region, with the given credentials.
    expect(calls[0]).toMatchObject({ accessKeyId: MOTO_CREDENTIALS.accessKeyId, region: REGION, service: 'ec2' });
  });

  it('DescribeInstanceTypes: the NVIDIA GPUs of a GPU type (GpuInfo), none on a type without', async () => {
    const types = await ec2().describe(REGION, ['g4dn.xlarge', 'm5.large']);
    expect(types.get('g4dn.xlarge')).toMatchObject({ vcpu: 4, nvidiaGpus: 1 });
    expect(types.get('m5.large')).not.toHaveProperty('nvidiaGpus');
  });

  it('the cache asks EKS again only after 6 minutes and EC2 once per type per container', async () => {
    await createNodegroup('prod', 'batch');
    let now = 0;
    const facts = new CachedNodeGroupFacts({ eks: () => eks, ec2: ec2(), now: () => now });
    await moto.recordRequests();
    // EKS is a REST API: moto's log names its calls by method and path.
    const describeNodegroupCalls = async () => (await moto.recordedRequests()).filter((call) => call.method === 'GET' && call.path === '/clusters/prod/node-groups/batch');
    await facts.managedNodeGroup(REGION, 'prod', 'batch');
    now += MANAGED_NODE_GROUP_TTL_MS - 1;
    await facts.managedNodeGroup(REGION, 'prod', 'batch');
    expect(await describeNodegroupCalls()).toHaveLength(1);
    now += 1;
    await facts.managedNodeGroup(REGION, 'prod', 'batch');
    expect(await describeNodegroupCalls()).toHaveLength(2);

    expect([...(await facts.instanceTypes(REGION, ['m5.large'])).keys()]).toEqual(['m5.large']);
    expect([...(await facts.instanceTypes(REGION, ['m5.large', 'm5.xlarge'])).keys()]).toEqual(['m5.large', 'm5.xlarge']);
    now += 24 * 3_600_000;
    await facts.instanceTypes(REGION, ['m5.large', 'm5.xlarge']);
    const asked = (await moto.recordedRequests('DescribeInstanceTypes')).map((call) => new URLSearchParams(call.body).getAll('InstanceType.1'));
    expect(asked).toEqual([['m5.large'], ['m5.xlarge']]);
  });

  it('a failed DescribeNodegroup is not cached: the next ask tries again', async () => {
    const facts = new CachedNodeGroupFacts({ eks: () => eks, ec2: ec2(), now: () => 0 });
    await expect(facts.managedNodeGroup(REGION, 'prod', 'later')).rejects.toThrow(/ResourceNotFoundException/);
    await createNodegroup('prod', 'later');
    await expect(facts.managedNodeGroup(REGION, 'prod', 'later')).resolves.toMatchObject({ nodegroupName: 'later' });
  });

  it('auto-discovery: groups found by tag key (any value) and by key=value, each checked against every tag', async () => {
    const caTags = { 'k8s.io/cluster-autoscaler/enabled': 'true', 'k8s.io/cluster-autoscaler/prod': 'owned' };
    await moto.createAutoScalingGroup({ name: 'found-a', maxSize: 4, desiredCapacity: 0, minSize: 0, tags: caTags });
    await moto.createAutoScalingGroup({ name: 'found-b', maxSize: 7, desiredCapacity: 1, minSize: 1, tags: { ...caTags, pool: 'gpu' } });
    await moto.createAutoScalingGroup({ name: 'other-cluster', maxSize: 4, desiredCapacity: 0, tags: { 'k8s.io/cluster-autoscaler/enabled': 'true', 'k8s.io/cluster-autoscaler/dev': 'owned' } });
    await moto.createAutoScalingGroup({ name: 'untagged', maxSize: 4, desiredCapacity: 0 });
    const api = new AwsAutoScalingGroupApi(autoScaling);
    await moto.recordRequests();
    const found = await api.describeGroupsByTags({ 'k8s.io/cluster-autoscaler/enabled': '', 'k8s.io/cluster-autoscaler/prod': '' });
    expect([...found.keys()].sort()).toEqual(['found-a', 'found-b']);
    const b = found.get('found-b');
    if (!b || b instanceof AutoScalingApiError) throw new Error('found-b not described');
    expect(b).toMatchObject({ minSize: 1, maxSize: 7, desiredCapacity: 1, tags: { pool: 'gpu' } });
    expect(await moto.recordedQueryParams('DescribeAutoScalingGroups')).toEqual([
      expect.objectContaining({ 'Filters.member.1.Name': 'tag-key', 'Filters.member.1.Values.member.1': 'k8s.io/cluster-autoscaler/enabled' }),
    ]);
    expect([...(await api.describeGroupsByTags({ pool: 'gpu' })).keys()]).toEqual(['found-b']);
    expect([...(await api.describeGroupsByTags({ pool: 'cpu' })).keys()]).toEqual([]);
  });
});

// moto answers every DescribeInstanceTypes well: a refusal, a foreign page and an answer missing a
// number are made at the wire by the fault proxy, in front of moto.
describe.skipIf(MOTO_SKIP)('DescribeInstanceTypes faults (moto behind the fault proxy)', () => {
  const served = useMotoBehindProxy('aws-query');
  const ec2 = () => new Ec2InstanceTypes({ credentials: async () => MOTO_CREDENTIALS, endpointFor: () => served().proxy.url, timeoutMs: 30_000 });

  it('access denied names the IAM action to grant', async () => {
    served().proxy.inject({ match: (request) => request.operation === 'DescribeInstanceTypes', fault: 'denied' });
    await expect(ec2().describe(REGION, ['m5.large'])).rejects.toThrow(/ec2:DescribeInstanceTypes for m5.large failed: AccessDenied: .*grant ec2:DescribeInstanceTypes to the node scaler's role/);
    served().proxy.reset();
  });

  it('a page that is not EC2 answer is an error, never an empty list', async () => {
    served().proxy.inject({ match: (request) => request.operation === 'DescribeInstanceTypes', fault: 'malformed' });
    await expect(ec2().describe(REGION, ['m5.large'])).rejects.toThrow(/MalformedResponse/);
    served().proxy.reset();
  });

  it('a type whose answer lacks its vCPUs is left out (the table then sizes it), never read as 0', async () => {
    served().proxy.inject({
      match: (request) => request.operation === 'DescribeInstanceTypes',
      fault: { rewrite: (body: string) => body.replace(/<defaultVCpus>\d+<\/defaultVCpus>/, '') },
    });
    const types = await ec2().describe(REGION, ['m5.large', 'm5.xlarge']);
    expect([...types.keys()].sort()).toHaveLength(1);
    served().proxy.reset();
  });
});

