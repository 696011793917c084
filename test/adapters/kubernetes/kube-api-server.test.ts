/** The Kubernetes API test server's semantics, checked through the real @kubernetes/client-node. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ApiException, AppsV1Api, CoreV1Api, PatchStrategy, PolicyV1Api, setHeaderOptions } from '@kubernetes/client-node';
import { startKubeApiServer } from '../../support/kube-api-server';
import type { KubeApiServer } from '../../support/kube-api-server';
import { deployment, pod } from './kube-fixtures';

let server: KubeApiServer;
let core: CoreV1Api;
let apps: AppsV1Api;
let policy: PolicyV1Api;

async function failure(promise: Promise<unknown>): Promise<{ code: number; body: Record<string, unknown>; headers: Record<string, string> }> {
  const error = await promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ApiException);
  const apiError = error as ApiException<string>;
  return { code: apiError.code, body: (apiError.body ? JSON.parse(apiError.body) : {}) as Record<string, unknown>, headers: apiError.headers };
}

beforeAll(async () => {
  server = await startKubeApiServer();
  const config = server.kubeConfig();
  core = config.makeApiClient(CoreV1Api);
  apps = config.makeApiClient(AppsV1Api);
  policy = config.makeApiClient(PolicyV1Api);
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

describe('kube-api-server', () => {
  it('lists pods by namespace, label selector, field selector and across namespaces, with paging', async () => {
    server.put('Pod', pod('a', 'p1', { app: 'x', tier: 'web' }, 'Running', true, 'node-1'));
    server.put('Pod', pod('a', 'p2', { app: 'y' }, 'Running', true, 'node-2'));
    server.put('Pod', pod('b', 'p3', { app: 'x' }, 'Pending', false, 'node-1'));
    const names = (list: { items: { metadata?: { name?: string } }[] }) => list.items.map((p) => p.metadata?.name);
    expect(names(await core.listNamespacedPod({ namespace: 'a' }))).toEqual(['p1', 'p2']);
    expect(names(await core.listNamespacedPod({ namespace: 'a', labelSelector: 'app in (x,z),tier' }))).toEqual(['p1']);
    expect(names(await core.listNamespacedPod({ namespace: 'a', labelSelector: 'app!=x' }))).toEqual(['p2']);
    expect(names(await core.listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=node-1' }))).toEqual(['p1', 'p3']);
    const page1 = await core.listPodForAllNamespaces({ limit: 2 });
    expect(names(page1)).toEqual(['p1', 'p2']);
    expect(names(await core.listPodForAllNamespaces({ limit: 2, _continue: page1.metadata!._continue! }))).toEqual(['p3']);
  });

  it('bumps resourceVersion on writes and rejects a stale scale update with 409', async () => {
    server.put('Deployment', deployment('s', 'web', 1));
    const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: 's' });
    const updated = await apps.replaceNamespacedDeploymentScale({ name: 'web', namespace: 's', body: { ...scale, spec: { replicas: 3 } } });
    expect(Number(updated.metadata!.resourceVersion)).toBeGreaterThan(Number(scale.metadata!.resourceVersion));
    const stale = await failure(apps.replaceNamespacedDeploymentScale({ name: 'web', namespace: 's', body: { ...scale, spec: { replicas: 4 } } }));
    expect(stale.code).toBe(409);
    expect(stale.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Conflict', code: 409 });
    expect(server.get('Deployment', 's', 'web')!.spec).toMatchObject({ replicas: 3 });
  });

  it('answers missing objects with a NotFound Status', async () => {
    const missing = await failure(apps.readNamespacedDeployment({ name: 'nope', namespace: 's' }));
    expect(missing.body).toMatchObject({ reason: 'NotFound', message: 'deployments.apps "nope" not found', code: 404 });
  });

  it.each([PatchStrategy.MergePatch, PatchStrategy.StrategicMergePatch])('cordons and taints a node with %s', async (strategy) => {
    server.put('Node', { metadata: { name: `n-${strategy.length}` }, spec: { taints: [{ key: 'old', effect: 'NoSchedule' }] } });
    const node = await core.patchNode(
      {
        name: `n-${strategy.length}`,
        body: { spec: { unschedulable: true, taints: [{ key: 'ToBeDeletedByClusterAutoscaler', value: '1', effect: 'NoSchedule' }] } },
      },
      setHeaderOptions('Content-Type', strategy),
    );
    expect(node.spec?.unschedulable).toBe(true);
    expect(node.spec?.taints?.map((t) => t.key)).toEqual(['ToBeDeletedByClusterAutoscaler']);
    expect(server.requests.at(-1)?.contentType).toBe(strategy);
  });

  it('applies a JSON patch (the client default)', async () => {
    server.put('Node', { metadata: { name: 'json' }, spec: {} });
    const node = await core.patchNode({ name: 'json', body: [{ op: 'add', path: '/spec/unschedulable', value: true }] });
    expect(node.spec?.unschedulable).toBe(true);
  });

  it('evicts through PodDisruptionBudgets: 429 when none allowed, else delete and decrement', async () => {
    server.put('PodDisruptionBudget', {
      metadata: { name: 'pdb', namespace: 'e' },
      spec: { selector: { matchLabels: { app: 'db' } }, minAvailable: 1 },
      status: { disruptionsAllowed: 1, currentHealthy: 2, desiredHealthy: 1 },
    });
    server.put('Pod', pod('e', 'db-0', { app: 'db' }, 'Running', true));
    server.put('Pod', pod('e', 'db-1', { app: 'db' }, 'Running', true));
    server.put('Pod', pod('e', 'db-pending', { app: 'db' }, 'Pending', false));
    const evict = (name: string) =>
      core.createNamespacedPodEviction({ name, namespace: 'e', body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: 'e' } } });

    await evict('db-0');
    expect(server.get('Pod', 'e', 'db-0')).toBeUndefined();
    expect(server.get('PodDisruptionBudget', 'e', 'pdb')!.status).toMatchObject({ disruptionsAllowed: 0 });

    const blocked = await failure(evict('db-1'));
    expect(blocked.code).toBe(429);
    expect(blocked.body).toMatchObject({ reason: 'TooManyRequests', details: { causes: [{ reason: 'DisruptionBudget' }] } });
    expect(server.get('Pod', 'e', 'db-1')).toBeDefined();

    await evict('db-pending'); // pending pods ignore budgets
    expect(server.get('Pod', 'e', 'db-pending')).toBeUndefined();
    expect((await policy.listPodDisruptionBudgetForAllNamespaces()).items).toHaveLength(1);
  });

  it('creates and lists events, with generateName', async () => {
    await core.createNamespacedEvent({
      namespace: 'ev',
      body: { metadata: { generateName: 'web.' }, involvedObject: { kind: 'Deployment', name: 'web', namespace: 'ev' }, reason: 'R' },
    });
    const events = await core.listNamespacedEvent({ namespace: 'ev' });
    expect(events.items).toHaveLength(1);
    expect(events.items[0]!.metadata.name).toMatch(/^web\./);
  });

  it('injects failures for the next N matching requests, with Retry-After', async () => {
    server.failNext({ method: 'GET', path: '/api/v1/nodes', status: 429, times: 2, retryAfterSeconds: 3 });
    for (let i = 0; i < 2; i += 1) {
      const throttled = await failure(core.listNode());
      expect(throttled.code).toBe(429);
      expect(throttled.headers['retry-after']).toBe('3');
    }
    await core.listNode();
    server.failNext({ path: /\/deployments\/web\/scale$/, status: 403 });
    const forbidden = await failure(apps.readNamespacedDeploymentScale({ name: 'web', namespace: 's' }));
    expect(forbidden.body.message).toBe(
      'deployments.apps "web" is forbidden: User "eks-lambda-scaler" cannot get resource "deployments/scale" in API group "apps" in the namespace "s"',
    );
    expect(server.requests.map((r) => r.status)).toEqual([429, 429, 200, 403]);
  });

  it('rejects requests without the bearer token', async () => {
    const stranger = server.kubeConfig('nope').makeApiClient(CoreV1Api);
    expect((await failure(stranger.listNode())).code).toBe(401);
  });
});
