/**
 * @kubernetes/client-node 2.x builds a new undici Agent, and so a new TLS connection, for every
 * request when the cluster has a CA, which every EKS cluster has, and never closes them. At 1,000
 * objects a tick that is thousands of TLS handshakes, most of the tick's CPU and hundreds of MB of
 * memory (bench/tick-cost.ts, docs/performance.md). One KubeConfig here serves one cluster with one
 * set of TLS options, so its first dispatcher can serve every request.
 *
 * `createDispatcher` is private in the library's types, so this is guarded: if a future version
 * drops it, the KubeConfig is returned as it is (slower, still correct).
 */
import type { KubeConfig } from '@kubernetes/client-node';

type DispatcherFactory = (cluster: unknown, agentOptions: unknown) => unknown;

export function reuseConnections(kubeConfig: KubeConfig): KubeConfig {
  const internals = kubeConfig as unknown as { createDispatcher?: DispatcherFactory };
  const create = internals.createDispatcher;
  if (typeof create !== 'function') return kubeConfig;
  let dispatcher: unknown;
  internals.createDispatcher = (cluster, agentOptions) => (dispatcher ??= create.call(kubeConfig, cluster, agentOptions));
  return kubeConfig;
}
