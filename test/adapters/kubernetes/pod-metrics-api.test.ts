/**
 * KubernetesPodMetricsApi against the hand-written Kubernetes API test server, not the real
 * kube-apiserver of test/real-servers/: the real server serves metrics.k8s.io only through API
 * aggregation to a running metrics-server (an APIService backed by a Service), which this machine
 * cannot run (no cluster, no kubelet to scrape). The test server registers PodMetrics as a
 * resource at the same path (/apis/metrics.k8s.io/v1beta1/namespaces/<ns>/pods) with the shape
 * metrics-server returns, and answers 404 for the group when it is not registered, as an
 * apiserver without the APIService does.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KubernetesPodMetricsApi, METRICS_SERVER_MISSING, goDurationMs } from '../../../lambdas/adapters/kubernetes/pod-metrics-api';
import { KubernetesApiError } from '../../../lambdas/adapters/kubernetes/scale-target-api';
import { resourceReplicas } from '../../../lambdas/engine/hpa/resource-replicas';
import { startKubeApiServer } from '../../support/kube-api-server';
import type { KubeApiServer, KubeObject } from '../../support/kube-api-server';

const POD_METRICS = { kind: 'PodMetrics', group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods', namespaced: true };
const NOW = Date.parse('2026-12-02T06:00:00Z');
const HOUR_AGO = new Date(NOW - 3_600_000).toISOString();

let server: KubeApiServer;
beforeEach(async () => {
  server = await startKubeApiServer();
});
afterEach(async () => {
  await server.close();
});

function webPod(name: string, options: { cpuRequest?: string; app?: string; phase?: string; sidecar?: boolean } = {}): KubeObject {
  return {
    metadata: { name, namespace: 'web', labels: { app: options.app ?? 'php-apache' } },
    spec: {
      containers: [{ name: 'app', image: 'php', resources: options.cpuRequest === undefined ? {} : { requests: { cpu: options.cpuRequest, memory: '64Mi' } } }],
      ...(options.sidecar ? { initContainers: [{ name: 'proxy', image: 'envoy', restartPolicy: 'Always', resources: { requests: { cpu: '100m' } } }] } : {}),
    },
    status: {
      phase: options.phase ?? 'Running',
      startTime: HOUR_AGO,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: HOUR_AGO }],
    },
  };
}

function podMetrics(name: string, containers: Record<string, Record<string, string>>, app = 'php-apache'): KubeObject {
  return {
    metadata: { name, namespace: 'web', labels: { app } },
    timestamp: new Date(NOW - 10_000).toISOString(),
    window: '30s',
    containers: Object.entries(containers).map(([container, usage]) => ({ name: container, usage })),
  };
}

describe('KubernetesPodMetricsApi', () => {
  it('lists the selected pods and their PodMetrics, and the HPA maths turns them into replicas', async () => {
    server.registerResource(POD_METRICS);
    server.put('Pod', webPod('a', { cpuRequest: '200m' }));
    server.put('Pod', webPod('b', { cpuRequest: '200m' }));
    server.put('Pod', webPod('other', { cpuRequest: '1', app: 'other' }));
    server.put('PodMetrics', podMetrics('a', { app: { cpu: '180m', memory: '50Mi' } }));
    server.put('PodMetrics', podMetrics('b', { app: { cpu: '220000000n', memory: '60Mi' } }));
    server.put('PodMetrics', podMetrics('other', { app: { cpu: '900m' } }, 'other'));
    const api = new KubernetesPodMetricsApi(server.kubeConfig(), { now: () => NOW });

    const snapshot = await api.readResourcePods({ namespace: 'web', selector: 'app=php-apache', resource: 'cpu' });

    expect(snapshot.pods.map((pod) => [pod.name, pod.phase, pod.containers])).toEqual([
      ['a', 'Running', [{ name: 'app', requestMilli: 200 }]],
      ['b', 'Running', [{ name: 'app', requestMilli: 200 }]],
    ]);
    expect([...snapshot.usage]).toEqual([
      ['a', { valueMilli: 180, timestamp: NOW - 10_000, windowMs: 30_000 }],
      ['b', { valueMilli: 220, timestamp: NOW - 10_000, windowMs: 30_000 }],
    ]);
    const metricsCall = server.requests.find((request) => request.path.startsWith('/apis/metrics.k8s.io/'));
    // The namespace is listed whole (its other targets share the list); the selector is matched here.
    expect(metricsCall).toMatchObject({ method: 'GET', path: '/apis/metrics.k8s.io/v1beta1/namespaces/web/pods', query: {} });
    // 400m used of 400m requested: 100% against a 50% target → 4 replicas (php-apache's pattern).
    const proposal = resourceReplicas({ resource: 'cpu', target: { type: 'Utilization', averageUtilization: 50 }, currentReplicas: 2, tolerances: { scaleUp: 0.1, scaleDown: 0.1 }, now: NOW, ...snapshot });
    expect(proposal).toMatchObject({ ok: true, replicas: 4, current: 100 });
  });

  it('counts sidecar init containers in requests, and a pod whose metrics lack the container is missing', async () => {
    server.registerResource(POD_METRICS);
    server.put('Pod', webPod('a', { cpuRequest: '200m', sidecar: true }));
    server.put('Pod', webPod('b', { cpuRequest: '200m' }));
    server.put('PodMetrics', podMetrics('a', { app: { cpu: '100m' }, proxy: { cpu: '20m' } }));
    server.put('PodMetrics', podMetrics('b', { proxy: { cpu: '20m' } }));
    const api = new KubernetesPodMetricsApi(server.kubeConfig());

    const all = await api.readResourcePods({ namespace: 'web', selector: 'app=php-apache', resource: 'cpu' });
    expect(all.pods[0]!.containers).toEqual([{ name: 'app', requestMilli: 200 }, { name: 'proxy', requestMilli: 100 }]);
    expect(all.usage.get('a')?.valueMilli).toBe(120);
    const onlyApp = await api.readResourcePods({ namespace: 'web', selector: 'app=php-apache', resource: 'cpu', containerName: 'app' });
    expect([...onlyApp.usage.keys()]).toEqual(['a']);
  });

  it('one list of pods and one of PodMetrics answer every target of a namespace for a pass; the next pass lists again', async () => {
    server.registerResource(POD_METRICS);
    server.put('Pod', webPod('a', { cpuRequest: '200m' }));
    server.put('Pod', webPod('b', { cpuRequest: '100m', app: 'worker' }));
    server.put('PodMetrics', podMetrics('a', { app: { cpu: '150m' } }));
    server.put('PodMetrics', podMetrics('b', { app: { cpu: '50m' } }, 'worker'));
    let now = NOW;
    const api = new KubernetesPodMetricsApi(server.kubeConfig(), { now: () => now });
    const lists = () => server.requests.filter((request) => request.method === 'GET' && request.path.endsWith('/namespaces/web/pods')).length;

    const [web, worker, either] = await Promise.all([
      api.readResourcePods({ namespace: 'web', selector: 'app=php-apache', resource: 'cpu' }),
      api.readResourcePods({ namespace: 'web', selector: 'app in (worker)', resource: 'cpu' }),
      api.readResourcePods({ namespace: 'web', selector: 'app,app notin (nothing)', resource: 'memory' }),
    ]);
    expect(lists()).toBe(2); // the pods and the PodMetrics, once
    expect(web.pods.map((pod) => pod.name)).toEqual(['a']);
    expect([...worker.usage.entries()].map(([name, usage]) => [name, usage.valueMilli])).toEqual([['b', 50]]);
    expect(either.pods.map((pod) => pod.name)).toEqual(['a', 'b']);

    now += 15_000; // the next pass
    await api.readResourcePods({ namespace: 'web', selector: 'app=php-apache', resource: 'cpu' });
    expect(lists()).toBe(4);
  });

  it('a selector the scaler does not read (Gt) is sent to the API server, which selects', async () => {
    server.registerResource(POD_METRICS);
    server.put('Pod', { ...webPod('a', { cpuRequest: '200m' }), metadata: { name: 'a', namespace: 'web', labels: { app: 'php-apache', generation: '3' } } });
    server.put('Pod', webPod('b', { cpuRequest: '200m' }));
    server.put('PodMetrics', { ...podMetrics('a', { app: { cpu: '100m' } }), metadata: { name: 'a', namespace: 'web', labels: { app: 'php-apache', generation: '3' } } });
    server.put('PodMetrics', podMetrics('b', { app: { cpu: '100m' } }));
    const api = new KubernetesPodMetricsApi(server.kubeConfig(), { now: () => NOW });

    const snapshot = await api.readResourcePods({ namespace: 'web', selector: 'app=php-apache,generation>2', resource: 'cpu' });
    expect(snapshot.pods.map((pod) => pod.name)).toEqual(['a']);
    const selected = server.requests.filter((request) => request.query.labelSelector === 'app=php-apache,generation>2');
    expect(selected.map((request) => request.path).sort()).toEqual(['/api/v1/namespaces/web/pods', '/apis/metrics.k8s.io/v1beta1/namespaces/web/pods']);
    expect(server.requests.length).toBe(2); // no list of the whole namespace first
  });

  it('says to install the metrics-server add-on when metrics.k8s.io answers 404', async () => {
    server.put('Pod', webPod('a', { cpuRequest: '200m' }));
    const api = new KubernetesPodMetricsApi(server.kubeConfig());
    const failure = api.readResourcePods({ namespace: 'web', selector: 'app=php-apache', resource: 'cpu' });
    await expect(failure).rejects.toBeInstanceOf(KubernetesApiError);
    await expect(failure).rejects.toThrow(METRICS_SERVER_MISSING);
  });

  it('names the RBAC rule when PodMetrics are forbidden', async () => {
    server.registerResource(POD_METRICS);
    server.failNext({ method: 'GET', path: /metrics\.k8s\.io/, status: 403, times: 1 });
    const api = new KubernetesPodMetricsApi(server.kubeConfig());
    await expect(api.readResourcePods({ namespace: 'web', selector: 'app=php-apache', resource: 'memory' })).rejects.toThrow(/metrics\.k8s\.io/);
  });

  it('a usage that is not a quantity is an error naming the pod, never a zero', async () => {
    server.registerResource(POD_METRICS);
    server.put('Pod', webPod('a', { cpuRequest: '200m' }));
    server.put('PodMetrics', podMetrics('a', { app: { cpu: 'lots' } }));
    const api = new KubernetesPodMetricsApi(server.kubeConfig());
    await expect(api.readResourcePods({ namespace: 'web', selector: 'app=php-apache', resource: 'cpu' })).rejects.toThrow(/cpu usage of container app of Pod a is "lots"/);
  });

  it.each([
    ['30s', 30_000],
    ['1m0.5s', 60_500],
    ['15.5s', 15_500],
    ['0s', 0],
  ])('window %s is %i ms', (text, ms) => {
    expect(goDurationMs(text)).toBe(ms);
  });
});
