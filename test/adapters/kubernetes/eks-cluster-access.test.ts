/**
 * EksClusterAccess against a hung EKS endpoint: a loopback server that accepts the request and never
 * answers (no mock; the real EKS client and its timeout). Its other cases run against moto and a real
 * kube-apiserver in test/real-servers/moto/eks-cluster-access.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { EKSClient } from '@aws-sdk/client-eks';
import { EksClusterAccess } from '../../../lambdas/adapters/kubernetes/eks-cluster-access';
import { createServer } from 'node:http';
import { listenOnLoopback } from '../../../lambdas/util/listen-on-loopback';

const credentials = async () => ({ accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' });
const cluster = { name: 'prod', region: 'eu-west-1' };

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
