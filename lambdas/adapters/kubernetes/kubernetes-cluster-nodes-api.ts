/**
 * ClusterNodesApi over the real @kubernetes/client-node. Objects are translated into the planner's
 * plain shapes here, so nothing past this file sees a client type. Failures become
 * KubernetesApiError naming the verb, resource and, for 403, the RBAC rule to add.
 */
import type {
  KubeConfig,
  V1Affinity,
  V1Container,
  V1Deployment,
  V1ReplicaSet,
  V1StatefulSet,
  V1Node,
  V1NodeSelectorRequirement,
  V1PersistentVolume,
  V1PersistentVolumeClaim,
  V1Pod,
  V1PodSpec,
  V1Taint,
  V1Toleration,
} from '@kubernetes/client-node';
import { ApiException, AppsV1Api, CoreV1Api, PatchStrategy, PolicyV1Api, setHeaderOptions } from './client-node-parts';
import type {
  DaemonSetInfo,
  NodeInfo,
  NodeSelectorTerm,
  PdbInfo,
  PodInfo,
  PodScheduling,
  Resources,
  SelectorRequirement,
  Taint,
  TaintEffect,
  Toleration,
} from '../../engine/nodes/node-model';
import { count, cpuMillis, memoryBytes } from '../../engine/nodes/quantities';
import type { ClaimInfo, VolumeInfo } from '../../engine/nodes/predicates/volume-topology';
import { claimNamesOf, extendedAllocatable, extendedRequests, hostPortsOf, labelSelector, podAffinityTerms, topologySpreadOf } from './pod-constraints';
import type { ClusterNodesApi, EvictionResult, WorkloadPodTemplate } from './cluster-nodes-api';
import type { WorkloadRef } from './scale-target-api';
import { KubernetesApiError } from './scale-target-api';
import { DEFAULT_KUBERNETES_CALL_TIMEOUT_MS, withRequestTimeout } from './request-timeout';
import { describeTransportFailure } from './kubernetes-api-errors';

const PAGE_SIZE = 500;
const PATCH_ATTEMPTS = 3;

function toMillis(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = new Date(value).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

// ---- Translation of Kubernetes objects into the planner's shapes ----

function containerRequests(container: V1Container): Resources {
  const requests = container.resources?.requests ?? {};
  return { cpuMilli: cpuMillis(requests.cpu), memoryBytes: memoryBytes(requests.memory), pods: 0 };
}

/**
 * The scheduler's effective request: max(regular containers + sidecars, each init container plus
 * the sidecars started before it), plus pod overhead.
 */
export function effectiveRequests(spec: V1PodSpec): Resources {
  let sidecarCpu = 0;
  let sidecarMemory = 0;
  let initCpu = 0;
  let initMemory = 0;
  for (const init of spec.initContainers ?? []) {
    const requests = containerRequests(init);
    if (init.restartPolicy === 'Always') {
      sidecarCpu += requests.cpuMilli;
      sidecarMemory += requests.memoryBytes;
    } else {
      initCpu = Math.max(initCpu, sidecarCpu + requests.cpuMilli);
      initMemory = Math.max(initMemory, sidecarMemory + requests.memoryBytes);
    }
  }
  let cpu = sidecarCpu;
  let memory = sidecarMemory;
  for (const container of spec.containers ?? []) {
    const requests = containerRequests(container);
    cpu += requests.cpuMilli;
    memory += requests.memoryBytes;
  }
  const overhead = spec.overhead ?? {};
  return {
    cpuMilli: Math.max(cpu, initCpu) + cpuMillis(overhead.cpu),
    memoryBytes: Math.max(memory, initMemory) + memoryBytes(overhead.memory),
    pods: 1,
  };
}

function requirement(raw: V1NodeSelectorRequirement): SelectorRequirement {
  return { key: raw.key, operator: raw.operator as SelectorRequirement['operator'], values: raw.values };
}

function requiredNodeAffinity(affinity: V1Affinity | undefined): NodeSelectorTerm[] | undefined {
  const terms = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms) return undefined;
  return terms.map((term) => ({ matchExpressions: (term.matchExpressions ?? []).map(requirement), matchFields: term.matchFields?.map(requirement) }));
}

function toleration(raw: V1Toleration): Toleration {
  return { key: raw.key, operator: raw.operator as Toleration['operator'], value: raw.value, effect: (raw.effect ?? '') as Toleration['effect'] };
}

function taint(raw: V1Taint): Taint {
  return raw.value ? { key: raw.key, value: raw.value, effect: raw.effect as TaintEffect } : { key: raw.key, effect: raw.effect as TaintEffect };
}

