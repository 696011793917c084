/**
 * What the pod scaler needs from a Kubernetes cluster, as a small interface. The real
 * implementation (`kubernetes-scale-target-api.ts`) uses `@kubernetes/client-node`; tests drive it
 * against the Kubernetes API test server in `test/support/`.
 */
import type { PodResourceReader } from './pod-metrics-api';

export interface WorkloadRef {
  namespace: string;
  apiVersion: string;
  kind: string;
  name: string;
}

export interface ScaleSnapshot {
  specReplicas: number;
  statusReplicas: number;
  /** `status.selector` of the scale subresource (label selector string). */
  selector?: string;
  resourceVersion?: string;
}

export interface KubernetesEvent {
  type: 'Normal' | 'Warning';
  /** CamelCase reason, e.g. `KEDAScaleTargetActivated`, `SuccessfulRescale`. */
  reason: string;
  message: string;
}

/** A container env value; values from Secrets/ConfigMaps are not read and say so. */
export type ContainerEnvValue = { value: string } | { unreadable: string };

export interface ScaleTargetApi {
  getScale(ref: WorkloadRef): Promise<ScaleSnapshot>;
  /** Merge-patches only `spec.replicas` on the scale subresource. */
  patchScaleReplicas(ref: WorkloadRef, replicas: number): Promise<ScaleSnapshot>;
  /** Running pods with condition Ready=True matching the selector (the HPA's `Value` multiplier). */
  countReadyPods(namespace: string, selector: string): Promise<number>;
  /** Name of an HPA in the namespace whose scaleTargetRef is this workload, if any. */
  findHpaFor(ref: WorkloadRef): Promise<string | undefined>;
  /** Writes a core/v1 Event whose involvedObject is the workload. */
  recordEvent(ref: WorkloadRef, event: KubernetesEvent): Promise<void>;
  /** Env of the named container (first container when undefined) of the workload's pod template. */
  readContainerEnv(ref: WorkloadRef, containerName?: string): Promise<Record<string, ContainerEnvValue>>;
  /** Pods and PodMetrics for cpu/memory triggers; absent where the cluster adapter cannot read them. */
  readonly podResources?: PodResourceReader;
}

/**
 * A Kubernetes API failure translated for a person: the HTTP status, and a message that names the
 * verb, resource and, for 403, the RBAC rule to add.
 */
export class KubernetesApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly verb: string,
    readonly resource: string,
    /** `Retry-After` seconds on 429, when the server sent one. */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'KubernetesApiError';
  }
}
