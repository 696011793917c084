/**
 * ScaledObjects read from the cluster (issue 14, docs/design-live-objects.md): the ObjectSource
 * whose objects a KEDA user applies, edits, annotates and deletes with kubectl, with no redeploy.
 *
 * - Reading: one LIST per kind per cluster per load (ScaledObjects, TriggerAuthentications,
 *   ClusterTriggerAuthentications), or one per configured namespace for the namespaced kinds, each
 *   under the adapter's request timeout. No watch: a Lambda lives for one tick. When every listed
 *   item has the resourceVersion it had at the previous load, the previous parse is reused.
 * - Choosing: only objects annotated `eks-lambda-scaler.io/managed: "true"`, and never one carrying
 *   KEDA's finalizer (a KEDA operator owns it): that one gets a single Warning Event, deduplicated
 *   across containers by its name (a second create answers 409).
 * - Parsing: the same parser as bundled files; an object that fails it, or asks for AWS access
 *   outside the allowed patterns, becomes a rejected entry, and the others are scaled.
 * - Removed: state items of the cluster whose object is absent from a LIST that succeeded. The state
 *   item keeps the last spec's target and restoreToOriginalReplicaCount, so deletion restores with
 *   no copy of the object. A LIST that failed fails the load: never "everything was deleted".
 */
import type { KubeConfig } from '@kubernetes/client-node';
import { createHash } from 'node:crypto';
import type { ClusterRef } from '../../config/scaler-config';
import type { ScaledObject } from '../../engine/spec/scaled-object';
import { formatIssue, type SpecIssue } from '../../engine/spec/issues';
import { parseDocumentInputs, type DocumentInput } from '../../engine/spec/parse-documents';
import type { LoadOptions, ObjectSource, OutcomeReporter, RejectedObject, SourcedObject, SourceSnapshot } from '../../pod-scaler/object-source';
import { findRemovedObjects } from '../../pod-scaler/removed-objects';
import type { StateStore } from '../state/state-store';
import { KubernetesRest } from './kubernetes-rest';
import { toKubernetesApiError, type ApiCall } from './kubernetes-api-errors';
import { DEFAULT_KUBERNETES_CALL_TIMEOUT_MS, withRequestTimeout } from './request-timeout';
import { KubernetesApiError, type KubernetesEvent, type ScaleTargetApi, type WorkloadRef } from './scale-target-api';
import { workloadEvent } from './workload-event';
import { loadClusterScaledJobs } from './cluster-scaled-jobs';

/** The opt-in: the scaler acts on a cluster ScaledObject only when this annotation is exactly "true". */
export const MANAGED_ANNOTATION = 'eks-lambda-scaler.io/managed';
/** KEDA's operator adds it when it first reconciles an object (controllers/keda/scaledobject_finalizer.go). */
export const KEDA_FINALIZER = 'finalizer.keda.sh';
export const OWNED_BY_KEDA_REASON = 'OwnedByKeda';
const GROUP = 'keda.sh';
const VERSION = 'v1alpha1';

/** One listed ScaledObject as the server sent it: what a status writer needs (resourceVersion, status). */
export interface ListedScaledObject {
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
  /** The whole item, `status` included. */
  raw: Record<string, unknown>;
}

export interface ClusterObjectSourceOptions {
  /** The cluster's KubeConfig, authenticated as the pod scaler (EKS token). */
  kubeConfigFor(cluster: ClusterRef): Promise<KubeConfig>;
  /** The scale API of a cluster: the default reporter writes Events on the workload through it. */
  scaleTargets(cluster: string): Promise<ScaleTargetApi>;
  stateStore: Pick<StateStore, 'listAll'>;
  /** Epoch ms (event timestamps; when a LIST began, to tell a removal from an object made after it). */
  now(): number;
  /**
   * Why an object may not be scaled with the access the scaler was given (iam-allowance.ts), or
   * undefined when it may. Undefined option: every object may.
   */
  checkPermissions?(object: ScaledObject): string | undefined;
  /**
   * Where an object's outcomes go. Default: Events on the workload (as for bundled objects) and
   * no status; the ScaledObject status writer replaces it.
   */
  reporterFor?(cluster: ClusterRef, listed: ListedScaledObject, object: ScaledObject | undefined): OutcomeReporter;
  /** Longest one LIST may take, ms. */
  callTimeoutMs?: number;
}

interface ClusterMemory {
  /** Fingerprint of the listed items (kind, namespace, name, resourceVersion) and the parse it produced. */
  fingerprint?: string;
  parsed?: { objects: SourcedObject[]; rejected: RejectedObject[]; problems: string[] };
  /** Objects already warned about as KEDA-owned, by uid. */
  warnedOwned: Set<string>;
  /** Keys the last successful LIST held; undefined before the first. */
  lastKeys?: Set<string>;
  /** The last removal scan found objects whose restore may still be owed. */
  removalOwed: boolean;
}

