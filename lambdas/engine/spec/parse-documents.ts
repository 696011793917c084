/**
 * The parser's core over KEDA documents already read into plain objects (a Kubernetes LIST, or
 * YAML read by parse-manifests.ts): kinds, heads, authentications before the ScaledObjects that
 * refer to them, and the checks across objects. It imports no YAML parser, so the pod scaler's
 * bundle, which parses the cluster's objects, stays without one (test/infra/bundle-contents.test.ts).
 */
import { isRecord, readRecord, readString, warnUnknownFields } from './crd-values';
import { IssueCollector } from './issue-collector';
import type { SpecIssue } from './issues';
import { parseScaledObject } from './parse-scaled-object';
import { parseScaledJob } from './parse-scaled-job';
import type { ScaledJobSpec } from './scaled-job';
import { parseTriggerAuthentication } from './parse-trigger-authentication';
import type { ScaledObject, TriggerAuthentication } from './scaled-object';
import { kubernetesNameProblem } from './kubernetes-names';
import { capIssues } from './input-limits';
import { appendAll } from '../../util/append-all';

export interface ParseOptions {
  /** Source file name, stamped on every issue. */
  file?: string;
  /** CI mode: every warning becomes an error. */
  strict?: boolean;
}

export interface ParseResult {
  objects: ScaledObject[];
  /** ScaledJobs, parsed like ScaledObjects (the same triggers and authentications). */
  scaledJobs: ScaledJobSpec[];
  authentications: TriggerAuthentication[];
  errors: SpecIssue[];
  warnings: SpecIssue[];
}

const KEDA_API = 'keda.sh/v1alpha1';
const LEGACY_API = 'keda.k8s.io/v1alpha1';
const KEDA_KINDS = ['ScaledObject', 'ScaledJob', 'TriggerAuthentication', 'ClusterTriggerAuthentication'];

export interface Manifest {
  /** `<file>#<index>`: names the document until its own name is known. */
  label: string;
  value: Record<string, unknown>;
  lineOf?: (path: string) => number | undefined;
  file?: string;
}

/** One input of documents as plain objects (a file's, or a LIST's items), named for its issues. */
export interface DocumentInput {
  documents: unknown[];
  /** Source file name (or label), stamped on that input's issues. */
  file?: string;
}

/** Parses documents given as plain objects, several inputs as one configuration. */
export function parseDocumentInputs(inputs: readonly DocumentInput[], options: Omit<ParseOptions, 'file'> = {}): ParseResult {
  const manifests: Manifest[] = [];
  for (const input of inputs) {
    const fileOptions = { ...options, ...(input.file !== undefined ? { file: input.file } : {}) };
    input.documents.forEach((doc, index) => collect(manifests, doc, documentLabel(fileOptions, index), undefined, input.file));
  }
  const result = parseCollected(manifests, options);
  return { ...result, errors: capIssues(result.errors, 'error'), warnings: capIssues(result.warnings, 'warning') };
}

export function documentLabel(options: ParseOptions, index: number): string {
  return `${options.file ?? 'input'}#${index}`;
}

/** Keeps KEDA documents; expands `kind: List` (what `kubectl get -o yaml` prints). */
export function collect(manifests: Manifest[], value: unknown, label: string, lineOf?: (path: string) => number | undefined, file?: string): void {
  if (!isRecord(value)) return;
  if (value.kind === 'List' && Array.isArray(value.items)) {
    value.items.forEach((item, index) => {
      const prefix = `items[${index}]`;
      collect(manifests, item, `${label}.${prefix}`, lineOf && ((path: string) => lineOf(`${prefix}.${path}`) ?? lineOf(prefix)), file);
    });
    return;
  }
  if (typeof value.kind === 'string' && KEDA_KINDS.includes(value.kind)) {
    manifests.push({ label, value, ...(lineOf ? { lineOf } : {}), ...(file !== undefined ? { file } : {}) });
  }
}