/** Who the pod is, where its spec alone does not say: spread and affinity rules match pods by namespace and labels. */
export interface PodIdentity {
  namespace?: string;
  name?: string;
  labels?: Record<string, string>;
}

export function podScheduling(spec: V1PodSpec, identity: PodIdentity = {}): PodScheduling {
  const labels = identity.labels ?? {};
  const extended = extendedRequests(spec);
  const hostPorts = hostPortsOf(spec);
  const affinity = podAffinityTerms(spec.affinity?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution, labels);
  const antiAffinity = podAffinityTerms(spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution, labels);
  const spread = topologySpreadOf(spec, labels);
  const claims = identity.name !== undefined ? claimNamesOf(spec, identity.name) : [];
  return {
    requests: effectiveRequests(spec),
    nodeSelector: spec.nodeSelector,
    requiredNodeAffinity: requiredNodeAffinity(spec.affinity),
    tolerations: (spec.tolerations ?? []).map(toleration),
    ...(identity.namespace !== undefined ? { namespace: identity.namespace } : {}),
    ...(identity.labels ? { labels } : {}),
    ...(extended ? { extendedRequests: extended } : {}),
    ...(hostPorts.length > 0 ? { hostPorts } : {}),
    ...(affinity.length > 0 ? { requiredPodAffinity: affinity } : {}),
    ...(antiAffinity.length > 0 ? { requiredPodAntiAffinity: antiAffinity } : {}),
    ...(spread.length > 0 ? { topologySpread: spread } : {}),
    ...(claims.length > 0 ? { claimNames: claims } : {}),
  };
}

export function toPodInfo(pod: V1Pod): PodInfo {
  const metadata = pod.metadata ?? {};
  const spec = pod.spec ?? { containers: [] };
  const controller = (metadata.ownerReferences ?? []).find((owner) => owner.controller) ?? metadata.ownerReferences?.[0];
  const annotations = metadata.annotations ?? {};
  const scheduled = (pod.status?.conditions ?? []).find((condition) => condition.type === 'PodScheduled');
  return {
    ...podScheduling(spec, { namespace: metadata.namespace ?? 'default', name: metadata.name ?? '', labels: metadata.labels ?? {} }),
    namespace: metadata.namespace ?? 'default',
    name: metadata.name ?? '',
    labels: metadata.labels ?? {},
    annotations,
    nodeName: spec.nodeName,
    phase: pod.status?.phase ?? 'Pending',
    owner: controller ? { kind: controller.kind, name: controller.name } : undefined,
    mirror: annotations['kubernetes.io/config.mirror'] !== undefined,
    unschedulable: scheduled?.status === 'False' && scheduled.reason === 'Unschedulable',
    localStorageVolumes: (spec.volumes ?? [])
      .filter((volume) => volume.hostPath !== undefined || (volume.emptyDir !== undefined && volume.emptyDir.medium !== 'Memory'))
      .map((volume) => volume.name),
    createdAt: toMillis(metadata.creationTimestamp) ?? 0,
    deletingSince: toMillis(metadata.deletionTimestamp),
    terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
    ...(metadata.deletionGracePeriodSeconds === undefined ? {} : { deletionGracePeriodSeconds: metadata.deletionGracePeriodSeconds }),
  };
}

/** `aws:///us-east-1a/i-0abc...` → `i-0abc...`. */
export function instanceIdFromProviderId(providerId: string | undefined): string | undefined {
  if (!providerId?.startsWith('aws://')) return undefined;
  const last = providerId.split('/').pop();
  return last && last.startsWith('i-') ? last : undefined;
}

