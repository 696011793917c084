/**
 * A real kube-apiserver with embedded etcd (k8s.io/kubernetes, built by real-kube-build.ts) on a
 * loopback HTTPS port, authenticating the way EKS does: EKS tokens (presigned STS URLs) mapped to
 * Kubernetes users and groups by access key, as the cluster's access entries map the Lambdas' roles.
 * RBAC is the only authorizer; no controller manager runs, so status is written by the tests.
 *
 *   describe.skipIf(REAL_KUBE_SKIP)('... against a real apiserver', () => {
 *     let kube: RealKubeApiServer;
 *     beforeAll(async () => { kube = await startRealKubeApiServer(); }, REAL_KUBE_START_TIMEOUT_MS);
 *     afterAll(() => kube?.close());
 *     await kube.apply(yamlText);                                    // server-side apply, as admin
 *     await kube.writeStatus(deployment, { replicas: 3, readyReplicas: 3 });
 *     const asPodScaler = kube.kubeConfigAs(POD_SCALER_IDENTITY);    // real EKS tokens, RBAC applies
 *     const admin = kube.adminKubeConfig();
 *   });
 *
 * Start cost: etcd plus the apiserver's post-start hooks take a few seconds (`startMillis`), so a
 * test file starts one server in beforeAll and isolates its tests by namespace.
 */
import { spawn } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { createEksToken } from '../../lambdas/adapters/kubernetes/eks-token';
import { pluralOf } from '../../lambdas/adapters/kubernetes/resource-plurals';
import { readReadyLine, stopByClosingStdin } from './child-server';
import { buildKubeHarness, KUBE_BUILD_TIMEOUT_MS } from './real-kube-build';

export { REAL_KUBE_SKIP } from './real-kube-build';

/** beforeAll timeout: covers a first build (when globalSetup did not run) plus the start. */
export const REAL_KUBE_START_TIMEOUT_MS = KUBE_BUILD_TIMEOUT_MS + 120_000;
const READY_TIMEOUT_MS = 180_000;
const REQUEST_TIMEOUT_MS = 15_000;
const FIELD_MANAGER = 'eks-lambda-scaler-tests';

/** An IAM identity with an access entry on the test cluster. */
export interface EksTestIdentity {
  accessKeyId: string;
  secretAccessKey: string;
  /** What EKS names the user: the assumed-role session ARN. */
  username: string;
  groups: string[];
}

/** The pod scaler's Lambda role, mapped to the group deploy/rbac.yaml binds for workloads. */
export const POD_SCALER_IDENTITY: EksTestIdentity = {
  accessKeyId: 'AKIDPODSCALERTEST',
  secretAccessKey: 'pod-scaler-test-secret',
  username: 'arn:aws:sts::111122223333:assumed-role/eks-lambda-scaler-pod-scaler/pod-scaler',
  groups: ['eks-lambda-scaler'],
};

/** The node scaler's Lambda role, mapped to the nodes group. */
export const NODE_SCALER_IDENTITY: EksTestIdentity = {
  accessKeyId: 'AKIDNODESCALERTEST',
  secretAccessKey: 'node-scaler-test-secret',
  username: 'arn:aws:sts::111122223333:assumed-role/eks-lambda-scaler-node-scaler/node-scaler',
  groups: ['eks-lambda-scaler-nodes'],
};

export interface RealKubeApiServerOptions {
  /** The cluster name EKS tokens must be signed for (x-k8s-aws-id). */
  clusterName?: string;
  identities?: EksTestIdentity[];
  /**
   * How long after signing a token is accepted, as a Go duration. '0s' (the default) accepts any
   * age, because the suites sign tokens on a fake clock; '15m' is what EKS enforces.
   */
  tokenMaxAge?: string;
}

