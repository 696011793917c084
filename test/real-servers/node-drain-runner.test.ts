/**
 * The eviction loop against a real kube-apiserver through the real adapter, as the node scaler's
 * EKS identity with deploy/rbac.yaml applied (the Eviction API, not a delete). No controllers run,
 * so a small one is played here: after each eviction it recreates the pod on the same node, as a
 * controller whose pods tolerate every taint (operator: Exists) would. Moved from
 * test/node-scaler/drain-runner.test.ts (the hand-written server) with its assertions kept.
 *
 * Where the real server differs, the set-up adapts (real server): the server finishes the deletion
 * of a bound pod only when its grace period is 0 (otherwise it waits for a kubelet, none here), so
 * the agent pods say `terminationGracePeriodSeconds: 0` and an evicted pod is gone at the next look,
 * as the hand-written server deleted it; the recreated pod is applied with the admin identity.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { CoreV1Api } from '@kubernetes/client-node';
import type { ClusterNodesApi } from '../../lambdas/adapters/kubernetes/cluster-nodes-api';
import { KubernetesClusterNodesApi } from '../../lambdas/adapters/kubernetes/kubernetes-cluster-nodes-api';
import { drainNode } from '../../lambdas/node-scaler/drain-runner';
import { NODE_SCALER_IDENTITY, REAL_KUBE_SKIP, REAL_KUBE_START_TIMEOUT_MS, startRealKubeApiServer, type RealKubeApiServer } from '../support/real-kube-apiserver';

const RBAC_YAML = readFileSync(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8');
let kube: RealKubeApiServer;

beforeAll(async () => {
  if (REAL_KUBE_SKIP) return;
  kube = await startRealKubeApiServer();
  await kube.apply(RBAC_YAML);
  await kube.apply('{apiVersion: v1, kind: Namespace, metadata: {name: apps}}');
}, REAL_KUBE_START_TIMEOUT_MS);
afterAll(async () => kube?.close());
beforeEach(async () => {
  if (!REAL_KUBE_SKIP) await kube.adminKubeConfig().makeApiClient(CoreV1Api).deleteCollectionNamespacedPod({ namespace: 'apps', gracePeriodSeconds: 0 });
});

async function putAgent(index: number): Promise<void> {
  await kube.apply([
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `agent-${index}`, namespace: 'apps', labels: { app: 'agent' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'agent-rs', uid: 'u', controller: true }] },
      spec: { nodeName: 'n1', terminationGracePeriodSeconds: 0, tolerations: [{ operator: 'Exists' }], containers: [{ name: 'main', image: 'agent' }] },
    } as never,
  ]);
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
    await putAgent(wrapped.evictions);
    return result;
  };
  return wrapped;
}

const nodeScalerApi = () => new KubernetesClusterNodesApi(kube.kubeConfigAs(NODE_SCALER_IDENTITY));

describe.skipIf(REAL_KUBE_SKIP)('drain runner (real kube-apiserver, the node scaler identity)', () => {
  it('pods that come straight back do not make the loop spin: it waits between rounds and stops at the deadline', async () => {
    await putAgent(0);
    const api = withRecreatingController(nodeScalerApi());
    let now = 0;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    const attempt = await drainNode(api, 'n1', clock, { stopAt: 40_000, retryMs: 10_000 });
    expect(attempt.drained).toBe(false);
    expect(now).toBeLessThanOrEqual(40_000);
    // One eviction plus one immediate re-look per 10 s round: 5 rounds from 0 s to 40 s.
    expect(api.evictions).toBe(10);
  });

  it('gives up evicting after evictUntil and reports the drain as timed out', async () => {
    await putAgent(0);
    const api = withRecreatingController(nodeScalerApi());
    let now = 0;
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    const attempt = await drainNode(api, 'n1', clock, { stopAt: 40_000, retryMs: 10_000, evictUntil: 20_000 });
    expect(attempt).toMatchObject({ drained: false, evictionTimedOut: true });
    expect(now).toBe(20_000);
  });

  it('an evicted pod that is gone at the immediate re-look drains the node', async () => {
    await putAgent(0);
    const api = nodeScalerApi();
    let now = 0;
    const attempt = await drainNode(api, 'n1', { now: () => now, sleep: async (ms: number) => void (now += ms) }, { stopAt: 40_000, retryMs: 10_000 });
    expect(attempt).toMatchObject({ drained: true, evicted: ['apps/agent-0'] });
    expect(now).toBe(0);
  });
});
