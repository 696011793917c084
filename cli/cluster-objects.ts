/**
 * The live cluster's ScaledObjects, TriggerAuthentications and ClusterTriggerAuthentications, for
 * `status --cluster` and `validate --cluster`: read with the user's kubeconfig (a context of it,
 * as kubectl's `--context`), one LIST per kind, each with a timeout.
 *
 * Only the commands given `--cluster` import this module (and through it the Kubernetes client):
 * the others keep their start-up time (bench/cli-start.ts).
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { ApiException, CustomObjectsApi, KubeConfig } from '../lambdas/adapters/kubernetes/client-node-parts';
import { isTimeout, withRequestTimeout } from '../lambdas/adapters/kubernetes/request-timeout';
import { KEDA_FINALIZER, MANAGED_ANNOTATION } from '../lambdas/adapters/kubernetes/cluster-object-source';
import { toKubernetesApiError } from '../lambdas/adapters/kubernetes/kubernetes-api-errors';
import type { KedaScaledObjectStatus } from '../lambdas/engine/keda/scaled-object-status';
import { parseManifestTexts } from '../lambdas/engine/spec/parse-manifests';
import { SetupError } from './args';
import { age } from './format/relative-time';
import { formatTable } from './format/table';
import type { CliIo } from './io';
import type { LoadedManifests } from './manifests';

const KEDA = { group: 'keda.sh', version: 'v1alpha1' };
/** Longest one LIST may take: a large cluster's list is a few MB. */
const LIST_TIMEOUT_MS = 30_000;

export interface ClusterSelection {
  /** `--kubeconfig PATH`; default env KUBECONFIG (its first file), then ~/.kube/config. */
  kubeconfig?: string;
  /** `--context NAME`; default the kubeconfig's current context. */
  context?: string;
  /** Only this namespace (`-n`); every namespace when undefined. */
  namespace?: string;
}

/** A listed object as the server sent it, managedFields left out (kubectl hides them too). */
export interface ListedObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string>; creationTimestamp?: string; [field: string]: unknown };
  spec?: Record<string, unknown>;
  status?: KedaScaledObjectStatus;
}

export interface ClusterObjects {
  /** How messages name where the objects came from: `cluster <context>`. */
  source: string;
  scaledObjects: ListedObject[];
  /** TriggerAuthentications (of the namespace, or all) and every ClusterTriggerAuthentication. */
  authentications: ListedObject[];
}

/** The user's kubeconfig, at the chosen context, with a timeout on every request. */
export function loadKubeConfig(io: Pick<CliIo, 'env' | 'cwd'>, selection: ClusterSelection): { kubeConfig: KubeConfig; context: string } {
  const path = kubeconfigPath(io, selection.kubeconfig);
  const kubeConfig = new KubeConfig();
  try {
    kubeConfig.loadFromFile(path);
  } catch (error) {
    throw new SetupError(`cannot read the kubeconfig ${path}: ${(error as Error).message} (give --kubeconfig PATH or set KUBECONFIG)`);
  }
  if (selection.context !== undefined) {
    const names = kubeConfig.getContexts().map((context) => context.name);
    if (!names.includes(selection.context)) {
      throw new SetupError(`the kubeconfig ${path} has no context "${selection.context}" (it has: ${names.join(', ') || 'none'}); see kubectl config get-contexts`);
    }
    kubeConfig.setCurrentContext(selection.context);
  }
  const context = kubeConfig.getCurrentContext();
  if (!context || !kubeConfig.getCurrentCluster()) {
    throw new SetupError(`the kubeconfig ${path} has no current context: give --context NAME (see kubectl config get-contexts)`);
  }
  return { kubeConfig: withRequestTimeout(kubeConfig, LIST_TIMEOUT_MS), context };
}