export interface RealKubeApiServer {
  /** https://127.0.0.1:<port> */
  endpoint: string;
  caPem: string;
  clusterName: string;
  /** How long the harness took from exec to /readyz 200. */
  startMillis: number;
  /** A KubeConfig as system:masters (static token): for the tests' own set-up and checks. */
  adminKubeConfig(): KubeConfig;
  /**
   * A KubeConfig that signs a fresh EKS token per request as `identity`: what the scaler sees.
   * `through` points it at a proxy in front of this server (test/support/fault-proxy.ts) instead.
   */
  kubeConfigAs(identity: EksTestIdentity, clusterName?: string, through?: { endpoint: string; caPem: string }): KubeConfig;
  /** Server-side applies YAML text (one or more documents) or objects, as admin; returns what the server stored. */
  apply(manifests: string | KubernetesObject[]): Promise<KubernetesObject[]>;
  /** Merge-patches an object's status subresource, as admin (a controller's job, absent here). */
  writeStatus(object: KubernetesObject, status: Record<string, unknown>): Promise<void>;
  /** Merge-patches an object, as admin (e.g. what the node lifecycle controller would change). */
  mergePatch(object: KubernetesObject, patch: Record<string, unknown>): Promise<void>;
  /** GETs a path as admin with the given Accept header (e.g. the server's Table form); returns the body. */
  adminGet(path: string, accept?: string): Promise<string>;
  /** Reads an object as admin, or undefined when it does not exist. */
  read<T extends KubernetesObject>(apiVersion: string, kind: string, namespace: string | undefined, name: string): Promise<T | undefined>;
  close(): Promise<void>;
}

interface ReadyLine {
  endpoint: string;
  caPem: string;
  adminToken: string;
  startMillis: number;
}

export async function startRealKubeApiServer(options: RealKubeApiServerOptions = {}): Promise<RealKubeApiServer> {
  const binary = await buildKubeHarness();
  const clusterName = options.clusterName ?? 'test-cluster';
  const identities = Object.fromEntries(
    (options.identities ?? [POD_SCALER_IDENTITY, NODE_SCALER_IDENTITY]).map(({ accessKeyId, ...entry }) => [accessKeyId, entry]),
  );
  const child = spawn(
    binary,
    [`--identities=${JSON.stringify(identities)}`, `--cluster-name=${clusterName}`, `--token-max-age=${options.tokenMaxAge ?? '0s'}`],
    // stdin stays open: the harness exits when it closes, so a crashed test run leaves nothing behind.
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-16_000)));
  const ready = await readReadyLine<ReadyLine>(child, { timeoutMs: READY_TIMEOUT_MS, what: 'real kube-apiserver', stderr: () => stderr });

  const adminKubeConfig = () => kubeConfigWith(ready, { name: 'test-admin', token: ready.adminToken });
  const admin = adminKubeConfig();
  const objects = KubernetesObjectApi.makeApiClient(admin);

  return {
    endpoint: ready.endpoint,
    caPem: ready.caPem,
    clusterName,
    startMillis: ready.startMillis,
    adminKubeConfig,
    kubeConfigAs(identity, tokenCluster = clusterName, through) {
      const config = kubeConfigWith(through ? { ...ready, ...through } : ready, { name: identity.username });
      config.addAuthenticator({
        isAuthProvider: (user) => user.name === identity.username,
        applyAuthentication: async (_user, opts) => {
          const { token } = await createEksToken(tokenCluster, 'us-east-1', identity, Date.now());
          opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
        },
      });
      return config;
    },
    async apply(manifests) {
      const documents = typeof manifests === 'string' ? parseYamlDocuments(manifests) : manifests;
      const stored: KubernetesObject[] = [];
      for (const document of documents) {
        if (document.kind === 'CustomResourceDefinition') {
          // The client's typed serializer knows CRD schema keys by its own names (`_enum`,
          // `xKubernetesValidations`) and silently drops `enum`, `x-kubernetes-*` written as YAML
          // has them; a CRD is therefore sent as written.
          const path = `${objectPath(document)}?fieldManager=${FIELD_MANAGER}&force=true`;
          stored.push(JSON.parse(await adminRequest(ready, 'PATCH', path, JSON.stringify(document), 'application/apply-patch+yaml')) as KubernetesObject);
          continue;
        }
        stored.push(await objects.patch(document, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply));
      }
      return stored;
    },
    async writeStatus(object, status) {
      await adminRequest(ready, 'PATCH', `${objectPath(object)}/status`, JSON.stringify({ status }), PatchStrategy.MergePatch);
    },
    async mergePatch(object, patch) {
      await adminRequest(ready, 'PATCH', objectPath(object), JSON.stringify(patch), PatchStrategy.MergePatch);
    },
    adminGet: (path, accept = 'application/json') => adminRequest(ready, 'GET', path, '', 'application/json', accept),
    async read<T extends KubernetesObject>(apiVersion: string, kind: string, namespace: string | undefined, name: string) {
      try {
        return (await objects.read({ apiVersion, kind, metadata: { name, namespace } })) as T;
      } catch (error) {
        if ((error as { code?: number }).code === 404) return undefined;
        throw error;
      }
    },
    // Graceful apiserver shutdown takes a second or two; the harness itself gives up after 20 s.
    close: () => stopByClosingStdin(child, 25_000),
  };
}