export function toNodeInfo(node: V1Node): NodeInfo {
  const metadata = node.metadata ?? {};
  const allocatable = node.status?.allocatable ?? {};
  const ready = (node.status?.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True');
  return {
    name: metadata.name ?? '',
    instanceId: instanceIdFromProviderId(node.spec?.providerID),
    labels: metadata.labels ?? {},
    annotations: metadata.annotations ?? {},
    taints: (node.spec?.taints ?? []).map(taint),
    unschedulable: node.spec?.unschedulable === true,
    ready,
    allocatable: { cpuMilli: cpuMillis(allocatable.cpu), memoryBytes: memoryBytes(allocatable.memory), pods: count(allocatable.pods) },
    ...extendedAllocatable(allocatable),
    createdAt: toMillis(metadata.creationTimestamp) ?? 0,
  };
}

// ---- The API ----

export class KubernetesClusterNodesApi implements ClusterNodesApi {
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly policy: PolicyV1Api;
  private readonly endpoint: string | undefined;

  /** `callTimeoutMs`: longest one API request may take (default DEFAULT_KUBERNETES_CALL_TIMEOUT_MS). */
  constructor(kubeConfig: KubeConfig, options: { callTimeoutMs?: number } = {}) {
    withRequestTimeout(kubeConfig, options.callTimeoutMs ?? DEFAULT_KUBERNETES_CALL_TIMEOUT_MS);
    this.endpoint = kubeConfig.getCurrentCluster()?.server;
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.policy = kubeConfig.makeApiClient(PolicyV1Api);
  }

  async listNodes(): Promise<NodeInfo[]> {
    const items = await this.paged('list', 'nodes', '', (_continue) => this.core.listNode({ limit: PAGE_SIZE, _continue }));
    return items.map(toNodeInfo);
  }

  async listPods(): Promise<PodInfo[]> {
    const items = await this.paged('list', 'pods', '', (_continue) => this.core.listPodForAllNamespaces({ limit: PAGE_SIZE, _continue }));
    return items.map(toPodInfo);
  }

  async listPodsOnNode(nodeName: string): Promise<PodInfo[]> {
    const items = await this.paged('list', 'pods', '', (_continue) =>
      this.core.listPodForAllNamespaces({ limit: PAGE_SIZE, _continue, fieldSelector: `spec.nodeName=${nodeName}` }),
    );
    return items.map(toPodInfo);
  }

  async listPodDisruptionBudgets(): Promise<PdbInfo[]> {
    const items = await this.paged('list', 'poddisruptionbudgets', 'policy', (_continue) =>
      this.policy.listPodDisruptionBudgetForAllNamespaces({ limit: PAGE_SIZE, _continue }),
    );
    return items.map((pdb) => ({
      namespace: pdb.metadata?.namespace ?? 'default',
      name: pdb.metadata?.name ?? '',
      selector: pdb.spec?.selector ? labelSelector(pdb.spec.selector) : null,
      disruptionsAllowed: pdb.status?.disruptionsAllowed ?? 0,
    }));
  }

  async listDaemonSets(): Promise<DaemonSetInfo[]> {
    const items = await this.paged('list', 'daemonsets', 'apps', (_continue) => this.apps.listDaemonSetForAllNamespaces({ limit: PAGE_SIZE, _continue }));
    return items.map((daemonSet) => ({
      namespace: daemonSet.metadata?.namespace ?? 'default',
      name: daemonSet.metadata?.name ?? '',
      pod: podScheduling(daemonSet.spec?.template.spec ?? { containers: [] }, { namespace: daemonSet.metadata?.namespace ?? 'default', labels: daemonSet.spec?.template.metadata?.labels ?? {} }),
    }));
  }

  async readWorkloadTemplate(ref: WorkloadRef): Promise<WorkloadPodTemplate> {
    const params = { name: ref.name, namespace: ref.namespace };
    const resource = `${ref.kind.toLowerCase()}s`;
    const workload = await this.call<V1Deployment | V1StatefulSet | V1ReplicaSet>('get', resource, 'apps', () => {
      switch (ref.kind) {
        case 'Deployment':
          return this.apps.readNamespacedDeployment(params);
        case 'StatefulSet':
          return this.apps.readNamespacedStatefulSet(params);
        case 'ReplicaSet':
          return this.apps.readNamespacedReplicaSet(params);
        default:
          throw new KubernetesApiError(
            `${ref.namespace}/${ref.name}: cannot read the pod template of a ${ref.apiVersion} ${ref.kind}; only Deployment, StatefulSet and ReplicaSet are read (its new pods are counted once they are pending)`,
            0,
            'get',
            resource,
          );
      }
    });
    const template = workload.spec?.template;
    return {
      pod: podScheduling(template?.spec ?? { containers: [] }, { namespace: ref.namespace, labels: template?.metadata?.labels ?? {} }),
      selector: labelSelector(workload.spec?.selector),
    };
  }

  async listPersistentVolumeClaims(): Promise<ClaimInfo[]> {
    const items = await this.paged('list', 'persistentvolumeclaims', '', (_continue) => this.core.listPersistentVolumeClaimForAllNamespaces({ limit: PAGE_SIZE, _continue }));
    return items.map((claim: V1PersistentVolumeClaim) => ({
      namespace: claim.metadata?.namespace ?? 'default',
      name: claim.metadata?.name ?? '',
      ...(claim.spec?.volumeName ? { volumeName: claim.spec.volumeName } : {}),
    }));
  }

  async listPersistentVolumes(): Promise<VolumeInfo[]> {
    const items = await this.paged('list', 'persistentvolumes', '', (_continue) => this.core.listPersistentVolume({ limit: PAGE_SIZE, _continue }));
    return items.map((volume: V1PersistentVolume) => {
      const nodeAffinity = requiredNodeAffinity({ nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: volume.spec?.nodeAffinity?.required } });
      return { name: volume.metadata?.name ?? '', labels: volume.metadata?.labels ?? {}, ...(nodeAffinity ? { nodeAffinity } : {}) };
    });
  }

  async cordonAndTaint(nodeName: string, wanted: Taint): Promise<void> {
    await this.patchNodeTaints(nodeName, true, (taints) => (taints.some((existing) => existing.key === wanted.key) ? taints : [...taints, { ...wanted, timeAdded: undefined }]));
  }

  async uncordonAndUntaint(nodeName: string, taintKey: string): Promise<void> {
    await this.patchNodeTaints(nodeName, false, (taints) => taints.filter((existing) => existing.key !== taintKey));
  }

  async evictPod(namespace: string, name: string, gracePeriodSeconds?: number): Promise<EvictionResult> {
    try {
      await this.core.createNamespacedPodEviction({
        name,
        namespace,
        body: {
          apiVersion: 'policy/v1',
          kind: 'Eviction',
          metadata: { name, namespace },
          ...(gracePeriodSeconds === undefined ? {} : { deleteOptions: { gracePeriodSeconds } }),
        },
      });
      return { outcome: 'evicted' };
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return { outcome: 'gone' };
      if (error instanceof ApiException && error.code === 429) {
        return { outcome: 'blocked', message: statusMessage(error) ?? 'the PodDisruptionBudget allows no disruption now' };
      }
      throw translate(error, 'create', 'pods/eviction', '', `${namespace}/${name}`, this.endpoint);
    }
  }

  /** Read-modify-write of spec.taints with a resourceVersion precondition (taints is a list: a merge patch replaces it). */
  private async patchNodeTaints(nodeName: string, unschedulable: boolean, change: (taints: V1Taint[]) => V1Taint[]): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      let node: V1Node;
      try {
        node = await this.core.readNode({ name: nodeName });
      } catch (error) {
        if (!unschedulable && error instanceof ApiException && error.code === 404) return;
        throw translate(error, 'get', 'nodes', '', nodeName, this.endpoint);
      }
      const body = {
        metadata: { resourceVersion: node.metadata?.resourceVersion },
        spec: { unschedulable: unschedulable ? true : null, taints: change(node.spec?.taints ?? []) },
      };
      try {
        await this.core.patchNode({ name: nodeName, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
        return;
      } catch (error) {
        if (error instanceof ApiException && error.code === 409 && attempt < PATCH_ATTEMPTS) continue;
        throw translate(error, 'patch', 'nodes', '', nodeName, this.endpoint);
      }
    }
  }

  private async paged<T>(verb: string, resource: string, group: string, page: (token: string | undefined) => Promise<{ items: T[]; metadata?: { _continue?: string } }>): Promise<T[]> {
    const items: T[] = [];
    let token: string | undefined;
    do {
      const response = await this.call(verb, resource, group, () => page(token));
      items.push(...response.items);
      token = response.metadata?._continue || undefined;
    } while (token);
    return items;
  }

  private async call<T>(verb: string, resource: string, group: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw translate(error, verb, resource, group, undefined, this.endpoint);
    }
  }
}

function statusMessage(error: ApiException<unknown>): string | undefined {
  const body = error.body;
  const parsed = typeof body === 'string' ? safeJson(body) : body;
  const message = (parsed as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function translate(error: unknown, verb: string, resource: string, group: string, name?: string, endpoint?: string): Error {
  if (error instanceof KubernetesApiError) return error;
  const what = `${verb} ${resource}${name ? ` ${name}` : ''}`;
  if (!(error instanceof ApiException)) return new KubernetesApiError(describeTransportFailure(error, what, endpoint), 0, verb, resource);
  const detail = statusMessage(error) ?? `HTTP ${error.code}`;
  const fix =
    error.code === 403
      ? `; add to the node scaler's ClusterRole: apiGroups ["${group}"], resources ["${resource}"], verbs ["${verb}"]`
      : error.code === 401
        ? '; the node scaler role is not mapped in the cluster (EKS access entry or aws-auth)'
        : '';
  const retryAfter = Number(error.headers?.['retry-after']);
  return new KubernetesApiError(`Kubernetes ${what} failed: ${detail}${fix}`, error.code, verb, resource, Number.isFinite(retryAfter) ? retryAfter : undefined);
}
