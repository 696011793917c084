import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { EksClusterAccess } from '../../../lambdas/adapters/kubernetes/eks-cluster-access';
import { KubernetesScaleTargetApi } from '../../../lambdas/adapters/kubernetes/kubernetes-scale-target-api';
import { startKubeApiServer } from '../../support/kube-api-server';
import type { KubeApiServer } from '../../support/kube-api-server';
import { deployment } from './kube-fixtures';
import { createServer } from 'node:http';
import { listenOnLoopback } from '../../../lambdas/util/listen-on-loopback';

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
const cluster = { name: 'prod', region: 'eu-west-1' };
const eks = new EKSClient({ region: 'eu-west-1', credentials });
const eksMock = mockClient(eks);
let server: KubeApiServer;

function describeAs(endpoint: string, authenticationMode: 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP' = 'API_AND_CONFIG_MAP') {
  eksMock.on(DescribeClusterCommand).resolves({
    cluster: {
      name: cluster.name,
      status: 'ACTIVE',
      endpoint,
      certificateAuthority: { data: Buffer.from(server.caPem).toString('base64') },
      accessConfig: { authenticationMode },
    },
  });
}

function tokenOf(authorization: string | undefined): URL {
  const token = authorization!.replace(/^Bearer k8s-aws-v1\./, '');
  return new URL(Buffer.from(token, 'base64url').toString());
}

beforeAll(async () => {
  server = await startKubeApiServer({ authenticate: (header) => header?.startsWith('Bearer k8s-aws-v1.') === true });
  server.put('Deployment', deployment('jobs', 'web', 2));
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  eksMock.reset();
  server.requests.length = 0;
});

describe('EksClusterAccess', () => {
  it('reaches the cluster over TLS with a fresh EKS token on every request', async () => {
    describeAs(server.url);
    let now = Date.UTC(2025, 0, 1, 0, 0, 0);
    const access = new EksClusterAccess({ eks: () => eks, credentials, now: () => now });
    const api = new KubernetesScaleTargetApi(await access.kubeConfigFor(cluster), { now: () => now });

    await api.getScale({ namespace: 'jobs', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });
    now += 5 * 60_000;
    await api.getScale({ namespace: 'jobs', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });
    now += 10 * 60_000; // the first token is now 15 minutes old
    await api.getScale({ namespace: 'jobs', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });

    const [first, second, third] = server.requests.map((r) => r.authorization);
    expect(second).toBe(first);
    expect(third).not.toBe(first);
    const url = tokenOf(third);
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20250101T001500Z');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
    expect(server.requests.every((r) => r.status === 200)).toBe(true);
  });

  it('reuses TLS connections across requests instead of one handshake per request', async () => {
    describeAs(server.url);
    const access = new EksClusterAccess({ eks: () => eks, credentials });
    // Each read a pass apart, so each is its own request (a pass's reads would share one list).
    let passes = 0;
    const api = new KubernetesScaleTargetApi(await access.kubeConfigFor(cluster), { now: () => (passes += 15_000) });
    const ref = { namespace: 'jobs', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
    const before = server.tlsConnections;
    for (let i = 0; i < 10; i++) await api.getScale(ref);
    // client-node alone opens a connection per request (10 here); pooled, keep-alive reuses them.
    expect(server.tlsConnections - before).toBeLessThanOrEqual(2);
    await Promise.all(Array.from({ length: 20 }, () => api.getScale(ref)));
    const warmed = server.tlsConnections;
    await Promise.all(Array.from({ length: 20 }, () => api.getScale(ref)));
    expect(server.tlsConnections).toBe(warmed); // the pool's connections serve the next pass
    expect(server.requests).toHaveLength(50);
  });

  it('describes each cluster once per container life, and retries after a failure', async () => {
    eksMock.on(DescribeClusterCommand).rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));
    const access = new EksClusterAccess({ eks: () => eks, credentials });
    await expect(access.kubeConfigFor(cluster)).rejects.toThrow(/EKS cluster prod in eu-west-1: DescribeCluster failed: Rate exceeded/);
    describeAs(server.url);
    const [a, b] = await Promise.all([access.kubeConfigFor(cluster), access.kubeConfigFor(cluster)]);
    expect(a).toBe(b);
    expect(await access.kubeConfigFor(cluster)).toBe(a);
    expect(eksMock.commandCalls(DescribeClusterCommand)).toHaveLength(2);
    expect(eksMock.commandCalls(DescribeClusterCommand)[1]!.args[0].input).toEqual({ name: 'prod' });
  });

  it('refuses a CONFIG_MAP-only cluster and says how to switch', async () => {
    describeAs(server.url, 'CONFIG_MAP');
    const access = new EksClusterAccess({ eks: () => eks, credentials });
    const error = (await access.kubeConfigFor(cluster).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('EKS cluster prod in eu-west-1 uses authenticationMode CONFIG_MAP');
    expect(error.message).toContain('API_AND_CONFIG_MAP');
    expect(error.message).toContain(
      'aws eks update-cluster-config --name prod --region eu-west-1 --access-config authenticationMode=API_AND_CONFIG_MAP',
    );
  });

  it.each(['API', 'API_AND_CONFIG_MAP'] as const)('accepts authenticationMode %s', async (mode) => {
    describeAs(server.url, mode);
    const access = new EksClusterAccess({ eks: () => eks, credentials });
    const config = await access.kubeConfigFor(cluster);
    expect(config.getCurrentCluster()?.server).toBe(server.url);
    expect(config.getCurrentUser()?.token).toBeUndefined();
  });

  it('names a cluster that does not exist', async () => {
    eksMock.on(DescribeClusterCommand).rejects(Object.assign(new Error('No cluster found'), { name: 'ResourceNotFoundException' }));
    const access = new EksClusterAccess({ eks: () => eks, credentials });
    await expect(access.kubeConfigFor(cluster)).rejects.toThrow(/EKS cluster prod in eu-west-1 does not exist: fix the cluster name or region/);
  });

  it('waits for a cluster that has no endpoint yet', async () => {
    eksMock.on(DescribeClusterCommand).resolves({ cluster: { name: 'prod', status: 'CREATING', accessConfig: { authenticationMode: 'API' } } });
    const access = new EksClusterAccess({ eks: () => eks, credentials });
    await expect(access.kubeConfigFor(cluster)).rejects.toThrow(/no API endpoint yet \(status CREATING\)/);
  });
});

describe('EksClusterAccess against a hung EKS endpoint', () => {
  it('gives up on DescribeCluster after its timeout and says what to check', async () => {
    const hung = createServer(() => undefined); // accepts the request, never answers
    const port = await listenOnLoopback(hung);
    try {
      const client = new EKSClient({ region: 'eu-west-1', credentials, endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
      const access = new EksClusterAccess({ eks: () => client, credentials, describeTimeoutMs: 50 });
      await expect(access.kubeConfigFor(cluster)).rejects.toThrow(
        'EKS cluster prod in eu-west-1: DescribeCluster got no answer in time: check that the Lambda can reach the EKS API',
      );
    } finally {
      hung.closeAllConnections();
      await new Promise((resolve) => hung.close(resolve));
    }
  });
});
