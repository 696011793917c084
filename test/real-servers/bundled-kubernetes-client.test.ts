/**
 * The Kubernetes client as the Lambdas deploy it: bundled with the construct's esbuild options
 * (lib/lambda-bundle-aliases.ts: split into chunks, as deployed), whose aliases swap undici's package index for the Agent and fetch
 * client-node uses and route `node:http` through `require`. Tests elsewhere run the unbundled
 * packages, so this file is where the swapped-in code talks to a real kube-apiserver: the pod
 * scaler's REST path and the node scaler's generated API classes, over TLS with the cluster CA,
 * and a TLS refusal that keeps its cause for the scaler's error messages.
 */
import { build } from 'esbuild';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOYED_ENTRY_NAME, LAMBDA_ESBUILD_PLUGINS, lambdaDeployedJsonOptions } from '../../lib/lambda-bundle-aliases';
import type { KubeConfig } from '../../lambdas/adapters/kubernetes/client-node-parts';
import type * as ClientNodeParts from '../../lambdas/adapters/kubernetes/client-node-parts';
import type * as KubernetesRestModule from '../../lambdas/adapters/kubernetes/kubernetes-rest';
import type * as ConnectionReuse from '../../lambdas/adapters/kubernetes/connection-reuse';
import type * as KubernetesApiErrors from '../../lambdas/adapters/kubernetes/kubernetes-api-errors';
import { REPO_ROOT } from '../infra/support/scaler-stack';
import { KUBE_TEST_TLS_CERT } from '../support/kube-tls-fixture';
import { REAL_KUBE_SKIP, REAL_KUBE_START_TIMEOUT_MS, startRealKubeApiServer, type RealKubeApiServer } from '../support/real-kube-apiserver';

type Bundled = Pick<typeof ClientNodeParts, 'KubeConfig' | 'CoreV1Api'> &
  Pick<typeof KubernetesRestModule, 'KubernetesRest'> &
  Pick<typeof ConnectionReuse, 'reuseConnections'> &
  Pick<typeof KubernetesApiErrors, 'describeTransportFailure'>;

async function bundleClient(dir: string): Promise<{ client: Bundled; inputs: string[] }> {
  // The deployed options (split into chunks, minified), with this module's exports as the entry.
  const { entryPoints: _deployedEntry, ...deployed } = lambdaDeployedJsonOptions(REPO_ROOT, '', dir);
  const result = await build({
    stdin: {
      contents: [
        "export { KubeConfig, CoreV1Api } from './lambdas/adapters/kubernetes/client-node-parts';",
        "export { KubernetesRest } from './lambdas/adapters/kubernetes/kubernetes-rest';",
        "export { reuseConnections } from './lambdas/adapters/kubernetes/connection-reuse';",
        "export { describeTransportFailure } from './lambdas/adapters/kubernetes/kubernetes-api-errors';",
      ].join('\n'),
      resolveDir: REPO_ROOT,
      loader: 'ts',
    },
    ...deployed,
    logLevel: 'error',
    plugins: LAMBDA_ESBUILD_PLUGINS,
    metafile: true,
  });
  const client = (await import(pathToFileURL(join(dir, `${DEPLOYED_ENTRY_NAME}.mjs`)).href)) as Bundled;
  return { client, inputs: Object.keys(result.metafile.inputs) };
}

/** A KubeConfig of the bundled client for this server, as EKS access builds one: endpoint, CA, bearer token. */
function kubeConfigFor(client: Bundled, server: string, caPem: string, token: string): KubeConfig {
  const kubeConfig = new client.KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'test', server, caData: Buffer.from(caPem).toString('base64'), skipTLSVerify: false }],
    users: [{ name: 'test', token }],
    contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
    currentContext: 'test',
  });
  return client.reuseConnections(kubeConfig);
}

describe.skipIf(REAL_KUBE_SKIP)('the Kubernetes client as bundled for the Lambdas, against a real kube-apiserver', () => {
  let kube: RealKubeApiServer;
  let client: Bundled;
  let inputs: string[];
  let token: string;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'bundled-kubernetes-client-'));
    [kube, { client, inputs }] = await Promise.all([startRealKubeApiServer(), bundleClient(dir)]);
    token = kube.adminKubeConfig().getCurrentUser()?.token ?? '';
  }, REAL_KUBE_START_TIMEOUT_MS);
  afterAll(async () => {
    await kube?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("is built from undici's Agent and fetch, not its package index", () => {
    const undici = inputs.filter((input) => input.includes('/undici/'));
    expect(undici.some((input) => input.endsWith('undici/lib/dispatcher/agent.js'))).toBe(true);
    expect(undici.some((input) => input.endsWith('undici/lib/web/fetch/index.js'))).toBe(true);
    expect(undici.filter((input) => input.endsWith('undici/index.js') || input.includes('undici/lib/web/cookies/'))).toEqual([]);
  });

  it("lists through the pod scaler's REST path over TLS with the cluster CA, twice on one KubeConfig", async () => {
    const rest = new client.KubernetesRest(kubeConfigFor(client, kube.endpoint, kube.caPem, token));
    const first = await rest.get<{ items: { metadata: { name: string } }[] }>({ group: '', version: 'v1', resource: 'namespaces' });
    const again = await rest.get<{ items: { metadata: { name: string } }[] }>({ group: '', version: 'v1', resource: 'namespaces' });
    expect(first.items.map((item) => item.metadata.name)).toContain('default');
    expect(again.items.map((item) => item.metadata.name)).toEqual(first.items.map((item) => item.metadata.name));
  });

  it("lists through the node scaler's generated API classes", async () => {
    const core = kubeConfigFor(client, kube.endpoint, kube.caPem, token).makeApiClient(client.CoreV1Api);
    const namespaces = await core.listNamespace();
    expect(namespaces.items.map((item) => item.metadata?.name)).toContain('default');
  });

  it('refuses a server whose certificate is not from the cluster CA, and says so', async () => {
    // The right endpoint, the wrong CA: the test TLS fixture's self-signed certificate.
    const rest = new client.KubernetesRest(kubeConfigFor(client, kube.endpoint, KUBE_TEST_TLS_CERT, token));
    const failure = await rest.get({ group: '', version: 'v1', resource: 'namespaces' }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect(client.describeTransportFailure(failure, 'list namespaces', kube.endpoint)).toMatch(/^TLS to the Kubernetes API at .* failed when the scaler tried to list namespaces/);
  });
});