interface ListedItems {
  scaledObjects: Record<string, unknown>[];
  authentications: Record<string, unknown>[];
}

export class ClusterObjectSource implements ObjectSource {
  private readonly memory = new Map<string, ClusterMemory>();

  constructor(
    private readonly options: ClusterObjectSourceOptions,
    /** Namespaces to read per cluster name; absent or empty = all namespaces. */
    private readonly namespacesOf: (cluster: ClusterRef) => readonly string[] | undefined = (cluster) => cluster.namespaces,
  ) {}

  async load(cluster: ClusterRef, _deadline: number, loadOptions: LoadOptions = {}): Promise<SourceSnapshot> {
    const memory = this.memoryOf(cluster.name);
    const listedAt = this.options.now();
    const kubeConfig = withRequestTimeout(await this.options.kubeConfigFor(cluster), this.options.callTimeoutMs ?? DEFAULT_KUBERNETES_CALL_TIMEOUT_MS);
    // Throws when any LIST fails: the tick then skips this cluster, and nothing counts as removed.
    const listed = await this.list(kubeConfig, cluster);

    const present = new Set<string>();
    const managed: { listed: ListedScaledObject; raw: Record<string, unknown> }[] = [];
    for (const raw of listed.scaledObjects) {
      const item = listedObject(raw);
      if (!item) continue;
      present.add(keyOf(cluster, item));
      if (metadataOf(raw).annotations?.[MANAGED_ANNOTATION] !== 'true') continue;
      if ((metadataOf(raw).finalizers ?? []).includes(KEDA_FINALIZER)) {
        await this.warnOwnedByKeda(kubeConfig, memory, item);
        continue;
      }
      managed.push({ listed: item, raw });
    }

    const fingerprint = fingerprintOf(managed.map((entry) => entry.raw), listed.authentications);
    const reparsed = memory.fingerprint !== fingerprint || !memory.parsed;
    if (reparsed || !memory.parsed) {
      memory.parsed = this.parse(cluster, managed, listed.authentications);
      memory.fingerprint = fingerprint;
    }
    const snapshot: SourceSnapshot = {
      objects: memory.parsed.objects,
      rejected: memory.parsed.rejected,
      removed: [],
      version: fingerprint,
      // Parser warnings are logged when the objects change, not every minute while they stand.
      ...(reparsed && memory.parsed.problems.length > 0 ? { problems: memory.parsed.problems } : {}),
    };

    // ScaledJobs (issue 17): their own LIST, which never fails the ScaledObjects (cluster-scaled-jobs.ts).
    const jobs = await loadClusterScaledJobs(kubeConfig, cluster, this.namespacesOf(cluster), listed.authentications, this.options.now);
    if (jobs.scaledJobs.length > 0) snapshot.scaledJobs = jobs.scaledJobs;
    if (jobs.rejected.length > 0) snapshot.rejected = [...snapshot.rejected, ...jobs.rejected];
    if (jobs.problems.length > 0) snapshot.problems = [...(snapshot.problems ?? []), ...jobs.problems];

    if (loadOptions.findRemoved) {
      const disappeared = memory.lastKeys === undefined || [...memory.lastKeys].some((key) => !present.has(key));
      if (disappeared || memory.removalOwed) {
        const namespaces = this.namespacesOf(cluster);
        snapshot.removed = await findRemovedObjects(
          this.options.stateStore,
          (key) => present.has(key),
          (item) =>
            item.cluster === cluster.name &&
            (namespaces === undefined || namespaces.length === 0 || namespaces.includes(item.summary.target.namespace)) &&
            // An object first evaluated after this LIST began (by an overlapping invocation) is new, not deleted.
            item.scaling.firstSeenAt < listedAt,
        );
        memory.removalOwed = snapshot.removed.length > 0;
      }
      memory.lastKeys = present;
    }
    return snapshot;
  }

  private memoryOf(cluster: string): ClusterMemory {
    let memory = this.memory.get(cluster);
    if (!memory) this.memory.set(cluster, (memory = { warnedOwned: new Set(), removalOwed: false }));
    return memory;
  }

