/**
 * ScaleTargetApi over the real Kubernetes API (@kubernetes/client-node's KubeConfig and HTTP
 * library, through kubernetes-rest.ts). It changes exactly one thing in the cluster, `spec.replicas`
 * through the scale subresource, so GitOps tools see no drift beyond replicas (docs/gitops.md).
 * Deployments, StatefulSets and ReplicaSets are apps/v1, ReplicationControllers core/v1, and any
 * other kind with a scale subresource (Argo Rollouts, OpenKruise, …) is addressed by the group and
 * version of its scaleTargetRef.
 */
import type { KubeConfig, V1Deployment, V1Pod, V1PodTemplateSpec, V1StatefulSet, V2HorizontalPodAutoscaler } from '@kubernetes/client-node';
import { KubernetesRest, type ResourcePath } from './kubernetes-rest';
import { KubernetesApiError } from './scale-target-api';
import type { ContainerEnvValue, KubernetesEvent, ScaleSnapshot, ScaleTargetApi, WorkloadRef } from './scale-target-api';
import { toKubernetesApiError } from './kubernetes-api-errors';
import type { ApiCall } from './kubernetes-api-errors';
import { pluralOf } from './resource-plurals';
import { containerEnvValues } from './container-env';
import type { EnvVarLike } from './container-env';
import { workloadEvent } from './workload-event';
import { DEFAULT_KUBERNETES_CALL_TIMEOUT_MS, withRequestTimeout } from './request-timeout';
import { assertPathSegment } from './path-segments';
import { labelSelectorString } from './label-selector-string';
import { KubernetesPodMetricsApi } from './pod-metrics-api';
import type { PodResourceReader } from './pod-metrics-api';

export interface KubernetesScaleTargetApiOptions {
  /** Epoch ms for event timestamps; the simulator passes its virtual clock. */
  now?: () => number;
  /** Kind → resource plural for custom resources whose plural is not the usual guess. */
  plurals?: Record<string, string>;
  /** Longest one API request may take, ms (default DEFAULT_KUBERNETES_CALL_TIMEOUT_MS). */
  callTimeoutMs?: number;
  /**
   * The caller's current pass (the tick counts them): a namespace's workload and HPA lists answer
   * every read of the pass they were taken in, and only that pass. Without it, a list answers for
   * a few seconds (LIST_REUSE_MS), which callers that have no passes (the CLI) rely on.
   */
  passOf?: () => number;
}

/** How to reach one workload: a built-in kind (apps/v1, core/v1), or a custom resource's scale subresource. */
type Addressing =
  | { via: 'apps'; kind: 'Deployment' | 'StatefulSet' | 'ReplicaSet'; group: 'apps'; version: 'v1'; plural: string }
  | { via: 'core'; kind: 'ReplicationController'; group: ''; version: 'v1'; plural: string }
  | { via: 'custom'; group: string; version: string; plural: string };