/** The HTTP status a client-node call ends with: 200 when it succeeds, the server's code when it is refused. */
export async function statusOf(call: () => Promise<unknown>): Promise<number> {
  // A 429 is the server's priority-and-fairness shedding load (seen on a loaded 2-core machine), not
  // an answer about permissions: retry it as client-go does (it retries 429s up to 10 times).
  for (let attempt = 1; ; attempt += 1) {
    try {
      await call();
      return 200;
    } catch (error) {
      const code = (error as { code?: number }).code;
      if (code === 429 && attempt < 10) {
        await new Promise((resolve) => setTimeout(resolve, 500 * attempt));
        continue;
      }
      if (typeof code === 'number') return code;
      throw error;
    }
  }
}

/** Waits until the server's own establishing controller marks the CRD Established (polls it; no timing is asserted). */
export async function waitForEstablished(kube: RealKubeApiServer, name: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const crd = await kube.read<KubernetesObject & { status?: { conditions?: Array<{ type: string; status: string }> } }>(
      'apiextensions.k8s.io/v1', 'CustomResourceDefinition', undefined, name);
    if (crd?.status?.conditions?.some((condition) => condition.type === 'Established' && condition.status === 'True')) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`CRD ${name} was not Established`);
}

/** deploy/crds/ (KEDA's four kinds, ScaledJob since issue 17), applied and Established. */
export const KEDA_CRD_FILES = ['scaledobjects.keda.sh.yaml', 'triggerauthentications.keda.sh.yaml', 'clustertriggerauthentications.keda.sh.yaml', 'scaledjobs.keda.sh.yaml'];

function parseYamlDocuments(text: string): KubernetesObject[] {
  return parseAllDocuments(text)
    .map((document) => document.toJS() as KubernetesObject | null)
    .filter((object): object is KubernetesObject => Boolean(object?.kind));
}

function kubeConfigWith(ready: Pick<ReadyLine, 'endpoint' | 'caPem'>, user: { name: string; token?: string }): KubeConfig {
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'real-kube', server: ready.endpoint, caData: Buffer.from(ready.caPem).toString('base64'), skipTLSVerify: false }],
    users: [user],
    contexts: [{ name: 'real-kube', cluster: 'real-kube', user: user.name }],
    currentContext: 'real-kube',
  });
  return config;
}

/** The REST path of an object, from its apiVersion, kind (plural by the API machinery's rule) and namespace. */
export function objectPath(object: KubernetesObject): string {
  const apiVersion = object.apiVersion ?? '';
  const prefix = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  const namespace = object.metadata?.namespace ? `/namespaces/${object.metadata.namespace}` : '';
  return `${prefix}${namespace}/${pluralOf(object.kind ?? '')}/${object.metadata?.name ?? ''}`;
}

function adminRequest(ready: ReadyLine, method: string, path: string, body: string, contentType: string, accept = 'application/json'): Promise<string> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      `${ready.endpoint}${path}`,
      {
        method,
        ca: ready.caPem,
        headers: { Authorization: `Bearer ${ready.adminToken}`, 'Content-Type': contentType, Accept: accept },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (response) => {
        let text = '';
        response.on('data', (chunk: Buffer) => (text += chunk.toString()));
        response.on('end', () => {
          if ((response.statusCode ?? 0) < 300) resolve(text);
          else reject(new Error(`${method} ${path} answered ${response.statusCode}: ${text}`));
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error(`${method} ${path} timed out after ${REQUEST_TIMEOUT_MS} ms`)));
    request.on('error', reject);
    request.end(body);
  });
}
