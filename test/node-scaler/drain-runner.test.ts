/**
 * The eviction loop against the Kubernetes API test server through the real adapter. The server
 * runs no controllers, so a small one is played here: after each eviction it recreates the pod on
 * the same node, as a controller whose pods tolerate every taint (operator: Exists) would.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ClusterNodesApi } from '../../lambdas/adapters/kubernetes/cluster-nodes-api';
import { KubernetesClusterNodesApi } from '../../lambdas/adapters/kubernetes/kubernetes-cluster-nodes-api';
import { drainNode } from '../../lambdas/node-scaler/drain-runner';
import type { KubeApiServer } from '../support/kube-api-server';
import { startKubeApiServer } from '../support/kube-api-server';

let server: KubeApiServer;
beforeEach(async () => {
  server = await startKubeApiServer();
});
afterEach(async () => server.close());

function putAgent(index: number): void {
  server.put('Pod', {
    metadata: { name: `agent-${index}`, namespace: 'apps', labels: { app: 'agent' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'agent-rs', uid: 'u', controller: true }] },
    spec: { nodeName: 'n1', tolerations: [{ operator: 'Exists' }], containers: [{ name: 'main', image: 'agent' }] },
    status: { phase: 'Running' },
  });
}

/** The real adapter, with a controller that puts a new pod on the node after every eviction. */
function withRecreatingController(api: ClusterNodesApi): ClusterNodesApi & { evictions: number } {
  const wrapped = Object.create(api) as ClusterNodesApi & { evictions: number };
  wrapped.evictions = 0;
  wrapped.evictPod = async (namespace, name) => {
    const result = await api.evictPod(namespace, name);
    wrapped.evictions += 1;
    // Bounded so that a loop that never yields to the clock fails the test instead of hanging it.
    if (wrapped.evictions > 200) throw new Error('eviction loop spins without the clock advancing');
    putAgent(wrapped.evictions);
    return result;
  };
  return wrapped;
}

describe('drain runner', () => {
  it('pods that come straight back do not make the loop spin: it waits between rounds and stops at the deadline', async () => {
    putAgent(0);
    const api = withRecreatingController(new KubernetesClusterNodesApi(server.kubeConfig()));
    let now = 0;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    const attempt = await drainNode(api, 'n1', clock, { stopAt: 40_000, retryMs: 10_000 });
    expect(attempt.drained).toBe(false);
    expect(now).toBeLessThanOrEqual(40_000);
    // One eviction plus one immediate re-look per 10 s round: 5 rounds from 0 s to 40 s.
    expect(api.evictions).toBe(10);
  });

  it('gives up evicting after evictUntil and reports the drain as timed out', async () => {
    putAgent(0);
    const api = withRecreatingController(new KubernetesClusterNodesApi(server.kubeConfig()));
    let now = 0;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    const attempt = await drainNode(api, 'n1', clock, { stopAt: 40_000, retryMs: 10_000, evictUntil: 20_000 });
    expect(attempt).toMatchObject({ drained: false, evictionTimedOut: true });
    expect(now).toBe(20_000);
  });

  it('an evicted pod that is gone at the immediate re-look drains the node', async () => {
    putAgent(0);
    const api = new KubernetesClusterNodesApi(server.kubeConfig());
    let now = 0;
    const attempt = await drainNode(api, 'n1', { now: () => now, sleep: async (ms: number) => void (now += ms) }, { stopAt: 40_000, retryMs: 10_000 });
    expect(attempt).toMatchObject({ drained: true, evicted: ['apps/agent-0'] });
    expect(now).toBe(0);
  });
});
