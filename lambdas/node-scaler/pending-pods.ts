/**
 * The pods the bin-packing must find room for: pods the scheduler marked Unschedulable, and the
 * pods the pod scaler is creating right now (its scale-up notices), so nodes are requested before
 * those pods even exist. A notice adds `toReplicas − pods the workload already has`, so a pod is
 * never counted both as a notice and as pending.
 */
import type { ClusterNodesApi } from '../adapters/kubernetes/cluster-nodes-api';
import type { PendingPod } from '../engine/nodes/scale-up-plan';
import type { PodInfo } from '../engine/nodes/node-model';
import { podId } from '../engine/nodes/node-model';
import { labelSelectorMatches } from '../engine/nodes/scheduling-predicates';
import type { ScaleUpNotice } from '../pod-scaler/tick-types';
import type { WorkloadPodTemplate } from '../adapters/kubernetes/cluster-nodes-api';
import { podScheduling } from '../adapters/kubernetes/kubernetes-cluster-nodes-api';
import type { V1PodSpec } from '@kubernetes/client-node';

export interface NoticeProblem {
  notice: string;
  message: string;
}

/** How a notice is named in problems and logs: `<namespace>/<name> (<kind>)`. */
export function noticeLabel(notice: ScaleUpNotice): string {
  return `${notice.namespace}/${notice.name} (${notice.kind})`;
}

/** The pods of one ScaledJob poll's new Jobs: the Job template's pod spec, selected by the poll's labels. */
function jobPodTemplate(jobPods: NonNullable<ScaleUpNotice['jobPods']>): WorkloadPodTemplate {
  return { pod: podScheduling({ containers: [], ...jobPods.template } as V1PodSpec), selector: { matchLabels: jobPods.selector } };
}

function isWaitingForNode(pod: PodInfo): boolean {
  return !pod.nodeName && pod.phase === 'Pending' && pod.deletingSince === undefined;
}

export async function collectPendingPods(
  pods: readonly PodInfo[],
  notices: readonly ScaleUpNotice[],
  api: ClusterNodesApi,
): Promise<{ pending: PendingPod[]; problems: NoticeProblem[] }> {
  const pending = new Map<string, PendingPod>();
  for (const pod of pods) {
    if (isWaitingForNode(pod) && pod.unschedulable) pending.set(podId(pod), { id: podId(pod), pod, source: 'unschedulable' });
  }
  const problems: NoticeProblem[] = [];
  for (const notice of notices) {
    const label = noticeLabel(notice);
    try {
      // A ScaledJob's notice carries its Jobs' pod template: there is no workload to read.
      const template = notice.jobPods ? jobPodTemplate(notice.jobPods) : await api.readWorkloadTemplate(notice);
      const own = pods.filter(
        (pod) => pod.namespace === notice.namespace && pod.phase !== 'Succeeded' && pod.phase !== 'Failed' && pod.deletingSince === undefined && labelSelectorMatches(template.selector, pod.labels),
      );
      // Pods just created but not yet tried by the scheduler belong to this scale-up too.
      for (const pod of own) {
        if (isWaitingForNode(pod) && !pending.has(podId(pod))) pending.set(podId(pod), { id: podId(pod), pod, source: 'scale-up notice' });
      }
      const toCreate = Math.max(0, notice.toReplicas - own.length);
      for (let index = 0; index < toCreate; index += 1) {
        const id = `${notice.namespace}/${notice.name}#new-${index + 1}`;
        pending.set(id, { id, pod: template.pod, source: 'scale-up notice' });
      }
    } catch (error) {
      problems.push({ notice: label, message: (error as Error).message });
    }
  }
  return { pending: [...pending.values()], problems };
}
