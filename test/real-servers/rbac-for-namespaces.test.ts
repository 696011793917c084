/**
 * deploy/rbac-for-namespaces.sh on a real kube-apiserver: the pod scaler's permissions bound only in
 * the named namespaces (RoleBindings instead of the cluster-wide binding), the node scaler's still
 * cluster-wide. Checked with the scalers' own EKS identities through the production adapters.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesClusterNodesApi } from '../../lambdas/adapters/kubernetes/kubernetes-cluster-nodes-api';
import { KubernetesScaleTargetApi } from '../../lambdas/adapters/kubernetes/kubernetes-scale-target-api';
import { KubernetesPodMetricsApi } from '../../lambdas/adapters/kubernetes/pod-metrics-api';
import { KubernetesApiError, type WorkloadRef } from '../../lambdas/adapters/kubernetes/scale-target-api';
import {
  NODE_SCALER_IDENTITY,
  POD_SCALER_IDENTITY,
  REAL_KUBE_SKIP,
  REAL_KUBE_START_TIMEOUT_MS,
  startRealKubeApiServer,
  type RealKubeApiServer,
} from '../support/real-kube-apiserver';

const SCRIPT = fileURLToPath(new URL('../../deploy/rbac-for-namespaces.sh', import.meta.url));
const BOUND = 'jobs';
const UNBOUND = 'payments';

function workloads(namespace: string): string {
  return `
apiVersion: v1
kind: Namespace
metadata: {name: ${namespace}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: ${namespace}}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "web:1"}]}
---
apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: ${namespace}, labels: {app: web}}
spec: {containers: [{name: web, image: "web:1"}]}
`;
}

const web = (namespace: string): WorkloadRef => ({ namespace, apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' });

async function refusal(call: () => Promise<unknown>): Promise<number | 'allowed'> {
  try {
    await call();
    return 'allowed';
  } catch (error) {
    if (error instanceof KubernetesApiError) return error.status;
    throw error;
  }
}

describe.skipIf(REAL_KUBE_SKIP)('deploy/rbac-for-namespaces.sh on a real kube-apiserver', () => {
  let kube: RealKubeApiServer;

  beforeAll(async () => {
    kube = await startRealKubeApiServer();
    // The RoleBinding lives in its namespace: the namespaces come first, as `kubectl apply` needs too.
    await kube.apply(workloads(BOUND));
    await kube.apply(workloads(UNBOUND));
    await kube.apply(execFileSync('sh', [SCRIPT, BOUND], { encoding: 'utf8' }));
  }, REAL_KUBE_START_TIMEOUT_MS);

  afterAll(() => kube?.close());

  it.each([
    { action: 'read the scale', call: (api: KubernetesScaleTargetApi, ns: string) => api.getScale(web(ns)) },
    { action: 'patch the scale', call: (api: KubernetesScaleTargetApi, ns: string) => api.patchScaleReplicas(web(ns), 2) },
    { action: 'count ready pods', call: (api: KubernetesScaleTargetApi, ns: string) => api.countReadyPods(ns, 'app=web') },
    { action: 'look for an HPA', call: (api: KubernetesScaleTargetApi, ns: string) => api.findHpaFor(web(ns)) },
    { action: 'read container env', call: (api: KubernetesScaleTargetApi, ns: string) => api.readContainerEnv(web(ns)) },
    { action: 'record an Event', call: (api: KubernetesScaleTargetApi, ns: string) => api.recordEvent(web(ns), { type: 'Normal', reason: 'Test', message: 'x' }) },
  ])('the pod scaler may $action in a bound namespace only', async ({ call }) => {
    const api = new KubernetesScaleTargetApi(kube.kubeConfigAs(POD_SCALER_IDENTITY));
    expect(await refusal(() => call(api, BOUND))).toBe('allowed');
    expect(await refusal(() => call(api, UNBOUND))).toBe(403);
  });

  it('the pod scaler may list PodMetrics in a bound namespace only (404 there: no metrics-server on this server; 403 elsewhere)', async () => {
    const api = new KubernetesPodMetricsApi(kube.kubeConfigAs(POD_SCALER_IDENTITY));
    const read = (namespace: string) => refusal(() => api.readResourcePods({ namespace, selector: 'app=web', resource: 'cpu' }));
    expect(await read(BOUND)).toBe(404);
    expect(await read(UNBOUND)).toBe(403);
  });

  it('the node scaler still reads pods in every namespace', async () => {
    const api = new KubernetesClusterNodesApi(kube.kubeConfigAs(NODE_SCALER_IDENTITY));
    expect((await api.listPods()).map((pod) => `${pod.namespace}/${pod.name}`).sort()).toEqual([`${BOUND}/web-1`, `${UNBOUND}/web-1`]);
  });
});
