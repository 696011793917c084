/**
 * Everything the pod scaler must learn from Kubernetes before it can evaluate one object: the
 * target's scale subresource, whether another HPA already scales it, `...FromEnv` metadata from
 * the target's container env, the ready pod count when a `Value` metric needs it, and the pods and
 * PodMetrics of cpu/memory triggers.
 */
import type { ContainerEnvValue, ScaleSnapshot, ScaleTargetApi } from '../adapters/kubernetes/scale-target-api';
import type { ScaledObject } from '../engine/spec/scaled-object';
import { resolveTriggerEnv } from '../engine/spec/resolve-trigger-env';
import { formatIssue } from '../engine/spec/issues';
import { workloadOf } from './object-key';
import type { TriggerResult } from '../engine/evaluate-types';
import { hasResourceTriggers, readResourceTriggers } from './read-resource-triggers';

export interface PreparedObject {
  /** The object with `...FromEnv` metadata resolved. */
  object: ScaledObject;
  api: ScaleTargetApi;
  scale: ScaleSnapshot;
  readyPods?: number;
  /** The cpu/memory triggers' results (pods and PodMetrics, or why not), read while preparing. */
  resourceResults?: TriggerResult[];
}

export type Preparation =
  | { ok: true; prepared: PreparedObject }
  /** The object cannot be evaluated this pass; `reason` says why and what to do. */
  | { ok: false; reason: string; scale?: ScaleSnapshot };

/** Per-invocation caches: HPAs and container env change rarely, one read per tick is plenty. */
export interface PreparationCache {
  hpaByKey: Map<string, Promise<string | undefined>>;
  envByKey: Map<string, Promise<Record<string, ContainerEnvValue>>>;
}

export function newPreparationCache(): PreparationCache {
  return { hpaByKey: new Map(), envByKey: new Map() };
}

function cached<T>(cache: Map<string, Promise<T>>, key: string, load: () => Promise<T>): Promise<T> {
  let found = cache.get(key);
  if (!found) {
    found = load();
    cache.set(key, found);
  }
  return found;
}

export async function prepareObject(
  object: ScaledObject,
  key: string,
  api: ScaleTargetApi,
  cache: PreparationCache,
): Promise<Preparation> {
  const workload = workloadOf(object);
  const scale = await api.getScale(workload);

  const hpa = await cached(cache.hpaByKey, key, () => api.findHpaFor(workload));
  if (hpa) {
    return {
      ok: false,
      scale,
      reason:
        `HorizontalPodAutoscaler ${object.namespace}/${hpa} already scales ${workload.kind} ${workload.name}; ` +
        'the scaler will not fight it. Delete that HPA (or the KEDA ScaledObject that created it) to let this ScaledObject scale the target',
    };
  }

  let resolved = object;
  if (object.triggers.some((trigger) => Object.keys(trigger.envRefs).length > 0)) {
    const env = await cached(cache.envByKey, key, () =>
      api.readContainerEnv(workload, object.scaleTargetRef.envSourceContainerName),
    );
    const plain: Record<string, string> = {};
    const unreadable: string[] = [];
    for (const [name, value] of Object.entries(env)) {
      if ('value' in value) plain[name] = value.value;
      else unreadable.push(`${name}: ${value.unreadable}`);
    }
    const referenced = new Set(object.triggers.flatMap((trigger) => Object.values(trigger.envRefs)));
    const blocking = unreadable.filter((entry) => referenced.has(entry.slice(0, entry.indexOf(':'))));
    if (blocking.length > 0) return { ok: false, scale, reason: `container env cannot be read: ${blocking.join('; ')}` };
    const result = resolveTriggerEnv(object, plain);
    if (!result.object) return { ok: false, scale, reason: result.errors.map(formatIssue).join('; ') };
    resolved = result.object;
  }

  let readyPods: number | undefined;
  // Only the HPA's Value path multiplies by ready pods; AverageValue never lists pods.
  const needsReadyPods = resolved.triggers.some((trigger) => trigger.metricType === 'Value');
  if (needsReadyPods && scale.specReplicas > 0 && scale.selector) {
    readyPods = await api.countReadyPods(object.namespace, scale.selector);
  }
  // A paused object's triggers are not read (KEDA stops its loop and deletes the HPA).
  const resourceResults = hasResourceTriggers(resolved) && !resolved.pause.paused ? await readResourceTriggers(resolved, scale, api) : undefined;
  return {
    ok: true,
    prepared: { object: resolved, api, scale, ...(readyPods === undefined ? {} : { readyPods }), ...(resourceResults ? { resourceResults } : {}) },
  };
}
