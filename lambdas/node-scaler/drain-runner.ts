/**
 * Evicts a cordoned node's pods through the Eviction API, retrying PDB refusals (429) every
 * `retryMs` until the pods are gone or this invocation's drain budget runs out. Evictions are
 * retried only until `evictUntil` (maxDrainSeconds after the drain began, CA's
 * --max-pod-eviction-time); pods already evicted are waited for while they terminate, up to their
 * grace period capped at maxGracefulTerminationSeconds plus 30 s, as CA does.
 */
import type { ClusterNodesApi } from '../adapters/kubernetes/cluster-nodes-api';
import type { PodInfo } from '../engine/nodes/node-model';
import { isDaemonSetPod, podId } from '../engine/nodes/node-model';
import { cappedGraceSeconds } from '../engine/nodes/interruption-notice';
import type { Clock } from '../pod-scaler/tick-types';

export interface DrainAttempt {
  /** True once no pod that needs moving is left on the node. */
  drained: boolean;
  /** Pods still had to be evicted when the eviction time ran out: the drain has failed. */
  evictionTimedOut: boolean;
  evicted: string[];
  /** Pods whose eviction a PDB refused at the last try, with the server's message. */
  blocked: Array<{ pod: string; message: string }>;
  /** Pods evicted and still terminating. */
  terminating: string[];
}

export interface DrainOptions {
  /** Return by this epoch ms (the invocation's drain budget). */
  stopAt: number;
  retryMs: number;
  /** No eviction is tried after this epoch ms (default: no limit). */
  evictUntil?: number;
  /** Cap on the grace period waited for (default 600 s, CA --max-graceful-termination-sec). */
  maxGracefulTerminationSeconds?: number;
  /**
   * The node goes at this epoch ms (an interruption notice): each eviction asks for the pod's grace
   * period cut to the seconds left, so the pod ends before the node does. Default: the pod's own grace.
   */
  graceUntil?: number;
}

/** Pods that still hold the node: not DaemonSet or mirror pods, not finished, not long past their (capped) grace period. */
function mustLeave(pod: PodInfo, now: number, maxGraceSeconds: number): boolean {
  if (pod.mirror || isDaemonSetPod(pod) || pod.phase === 'Succeeded' || pod.phase === 'Failed') return false;
  if (pod.deletingSince === undefined) return true;
  // The grace the deletion was given (an eviction may have cut it), else the pod's own.
  const grace = Math.min(pod.deletionGracePeriodSeconds ?? pod.terminationGracePeriodSeconds ?? 30, maxGraceSeconds);
  return now < pod.deletingSince + (grace + 30) * 1000;
}

export async function drainNode(api: ClusterNodesApi, nodeName: string, clock: Clock, options: DrainOptions): Promise<DrainAttempt> {
  const evictUntil = options.evictUntil ?? Number.POSITIVE_INFINITY;
  const maxGrace = options.maxGracefulTerminationSeconds ?? 600;
  const evicted = new Set<string>();
  let blocked: DrainAttempt['blocked'] = [];
  // One immediate re-look per retry period: evicted pods may already be gone, but pods that come
  // straight back (they tolerate the taint) must not make the loop spin without the clock moving.
  let relooked = false;
  for (;;) {
    const remaining = (await api.listPodsOnNode(nodeName)).filter((pod) => mustLeave(pod, clock.now(), maxGrace));
    if (remaining.length === 0) return { drained: true, evictionTimedOut: false, evicted: [...evicted], blocked: [], terminating: [] };
    const terminating = remaining.filter((pod) => pod.deletingSince !== undefined).map(podId);
    const toEvict = remaining.filter((pod) => pod.deletingSince === undefined);
    if (toEvict.length > 0 && clock.now() >= evictUntil) {
      if (blocked.length === 0) blocked = toEvict.map((pod) => ({ pod: podId(pod), message: 'not evicted before the eviction time ran out' }));
      return { drained: false, evictionTimedOut: true, evicted: [...evicted], blocked, terminating };
    }
    blocked = [];
    let evictedNow = false;
    for (const pod of toEvict) {
      const grace = cappedGraceSeconds(pod.terminationGracePeriodSeconds, clock.now(), options.graceUntil);
      const result = grace === undefined ? await api.evictPod(pod.namespace, pod.name) : await api.evictPod(pod.namespace, pod.name, grace);
      if (result.outcome === 'blocked') blocked.push({ pod: podId(pod), message: result.message });
      else {
        evicted.add(podId(pod));
        evictedNow = true;
      }
    }
    if (evictedNow && blocked.length === 0 && !relooked) {
      relooked = true;
      continue;
    }
    if (clock.now() + options.retryMs > options.stopAt) {
      return { drained: false, evictionTimedOut: blocked.length > 0 && clock.now() >= evictUntil, evicted: [...evicted], blocked, terminating };
    }
    await clock.sleep(options.retryMs);
    relooked = false;
  }
}
