/**
 * The Kubernetes adapters facing a misbehaving API server (issue 12): a hung request times out, an
 * answer that is not a Scale is an error (never 0 replicas), a TLS failure names the endpoint and
 * the CA problem, and a name that is not a path segment never reaches the wire. Each case is a small
 * loopback server that misbehaves on purpose (no client mock, no hand-written API server): the
 * misbehaviour is the whole subject, and a real kube-apiserver behind it would play no part.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { rootCertificates } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { KubeConfig } from '@kubernetes/client-node';
import { KubernetesClusterNodesApi } from '../../../lambdas/adapters/kubernetes/kubernetes-cluster-nodes-api';
import { KubernetesScaleTargetApi } from '../../../lambdas/adapters/kubernetes/kubernetes-scale-target-api';
import type { WorkloadRef } from '../../../lambdas/adapters/kubernetes/scale-target-api';
import { reuseConnections } from '../../../lambdas/adapters/kubernetes/connection-reuse';
import { listenOnLoopback } from '../../../lambdas/util/listen-on-loopback';
import { KUBE_TEST_TLS_CERT, KUBE_TEST_TLS_KEY } from '../../support/kube-tls-fixture';

const web: WorkloadRef = { namespace: 'jobs', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (closers.length > 0) await closers.pop()!();
});

/** A plain-HTTP API server that answers every request with `respond` (or never, when it returns undefined). */
async function misbehavingServer(respond: (request: IncomingMessage, response: ServerResponse) => boolean): Promise<{ kubeConfig: KubeConfig; url: string; paths: string[] }> {
  const paths: string[] = [];
  const server: Server = createServer((request, response) => {
    paths.push(request.url ?? '');
    respond(request, response);
  });
  const port = await listenOnLoopback(server);
  closers.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  });
  const url = `http://127.0.0.1:${port}`;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: url, skipTLSVerify: true }], // plain HTTP: client-node requires the flag
    users: [{ name: 'u', token: 'secret-bearer-token' }],
    contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
    currentContext: 'c',
  });
  return { kubeConfig, url, paths };
}

const json = (response: ServerResponse, body: unknown) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
  return true;
};

