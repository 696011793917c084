/**
 * Evicts a cordoned node's pods through the Eviction API, retrying PDB refusals (429) every
 * `retryMs` until the pods are gone or this invocation's drain budget runs out. What is left is
 * picked up by the next tick, until maxDrainSeconds since the drain began.
 */
import type { ClusterNodesApi } from '../adapters/kubernetes/cluster-nodes-api';
import type { PodInfo } from '../engine/nodes/node-model';
import { isDaemonSetPod, podId } from '../engine/nodes/node-model';
import type { Clock } from '../pod-scaler/tick-types';

export interface DrainAttempt {
  /** True once no pod that needs moving is left on the node. */
  drained: boolean;
  evicted: string[];
  /** Pods whose eviction a PDB refused at the last try, with the server's message. */
  blocked: Array<{ pod: string; message: string }>;
  /** Pods evicted and still terminating. */
  terminating: string[];
}

/** Pods that still hold the node: not DaemonSet or mirror pods, not finished, not long past their grace period. */
function mustLeave(pod: PodInfo, now: number): boolean {
  if (pod.mirror || isDaemonSetPod(pod) || pod.phase === 'Succeeded' || pod.phase === 'Failed') return false;
  if (pod.deletingSince === undefined) return true;
  // CA ignores pods stuck terminating beyond their grace period plus 30 s.
  return now < pod.deletingSince + ((pod.terminationGracePeriodSeconds ?? 30) + 30) * 1000;
}

export async function drainNode(
  api: ClusterNodesApi,
  nodeName: string,
  clock: Clock,
  options: { stopAt: number; retryMs: number },
): Promise<DrainAttempt> {
  const evicted = new Set<string>();
  for (;;) {
    const remaining = (await api.listPodsOnNode(nodeName)).filter((pod) => mustLeave(pod, clock.now()));
    if (remaining.length === 0) return { drained: true, evicted: [...evicted], blocked: [], terminating: [] };
    const blocked: DrainAttempt['blocked'] = [];
    let evictedNow = false;
    for (const pod of remaining) {
      if (pod.deletingSince !== undefined) continue;
      const result = await api.evictPod(pod.namespace, pod.name);
      if (result.outcome === 'blocked') blocked.push({ pod: podId(pod), message: result.message });
      else {
        evicted.add(podId(pod));
        evictedNow = true;
      }
    }
    // Look again at once: evicted pods may already be gone.
    if (evictedNow && blocked.length === 0) continue;
    const terminating = remaining.filter((pod) => pod.deletingSince !== undefined).map(podId);
    if (clock.now() + options.retryMs > options.stopAt) return { drained: false, evicted: [...evicted], blocked, terminating };
    await clock.sleep(options.retryMs);
  }
}
