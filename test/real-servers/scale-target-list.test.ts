/**
 * Goal 5 of issue 13 against a real kube-apiserver with deploy/rbac.yaml, reached as the pod
 * scaler's identity: one LIST per namespace and kind answers every Deployment/StatefulSet scale read
 * of a pass, with the same Scale (replicas, selector string, resourceVersion) the scale subresource
 * GET answers; a patch's answer wins over the pass's older list; other kinds keep the scale GET.
 * Calls are counted on the client, one per request the KubeConfig signs.
 */
import { AppsV1Api, type KubeConfig } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubernetesScaleTargetApi } from '../../lambdas/adapters/kubernetes/kubernetes-scale-target-api';
import type { WorkloadRef } from '../../lambdas/adapters/kubernetes/scale-target-api';
import {
  POD_SCALER_IDENTITY,
  REAL_KUBE_SKIP,
  REAL_KUBE_START_TIMEOUT_MS,
  startRealKubeApiServer,
  type RealKubeApiServer,
} from '../support/real-kube-apiserver';

const RBAC_YAML = readFileSync(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8');

/** Records `<METHOD> <path>` of every request the config authenticates. */
function countingCalls(config: KubeConfig): string[] {
  const calls: string[] = [];
  const authenticate = config.applySecurityAuthentication.bind(config);
  config.applySecurityAuthentication = async (context) => {
    calls.push(`${context.getHttpMethod()} ${new URL(context.getUrl()).pathname}`);
    return authenticate(context);
  };
  return calls;
}

function workloads(namespace: string, kind: string, names: string[]): string {
  const docs = names.map(
    (name, index) => `
apiVersion: apps/v1
kind: ${kind}
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  replicas: ${index + 1}
  ${kind === 'StatefulSet' ? `serviceName: ${name}` : ''}
  selector:
    matchLabels: {app: ${name}, tier: worker}
    matchExpressions:
      - {key: zone, operator: In, values: [b, a]}
      - {key: canary, operator: DoesNotExist}
  template:
    metadata: {labels: {app: ${name}, tier: worker, zone: a}}
    spec: {containers: [{name: worker, image: "worker:1", env: [{name: QUEUE, value: ${name}-queue}]}]}
`,
  );
  return [`apiVersion: v1\nkind: Namespace\nmetadata: {name: ${namespace}}\n`, ...docs].join('---\n');
}

describe.skipIf(REAL_KUBE_SKIP)('scale reads from one list per namespace and kind: real kube-apiserver', () => {
  let kube: RealKubeApiServer;
  let now = Date.UTC(2026, 11, 2, 6, 0, 0);

  beforeAll(async () => {
    kube = await startRealKubeApiServer();
    await kube.apply(RBAC_YAML);
  }, REAL_KUBE_START_TIMEOUT_MS);
  afterAll(() => kube?.close());

  function podScalerApi() {
    const config = kube.kubeConfigAs(POD_SCALER_IDENTITY);
    const calls = countingCalls(config);
    return { api: new KubernetesScaleTargetApi(config, { now: () => now }), calls };
  }

  it('answers ten Deployments and five StatefulSets of a namespace with two LISTs, the same Scale the GET gives', async () => {
    const deployments = Array.from({ length: 10 }, (_, index) => `web-${index}`);
    const statefulSets = Array.from({ length: 5 }, (_, index) => `db-${index}`);
    await kube.apply(workloads('fleet', 'Deployment', deployments));
    await kube.apply(workloads('fleet', 'StatefulSet', statefulSets).split('---\n').slice(1).join('---\n'));
    const refs: WorkloadRef[] = [
      ...deployments.map((name) => ({ namespace: 'fleet', apiVersion: 'apps/v1', kind: 'Deployment', name })),
      ...statefulSets.map((name) => ({ namespace: 'fleet', apiVersion: 'apps/v1', kind: 'StatefulSet', name })),
    ];

    const { api, calls } = podScalerApi();
    const listed = await Promise.all(refs.map((ref) => api.getScale(ref)));
    const envs = await Promise.all(refs.map((ref) => api.readContainerEnv(ref)));
    expect(calls.sort()).toEqual(['GET /apis/apps/v1/namespaces/fleet/deployments', 'GET /apis/apps/v1/namespaces/fleet/statefulsets']);
    expect(envs[0]).toEqual({ QUEUE: { value: 'web-0-queue' } });

    // What the scale subresource itself answers, object by object.
    const apps = kube.adminKubeConfig().makeApiClient(AppsV1Api);
    for (const [index, ref] of refs.entries()) {
      const viaGet = await readScaleDirectly(apps, ref);
      expect(listed[index], `${ref.kind} ${ref.name}`).toEqual(viaGet);
    }
    expect(listed[0]).toMatchObject({ specReplicas: 1, selector: 'app=web-0,!canary,tier=worker,zone in (a,b)' });
  });

  it('reads a patched count from the patch answer, lists again in the next pass, and keeps the GET for other kinds', async () => {
    await kube.apply(workloads('patched', 'Deployment', ['api']));
    await kube.apply(`
apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: legacy, namespace: patched}
spec:
  replicas: 1
  selector: {matchLabels: {app: legacy}}
  template:
    metadata: {labels: {app: legacy}}
    spec: {containers: [{name: worker, image: "worker:1"}]}
`);
    const ref: WorkloadRef = { namespace: 'patched', apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' };
    const { api, calls } = podScalerApi();

    const before = await api.getScale(ref);
    const patched = await api.patchScaleReplicas(ref, 4);
    const again = await api.getScale(ref);
    expect(again).toEqual(patched);
    expect(Number(again.resourceVersion)).toBeGreaterThan(Number(before.resourceVersion));

    now += 15_000; // the next pass
    expect((await api.getScale(ref)).specReplicas).toBe(4);
    expect(calls).toEqual([
      'GET /apis/apps/v1/namespaces/patched/deployments',
      'PATCH /apis/apps/v1/namespaces/patched/deployments/api/scale',
      'GET /apis/apps/v1/namespaces/patched/deployments',
    ]);

    // ReplicaSets are not listed, and deploy/rbac.yaml does not grant their scale: the GET's 403 names the rule.
    await expect(api.getScale({ namespace: 'patched', apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'legacy' })).rejects.toThrow(/replicasets\/scale/);
    expect(calls.at(-1)).toBe('GET /apis/apps/v1/namespaces/patched/replicasets/legacy/scale');
  });

  it('falls back to the scale GET, one per object, when RBAC grants no list (an older rbac.yaml), and names a missing target as before', async () => {
    await kube.apply(workloads('nolist', 'Deployment', ['a', 'b']));
    await kube.apply(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: eks-lambda-scaler-workloads}
rules:
  - {apiGroups: [apps], resources: [deployments/scale], verbs: [get, patch]}
`);
    try {
      const { api, calls } = podScalerApi();
      const refs = ['a', 'b'].map((name) => ({ namespace: 'nolist', apiVersion: 'apps/v1', kind: 'Deployment', name }));
      expect((await Promise.all(refs.map((ref) => api.getScale(ref)))).map((scale) => scale.specReplicas)).toEqual([1, 2]);
      expect(calls.sort()).toEqual([
        'GET /apis/apps/v1/namespaces/nolist/deployments',
        'GET /apis/apps/v1/namespaces/nolist/deployments/a/scale',
        'GET /apis/apps/v1/namespaces/nolist/deployments/b/scale',
      ]);
      await expect(api.getScale({ namespace: 'nolist', apiVersion: 'apps/v1', kind: 'Deployment', name: 'gone' })).rejects.toThrow(/gone/);
    } finally {
      await kube.apply(RBAC_YAML);
    }
  });
});

/** The scale subresource's own answer, read as admin with the typed client. */
async function readScaleDirectly(apps: AppsV1Api, ref: WorkloadRef) {
  const params = { name: ref.name, namespace: ref.namespace };
  const scale = await (ref.kind === 'Deployment' ? apps.readNamespacedDeploymentScale(params) : apps.readNamespacedStatefulSetScale(params));
  return {
    specReplicas: scale.spec?.replicas ?? 0,
    statusReplicas: scale.status?.replicas ?? 0,
    ...(scale.status?.selector ? { selector: scale.status.selector } : {}),
    resourceVersion: scale.metadata?.resourceVersion,
  };
}
