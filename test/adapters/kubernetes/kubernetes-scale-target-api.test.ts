import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { KubernetesScaleTargetApi } from '../../../lambdas/adapters/kubernetes/kubernetes-scale-target-api';
import { KubernetesApiError } from '../../../lambdas/adapters/kubernetes/scale-target-api';
import type { WorkloadRef } from '../../../lambdas/adapters/kubernetes/scale-target-api';
import { startKubeApiServer } from '../../support/kube-api-server';
import type { KubeApiServer } from '../../support/kube-api-server';
import { deployment, pod } from './kube-fixtures';

let server: KubeApiServer;
let api: KubernetesScaleTargetApi;
const NOW = Date.UTC(2025, 0, 2, 3, 4, 5);

const web: WorkloadRef = { namespace: 'jobs', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };

beforeAll(async () => {
  server = await startKubeApiServer();
  api = new KubernetesScaleTargetApi(server.kubeConfig(), { now: () => NOW });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
});

describe('scale subresource', () => {
  it.each([
    { kind: 'Deployment', apiVersion: 'apps/v1', path: '/apis/apps/v1/namespaces/jobs/deployments/w1/scale' },
    { kind: 'StatefulSet', apiVersion: 'apps/v1', path: '/apis/apps/v1/namespaces/jobs/statefulsets/w1/scale' },
    { kind: 'ReplicaSet', apiVersion: 'apps/v1', path: '/apis/apps/v1/namespaces/jobs/replicasets/w1/scale' },
    { kind: 'ReplicationController', apiVersion: 'v1', path: '/api/v1/namespaces/jobs/replicationcontrollers/w1/scale' },
  ])('reads and merge-patches only spec.replicas of a $kind', async ({ kind, apiVersion, path }) => {
    const object = deployment('jobs', 'w1', 2);
    server.put(kind, { ...object, status: { replicas: 2 } });
    const ref: WorkloadRef = { namespace: 'jobs', apiVersion, kind, name: 'w1' };

    const before = await api.getScale(ref);
    expect(before).toMatchObject({ specReplicas: 2, statusReplicas: 2, selector: 'app=w1' });
    expect(before.resourceVersion).toBeDefined();

    const after = await api.patchScaleReplicas(ref, 5);
    expect(after.specReplicas).toBe(5);
    expect(Number(after.resourceVersion)).toBeGreaterThan(Number(before.resourceVersion));
    const patch = server.requests.find((r) => r.method === 'PATCH');
    expect(patch).toMatchObject({
      path,
      query: { fieldManager: 'eks-lambda-scaler' },
      contentType: 'application/merge-patch+json',
      body: { spec: { replicas: 5 } },
    });
    const stored = server.get(kind, 'jobs', 'w1')!;
    expect((stored.spec as { replicas: number }).replicas).toBe(5);
    // Nothing but replicas changed in the object's spec.
    expect({ ...(stored.spec as object), replicas: 2 }).toEqual(object.spec);
  });

  it('reaches a custom resource through the generic scale endpoints (Argo Rollout)', async () => {
    server.put('Rollout', {
      metadata: { name: 'canary', namespace: 'jobs' },
      spec: { replicas: 1, template: { spec: { containers: [{ name: 'app', env: [{ name: 'Q', value: 'orders' }] }] } } },
      status: { replicas: 1, selector: 'app=canary' },
    });
    const ref: WorkloadRef = { namespace: 'jobs', apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: 'canary' };
    expect(await api.getScale(ref)).toMatchObject({ specReplicas: 1, statusReplicas: 1, selector: 'app=canary' });
    expect((await api.patchScaleReplicas(ref, 3)).specReplicas).toBe(3);
    expect(server.requests.map((r) => `${r.method} ${r.path} ${r.contentType ?? ''}`.trim())).toEqual([
      'GET /apis/argoproj.io/v1alpha1/namespaces/jobs/rollouts/canary/scale',
      'PATCH /apis/argoproj.io/v1alpha1/namespaces/jobs/rollouts/canary/scale application/merge-patch+json',
    ]);
    expect(await api.readContainerEnv(ref)).toEqual({ Q: { value: 'orders' } });
  });

  it('uses the plural override table for irregular kinds', async () => {
    server.registerResource({
      kind: 'Octopus',
      group: 'sea.example.com',
      version: 'v1',
      plural: 'octopi',
      namespaced: true,
      scale: { specReplicasPath: 'spec.replicas', statusReplicasPath: 'status.replicas', selector: () => 'arms=8' },
    });
    server.put('Octopus', { metadata: { name: 'inky', namespace: 'jobs' }, spec: { replicas: 4 } });
    const custom = new KubernetesScaleTargetApi(server.kubeConfig(), { plurals: { Octopus: 'octopi' } });
    const ref: WorkloadRef = { namespace: 'jobs', apiVersion: 'sea.example.com/v1', kind: 'Octopus', name: 'inky' };
    expect(await custom.getScale(ref)).toMatchObject({ specReplicas: 4, selector: 'arms=8' });
  });

  it('retries a conflicting patch once, and reports the second conflict', async () => {
    server.put('Deployment', deployment('jobs', 'web', 1));
    server.failNext({ method: 'PATCH', path: /\/scale$/, status: 409 });
    expect((await api.patchScaleReplicas(web, 2)).specReplicas).toBe(2);
    expect(server.requests.filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([409, 200]);

    server.failNext({ method: 'PATCH', path: /\/scale$/, status: 409, times: 2 });
    const error = await api.patchScaleReplicas(web, 3).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubernetesApiError);
    expect((error as KubernetesApiError).status).toBe(409);
    expect(server.get('Deployment', 'jobs', 'web')!.spec).toMatchObject({ replicas: 2 });
  });

  it('refuses a negative or fractional replica count without calling the API', async () => {
    await expect(api.patchScaleReplicas(web, -1)).rejects.toThrow(/jobs\/web.*whole number/);
    await expect(api.patchScaleReplicas(web, 1.5)).rejects.toThrow(/whole number/);
    expect(server.requests).toHaveLength(0);
  });
});

