/**
 * EKS discovery (EksClusterAccess) end to end on real servers: the real EKS client against moto's
 * DescribeCluster (REST-JSON), then the described endpoint, a real kube-apiserver (RBAC from
 * deploy/rbac.yaml) reached with EKS tokens signed by the pod scaler's key, which the apiserver's
 * EKS webhook verifies. The cluster is made with CreateCluster, then the fields moto invents
 * (endpoint, CA, access config) are seeded, as a real cluster reports its own.
 *
 * Two wire-level proxies (test/support/fault-proxy.ts) stand in the way, as the tests need to see or
 * shape the wire: one in front of the apiserver records each request's Authorization header and
 * counts TLS connections (the described endpoint and CA are the proxy's); one in front of moto's
 * EKS throttles a DescribeCluster on demand (moto cannot). Moved here from
 * test/adapters/kubernetes/eks-cluster-access.test.ts (client mock and hand-written server), with
 * its assertions kept except where the real servers say otherwise (real server):
 *  - the token is signed with the pod scaler's key (the apiserver maps it to the scaler's group),
 *    not an arbitrary one, and every request's success is shown by its answer, not a recorded status;
 *  - EKS's throttling message is "Rate Exceeded." (the mock wrote "Rate exceeded"); the EKS client
 *    makes one attempt, so the throttle reaches the adapter as the SDK's retries would leave it;
 *  - the retried DescribeCluster's input is read from moto's request log (its path names the cluster).
 * The hung-endpoint case, which needs neither server, stays in that file.
 */
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EksClusterAccess } from '../../../lambdas/adapters/kubernetes/eks-cluster-access';
import { KubernetesScaleTargetApi } from '../../../lambdas/adapters/kubernetes/kubernetes-scale-target-api';
import { deployment } from '../../adapters/kubernetes/kube-fixtures';
import { startFaultProxy, type FaultProxy } from '../../support/fault-proxy';
import { KUBE_TEST_TLS_CERT, KUBE_TEST_TLS_KEY } from '../../support/kube-tls-fixture';
import { MOTO_SKIP, startMoto, type MotoServer } from '../../support/moto-server';
import { POD_SCALER_IDENTITY, REAL_KUBE_SKIP, startRealKubeApiServer, type RealKubeApiServer } from '../../support/real-kube-apiserver';
import { REAL_POD_SCALER_START_TIMEOUT_MS } from '../../pod-scaler/real-harness';