interface ScaleLike {
  metadata?: { resourceVersion?: string };
  spec?: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

interface WorkloadLike {
  spec?: { template?: V1PodTemplateSpec | { spec?: { containers?: { name: string; env?: EnvVarLike[] }[] } } };
}

/** The managedFields owner of `spec.replicas` after the scaler patches it. */
export const FIELD_MANAGER = 'eks-lambda-scaler';
const APPS_KINDS = new Set(['Deployment', 'StatefulSet', 'ReplicaSet']);

/**
 * The scale as the scaler uses it. A Scale always carries `spec` (a struct, never omitted), but
 * `spec.replicas` is `omitempty` upstream (k8s.io/api autoscaling/v1 ScaleSpec), so an absent count
 * in a present spec is 0. An answer without `spec`, or with a count that is not a whole number, is
 * not a Scale: an error for this object, never 0 replicas (which would scale the target down).
 */
function snapshotOf(scale: ScaleLike, ref: WorkloadRef): ScaleSnapshot {
  const spec = scale.spec as { replicas?: unknown } | undefined;
  const replicas = spec?.replicas ?? 0;
  if (typeof spec !== 'object' || spec === null || typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
    const got = typeof spec !== 'object' || spec === null ? 'no spec' : `spec.replicas ${JSON.stringify(spec.replicas)}`;
    throw new Error(
      `the scale subresource of ${ref.kind} ${ref.namespace}/${ref.name} answered with ${got}, not a replica count: ` +
        'nothing is changed for this object; if it is a custom resource, check its CRD scale subresource (specReplicasPath)',
    );
  }
  const snapshot: ScaleSnapshot = { specReplicas: replicas, statusReplicas: scale.status?.replicas ?? 0 };
  if (scale.status?.selector) snapshot.selector = scale.status.selector;
  if (scale.metadata?.resourceVersion) snapshot.resourceVersion = scale.metadata.resourceVersion;
  return snapshot;
}

function isListed(target: Addressing): target is Extract<Addressing, { via: 'apps' }> & { kind: ListedKind } {
  return target.via === 'apps' && LISTED_KINDS.has(target.kind);
}

/** The Scale the API server would answer for this Deployment or StatefulSet. */
function scaleOfWorkload(workload: ListedWorkload): ScaleLike {
  const selector = labelSelectorString(workload.spec?.selector);
  return {
    metadata: { resourceVersion: workload.metadata?.resourceVersion },
    // Kept as the server sent it: snapshotOf rejects a list item without spec, as it does a Scale.
    spec: workload.spec && { replicas: workload.spec.replicas },
    status: { replicas: workload.status?.replicas, ...(selector === undefined ? {} : { selector }) },
  } as ScaleLike;
}


/**
 * Kinds whose Scale one LIST of the namespace answers: their scale subresource is spec.replicas,
 * status.replicas, the spec.selector string and the object's resourceVersion (upstream
 * pkg/registry/apps/{deployment,statefulset}/storage/storage.go, scaleFrom…). Other kinds keep the
 * scale GET: ReplicaSets and ReplicationControllers are rare targets, and a custom resource's scale
 * paths are in its CRD, which the scaler does not read.
 */
type ListedKind = 'Deployment' | 'StatefulSet';
const LISTED_KINDS = new Set<string>(['Deployment', 'StatefulSet']);

/**
 * Without `passOf`, how long one namespace's workload (or HPA) list answers reads: a pass reads
 * every due object of a namespace within a second or two, and passes are 15 s apart. With it, a
 * list answers exactly its pass. Either way, a replica count this scaler patched since the list is
 * taken from the patch's answer, never from the older list.
 */
const LIST_REUSE_MS = 5_000;

type ListedWorkload = V1Deployment | V1StatefulSet;

interface WorkloadList {
  at: number;
  pass: number | undefined;
  /** Order of the list among lists and patches, to tell which answer is newer. */
  sequence: number;
  byName: Promise<Map<string, ListedWorkload>>;
}

export class KubernetesScaleTargetApi implements ScaleTargetApi {
  private readonly rest: KubernetesRest;
  private readonly now: () => number;
  private readonly plurals: Record<string, string>;
  private readonly hpaLists = new Map<string, { at: number; pass: number | undefined; list: Promise<V2HorizontalPodAutoscaler[]> }>();
  private readonly passOf: (() => number) | undefined;
  private readonly endpoint: string | undefined;
  /** `Kind/namespace` → the pass's list of those workloads. */
  private readonly workloadLists = new Map<string, WorkloadList>();
  /** `Kind/namespace/name` → the scale this scaler's last patch answered with. */
  private readonly patchedScales = new Map<string, { sequence: number; scale: ScaleLike }>();
  private sequence = 0;
  /** The target's pods and their PodMetrics, for cpu and memory triggers (metrics.k8s.io, metrics-server). */
  readonly podResources: PodResourceReader;