describe('scale reads from one list per namespace (issue 13, goal 5)', () => {
  it('answers a namespace\'s Deployments with one LIST per pass, and a patched count from the patch', async () => {
    let now = NOW;
    const listing = new KubernetesScaleTargetApi(server.kubeConfig(), { now: () => now });
    for (const [index, name] of ['l1', 'l2', 'l3'].entries()) server.put('Deployment', { ...deployment('listed', name, index + 1), status: { replicas: index + 1 } });
    const refs = ['l1', 'l2', 'l3'].map((name): WorkloadRef => ({ namespace: 'listed', apiVersion: 'apps/v1', kind: 'Deployment', name }));

    const scales = await Promise.all(refs.map((ref) => listing.getScale(ref)));
    expect(scales.map((scale) => [scale.specReplicas, scale.statusReplicas, scale.selector])).toEqual([
      [1, 1, 'app=l1'],
      [2, 2, 'app=l2'],
      [3, 3, 'app=l3'],
    ]);
    expect(await listing.readContainerEnv(refs[0]!, 'sidecar')).toEqual({ SIDE: { value: 'car' } });
    await listing.patchScaleReplicas(refs[0]!, 7);
    expect((await listing.getScale(refs[0]!)).specReplicas).toBe(7);
    now += 15_000;
    expect((await listing.getScale(refs[1]!)).specReplicas).toBe(2);
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /apis/apps/v1/namespaces/listed/deployments',
      'PATCH /apis/apps/v1/namespaces/listed/deployments/l1/scale',
      'GET /apis/apps/v1/namespaces/listed/deployments',
    ]);
  });
});