export function parseCollected(manifests: Manifest[], options: Omit<ParseOptions, 'file'>): ParseResult {
  const result: ParseResult = { objects: [], scaledJobs: [], authentications: [], errors: [], warnings: [] };
  const pending: { manifest: Manifest; issues: IssueCollector; metadata: Record<string, unknown>; namespace: string; name: string }[] = [];
  const pendingJobs: typeof pending = [];

  // Authentications first: ScaledObjects anywhere in the input may refer to them.
  for (const manifest of manifests) {
    const issues = new IssueCollector(manifest.label, { ...(manifest.file !== undefined ? { file: manifest.file } : {}), ...(manifest.lineOf ? { lineOf: manifest.lineOf } : {}) }, options.strict);
    const head = readHead(issues, manifest.value);
    if (head) {
      if (head.kind === 'ScaledObject') {
        pending.push({ manifest, issues, metadata: head.metadata, namespace: head.namespace, name: head.name });
        continue;
      }
      if (head.kind === 'ScaledJob') {
        pendingJobs.push({ manifest, issues, metadata: head.metadata, namespace: head.namespace, name: head.name });
        continue;
      }
      const auth = parseTriggerAuthentication(issues, head.kind, head.metadata, readRecord(issues, manifest.value.spec, 'spec') ?? {});
      if (auth && issues.errors.length === 0) result.authentications.push(auth);
    }
    appendAll(result.errors, issues.errors);
    appendAll(result.warnings, issues.warnings);
  }

  const parsed: { object: ScaledObject; issues: IssueCollector }[] = [];
  for (const { manifest, issues, metadata, namespace, name } of pending) {
    const object = parseScaledObject(issues, metadata, namespace, name, manifest.value.spec, result.authentications);
    if (object) parsed.push({ object: withSource(object, manifest), issues });
  }
  const rejected = crossObjectChecks(parsed);
  for (const { issues } of pending) {
    appendAll(result.errors, issues.errors);
    appendAll(result.warnings, issues.warnings);
  }
  result.objects = parsed.filter((entry) => !rejected.has(entry.object)).map((entry) => entry.object);

  const parsedJobs: { object: ScaledJobSpec; issues: IssueCollector }[] = [];
  for (const { manifest, issues, metadata, namespace, name } of pendingJobs) {
    const job = parseScaledJob(issues, metadata, namespace, name, manifest.value.spec, result.authentications);
    if (job) parsedJobs.push({ object: manifest.file === undefined ? job : { ...job, sourceFile: manifest.file }, issues });
  }
  const rejectedJobs = duplicateScaledJobs(parsedJobs);
  for (const { issues } of pendingJobs) {
    appendAll(result.errors, issues.errors);
    appendAll(result.warnings, issues.warnings);
  }
  result.scaledJobs = parsedJobs.filter((entry) => !rejectedJobs.has(entry.object)).map((entry) => entry.object);
  return result;
}

type Head =
  | { kind: 'ScaledObject' | 'ScaledJob'; metadata: Record<string, unknown>; namespace: string; name: string }
  | { kind: TriggerAuthentication['kind']; metadata: Record<string, unknown> };

