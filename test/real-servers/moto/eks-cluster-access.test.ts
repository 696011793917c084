/**
 * EKS discovery (EksClusterAccess) through the real EKS client against moto's DescribeCluster
 * (REST-JSON): the cluster is created with CreateCluster, then the fields moto invents (endpoint,
 * CA, access config) are seeded to name the Kubernetes API test server, as a real cluster names
 * its own. Throttling on demand and AccessDenied stay in test/adapters/kubernetes/eks-cluster-access.test.ts
 * (moto cannot throttle on demand, and writes IAM denials as XML, which a REST-JSON client cannot read).
 */
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EksClusterAccess } from '../../../lambdas/adapters/kubernetes/eks-cluster-access';
import { KubernetesScaleTargetApi } from '../../../lambdas/adapters/kubernetes/kubernetes-scale-target-api';
import { startKubeApiServer, type KubeApiServer } from '../../support/kube-api-server';
import { MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../../support/moto-server';
import { deployment } from '../../adapters/kubernetes/kube-fixtures';

const cluster = { name: 'prod', region: 'eu-west-1' };
const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });

describe.skipIf(MOTO_SKIP)('EKS discovery against moto', () => {
  let moto: MotoServer;
  let kube: KubeApiServer;
  let eks: EKSClient;
  beforeAll(async () => {
    [moto, kube] = await Promise.all([startMoto(), startKubeApiServer({ authenticate: (header) => header?.startsWith('Bearer k8s-aws-v1.') === true })]);
    kube.put('Deployment', deployment('jobs', 'web', 2));
    eks = new EKSClient(moto.clientConfig(cluster.region));
  }, MOTO_START_TIMEOUT_MS);
  afterAll(async () => {
    eks?.destroy();
    await Promise.all([moto?.stop(), kube?.close()]);
  });
  beforeEach(async () => {
    await moto.reset();
    await moto.recordRequests();
  });

  const access = () => new EksClusterAccess({ eks: () => eks, credentials });
  async function createCluster(seed: { authenticationMode?: 'API' | 'API_AND_CONFIG_MAP' | 'CONFIG_MAP'; endpoint?: string; status?: string } = {}) {
    await eks.send(new CreateClusterCommand({ name: cluster.name, roleArn: 'arn:aws:iam::123456789012:role/eks', resourcesVpcConfig: {} }));
    await moto.seedEksCluster({
      region: cluster.region,
      name: cluster.name,
      endpoint: seed.endpoint ?? kube.url,
      certificateAuthorityData: Buffer.from(kube.caPem).toString('base64'),
      authenticationMode: seed.authenticationMode ?? 'API_AND_CONFIG_MAP',
      ...(seed.status ? { status: seed.status } : {}),
    });
    await moto.recordRequests();
  }
  const describeCalls = () => moto.recordedRequests('GET /clusters/prod');

  it.each(['API', 'API_AND_CONFIG_MAP'] as const)('authenticationMode %s: reaches the described endpoint over TLS with the described CA and an EKS token', async (mode) => {
    await createCluster({ authenticationMode: mode });
    const config = await access().kubeConfigFor(cluster);
    expect(config.getCurrentCluster()?.server).toBe(kube.url);
    const scale = await new KubernetesScaleTargetApi(config).getScale({ namespace: 'jobs', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });
    expect(scale).toMatchObject({ specReplicas: 2 });
    expect(kube.requests.at(-1)?.authorization).toMatch(/^Bearer k8s-aws-v1\./);
  });

  it('describes each cluster once per container life, and retries after a failure', async () => {
    const discovery = access();
    await expect(discovery.kubeConfigFor(cluster)).rejects.toThrow(/EKS cluster prod in eu-west-1 does not exist: fix the cluster name or region in the scaler configuration/);
    await createCluster();
    const [a, b] = await Promise.all([discovery.kubeConfigFor(cluster), discovery.kubeConfigFor(cluster)]);
    expect(a).toBe(b);
    expect(await discovery.kubeConfigFor(cluster)).toBe(a);
    expect(await describeCalls()).toHaveLength(1);
  });

  it('refuses a CONFIG_MAP-only cluster and says how to switch', async () => {
    await createCluster({ authenticationMode: 'CONFIG_MAP' });
    await expect(access().kubeConfigFor(cluster)).rejects.toThrow(
      'aws eks update-cluster-config --name prod --region eu-west-1 --access-config authenticationMode=API_AND_CONFIG_MAP',
    );
  });

  it('waits for a cluster that has no endpoint yet', async () => {
    await createCluster({ endpoint: '', status: 'CREATING' });
    await expect(access().kubeConfigFor(cluster)).rejects.toThrow(/no API endpoint yet \(status CREATING\)/);
  });
});