describe('lists scoped to the caller\'s pass (passOf)', () => {
  it('answers every read of its pass however long the pass takes, and the next pass lists again', async () => {
    let pass = 1;
    let now = NOW;
    const listing = new KubernetesScaleTargetApi(server.kubeConfig(), { now: () => now, passOf: () => pass });
    for (const name of ['p1', 'p2']) server.put('Deployment', { ...deployment('passes', name, 2), status: { replicas: 2 } });
    const ref = (name: string): WorkloadRef => ({ namespace: 'passes', apiVersion: 'apps/v1', kind: 'Deployment', name });

    await listing.getScale(ref('p1'));
    await listing.findHpaFor(ref('p1'));
    now += 12_000; // a slow pass: past the 5 s a list answers for without passOf
    await listing.getScale(ref('p2'));
    await listing.findHpaFor(ref('p2'));
    pass += 1; // the next pass, 3 s later
    now += 3_000;
    await listing.getScale(ref('p1'));
    await listing.findHpaFor(ref('p1'));
    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /apis/apps/v1/namespaces/passes/deployments',
      'GET /apis/autoscaling/v2/namespaces/passes/horizontalpodautoscalers',
      'GET /apis/apps/v1/namespaces/passes/deployments',
      'GET /apis/autoscaling/v2/namespaces/passes/horizontalpodautoscalers',
    ]);
  });
});

describe('errors a person can act on', () => {
  it('names the missing target on 404', async () => {
    const error = (await api.getScale({ ...web, name: 'ghost' }).catch((e: unknown) => e)) as KubernetesApiError;
    expect(error).toBeInstanceOf(KubernetesApiError);
    expect(error.status).toBe(404);
    expect(error.message).toContain('Deployment ghost not found in namespace jobs');
    expect(error.message).toContain('scaleTargetRef');
  });

  it('names verb, resource, namespace and the RBAC rule on 403', async () => {
    server.put('Deployment', deployment('jobs', 'web', 1));
    server.failNext({ method: 'PATCH', path: '/apis/apps/v1/namespaces/jobs/deployments/web/scale', status: 403 });
    const error = (await api.patchScaleReplicas(web, 2).catch((e: unknown) => e)) as KubernetesApiError;
    expect(error.status).toBe(403);
    expect(error.verb).toBe('patch');
    expect(error.resource).toBe('deployments/scale.apps');
    expect(error.message).toContain('patch deployments/scale (API group apps) Deployment web in namespace jobs');
    expect(error.message).toContain('{ apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["patch"] }');
    expect(error.message).toContain('deploy/rbac.yaml');
  });

  it('carries Retry-After on 429', async () => {
    server.failNext({ method: 'GET', path: /\/pods$/, status: 429, retryAfterSeconds: 7 });
    const error = (await api.countReadyPods('jobs', 'app=web').catch((e: unknown) => e)) as KubernetesApiError;
    expect(error.status).toBe(429);
    expect(error.retryAfterSeconds).toBe(7);
    expect(error.message).toContain('retry after 7 s');
  });

  it('explains a rejected token on 401', async () => {
    const stranger = new KubernetesScaleTargetApi(server.kubeConfig('wrong-token'));
    const error = (await stranger.getScale(web).catch((e: unknown) => e)) as KubernetesApiError;
    expect(error.status).toBe(401);
    expect(error.message).toContain('access entry');
    expect(error.message).not.toContain('wrong-token');
  });
});

describe('countReadyPods', () => {
  it('counts Running pods with Ready=True that match the selector', async () => {
    server.put('Pod', pod('jobs', 'a', { app: 'count' }, 'Running', true));
    server.put('Pod', pod('jobs', 'b', { app: 'count' }, 'Running', false));
    server.put('Pod', pod('jobs', 'c', { app: 'count' }, 'Pending', false));
    server.put('Pod', pod('jobs', 'd', { app: 'count' }, 'Succeeded', true));
    server.put('Pod', pod('jobs', 'e', { app: 'other' }, 'Running', true));
    server.put('Pod', pod('other', 'f', { app: 'count' }, 'Running', true));
    server.put('Pod', pod('jobs', 'g', { app: 'count', tier: 'x' }, 'Running', true));
    expect(await api.countReadyPods('jobs', 'app=count')).toBe(2);
    expect(server.requests.at(-1)?.query).toEqual({ labelSelector: 'app=count' });
  });
});