/** apiVersion, kind and metadata; renames the collector to `<namespace>/<name>` once known. */
function readHead(issues: IssueCollector, value: Record<string, unknown>): Head | undefined {
  const kind = value.kind as string;
  const metadata = readRecord(issues, value.metadata, 'metadata') ?? {};
  const name = typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : undefined;
  const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : 'default';
  if (name !== undefined) issues.objectId = kind === 'ClusterTriggerAuthentication' ? name : `${namespace}/${name}`;

  const apiVersion = value.apiVersion;
  if (apiVersion === LEGACY_API) {
    issues.error('apiVersion', `"${LEGACY_API}" is the KEDA v1 API, which KEDA 2 no longer serves`, `change apiVersion to ${KEDA_API}, rename scaleTargetRef.deploymentName to scaleTargetRef.name and scaleTargetRef.containerName to scaleTargetRef.envSourceContainerName (see KEDA's "Migrating from KEDA v1 to v2" guide)`);
    return undefined;
  }
  if (apiVersion !== KEDA_API) {
    issues.error('apiVersion', `${JSON.stringify(apiVersion ?? null)} is not a KEDA API version`, `use apiVersion: ${KEDA_API}`);
    return undefined;
  }
  warnUnknownFields(issues, value, '', ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
  const checkedNamespace = readString(issues, metadata.namespace, 'metadata.namespace');
  const checkedName = readString(issues, metadata.name, 'metadata.name', { required: true, example: 'orders-worker' });
  // The API server would refuse these names; in a request path "." or ".." would address something else.
  const badNamespace = checkedNamespace === undefined ? undefined : kubernetesNameProblem(checkedNamespace, 'dns-1123-label');
  if (badNamespace) issues.error('metadata.namespace', badNamespace, 'use the namespace as Kubernetes names it, e.g. "shop"');
  const badName = checkedName === undefined ? undefined : kubernetesNameProblem(checkedName, 'dns-1123-subdomain');
  if (badName) issues.error('metadata.name', badName, 'rename the object, e.g. "orders-worker"');
  if (badNamespace || badName) return undefined;
  if (kind === 'ScaledObject' || kind === 'ScaledJob') {
    if (checkedName === undefined) return undefined;
    return { kind, metadata, namespace, name: checkedName };
  }
  return { kind: kind as TriggerAuthentication['kind'], metadata };
}

/**
 * KEDA's webhook refuses a second ScaledObject on a workload that one already manages; a config
 * file has no "first", so both are rejected, each naming the other. Same for two objects with
 * the same namespace/name.
 */
function crossObjectChecks(parsed: { object: ScaledObject; issues: IssueCollector }[]): Set<ScaledObject> {
  const rejected = new Set<ScaledObject>();
  const byId = new Map<string, { object: ScaledObject; issues: IssueCollector }[]>();
  const byTarget = new Map<string, { object: ScaledObject; issues: IssueCollector }[]>();
  for (const entry of parsed) {
    const { object } = entry;
    const cluster = object.cluster ?? '(default cluster)';
    push(byId, `${cluster}|${object.id}`, entry);
    push(byTarget, `${cluster}|${object.namespace}|${object.scaleTargetRef.kind}|${object.scaleTargetRef.name}`, entry);
  }
  for (const group of byId.values()) {
    if (group.length < 2) continue;
    for (const entry of group) {
      entry.issues.error('metadata.name', `ScaledObject ${entry.object.id} is defined ${group.length} times`, 'keep one definition per namespace/name, or rename the others');
      rejected.add(entry.object);
    }
  }
  for (const group of byTarget.values()) {
    if (group.length < 2 || new Set(group.map((entry) => entry.object.id)).size < 2) continue;
    const ids = group.map((entry) => entry.object.id);
    for (const entry of group) {
      const others = ids.filter((id) => id !== entry.object.id);
      const target = `${entry.object.scaleTargetRef.kind} ${entry.object.namespace}/${entry.object.scaleTargetRef.name}`;
      entry.issues.error('spec.scaleTargetRef.name', `the workload ${target} is also scaled by ScaledObject ${others.join(', ')}; only one ScaledObject may manage a workload`, `merge the triggers of ${[entry.object.id, ...others].join(' and ')} into one ScaledObject`);
      rejected.add(entry.object);
    }
  }
  return rejected;
}

/** Two ScaledJobs with the same namespace/name (in one cluster): both rejected, as for ScaledObjects. */
function duplicateScaledJobs(parsed: { object: ScaledJobSpec; issues: IssueCollector }[]): Set<ScaledJobSpec> {
  const rejected = new Set<ScaledJobSpec>();
  const byId = new Map<string, { object: ScaledJobSpec; issues: IssueCollector }[]>();
  for (const entry of parsed) push(byId, `${entry.object.cluster ?? '(default cluster)'}|${entry.object.id}`, entry);
  for (const group of byId.values()) {
    if (group.length < 2) continue;
    for (const entry of group) {
      entry.issues.error('metadata.name', `ScaledJob ${entry.object.id} is defined ${group.length} times`, 'keep one definition per namespace/name, or rename the others');
      rejected.add(entry.object);
    }
  }
  return rejected;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Stamps the file, and the lines of `...FromEnv` fields, for errors found at tick time. */
function withSource(object: ScaledObject, manifest: Manifest): ScaledObject {
  if (manifest.file === undefined) return object;
  const envFieldLines: Record<string, number> = {};
  for (const trigger of object.triggers) {
    for (const key of Object.keys(trigger.metadata)) {
      if (!key.endsWith('FromEnv')) continue;
      const field = `spec.triggers[${trigger.index}].metadata.${key}`;
      const line = manifest.lineOf?.(field);
      if (line !== undefined) envFieldLines[field] = line;
    }
  }
  return { ...object, sourceFile: manifest.file, ...(Object.keys(envFieldLines).length > 0 ? { envFieldLines } : {}) };
}
