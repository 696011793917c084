/**
 * What the HPA's resource-metric calculation reads from a cluster for one target: its pods (phase,
 * readiness, start time, container requests) and their metrics.k8s.io PodMetrics, those matching
 * the target's label selector. A namespace's pods and PodMetrics are listed once and answer every
 * target of the namespace for one pass (`NAMESPACE_LIST_REUSE_MS`); the selector is matched here,
 * on the pods' and the PodMetrics' labels (metrics-server copies the pod's labels), as the API
 * server would. A selector this matcher cannot read is sent to the API server instead.
 * metrics.k8s.io is served by metrics-server (an EKS add-on) through API aggregation; when it is
 * not installed the group answers 404, which becomes an error saying so.
 *
 * Conversion follows kube-controller-manager: `metrics/client.go` getPodMetrics (a pod's usage is the
 * sum over its containers, or the named container's; a pod whose metrics lack the resource is
 * missing) and `replica_calculator.go` calculatePodRequests (containers plus restartable init
 * containers).
 */
import type { KubeConfig, V1Container, V1Pod } from '@kubernetes/client-node';
import { KubernetesRest } from './kubernetes-rest';
import { KubernetesApiError } from './scale-target-api';
import { toKubernetesApiError } from './kubernetes-api-errors';
import type { ApiCall } from './kubernetes-api-errors';
import { DEFAULT_KUBERNETES_CALL_TIMEOUT_MS, withRequestTimeout } from './request-timeout';
import { assertPathSegment } from './path-segments';
import type { ContainerRequests, PodUsage, ResourceName, ResourcePod } from '../../engine/hpa/resource-replicas';
import { quantityMilli } from '../../triggers/cpu-memory';
import { isSelectorUnderstood, matchesLabelSelector } from './label-selector-match';

/** The port: what the resource-metric step needs, whoever serves it. */
export interface PodResourceReader {
  readResourcePods(request: PodResourceRequest): Promise<PodResourceSnapshot>;
}

export interface PodResourceRequest {
  namespace: string;
  /** `status.selector` of the target's scale subresource. */
  selector: string;
  resource: ResourceName;
  containerName?: string;
}

export interface PodResourceSnapshot {
  pods: ResourcePod[];
  /** By pod name; pods without usable metrics are absent (the HPA's "missing" pods). */
  usage: Map<string, PodUsage>;
}

interface PodMetricsItem {
  metadata?: { name?: string; labels?: Record<string, string> };
  timestamp?: string;
  window?: string;
  containers?: { name?: string; usage?: Record<string, string> }[];
}

const METRICS_GROUP = 'metrics.k8s.io';
const METRICS_VERSION = 'v1beta1';

export const METRICS_SERVER_MISSING =
  'the metrics.k8s.io API is not served in this cluster, so cpu and memory triggers have no pod usage: ' +
  'install metrics-server (the EKS add-on: aws eks create-addon --cluster-name <cluster> --addon-name metrics-server)';

/** A namespace's lists answer for this long: a pass (passes are 15 s apart), never the next one. */
export const NAMESPACE_LIST_REUSE_MS = 5_000;

interface NamespaceListing {
  pods: V1Pod[];
  metrics: PodMetricsItem[];
}

export class KubernetesPodMetricsApi implements PodResourceReader {
  private readonly rest: KubernetesRest;
  private readonly listings = new Map<string, { at: number; listing: Promise<NamespaceListing> }>();

  constructor(kubeConfig: KubeConfig, private readonly options: { now?: () => number; callTimeoutMs?: number } = {}) {
    const config = withRequestTimeout(kubeConfig, options.callTimeoutMs ?? DEFAULT_KUBERNETES_CALL_TIMEOUT_MS);
    this.rest = new KubernetesRest(config);
  }

  async readResourcePods(request: PodResourceRequest): Promise<PodResourceSnapshot> {
    const { namespace, selector } = request;
    assertPathSegment(namespace, 'namespace');
    const selected = isSelectorUnderstood(selector) ? select(await this.namespaceListing(namespace), selector) : await this.list(namespace, selector);
    if (selected.metrics.length === 0) throw new Error(`no metrics returned from resource metrics API for pods matching ${selector} in namespace ${namespace}`);
    return {
      pods: selected.pods.map((pod) => resourcePodOf(pod, request.resource)),
      usage: usageByPod(selected.metrics, request.resource, request.containerName),
    };
  }

  /** This pass's pods and PodMetrics of the namespace, listed once for every target in it. */
  private namespaceListing(namespace: string): Promise<NamespaceListing> {
    const now = (this.options.now ?? Date.now)();
    const cached = this.listings.get(namespace);
    if (cached && now - cached.at < NAMESPACE_LIST_REUSE_MS) return cached.listing;
    const listing = this.list(namespace);
    this.listings.set(namespace, { at: now, listing });
    listing.catch(() => undefined); // a failed listing fails this pass's targets of the namespace, once
    return listing;
  }