const cluster = { name: 'prod', region: 'eu-west-1' };
const credentials = async () => ({ accessKeyId: POD_SCALER_IDENTITY.accessKeyId, secretAccessKey: POD_SCALER_IDENTITY.secretAccessKey });
const RBAC_YAML = readFileSync(new URL('../../../deploy/rbac.yaml', import.meta.url), 'utf8');
const WEB = { namespace: 'jobs', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

function tokenOf(authorization: string | string[] | undefined): URL {
  const token = String(authorization).replace(/^Bearer k8s-aws-v1\./, '');
  return new URL(Buffer.from(token, 'base64url').toString());
}

describe.skipIf(MOTO_SKIP || REAL_KUBE_SKIP)('EKS discovery against moto and a real kube-apiserver', () => {
  let moto: MotoServer;
  let kube: RealKubeApiServer;
  let kubeProxy: FaultProxy;
  let eksProxy: FaultProxy;
  let eks: EKSClient;
  beforeAll(async () => {
    [moto, kube] = await Promise.all([startMoto(), startRealKubeApiServer({ clusterName: cluster.name })]);
    await kube.apply(RBAC_YAML);
    await kube.apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'jobs' } }, { apiVersion: 'apps/v1', kind: 'Deployment', ...deployment('jobs', 'web', 2) } as never]);
    kubeProxy = await startFaultProxy({ target: kube.endpoint, protocol: 'kubernetes', tls: { cert: KUBE_TEST_TLS_CERT, key: KUBE_TEST_TLS_KEY }, targetCa: kube.caPem });
    eksProxy = await startFaultProxy({ target: moto.endpoint, protocol: 'aws-rest-json' });
    eks = new EKSClient({ ...moto.clientConfig(cluster.region), endpoint: eksProxy.url });
  }, REAL_POD_SCALER_START_TIMEOUT_MS);
  afterAll(async () => {
    eks?.destroy();
    await Promise.all([kubeProxy?.close(), eksProxy?.close()]);
    await Promise.all([moto?.stop(), kube?.close()]);
  });
  beforeEach(async () => {
    await moto.reset();
    await moto.recordRequests();
    kubeProxy.reset();
    eksProxy.reset();
  });

  const access = (now?: () => number) => new EksClusterAccess({ eks: () => eks, credentials, ...(now ? { now } : {}) });
  async function createCluster(seed: { authenticationMode?: 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP'; endpoint?: string; status?: string } = {}) {
    await new EKSClient(moto.clientConfig(cluster.region)).send(new CreateClusterCommand({ name: cluster.name, roleArn: 'arn:aws:iam::123456789012:role/eks', resourcesVpcConfig: {} }));
    await moto.seedEksCluster({
      region: cluster.region,
      name: cluster.name,
      endpoint: seed.endpoint ?? kubeProxy.url,
      certificateAuthorityData: Buffer.from(KUBE_TEST_TLS_CERT).toString('base64'),
      authenticationMode: seed.authenticationMode ?? 'API_AND_CONFIG_MAP',
      ...(seed.status ? { status: seed.status } : {}),
    });
    await moto.recordRequests();
  }
  const describeCalls = () => moto.recordedRequests('GET /clusters/prod');

  it.each(['API', 'API_AND_CONFIG_MAP'] as const)('authenticationMode %s: reaches the described endpoint over TLS with the described CA and an EKS token', async (mode) => {
    await createCluster({ authenticationMode: mode });
    const config = await access().kubeConfigFor(cluster);
    expect(config.getCurrentCluster()?.server).toBe(kubeProxy.url);
    expect(config.getCurrentUser()?.token).toBeUndefined();
    const scale = await new KubernetesScaleTargetApi(config).getScale(WEB);
    expect(scale).toMatchObject({ specReplicas: 2 });
    expect(kubeProxy.requests.at(-1)?.headers.authorization).toMatch(/^Bearer k8s-aws-v1\./);
  });

  it('reaches the cluster over TLS with a fresh EKS token on every request', async () => {
    await createCluster();
    let now = Date.UTC(2025, 0, 1, 0, 0, 0);
    const api = new KubernetesScaleTargetApi(await access(() => now).kubeConfigFor(cluster), { now: () => now });

    // Each read succeeds: the apiserver's webhook verified the token's signature and cluster name.
    expect(await api.getScale(WEB)).toMatchObject({ specReplicas: 2 });
    now += 5 * 60_000;
    expect(await api.getScale(WEB)).toMatchObject({ specReplicas: 2 });
    now += 10 * 60_000; // the first token is now 15 minutes old
    expect(await api.getScale(WEB)).toMatchObject({ specReplicas: 2 });

    const [first, second, third] = kubeProxy.requests.map((request) => request.headers.authorization);
    expect(second).toBe(first);
    expect(third).not.toBe(first);
    const url = tokenOf(third);
    expect(url.host).toBe('sts.eu-west-1.amazonaws.com');
    expect(url.searchParams.get('X-Amz-Date')).toBe('20250101T001500Z');
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe('host;x-k8s-aws-id');
  });

  it('reuses TLS connections across requests instead of one handshake per request', async () => {
    await createCluster();
    // Each read a pass apart, so each is its own request (a pass's reads would share one list).
    let passes = 0;
    const api = new KubernetesScaleTargetApi(await access().kubeConfigFor(cluster), { now: () => (passes += 15_000) });
    const before = kubeProxy.connectionCount();
    for (let i = 0; i < 10; i++) await api.getScale(WEB);
    // client-node alone opens a connection per request (10 here); pooled, keep-alive reuses them.
    expect(kubeProxy.connectionCount() - before).toBeLessThanOrEqual(2);
    // Twenty reads held at the proxy until all twenty have arrived, so the pool has twenty
    // connections open at once (unheld, some reads end before others start, and the pool opens
    // fewer than the next pass may need: a race, not a reuse failure).
    kubeProxy.inject({ match: (request) => request.method === 'GET', fault: { forwardAfter: barrierOf(20) }, times: 20 });
    await Promise.all(Array.from({ length: 20 }, () => api.getScale(WEB)));
    const warmed = kubeProxy.connectionCount();
    // undici frees a keep-alive connection one event-loop turn after its answer ends (client-h1.js:
    // "wait a full event loop cycle to reuse this socket"); a real next pass comes 15 s later.
    await new Promise((resolve) => setImmediate(resolve));
    await Promise.all(Array.from({ length: 20 }, () => api.getScale(WEB)));
    expect(kubeProxy.connectionCount()).toBe(warmed); // the pool's connections serve the next pass
    expect(kubeProxy.requests).toHaveLength(50);
  });

  it('describes each cluster once per container life, and retries after a failure (a missing cluster)', async () => {
    const discovery = access();
    await expect(discovery.kubeConfigFor(cluster)).rejects.toThrow(/EKS cluster prod in eu-west-1 does not exist: fix the cluster name or region in the scaler configuration/);
    await createCluster();
    const [a, b] = await Promise.all([discovery.kubeConfigFor(cluster), discovery.kubeConfigFor(cluster)]);
    expect(a).toBe(b);
    expect(await discovery.kubeConfigFor(cluster)).toBe(a);
    expect(await describeCalls()).toHaveLength(1);
  });

  it('describes each cluster once per container life, and retries after a failure (throttled)', async () => {
    await createCluster();
    eksProxy.inject({ match: (request) => request.method === 'GET' && request.path === '/clusters/prod', fault: 'throttle', times: 1 });
    const discovery = access();
    await expect(discovery.kubeConfigFor(cluster)).rejects.toThrow(/EKS cluster prod in eu-west-1: DescribeCluster failed: Rate Exceeded/);
    const [a, b] = await Promise.all([discovery.kubeConfigFor(cluster), discovery.kubeConfigFor(cluster)]);
    expect(a).toBe(b);
    expect(await discovery.kubeConfigFor(cluster)).toBe(a);
    expect(eksProxy.requests.filter((request) => request.path === '/clusters/prod')).toHaveLength(2);
    // The throttled call never reached moto; the retry did, for this cluster.
    expect(await describeCalls()).toEqual([expect.objectContaining({ service: 'eks', method: 'GET', path: '/clusters/prod' })]);
  });

  it('refuses a CONFIG_MAP-only cluster and says how to switch', async () => {
    await createCluster({ authenticationMode: 'CONFIG_MAP' });
    const error = (await access().kubeConfigFor(cluster).catch((e: unknown) => e)) as Error;
    expect(error.message).toContain('EKS cluster prod in eu-west-1 uses authenticationMode CONFIG_MAP');
    expect(error.message).toContain('API_AND_CONFIG_MAP');
    expect(error.message).toContain('aws eks update-cluster-config --name prod --region eu-west-1 --access-config authenticationMode=API_AND_CONFIG_MAP');
  });

  it('waits for a cluster that has no endpoint yet', async () => {
    await createCluster({ endpoint: '', status: 'CREATING' });
    await expect(access().kubeConfigFor(cluster)).rejects.toThrow(/no API endpoint yet \(status CREATING\)/);
  });
});

/** A promise per arrival that settles once `count` have arrived. */
function barrierOf(count: number): () => Promise<void> {
  let arrived = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    arrived += 1;
    if (arrived === count) open();
    return opened;
  };
}
