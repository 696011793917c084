/**
 * ScaledJobs read from the cluster (issue 17, the cluster source of issue 14): the ScaledJobs
 * annotated `eks-lambda-scaler.io/managed: "true"` and not owned by a KEDA operator, parsed with
 * the same parser as bundled files and the cluster's TriggerAuthentications, each with a reporter
 * that writes KEDA's ScaledJob status (Ready, Active, Paused, lastActiveTime) and Events on it.
 *
 * One LIST of scaledjobs per cluster (or per configured namespace) per load. It never fails the
 * ScaledObjects of the cluster: a cluster without the ScaledJob CRD (404) has none, and a refused
 * or failed LIST (403: the RBAC of deploy/rbac-live-objects.yaml predates ScaledJobs) is reported
 * as a problem naming the rule, with no ScaledJob polled.
 *
 * Status: PUT to `scaledjobs/status` with the listed resourceVersion, only when the conditions or
 * lastActiveTime differ from what was listed (a steady ScaledJob costs no write); a 409 waits for
 * the next load. Events: created on the ScaledJob (its uid), best effort.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ClusterRef } from '../../config/scaler-config';
import { scaledJobStatus, scaledJobStatusChanged, type KedaScaledJobStatus } from '../../engine/keda/scaled-job-status';
import { formatIssue, type SpecIssue } from '../../engine/spec/issues';
import { parseDocumentInputs, type DocumentInput } from '../../engine/spec/parse-documents';
import type { OutcomeReporter, RejectedObject } from '../../pod-scaler/object-source';
import type { ScaledJobReporter, SourcedScaledJob } from '../../pod-scaler/scaled-job-types';
import { scaledJobStateKey } from '../state/scaled-job-state-store';
import { toKubernetesApiError } from './kubernetes-api-errors';
import { KubernetesRest } from './kubernetes-rest';
import type { KubernetesEvent } from './scale-target-api';
import { workloadEvent } from './workload-event';

const GROUP = 'keda.sh';
const VERSION = 'v1alpha1';
const MANAGED_ANNOTATION = 'eks-lambda-scaler.io/managed';
const KEDA_FINALIZER = 'finalizer.keda.sh';

export interface ClusterScaledJobs {
  scaledJobs: SourcedScaledJob[];
  rejected: RejectedObject[];
  problems: string[];
}

interface Listed {
  namespace: string;
  name: string;
  uid: string;
  raw: Record<string, unknown>;
}

export async function loadClusterScaledJobs(
  kubeConfig: KubeConfig,
  cluster: ClusterRef,
  namespaces: readonly string[] | undefined,
  authentications: readonly Record<string, unknown>[],
  now: () => number,
): Promise<ClusterScaledJobs> {
  const rest = new KubernetesRest(kubeConfig);
  const endpoint = kubeConfig.getCurrentCluster()?.server;
  const scopes = namespaces === undefined || namespaces.length === 0 ? [undefined] : [...namespaces];
  const items: Record<string, unknown>[] = [];
  for (const namespace of scopes) {
    try {
      const answer = await rest.get<{ items?: unknown }>({ group: GROUP, version: VERSION, resource: 'scaledjobs', ...(namespace === undefined ? {} : { namespace }) });
      if (Array.isArray(answer.items)) items.push(...answer.items.filter((item): item is Record<string, unknown> => typeof item === 'object' && item !== null));
    } catch (error) {
      const translated = toKubernetesApiError(error, { verb: 'list', group: GROUP, resource: 'scaledjobs', namespace: namespace ?? '(all namespaces)' }, now(), endpoint);
      if (translated.status === 404) continue; // no ScaledJob CRD in this cluster: no ScaledJobs
      return { scaledJobs: [], rejected: [], problems: [`cluster ${cluster.name}: the ScaledJobs could not be read, so none was polled (the ScaledObjects were): ${translated.message}`] };
    }
  }

  const managed: Listed[] = [];
  for (const raw of items) {
    const metadata = (raw.metadata ?? {}) as { name?: string; namespace?: string; uid?: string; annotations?: Record<string, string>; finalizers?: string[] };
    if (typeof metadata.name !== 'string' || typeof metadata.namespace !== 'string') continue;
    if (metadata.annotations?.[MANAGED_ANNOTATION] !== 'true') continue;
    // A KEDA operator owns it: it creates the Jobs; two creators would double them.
    if ((metadata.finalizers ?? []).includes(KEDA_FINALIZER)) continue;
    managed.push({ namespace: metadata.namespace, name: metadata.name, uid: typeof metadata.uid === 'string' ? metadata.uid : '', raw: { ...raw, apiVersion: `${GROUP}/${VERSION}`, kind: 'ScaledJob' } });
  }
  if (managed.length === 0) return { scaledJobs: [], rejected: [], problems: [] };

  const authLabel = `cluster ${cluster.name}: authentications`;
  const labelOf = (listed: Listed) => `ScaledJob ${listed.namespace}/${listed.name}`;
  const inputs: DocumentInput[] = [{ documents: [...authentications], file: authLabel }, ...managed.map((listed) => ({ documents: [listed.raw], file: labelOf(listed) }))];
  const result = parseDocumentInputs(inputs);
  const errorsByLabel = new Map<string, SpecIssue[]>();
  for (const issue of result.errors) errorsByLabel.set(issue.file ?? '', [...(errorsByLabel.get(issue.file ?? '') ?? []), issue]);
  const parsedById = new Map(result.scaledJobs.map((spec) => [spec.id, spec]));

  const status = new ScaledJobStatusWriter(rest, now);
  const scaledJobs: SourcedScaledJob[] = [];
  const rejected: RejectedObject[] = [];
  for (const listed of managed) {
    const key = scaledJobStateKey(cluster.name, listed.namespace, listed.name);
    const parsed = parsedById.get(`${listed.namespace}/${listed.name}`);
    const errors = errorsByLabel.get(labelOf(listed)) ?? [];
    const wrongCluster = parsed?.cluster !== undefined && parsed.cluster !== cluster.name ? `metadata.annotations["eks-lambda-scaler.io/cluster"] names cluster ${parsed.cluster}, but a cluster ScaledJob creates its Jobs in its own cluster ${cluster.name} (remove the annotation)` : undefined;
    if (!parsed || errors.length > 0 || wrongCluster) {
      const reason = wrongCluster ?? (errors.map((issue) => formatIssue({ ...issue, file: undefined })).join('; ') || 'the ScaledJob could not be parsed');
      rejected.push({ key, cluster: cluster.name, namespace: listed.namespace, name: listed.name, reason, reporter: status.rejectedReporter(listed) });
      continue;
    }
    const generation = (listed.raw.metadata as { generation?: unknown }).generation;
    const spec = { ...parsed, cluster: cluster.name, ...(typeof generation === 'number' ? { generation } : {}) };
    scaledJobs.push({ spec, key, reporter: status.reporterFor(listed), ...(listed.uid ? { owner: { uid: listed.uid } } : {}) });
  }
  return { scaledJobs, rejected, problems: [] };
}

/** KEDA's status and Events on cluster ScaledJobs; every failure is swallowed (a courtesy, never the poll's). */
class ScaledJobStatusWriter {
  constructor(
    private readonly rest: KubernetesRest,
    private readonly now: () => number,
  ) {}

