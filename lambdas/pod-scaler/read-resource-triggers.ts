/**
 * The cpu/memory triggers' part of preparing an object: the target's pods and their PodMetrics,
 * found with the scale subresource's selector, as kube-controller-manager reads them for a
 * `Resource` metric. The reader lists a namespace's pods and PodMetrics once per pass for all its
 * targets (pod-metrics-api.ts). A failure fails that trigger only (the HPA's
 * FailedGetResourceMetric); the object's other triggers still scale it.
 */
import type { ScaleSnapshot, ScaleTargetApi } from '../adapters/kubernetes/scale-target-api';
import { KubernetesApiError } from '../adapters/kubernetes/scale-target-api';
import type { TriggerResult } from '../engine/evaluate-types';
import type { ScaledObject } from '../engine/spec/scaled-object';
import { isResourceTriggerType, resourceParamsOf } from '../triggers/cpu-memory';
import { describeError } from './describe-error';

export function hasResourceTriggers(object: ScaledObject): boolean {
  return object.triggers.some((trigger) => isResourceTriggerType(trigger.type));
}

export async function readResourceTriggers(object: ScaledObject, scale: ScaleSnapshot, api: ScaleTargetApi): Promise<TriggerResult[]> {
  const resourceTriggers = object.triggers.filter((trigger) => isResourceTriggerType(trigger.type));
  return Promise.all(
    resourceTriggers.map(async (trigger): Promise<TriggerResult> => {
      const { index } = trigger;
      // The HPA asks nothing of a target at 0 (scaling is disabled there): no pods, no calls.
      if (scale.specReplicas === 0) return { index, ok: true, resource: { pods: [], usage: new Map() } };
      if (!scale.selector) {
        return {
          index,
          ok: false,
          code: 'NoSelector',
          error:
            `the scale subresource of ${object.scaleTargetRef.kind} ${object.namespace}/${object.scaleTargetRef.name} reports no status.selector, ` +
            `so its pods cannot be found for the ${trigger.type} trigger; cpu and memory need a target whose scale subresource reports its selector (Deployment, StatefulSet, ReplicaSet do)`,
        };
      }
      const reader = api.podResources;
      if (!reader) return { index, ok: false, code: 'NoPodMetrics', error: `this cluster adapter cannot read pod metrics, so the ${trigger.type} trigger has no value` };
      const { resource, containerName } = resourceParamsOf(trigger);
      const request = { namespace: object.namespace, selector: scale.selector, resource, ...(containerName === undefined ? {} : { containerName }) };
      try {
        const snapshot = await reader.readResourcePods(request);
        return { index, ok: true, resource: { pods: snapshot.pods, usage: snapshot.usage } };
      } catch (error) {
        const code = error instanceof KubernetesApiError ? `Kubernetes${error.status}` : 'PodMetricsFailed';
        return { index, ok: false, code, error: `${trigger.type} metrics of ${object.namespace}/${object.scaleTargetRef.name}'s pods: ${describeError(error)}` };
      }
    }),
  );
}