describe('findHpaFor', () => {
  it.each([
    { name: 'keda-hpa-web', target: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, found: 'keda-hpa-web' },
    { name: 'plain', target: { kind: 'Deployment', name: 'web' }, found: 'plain' },
    { name: 'other-name', target: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'api' }, found: undefined },
    { name: 'other-kind', target: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web' }, found: undefined },
  ])('HPA $name targeting $target.kind/$target.name → $found', async ({ name, target, found }) => {
    const namespace = `hpa-${name}`;
    server.put('HorizontalPodAutoscaler', {
      metadata: { name, namespace },
      spec: { scaleTargetRef: target, minReplicas: 1, maxReplicas: 5 },
    });
    expect(await api.findHpaFor({ ...web, namespace })).toBe(found);
  });
});

describe('recordEvent', () => {
  it('writes a core/v1 Event on the workload with a unique name and a 1 KB message', async () => {
    const message = 'é'.repeat(2_000);
    await api.recordEvent(web, { type: 'Normal', reason: 'KEDAScaleTargetActivated', message });
    await api.recordEvent(web, { type: 'Warning', reason: 'KEDAScalerFailed', message: 'queue gone' });
    const events = server.list('Event', 'jobs');
    expect(events).toHaveLength(2);
    expect(new Set(events.map((e) => e.metadata.name)).size).toBe(2);
    const activated = events.find((e) => e.reason === 'KEDAScaleTargetActivated')!;
    expect(activated).toMatchObject({
      type: 'Normal',
      involvedObject: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'jobs' },
      source: { component: 'eks-lambda-scaler' },
      firstTimestamp: new Date(NOW).toISOString(),
      count: 1,
    });
    expect(activated.metadata.name).toMatch(/^web\./);
    expect(Buffer.byteLength(activated.message as string)).toBeLessThanOrEqual(1024);
    expect((activated.message as string).startsWith('éé')).toBe(true);
  });
});

describe('readContainerEnv', () => {
  it('reads plain values and explains values from Secrets, ConfigMaps and the downward API', async () => {
    server.put(
      'Deployment',
      deployment('jobs', 'envy', 1, [
        { name: 'QUEUE_URL', value: 'https://sqs.eu-west-1.amazonaws.com/1/orders' },
        { name: 'EMPTY' },
        { name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'aws-creds', key: 'token' } } },
        { name: 'REGION', valueFrom: { configMapKeyRef: { name: 'settings', key: 'region' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
      ]),
    );
    const ref = { ...web, name: 'envy' };
    const env = await api.readContainerEnv(ref);
    expect(env.QUEUE_URL).toEqual({ value: 'https://sqs.eu-west-1.amazonaws.com/1/orders' });
    expect(env.EMPTY).toEqual({ value: '' });
    expect(env.TOKEN).toEqual({
      unreadable: 'comes from Secret aws-creds key token; the scaler does not read Secrets or ConfigMaps: set metadata.<param> directly',
    });
    expect(env.REGION).toEqual({
      unreadable: 'comes from ConfigMap settings key region; the scaler does not read Secrets or ConfigMaps: set metadata.<param> directly',
    });
    expect('unreadable' in env.NODE!).toBe(true);
    expect(await api.readContainerEnv(ref, 'sidecar')).toEqual({ SIDE: { value: 'car' } });
    await expect(api.readContainerEnv(ref, 'nope')).rejects.toThrow(/no container named "nope".*main, sidecar.*envSourceContainerName/);
  });
});