function kubeconfigPath(io: Pick<CliIo, 'env' | 'cwd'>, flag: string | undefined): string {
  if (flag !== undefined) return resolve(io.cwd, flag);
  // kubectl merges every file of KUBECONFIG; the first one that exists is the usual single file.
  const listed = (io.env.KUBECONFIG ?? '').split(process.platform === 'win32' ? ';' : ':').filter((path) => path !== '');
  const found = listed.map((path) => resolve(io.cwd, path)).find((path) => existsSync(path));
  if (found) return found;
  return join(io.env.HOME ?? homedir(), '.kube', 'config');
}

/** One LIST per kind; a failure names the kind, the namespace and what to do. */
export async function readClusterObjects(io: Pick<CliIo, 'env' | 'cwd'>, selection: ClusterSelection): Promise<ClusterObjects> {
  const { kubeConfig, context } = loadKubeConfig(io, selection);
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const server = kubeConfig.getCurrentCluster()?.server;
  const list = async (plural: string, kind: string, namespaced: boolean): Promise<ListedObject[]> => {
    const where = namespaced && selection.namespace !== undefined ? ` in namespace ${selection.namespace}` : '';
    try {
      const answer = (await retryingThrottles(() =>
        namespaced && selection.namespace !== undefined
          ? api.listNamespacedCustomObject({ ...KEDA, plural, namespace: selection.namespace })
          : api.listClusterCustomObject({ ...KEDA, plural }),
      )) as { items?: ListedObject[] };
      return (answer.items ?? []).map((item) => withoutManagedFields({ ...item, apiVersion: `${KEDA.group}/${KEDA.version}`, kind }));
    } catch (error) {
      throw new SetupError(`cannot list ${kind}s${where} in context ${context}: ${describeListFailure(error, plural, server)}`);
    }
  };
  const [scaledObjects, triggerAuthentications, clusterTriggerAuthentications] = await Promise.all([
    list('scaledobjects', 'ScaledObject', true),
    list('triggerauthentications', 'TriggerAuthentication', true),
    list('clustertriggerauthentications', 'ClusterTriggerAuthentication', false),
  ]);
  const byName = (a: ListedObject, b: ListedObject) =>
    `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`);
  return {
    source: `cluster ${context}`,
    scaledObjects: scaledObjects.sort(byName),
    authentications: [...triggerAuthentications.sort(byName), ...clusterTriggerAuthentications.sort(byName)],
  };
}

/** Attempts of one LIST when the server answers 429 (priority and fairness shedding load). */
const THROTTLE_ATTEMPTS = 5;

/** As kubectl (client-go) does: a 429 is retried after the server's Retry-After (at most 5 s here). */
async function retryingThrottles<T>(list: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await list();
    } catch (error) {
      if (!(error instanceof ApiException) || error.code !== 429 || attempt >= THROTTLE_ATTEMPTS) throw error;
      const wait = toKubernetesApiError(error, { verb: 'list', group: KEDA.group, resource: 'scaledobjects', namespace: '' }).retryAfterSeconds;
      await new Promise((done) => setTimeout(done, Math.min(wait ?? 1, 5) * 1000));
    }
  }
}

function withoutManagedFields(item: ListedObject): ListedObject {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- dropped on purpose: kubectl hides them
  const { managedFields, ...metadata } = item.metadata;
  return { ...item, metadata: metadata as ListedObject['metadata'] };
}

function describeListFailure(error: unknown, plural: string, server: string | undefined): string {
  if (!(error instanceof ApiException)) {
    const at = server ?? 'the cluster';
    if (isTimeout(error)) return `${at} did not answer within ${LIST_TIMEOUT_MS / 1000} s: check that you can reach the cluster endpoint (VPN, endpoint access)`;
    const cause = (error as { cause?: { message?: string } }).cause?.message;
    return `could not reach ${at}: ${(error as Error).message}${cause ? `: ${cause}` : ''}`;
  }
  switch (error.code) {
    case 401:
      return 'the server did not accept your credentials (log in again, e.g. aws eks update-kubeconfig)';
    case 403:
      return `forbidden: your identity may not list ${plural}.${KEDA.group}; ask for get/list on it (deploy/rbac-live-objects.yaml has the rule)`;
    case 404:
      return `the cluster does not serve ${plural}.${KEDA.group}/${KEDA.version}: install the CRDs (kubectl apply -f deploy/crds/) or KEDA's`;
    case 429:
      return `the server kept answering 429 (too many requests) after ${THROTTLE_ATTEMPTS} attempts: try again in a minute`;
    default:
      return `the server answered ${error.code}`;
  }
}

