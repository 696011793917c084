/** How the pod scaler names a ScaledObject across clusters: `<cluster>/<namespace>/<name>`. */
import type { ScalerConfig } from '../config/scaler-config';
import type { ScaledObject } from '../engine/spec/scaled-object';
import type { WorkloadRef } from '../adapters/kubernetes/scale-target-api';

export function clusterOf(object: ScaledObject, config: ScalerConfig): string {
  return object.cluster ?? config.defaultCluster.name;
}

export function objectKey(object: ScaledObject, config: ScalerConfig): string {
  return `${clusterOf(object, config)}/${object.namespace}/${object.name}`;
}

export function workloadOf(object: ScaledObject): WorkloadRef {
  return {
    namespace: object.namespace,
    apiVersion: object.scaleTargetRef.apiVersion,
    kind: object.scaleTargetRef.kind,
    name: object.scaleTargetRef.name,
  };
}