describe('an answer that is not a replica count is an error, never 0 replicas', () => {
  it.each([
    { what: 'a Scale without spec', scale: { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web' }, status: { replicas: 10 } }, got: 'no spec' },
    { what: 'a non-numeric spec.replicas', scale: { kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: 'ten' }, status: { replicas: 10 } }, got: 'spec.replicas "ten"' },
    { what: 'a negative spec.replicas', scale: { kind: 'Scale', metadata: { name: 'web' }, spec: { replicas: -1 }, status: { replicas: 10 } }, got: 'spec.replicas -1' },
  ])('$what', async ({ scale, got }) => {
    const { kubeConfig } = await misbehavingServer((_request, response) => json(response, scale));
    const api = new KubernetesScaleTargetApi(kubeConfig);
    await expect(api.getScale(web)).rejects.toThrow(`the scale subresource of Deployment jobs/web answered with ${got}, not a replica count`);
  });

  it('reads an absent spec.replicas in a present spec as 0, as upstream omits a zero count (omitempty)', async () => {
    const { kubeConfig } = await misbehavingServer((_request, response) => json(response, { kind: 'Scale', metadata: { name: 'web' }, spec: {}, status: { replicas: 0 } }));
    expect(await new KubernetesScaleTargetApi(kubeConfig).getScale(web)).toMatchObject({ specReplicas: 0 });
  });
});

describe('every request has a timeout', () => {
  it('a hung scale read fails with a timeout naming the endpoint and the call', async () => {
    const { kubeConfig, url } = await misbehavingServer(() => false);
    const api = new KubernetesScaleTargetApi(kubeConfig, { callTimeoutMs: 50 });
    const failure = api.getScale(web);
    await expect(failure).rejects.toThrow(`the Kubernetes API at ${url} did not answer in time when the scaler tried to get deployments/scale`);
    await expect(failure).rejects.not.toThrow(/secret-bearer-token/);
  });

  it("a hung node list fails the same way in the node scaler's adapter", async () => {
    const { kubeConfig, url } = await misbehavingServer(() => false);
    await expect(new KubernetesClusterNodesApi(kubeConfig, { callTimeoutMs: 50 }).listNodes()).rejects.toThrow(
      `the Kubernetes API at ${url} did not answer in time when the scaler tried to list nodes`,
    );
  });
});

describe('TLS failures', () => {
  it('name the endpoint and the CA problem instead of "fetch failed"', async () => {
    // A loopback HTTPS server with a self-signed certificate: the handshake fails before any request,
    // so no API server (hand-written or real) is needed behind it.
    const server = createHttpsServer({ cert: KUBE_TEST_TLS_CERT, key: KUBE_TEST_TLS_KEY }, (_request, response) => json(response, {}));
    const port = await listenOnLoopback(server);
    closers.push(() => new Promise((resolve) => server.close(() => resolve())));
    const url = `https://127.0.0.1:${port}`;
    const kubeConfig = new KubeConfig();
    // A CA that did not sign the server's certificate (as after a cluster CA rotation).
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server: url, caData: Buffer.from(rootCertificates[0]!).toString('base64'), skipTLSVerify: false }],
      users: [{ name: 'u', token: 'test-token' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    const failure = new KubernetesScaleTargetApi(kubeConfig).getScale(web);
    await expect(failure).rejects.toThrow(`TLS to the Kubernetes API at ${url} failed when the scaler tried to get deployments/scale`);
    await expect(failure).rejects.toThrow(/self-signed certificate that is not the cluster CA \(DEPTH_ZERO_SELF_SIGNED_CERT\)/);
    await expect(failure).rejects.toThrow(/certificateAuthority that EKS DescribeCluster returns/);
  });
});

describe('names that are not path segments never reach the wire', () => {
  it.each([
    { field: 'spec.scaleTargetRef.name', ref: { ...web, name: '.' } },
    { field: 'spec.scaleTargetRef.name', ref: { ...web, name: 'a/b' } },
    { field: 'namespace', ref: { ...web, namespace: '..' } },
    { field: 'namespace', ref: { ...web, namespace: 'a%2Fb' } },
  ])('$field = "$ref.name" / "$ref.namespace"', async ({ field, ref }) => {
    const { kubeConfig, paths } = await misbehavingServer((_request, response) => json(response, {}));
    const api = new KubernetesScaleTargetApi(kubeConfig);
    await expect(api.getScale(ref)).rejects.toThrow(`refusing to call the Kubernetes API: ${field}`);
    await expect(api.patchScaleReplicas(ref, 3)).rejects.toThrow('refusing to call the Kubernetes API');
    expect(paths).toEqual([]);
  });
});

describe('a keep-alive connection the server closed', () => {
  const replicaSet: WorkloadRef = { namespace: 'jobs', apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web' };
  const scale = { kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web', resourceVersion: '7' }, spec: { replicas: 3 }, status: { replicas: 3 } };

  /**
   * Answers the first request of each connection, and closes the connection unanswered when a second
   * request comes on it (once): what a client sees when the server closes a keep-alive connection it
   * found idle just as the client sends on it (undici's `UND_ERR_SOCKET other side closed`).
   */
  async function closesReusedConnectionOnce() {
    let closed = false;
    const seen = new WeakSet<object>();
    const paths: string[] = [];
    // HTTPS with a cluster CA, as EKS: client-node then builds the dispatcher that reuseConnections keeps.
    const server = createHttpsServer({ cert: KUBE_TEST_TLS_CERT, key: KUBE_TEST_TLS_KEY }, (request, response) => {
      paths.push(request.url ?? '');
      if (seen.has(request.socket) && !closed) {
        closed = true;
        request.socket.destroy();
        return;
      }
      seen.add(request.socket);
      json(response, scale);
    });
    const port = await listenOnLoopback(server);
    closers.push(() => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    });
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromOptions({
      clusters: [{ name: 'c', server: `https://127.0.0.1:${port}`, caData: Buffer.from(KUBE_TEST_TLS_CERT).toString('base64'), skipTLSVerify: false }],
      users: [{ name: 'u', token: 'test-token' }],
      contexts: [{ name: 'c', cluster: 'c', user: 'u' }],
      currentContext: 'c',
    });
    // As EksClusterAccess arms every cluster's KubeConfig: one keep-alive connection pool, not one per request.
    return { kubeConfig: reuseConnections(kubeConfig), paths, closed: () => closed };
  }

  // undici's pool here alternates between two keep-alive connections, so the third request is the first on a used one.
  const warmUp = async (api: KubernetesScaleTargetApi) => {
    await api.getScale(replicaSet);
    await api.getScale(replicaSet);
  };

  it('a read is sent once more, on a new connection, and succeeds', async () => {
    const { kubeConfig, paths, closed } = await closesReusedConnectionOnce();
    const api = new KubernetesScaleTargetApi(kubeConfig);
    await warmUp(api);
    expect(await api.getScale(replicaSet)).toMatchObject({ specReplicas: 3 });
    expect(closed()).toBe(true);
    expect(paths).toEqual(Array(4).fill('/apis/apps/v1/namespaces/jobs/replicasets/web/scale'));
  });

  it('a write is never resent: the server may have applied it', async () => {
    const { kubeConfig, paths, closed } = await closesReusedConnectionOnce();
    const api = new KubernetesScaleTargetApi(kubeConfig);
    await warmUp(api);
    await expect(api.patchScaleReplicas(replicaSet, 4)).rejects.toThrow(/could not reach the Kubernetes API at .* to patch replicasets\/scale .*: UND_ERR_SOCKET other side closed/);
    expect(closed()).toBe(true);
    expect(paths).toHaveLength(3);
  });
});