  reporterFor(listed: Listed): ScaledJobReporter {
    return {
      report: (outcome) =>
        this.write(listed, scaledJobStatus({
          ...(outcome.invalidSpec ? { invalidSpec: outcome.invalidSpec } : {}),
          ...(outcome.result.error ? { error: outcome.result.error } : {}),
          ...(outcome.triggersFailing ? { triggersFailing: outcome.triggersFailing } : {}),
          ...(outcome.result.active === undefined ? {} : { active: outcome.result.active }),
          paused: outcome.paused,
          ...(outcome.lastActiveTime === undefined ? {} : { lastActiveTime: outcome.lastActiveTime }),
        })),
      event: (event) => this.event(listed, event),
    };
  }

  /** A ScaledJob the parser refused: Ready False with the reason, and nothing else. */
  rejectedReporter(listed: Listed): OutcomeReporter {
    return {
      report: (outcome) => this.write(listed, scaledJobStatus({ invalidSpec: outcome.invalidSpec ?? outcome.result.statusReason ?? 'the ScaledJob could not be parsed', paused: false })),
      event: (event) => this.event(listed, event),
    };
  }

  private async write(listed: Listed, next: KedaScaledJobStatus): Promise<void> {
    const current = listed.raw.status as { lastActiveTime?: string } | undefined;
    const status: KedaScaledJobStatus = { ...next, ...(next.lastActiveTime === undefined && current?.lastActiveTime ? { lastActiveTime: current.lastActiveTime } : {}) };
    if (!scaledJobStatusChanged(current, status)) return;
    const path = { group: GROUP, version: VERSION, resource: 'scaledjobs', namespace: listed.namespace, name: listed.name, subresource: 'status' };
    const body = { ...listed.raw, status: { ...(typeof current === 'object' && current !== null ? current : {}), ...status } };
    try {
      const written = await this.rest.replace<Record<string, unknown>>(path, body);
      // A second report in this container compares with what was written, and carries its resourceVersion.
      listed.raw = written;
    } catch {
      // 409 (changed since the list) or a refusal: the next load lists the object again and writes then.
    }
  }

  private async event(listed: Listed, event: KubernetesEvent): Promise<void> {
    const body = workloadEvent({ namespace: listed.namespace, apiVersion: `${GROUP}/${VERSION}`, kind: 'ScaledJob', name: listed.name }, event, this.now());
    if (listed.uid) body.involvedObject = { ...body.involvedObject, uid: listed.uid };
    await this.rest.create({ group: '', version: 'v1', resource: 'events', namespace: listed.namespace }, body).catch(() => undefined);
  }
}