  /** Pods and PodMetrics of a namespace, all of them or those the API server selects. */
  private async list(namespace: string, labelSelector?: string): Promise<NamespaceListing> {
    const selecting: Record<string, string> = labelSelector === undefined ? {} : { labelSelector };
    const [podList, metricsList] = await Promise.all([
      this.call({ verb: 'list', group: '', resource: 'pods', namespace }, () =>
        this.rest.get<{ items?: V1Pod[] }>({ group: '', version: 'v1', resource: 'pods', namespace }, selecting),
      ),
      this.call({ verb: 'list', group: METRICS_GROUP, resource: 'pods', namespace }, () =>
        this.rest.get<{ items?: PodMetricsItem[] }>({ group: METRICS_GROUP, version: METRICS_VERSION, resource: 'pods', namespace }, selecting),
      ),
    ]);
    return { pods: listItems(podList, 'pods'), metrics: metricsList.items ?? [] };
  }

  private async call<T>(call: ApiCall, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const translated = toKubernetesApiError(error, call, (this.options.now ?? Date.now)());
      if (call.group === METRICS_GROUP && translated instanceof KubernetesApiError && translated.status === 404) {
        throw new KubernetesApiError(METRICS_SERVER_MISSING, 404, call.verb, `pods.${METRICS_GROUP}`);
      }
      throw translated;
    }
  }
}

/** A LIST answer's items; an answer without them is not a Kubernetes list: an error, never an empty namespace. */
function listItems<T>(answer: { items?: T[] }, what: string): T[] {
  if (!Array.isArray(answer.items)) throw new Error(`the LIST of ${what} answered without items: not a Kubernetes list`);
  return answer.items;
}

/** The pods and PodMetrics of a namespace's listing that `selector` selects. */
function select(listing: NamespaceListing, selector: string): NamespaceListing {
  const matches = (labels: Record<string, string> | undefined) => matchesLabelSelector(labels, selector);
  const pods = listing.pods.filter((pod) => matches(pod.metadata?.labels));
  const podNames = new Set(pods.map((pod) => pod.metadata?.name));
  // metrics-server labels each PodMetrics as its pod; one without labels is matched by its pod's name.
  const metrics = listing.metrics.filter((item) => (item.metadata?.labels ? matches(item.metadata.labels) : podNames.has(item.metadata?.name)));
  return { pods, metrics };
}

function resourcePodOf(pod: V1Pod, resource: ResourceName): ResourcePod {
  const name = pod.metadata?.name ?? '';
  const ready = pod.status?.conditions?.find((condition) => condition.type === 'Ready');
  const containers: V1Container[] = [
    ...(pod.spec?.containers ?? []),
    // Sidecars (restartPolicy Always init containers) run alongside and count, as upstream.
    ...(pod.spec?.initContainers ?? []).filter((container) => container.restartPolicy === 'Always'),
  ];
  return {
    name,
    phase: pod.status?.phase ?? 'Unknown',
    deleting: pod.metadata?.deletionTimestamp !== undefined,
    ...(pod.status?.startTime ? { startTime: new Date(pod.status.startTime).getTime() } : {}),
    ...(ready
      ? { ready: { status: ready.status === 'True' || ready.status === 'False' ? ready.status : 'Unknown', lastTransitionTime: ready.lastTransitionTime ? new Date(ready.lastTransitionTime).getTime() : 0 } }
      : {}),
    containers: containers.map((container) => containerRequests(container, resource, name)),
  };
}

function containerRequests(container: V1Container, resource: ResourceName, podName: string): ContainerRequests {
  const raw = container.resources?.requests?.[resource];
  if (raw === undefined) return { name: container.name };
  return { name: container.name, requestMilli: milliOrThrow(String(raw), `the ${resource} request of container ${container.name} of Pod ${podName}`) };
}

function usageByPod(items: readonly PodMetricsItem[], resource: ResourceName, containerName?: string): Map<string, PodUsage> {
  const usage = new Map<string, PodUsage>();
  for (const item of items) {
    const name = item.metadata?.name;
    const containers = item.containers ?? [];
    if (!name) continue;
    const selected = containerName === undefined ? containers : containers.filter((container) => container.name === containerName);
    // getPodMetrics: no containers, or one without the resource, means the pod's metrics are missing.
    if (selected.length === 0 || selected.some((container) => container.usage?.[resource] === undefined)) continue;
    let valueMilli = 0;
    for (const container of selected) valueMilli += milliOrThrow(container.usage![resource]!, `the ${resource} usage of container ${container.name} of Pod ${name}`);
    usage.set(name, { valueMilli, timestamp: item.timestamp ? new Date(item.timestamp).getTime() : 0, windowMs: goDurationMs(item.window ?? '0s') });
  }
  return usage;
}

/** A quantity that is not a quantity is an error naming where it came from, never a zero. */
function milliOrThrow(text: string, what: string): number {
  const milli = quantityMilli(text);
  if (milli === undefined) throw new Error(`${what} is "${text}", not a Kubernetes quantity`);
  return milli;
}

const GO_DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** A Go `time.Duration` string as metrics-server writes `window` ("30s", "1m0.5s"). */
export function goDurationMs(text: string): number {
  let total = 0;
  let consumed = '';
  for (const match of text.matchAll(GO_DURATION_PART)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    consumed += match[0];
  }
  if (consumed !== text && text !== '0') throw new Error(`PodMetrics window "${text}" is not a duration`);
  return total;
}
