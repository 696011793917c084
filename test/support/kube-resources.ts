/**
 * The resource types the Kubernetes API test server serves: the real group/version/plural of each
 * kind, whether it is namespaced, and how its scale subresource maps onto the object.
 */
import { selectorObjectToString } from './kube-selectors';
import type { LabelSelectorObject } from './kube-selectors';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; resourceVersion?: string; uid?: string; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ScaleMapping {
  /** Dotted path of the desired replica count in the object (`spec.replicas`). */
  specReplicasPath: string;
  statusReplicasPath: string;
  /** `status.selector` of the Scale: from the object's `spec.selector`, or a string at some path. */
  selector(object: KubeObject): string | undefined;
  /** API-server defaulting of `spec.replicas` on create (1 for the built-in workloads). */
  defaultReplicas?: number;
}

export interface ResourceType {
  kind: string;
  /** '' for the core group. */
  group: string;
  version: string;
  plural: string;
  namespaced: boolean;
  scale?: ScaleMapping;
}

const fromSpecSelector = (object: KubeObject) =>
  selectorObjectToString((object.spec as { selector?: LabelSelectorObject } | undefined)?.selector) || undefined;

const builtInScale: ScaleMapping = {
  specReplicasPath: 'spec.replicas',
  statusReplicasPath: 'status.replicas',
  selector: fromSpecSelector,
  defaultReplicas: 1,
};

/** A custom resource's scale subresource as a CRD declares it (`labelSelectorPath: .status.selector`). */
export const customResourceScale: ScaleMapping = {
  specReplicasPath: 'spec.replicas',
  statusReplicasPath: 'status.replicas',
  selector: (object) => (object.status as { selector?: string } | undefined)?.selector,
};

export const BUILT_IN_RESOURCES: ResourceType[] = [
  { kind: 'Pod', group: '', version: 'v1', plural: 'pods', namespaced: true },
  { kind: 'Node', group: '', version: 'v1', plural: 'nodes', namespaced: false },
  { kind: 'Event', group: '', version: 'v1', plural: 'events', namespaced: true },
  { kind: 'ReplicationController', group: '', version: 'v1', plural: 'replicationcontrollers', namespaced: true, scale: builtInScale },
  { kind: 'PodDisruptionBudget', group: 'policy', version: 'v1', plural: 'poddisruptionbudgets', namespaced: true },
  { kind: 'Deployment', group: 'apps', version: 'v1', plural: 'deployments', namespaced: true, scale: builtInScale },
  { kind: 'StatefulSet', group: 'apps', version: 'v1', plural: 'statefulsets', namespaced: true, scale: builtInScale },
  { kind: 'ReplicaSet', group: 'apps', version: 'v1', plural: 'replicasets', namespaced: true, scale: builtInScale },
  { kind: 'DaemonSet', group: 'apps', version: 'v1', plural: 'daemonsets', namespaced: true },
  { kind: 'HorizontalPodAutoscaler', group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', namespaced: true },
  { kind: 'Rollout', group: 'argoproj.io', version: 'v1alpha1', plural: 'rollouts', namespaced: true, scale: customResourceScale },
];

export function apiVersionOf(type: ResourceType): string {
  return type.group ? `${type.group}/${type.version}` : type.version;
}

/** `deployments.apps`, `pods`: how the API server names a resource in messages. */
export function qualifiedResource(type: ResourceType): string {
  return type.group ? `${type.plural}.${type.group}` : type.plural;
}

export function readPath(object: unknown, path: string): unknown {
  let value: unknown = object;
  for (const part of path.split('.')) value = (value as Record<string, unknown> | undefined)?.[part];
  return value;
}

export function writePath(object: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let current = object;
  for (const part of parts.slice(0, -1)) {
    if (typeof current[part] !== 'object' || current[part] === null) current[part] = {};
    current = current[part] as Record<string, unknown>;
  }
  current[parts[parts.length - 1]!] = value;
}