  private async list(kubeConfig: KubeConfig, cluster: ClusterRef): Promise<ListedItems> {
    const rest = new KubernetesRest(kubeConfig);
    const endpoint = kubeConfig.getCurrentCluster()?.server;
    const namespaces = this.namespacesOf(cluster);
    const listOnce = async (plural: string, namespace?: string): Promise<Record<string, unknown>[]> => {
      const call: ApiCall = { verb: 'list', group: GROUP, resource: plural, namespace: namespace ?? '(all namespaces)' };
      try {
        // No namespace: the whole cluster (a cluster-scoped kind, or a namespaced kind in every namespace).
        const answer = await rest.get<{ items?: unknown }>({ group: GROUP, version: VERSION, resource: plural, ...(namespace === undefined ? {} : { namespace }) });
        if (!Array.isArray(answer.items)) throw new Error(`the LIST of ${plural} answered without items: not a Kubernetes list`);
        return answer.items.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null);
      } catch (error) {
        throw toKubernetesApiError(error, call, this.options.now(), endpoint);
      }
    };
    // The API server sheds load with 429 (priority and fairness, a CRD's storage initializing): one
    // retry after its Retry-After, capped at 1 s, as client-go retries; a second 429 fails the load.
    const listKind = async (plural: string, namespace?: string): Promise<Record<string, unknown>[]> => {
      try {
        return await listOnce(plural, namespace);
      } catch (error) {
        if (!(error instanceof KubernetesApiError) || error.status !== 429) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(1, error.retryAfterSeconds ?? 1) * 1000));
        return listOnce(plural, namespace);
      }
    };
    const perNamespace = async (plural: string) =>
      namespaces === undefined || namespaces.length === 0
        ? listKind(plural)
        : (await Promise.all(namespaces.map((namespace) => listKind(plural, namespace)))).flat();
    const [scaledObjects, triggerAuthentications, clusterTriggerAuthentications] = await Promise.all([
      perNamespace('scaledobjects'),
      perNamespace('triggerauthentications'),
      listKind('clustertriggerauthentications'),
    ]);
    return {
      scaledObjects: scaledObjects.map((item) => withKind(item, 'ScaledObject')),
      authentications: [
        ...triggerAuthentications.map((item) => withKind(item, 'TriggerAuthentication')),
        ...clusterTriggerAuthentications.map((item) => withKind(item, 'ClusterTriggerAuthentication')),
      ],
    };
  }

  /**
   * Parses the managed objects together with every authentication (so references resolve and two
   * objects on one workload are caught), each object as its own input, so each issue maps back to
   * its object and one bad object is rejected alone.
   */
  private parse(
    cluster: ClusterRef,
    managed: readonly { listed: ListedScaledObject; raw: Record<string, unknown> }[],
    authentications: readonly Record<string, unknown>[],
  ): { objects: SourcedObject[]; rejected: RejectedObject[]; problems: string[] } {
    const authLabel = `cluster ${cluster.name}: authentications`;
    const inputs: DocumentInput[] = [
      { documents: [...authentications], file: authLabel },
      ...managed.map(({ listed, raw }) => ({ documents: [raw], file: labelOf(listed) })),
    ];
    const result = parseDocumentInputs(inputs);
    const issuesByLabel = new Map<string, SpecIssue[]>();
    for (const issue of [...result.errors, ...result.warnings]) {
      const label = issue.file ?? '';
      issuesByLabel.set(label, [...(issuesByLabel.get(label) ?? []), issue]);
    }
    const parsedById = new Map(result.objects.map((object) => [object.id, object]));
    const objects: SourcedObject[] = [];
    const rejected: RejectedObject[] = [];
    const problems = (issuesByLabel.get(authLabel) ?? []).map((issue) => `cluster ${cluster.name}: ${describeIssue(issue)}`);

    for (const { listed, raw } of managed) {
      const key = keyOf(cluster, listed);
      const issues = issuesByLabel.get(labelOf(listed)) ?? [];
      const errors = issues.filter((issue) => issue.severity === 'error');
      const parsed = parsedById.get(`${listed.namespace}/${listed.name}`);
      const reason = errors.length > 0 || !parsed ? errors.map(describeIssue).join('; ') || 'the object could not be parsed' : this.refusal(cluster, parsed);
      const object = parsed && reason === undefined ? { ...parsed, cluster: cluster.name } : undefined;
      const reporter = this.reporterFor(cluster, listed, object, raw);
      if (!object) {
        rejected.push({ key, cluster: cluster.name, namespace: listed.namespace, name: listed.name, reason: reason ?? 'the object could not be parsed', reporter });
        continue;
      }
      for (const warning of issues.filter((issue) => issue.severity === 'warning')) problems.push(`cluster ${cluster.name}: ${describeIssue(warning)}`);
      objects.push({ object, key, reporter });
    }
    return { objects, rejected, problems };
  }

  /** Why a parsed object may not be scaled from this cluster, or undefined. */
  private refusal(cluster: ClusterRef, object: ScaledObject): string | undefined {
    if (object.cluster !== undefined && object.cluster !== cluster.name) {
      return (
        `metadata.annotations["eks-lambda-scaler.io/cluster"] names cluster ${object.cluster}, but the object lives in cluster ${cluster.name} ` +
        'and a cluster ScaledObject scales in its own cluster (remove the annotation)'
      );
    }
    return this.options.checkPermissions?.(object);
  }

  private reporterFor(cluster: ClusterRef, listed: ListedScaledObject, object: ScaledObject | undefined, _raw: Record<string, unknown>): OutcomeReporter {
    if (this.options.reporterFor) return this.options.reporterFor(cluster, listed, object);
    // Until the ScaledObject status writer is plugged in: Events on the workload, as for bundled objects.
    const workload: WorkloadRef | undefined = object && {
      namespace: object.namespace,
      apiVersion: object.scaleTargetRef.apiVersion,
      kind: object.scaleTargetRef.kind,
      name: object.scaleTargetRef.name,
    };
    return {
      report: async () => undefined,
      event: async (event: KubernetesEvent) => {
        if (workload) await (await this.options.scaleTargets(cluster.name)).recordEvent(workload, event);
      },
    };
  }

  /**
   * One Warning Event on an object KEDA owns, per object: remembered in the container, and named
   * after the object's uid so a second container's create answers 409 instead of adding another.
   */
  private async warnOwnedByKeda(kubeConfig: KubeConfig, memory: ClusterMemory, item: ListedScaledObject): Promise<void> {
    if (memory.warnedOwned.has(item.uid)) return;
    memory.warnedOwned.add(item.uid);
    const ref: WorkloadRef = { namespace: item.namespace, apiVersion: `${GROUP}/${VERSION}`, kind: 'ScaledObject', name: item.name };
    const body = workloadEvent(
      ref,
      {
        type: 'Warning',
        reason: OWNED_BY_KEDA_REASON,
        message:
          `ScaledObject ${item.namespace}/${item.name} is annotated ${MANAGED_ANNOTATION}: "true" but carries KEDA's finalizer ${KEDA_FINALIZER}: ` +
          'a KEDA operator owns it, so eks-lambda-scaler leaves it alone. To move it, follow docs/migrate-from-keda.md (scale the KEDA operator to zero, then remove the finalizer)',
      },
      this.options.now(),
    );
    body.metadata = { ...body.metadata, name: `${item.name.slice(0, 200)}.${item.uid.slice(0, 8)}.owned-by-keda` };
    body.involvedObject = { ...body.involvedObject, uid: item.uid, resourceVersion: item.resourceVersion };
    // 409 means another container already wrote this warning; any other failure is dropped too: the Event is a courtesy.
    await new KubernetesRest(kubeConfig).create({ group: '', version: 'v1', resource: 'events', namespace: item.namespace }, body).catch(() => undefined);
  }
}