  constructor(kubeConfig: KubeConfig, options: KubernetesScaleTargetApiOptions = {}) {
    withRequestTimeout(kubeConfig, options.callTimeoutMs ?? DEFAULT_KUBERNETES_CALL_TIMEOUT_MS);
    this.endpoint = kubeConfig.getCurrentCluster()?.server;
    this.rest = new KubernetesRest(kubeConfig);
    this.now = options.now ?? Date.now;
    this.plurals = options.plurals ?? {};
    this.podResources = new KubernetesPodMetricsApi(kubeConfig, { now: this.now, ...(options.callTimeoutMs === undefined ? {} : { callTimeoutMs: options.callTimeoutMs }) });
    this.passOf = options.passOf;
  }

  /** Whether a list taken at `at` in pass `pass` still answers reads now. */
  private current(list: { at: number; pass: number | undefined }): boolean {
    return this.passOf ? list.pass === this.passOf() : this.now() - list.at < LIST_REUSE_MS;
  }

  async getScale(ref: WorkloadRef): Promise<ScaleSnapshot> {
    const target = this.address(ref);
    const listed = await this.listedScale(ref, target);
    if (listed) return snapshotOf(listed, ref);
    // Checked outside `call`: a malformed answer did reach the API server, so it is no transport failure.
    return snapshotOf(await this.call({ verb: 'get', ...this.scaleCall(ref, target) }, () => this.readScale(ref, target)), ref);
  }

  async patchScaleReplicas(ref: WorkloadRef, replicas: number): Promise<ScaleSnapshot> {
    if (!Number.isInteger(replicas) || replicas < 0) {
      throw new Error(`refusing to set ${ref.kind} ${ref.namespace}/${ref.name} to ${replicas} replicas: not a whole number ≥ 0`);
    }
    const target = this.address(ref);
    const call: ApiCall = { verb: 'patch', ...this.scaleCall(ref, target) };
    let scale: ScaleLike;
    try {
      scale = await this.call(call, () => this.mergePatchReplicas(ref, target, replicas));
    } catch (error) {
      // A merge patch carries no resourceVersion, so a 409 means a racing writer inside the API
      // server (e.g. an admission webhook); one immediate retry nearly always lands.
      if (!(error instanceof KubernetesApiError && error.status === 409)) throw error;
      scale = await this.call(call, () => this.mergePatchReplicas(ref, target, replicas));
    }
    if (isListed(target)) this.patchedScales.set(`${ref.kind}/${ref.namespace}/${ref.name}`, { sequence: ++this.sequence, scale });
    return snapshotOf(scale, ref);
  }

  /**
   * The scale of a Deployment or StatefulSet from its namespace's list, shared by every read of
   * the pass; `undefined` (so the caller GETs the scale subresource) for other kinds, a workload
   * the list does not hold (the GET then reports the 404 as it always did) or a list that failed
   * (e.g. RBAC without `list` from an older rbac.yaml: the GET still works, at one call per object).
   */
  private async listedScale(ref: WorkloadRef, target: Addressing): Promise<ScaleLike | undefined> {
    if (!isListed(target)) return undefined;
    const found = await this.listedWorkload(ref, target.kind);
    if (!found) return undefined;
    const patched = this.patchedScales.get(`${ref.kind}/${ref.namespace}/${ref.name}`);
    if (patched && patched.sequence > found.sequence) return patched.scale;
    return scaleOfWorkload(found.workload);
  }

  /** The workload from its namespace's list, or `undefined` when the list failed or lacks it. */
  private async listedWorkload(ref: WorkloadRef, kind: ListedKind): Promise<{ workload: ListedWorkload; sequence: number } | undefined> {
    const list = this.workloadList(ref.namespace, kind);
    try {
      const workload = (await list.byName).get(ref.name);
      return workload && { workload, sequence: list.sequence };
    } catch {
      return undefined;
    }
  }