/** The live objects through the scaler's own parser, as `validate` reads files. */
export async function loadClusterManifests(io: Pick<CliIo, 'env' | 'cwd'>, selection: ClusterSelection, options: { strict?: boolean } = {}): Promise<LoadedManifests & { source: string }> {
  const { source, scaledObjects, authentications } = await readClusterObjects(io, selection);
  const result = parseManifestTexts([{ documents: [...authentications, ...scaledObjects], file: source }], options.strict === undefined ? {} : { strict: options.strict });
  return {
    source,
    objects: result.objects.map((object) => ({ object, file: source })),
    scaledJobs: result.scaledJobs.map((job) => ({ job, file: source })),
    authentications: result.authentications,
    errors: result.errors,
    warnings: result.warnings,
    files: [source],
  };
}

const STATUS_HEADER = ['NAMESPACE', 'NAME', 'SCALETARGETKIND', 'SCALETARGETNAME', 'MIN', 'MAX', 'TRIGGERS', 'AUTHENTICATIONS', 'READY', 'ACTIVE', 'FALLBACK', 'PAUSED', 'AGE', 'WHY'];

/** `kubectl get so -A`'s columns, from the status the scaler (or KEDA) wrote, and why when it is not Ready. */
export function formatClusterStatusTable(objects: readonly ListedObject[], now: number, wide = false): string {
  const rows = objects.map((object) => {
    const status = object.status ?? {};
    const condition = (type: string) => status.conditions?.find((c) => c.type === type);
    const spec = object.spec ?? {};
    const target = (spec.scaleTargetRef ?? {}) as { name?: string };
    const created = Date.parse(object.metadata.creationTimestamp ?? '');
    return [
      object.metadata.namespace ?? '',
      object.metadata.name,
      status.scaleTargetKind ?? '',
      target.name ?? '',
      String(spec.minReplicaCount ?? ''),
      String(spec.maxReplicaCount ?? ''),
      status.triggersTypes ?? '',
      status.authenticationsTypes ?? '',
      condition('Ready')?.status ?? '',
      condition('Active')?.status ?? '',
      condition('Fallback')?.status ?? '',
      condition('Paused')?.status ?? '',
      Number.isNaN(created) ? '' : age(created, now),
      why(object, wide),
    ];
  });
  return formatTable(STATUS_HEADER, rows);
}

/** What a person needs when the row is not simply Ready: the Ready message, or who owns the object. */
function why(object: ListedObject, wide: boolean): string {
  const finalizers = (object.metadata.finalizers ?? []) as string[];
  if (finalizers.includes(KEDA_FINALIZER)) return `owned by KEDA's operator (${KEDA_FINALIZER}): this scaler leaves it alone`;
  if (object.metadata.annotations?.[MANAGED_ANNOTATION] !== 'true') return `not managed by eks-lambda-scaler (annotate ${MANAGED_ANNOTATION}=true to hand it over)`;
  const conditions = object.status?.conditions ?? [];
  const ready = conditions.find((c) => c.type === 'Ready');
  if (ready === undefined) return 'no status yet: the pod scaler writes it at its next pass';
  if (ready.status !== 'True') return ready.message ?? ready.reason ?? '';
  return wide ? (conditions.find((c) => c.type === 'Active')?.message ?? '') : '';
}
