/** What the DaemonSets will put on a fresh node of a template: their pods land before any workload pod. */
import type { DaemonSetInfo, NodeTemplate, PodScheduling, Resources } from './node-model';
import { addResources, ZERO } from './node-model';
import { placementBlocker } from './scheduling-predicates';

export function daemonSetOverhead(template: NodeTemplate, daemonSets: readonly DaemonSetInfo[]): Resources {
  return daemonSets
    .filter((daemonSet) => placementBlocker(daemonSet.pod, template) === undefined)
    .reduce((sum, daemonSet) => addResources(sum, daemonSet.pod.requests), ZERO);
}

/** The DaemonSet pods a fresh node of the template starts with, as the pod-to-pod rules see them (their host ports). */
export function daemonSetPods(template: NodeTemplate, daemonSets: readonly DaemonSetInfo[]): PodScheduling[] {
  return daemonSets
    .filter((daemonSet) => placementBlocker(daemonSet.pod, template) === undefined)
    .map((daemonSet) => ({ ...daemonSet.pod, namespace: daemonSet.pod.namespace ?? daemonSet.namespace }));
}