  private workloadList(namespace: string, kind: ListedKind): WorkloadList {
    const key = `${kind}/${namespace}`;
    const cached = this.workloadLists.get(key);
    if (cached && this.current(cached)) return cached;
    const resource = pluralOf(kind);
    const byName = this.call({ verb: 'list', group: 'apps', resource, namespace }, () =>
      this.rest.get<{ items: ListedWorkload[] }>({ group: 'apps', version: 'v1', resource, namespace }),
    ).then((result) => new Map<string, ListedWorkload>(result.items.map((item) => [item.metadata?.name ?? '', item])));
    const list: WorkloadList = { at: this.now(), pass: this.passOf?.(), sequence: ++this.sequence, byName };
    this.workloadLists.set(key, list);
    // A failed list is kept for its pass (or window): every object of the namespace falls back to its own GET
    // this pass, instead of each retrying the list.
    byName.catch(() => undefined);
    return list;
  }

  async countReadyPods(namespace: string, selector: string): Promise<number> {
    assertPathSegment(namespace, 'namespace');
    const pods = await this.call({ verb: 'list', group: '', resource: 'pods', namespace }, () =>
      this.rest.get<{ items: V1Pod[] }>({ group: '', version: 'v1', resource: 'pods', namespace }, { labelSelector: selector }),
    );
    // The HPA's getReadyPodsCount: phase Running and condition Ready=True.
    return pods.items.filter(
      (pod) =>
        pod.status?.phase === 'Running' &&
        (pod.status.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True'),
    ).length;
  }

  async findHpaFor(ref: WorkloadRef): Promise<string | undefined> {
    const hpas = await this.hpasIn(ref.namespace);
    const group = (apiVersion: string | undefined) => (apiVersion?.includes('/') ? apiVersion.split('/')[0] : '');
    // Any HPA counts, KEDA's own keda-hpa-* included: two autoscalers on one workload fight.
    const match = hpas.find((hpa) => {
      const target = hpa.spec?.scaleTargetRef;
      return (
        target?.kind === ref.kind &&
        target.name === ref.name &&
        (target.apiVersion === undefined || group(target.apiVersion) === group(ref.apiVersion))
      );
    });
    return match?.metadata?.name;
  }

  /**
   * One HPA list per namespace per pass (or for a few seconds): a pass checks every object of a namespace at
   * once, and one list answers them all (the calls they would each make cost an API round trip).
   */
  private hpasIn(namespace: string): Promise<V2HorizontalPodAutoscaler[]> {
    assertPathSegment(namespace, 'namespace');
    const cached = this.hpaLists.get(namespace);
    if (cached && this.current(cached)) return cached.list;
    const list = this.call({ verb: 'list', group: 'autoscaling', resource: 'horizontalpodautoscalers', namespace }, () =>
      this.rest.get<{ items: V2HorizontalPodAutoscaler[] }>({ group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', namespace }),
    ).then((result) => result.items);
    this.hpaLists.set(namespace, { at: this.now(), pass: this.passOf?.(), list });
    list.catch(() => this.hpaLists.delete(namespace));
    return list;
  }

  async recordEvent(ref: WorkloadRef, event: KubernetesEvent): Promise<void> {
    assertPathSegment(ref.namespace, 'namespace');
    await this.call({ verb: 'create', group: '', resource: 'events', namespace: ref.namespace }, () =>
      this.rest.create({ group: '', version: 'v1', resource: 'events', namespace: ref.namespace }, workloadEvent(ref, event, this.now())),
    );
  }

  async readContainerEnv(ref: WorkloadRef, containerName?: string): Promise<Record<string, ContainerEnvValue>> {
    const target = this.address(ref);
    // The pass's list holds the pod template too, so env needs no call of its own.
    const listed = isListed(target) ? (await this.listedWorkload(ref, target.kind))?.workload : undefined;
    const workload: WorkloadLike = listed ?? await this.call(
      { verb: 'get', group: target.group, resource: target.plural, namespace: ref.namespace, object: `${ref.kind} ${ref.name}` },
      () => this.readWorkload(ref, target),
    );
    const containers = (workload.spec?.template?.spec?.containers ?? []) as { name: string; env?: EnvVarLike[] }[];
    const where = `${ref.kind} ${ref.namespace}/${ref.name}`;
    if (containers.length === 0) {
      throw new Error(`${where} has no pod template containers at spec.template.spec.containers; set the *FromEnv parameters directly in metadata`);
    }
    const container = containerName === undefined ? containers[0] : containers.find((c) => c.name === containerName);
    if (!container) {
      throw new Error(
        `${where} has no container named "${containerName}" (it has ${containers.map((c) => c.name).join(', ')}); ` +
          'fix spec.scaleTargetRef.envSourceContainerName',
      );
    }
    return containerEnvValues(container.env);
  }

  private address(ref: WorkloadRef): Addressing {
    assertPathSegment(ref.namespace, 'namespace');
    assertPathSegment(ref.name, 'spec.scaleTargetRef.name');
    const [group, version] = ref.apiVersion.includes('/') ? ref.apiVersion.split('/', 2) : ['', ref.apiVersion];
    if (group === 'apps' && APPS_KINDS.has(ref.kind)) {
      return { via: 'apps', kind: ref.kind as 'Deployment' | 'StatefulSet' | 'ReplicaSet', group: 'apps', version: 'v1', plural: pluralOf(ref.kind) };
    }
    if (group === '' && ref.kind === 'ReplicationController') {
      return { via: 'core', kind: 'ReplicationController', group: '', version: 'v1', plural: 'replicationcontrollers' };
    }
    if (group === '' || !version) {
      throw new Error(
        `${ref.kind} ${ref.namespace}/${ref.name} (apiVersion ${ref.apiVersion}) has no scale subresource the scaler knows: ` +
          'spec.scaleTargetRef must name a Deployment, StatefulSet, ReplicaSet or a custom resource with a scale subresource',
      );
    }
    assertPathSegment(group!, 'the API group of spec.scaleTargetRef.apiVersion');
    assertPathSegment(version, 'the version of spec.scaleTargetRef.apiVersion');
    const plural = pluralOf(ref.kind, this.plurals);
    assertPathSegment(plural, `the resource plural of kind ${ref.kind}`);
    return { via: 'custom', group: group!, version, plural };
  }

  private scaleCall(ref: WorkloadRef, target: Addressing): Omit<ApiCall, 'verb'> {
    return { group: target.group, resource: `${target.plural}/scale`, namespace: ref.namespace, object: `${ref.kind} ${ref.name}` };
  }

  private async readScale(ref: WorkloadRef, target: Addressing): Promise<ScaleLike> {
    return this.rest.get<ScaleLike>({ ...this.resourcePath(ref, target), subresource: 'scale' });
  }

  private async mergePatchReplicas(ref: WorkloadRef, target: Addressing, replicas: number): Promise<ScaleLike> {
    // Only spec.replicas: nothing else in the object changes, so GitOps sees no other drift. The
    // field manager makes the change attributable in managedFields.
    return this.rest.mergePatch<ScaleLike>({ ...this.resourcePath(ref, target), subresource: 'scale' }, { spec: { replicas } }, { fieldManager: FIELD_MANAGER });
  }

  private async readWorkload(ref: WorkloadRef, target: Addressing): Promise<WorkloadLike> {
    return this.rest.get<WorkloadLike>(this.resourcePath(ref, target));
  }

  private resourcePath(ref: WorkloadRef, target: Addressing): ResourcePath {
    return { group: target.group, version: target.version, resource: target.plural, namespace: ref.namespace, name: ref.name };
  }

  private async call<T>(call: ApiCall, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw toKubernetesApiError(error, call, this.now(), this.endpoint);
    }
  }
}