function metadataOf(raw: Record<string, unknown>): { name?: string; namespace?: string; uid?: string; resourceVersion?: string; annotations?: Record<string, string>; finalizers?: string[] } {
  const metadata = raw.metadata;
  return typeof metadata === 'object' && metadata !== null ? (metadata as ReturnType<typeof metadataOf>) : {};
}

function listedObject(raw: Record<string, unknown>): ListedScaledObject | undefined {
  const { name, namespace, uid, resourceVersion } = metadataOf(raw);
  if (typeof name !== 'string' || typeof namespace !== 'string') return undefined;
  return { name, namespace, uid: typeof uid === 'string' ? uid : '', resourceVersion: typeof resourceVersion === 'string' ? resourceVersion : '', raw };
}

/** A LIST's items carry no apiVersion and kind of their own in some servers' answers: set them for the parser. */
function withKind(item: Record<string, unknown>, kind: string): Record<string, unknown> {
  return { ...item, apiVersion: typeof item.apiVersion === 'string' ? item.apiVersion : `${GROUP}/${VERSION}`, kind };
}

function keyOf(cluster: ClusterRef, item: { namespace: string; name: string }): string {
  return `${cluster.name}/${item.namespace}/${item.name}`;
}

function labelOf(item: ListedScaledObject): string {
  return `ScaledObject ${item.namespace}/${item.name}`;
}

/** The issue as one line, without the label used to map it back to its object. */
function describeIssue(issue: SpecIssue): string {
  const { file: _file, line: _line, ...rest } = issue;
  return formatIssue(rest);
}

function fingerprintOf(scaledObjects: readonly Record<string, unknown>[], authentications: readonly Record<string, unknown>[]): string {
  const parts = [...scaledObjects, ...authentications].map((raw) => {
    const { namespace, name, resourceVersion, uid } = metadataOf(raw);
    return `${String(raw.kind)}/${namespace ?? ''}/${name ?? ''}/${uid ?? ''}@${resourceVersion ?? ''}`;
  });
  return createHash('sha256').update(parts.sort().join('\n')).digest('hex').slice(0, 16);
}
