/**
 * The pod scaler's Kubernetes calls (KubernetesRest) carry the KubeConfig's request timeout on a
 * timer of their own, cleared once the answer is read (util/call-deadline.ts), where
 * AbortSignal.timeout's timer fired after every call, answered or not (docs/performance.md §30).
 * Against the real kube-apiserver: a call it answers leaves no deadline behind, and a call it never
 * finishes answering (a watch, whose body stays open) is still cut at the timeout.
 *
 * Only setTimeout and clearTimeout are faked, after the server is up: the requests themselves go
 * over real loopback sockets.
 */
import type { KubeConfig, RequestContext } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { reuseConnections } from '../../lambdas/adapters/kubernetes/connection-reuse';
import { KubernetesRest } from '../../lambdas/adapters/kubernetes/kubernetes-rest';
import { isTimeout, withRequestTimeout } from '../../lambdas/adapters/kubernetes/request-timeout';
import { REAL_KUBE_SKIP, REAL_KUBE_START_TIMEOUT_MS, startRealKubeApiServer, type RealKubeApiServer } from '../support/real-kube-apiserver';

const TIMEOUT_MS = 5_000;
const NAMESPACES = { group: '', version: 'v1', resource: 'namespaces' };

/** An armed KubeConfig whose requests' signals the test can see (the authentication hook gets each request). */
function armedKubeConfig(kube: RealKubeApiServer): { kubeConfig: KubeConfig; signals: AbortSignal[] } {
  const kubeConfig = withRequestTimeout(reuseConnections(kube.adminKubeConfig()), TIMEOUT_MS);
  const signals: AbortSignal[] = [];
  const authenticate = kubeConfig.applySecurityAuthentication.bind(kubeConfig);
  kubeConfig.applySecurityAuthentication = async (context: RequestContext) => {
    const signal = context.getSignal();
    if (signal) signals.push(signal);
    await authenticate(context);
  };
  return { kubeConfig, signals };
}

describe.skipIf(REAL_KUBE_SKIP)('KubernetesRest request deadlines, against a real kube-apiserver', () => {
  let kube: RealKubeApiServer;
  beforeAll(async () => {
    kube = await startRealKubeApiServer();
  }, REAL_KUBE_START_TIMEOUT_MS);
  afterAll(async () => {
    await kube?.close();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('an answered call leaves no deadline behind: its signal never aborts', async () => {
    const { kubeConfig, signals } = armedKubeConfig(kube);
    const rest = new KubernetesRest(kubeConfig);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const list = await rest.get<{ kind: string }>(NAMESPACES);
    expect(list.kind).toBe('NamespaceList');
    expect(signals).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS * 2);
    expect(signals[0]!.aborted).toBe(false);
  });

  it('a call whose answer never ends (a watch) is cut at the timeout, as a timeout', async () => {
    const { kubeConfig, signals } = armedKubeConfig(kube);
    const rest = new KubernetesRest(kubeConfig);
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let outcome: unknown = 'pending';
    void rest.get(NAMESPACES, { watch: 'true', timeoutSeconds: '600' }).then(
      () => (outcome = 'answered'),
      (error: unknown) => (outcome = error),
    );
    // Armed as the call starts; the server keeps the watch's body open, so nothing settles before the timeout.
    expect(signals).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(TIMEOUT_MS - 1);
    expect(signals[0]!.aborted).toBe(false);
    expect(outcome).toBe('pending');
    await vi.advanceTimersByTimeAsync(1);
    await vi.waitUntil(() => outcome !== 'pending');
    expect(isTimeout(outcome)).toBe(true);
  });
});
