/**
 * WHERE THIS SERVER STILL BELONGS. A real kube-apiserver (test/support/real-kube-apiserver.ts, the
 * real-server tier) is the reference for Kubernetes behaviour: RBAC, the scale subresource, Events,
 * HPA detection, cordon, the Eviction API with PodDisruptionBudgets, EKS tokens are proven against it
 * in test/real-servers/. Faults the real server will not give on demand come from the wire-level
 * proxy in front of it (test/support/fault-proxy.ts: 5xx, 429, 403, a hang, a rewritten answer), and
 * the proxy's log shows the exact requests. This hand-written server stays only where neither can
 * do the job yet, listed below.
 *
 * Who uses it, and why (issue 11 item 5). The exact list at 07:40 UTC on 2 Dec 2026, from
 * `grep -rln "kube-api-server'" test bench` plus the suites on node-scaler-world.ts:
 * Node scaler, through test/node-scaler/node-scaler-world.ts (its Auto Scaling model, served by a
 * client mock, goes with it):
 *   - test/node-scaler/scale-up.test.ts: a failed launch through whole ticks: a failed scaling
 *     activity and instances that stay Pending (moto records no activities and launches InService).
 *   - test/node-scaler/review-fixes.test.ts: overlapping runs paused inside DescribeAutoScalingGroups
 *     or inside a drain's sleep (hooks inside a call), Pending instances, creation and deletion
 *     timestamps set on the fake clock (the real server stamps them from the wall clock).
 *   - test/faults/node-scaler-faults.test.ts (node-scaler-wire.ts): the wire-level fault suite, proxies
 *     in front of this server and of the query emulator serving the model. Not moved yet.
 * Pod scaler:
 *   - test/faults/pod-scaler-faults.test.ts (pod-scaler-wire.ts): the wire-level fault suite, already
 *     a fault proxy in front of this server; pointing it at the real server is the next step, not done.
 *   - test/pod-scaler/harness.ts: only the type of `putDeployment` / `replicasOf`, for pod-scaler-wire.
 * Kubernetes adapters:
 *   - test/adapters/kubernetes/kube-api-server.test.ts: this server's own tests.
 *   - test/adapters/kubernetes/kubernetes-scale-target-api.test.ts: the exact wire of each call
 *     (the scale PATCH's content type and body, the LIST sequence of a pass, the labelSelector), a
 *     409 on the scale PATCH once and twice (the proxy has no Conflict fault yet), 403, 429 with
 *     Retry-After 7 and 401 on demand, an Argo Rollout's scale (a type registered here). Could move
 *     with a Conflict fault in the proxy and the Rollout CRD applied; not done.
 *   - test/adapters/kubernetes/pod-metrics-api.test.ts: metrics.k8s.io is served by the real server
 *     only through API aggregation to a running metrics-server, which cannot run here.
 *   - test/adapters/kubernetes/kube-fixtures.ts: object builders (also used on the real server).
 * Bench: bench/tick-cost/servers-process.ts: a fixed per-call latency for the cost model.
 *
 * Client mocks (aws-sdk-client-mock) left, for the same reason (nothing else produces the case yet):
 * test/node-scaler/node-scaler-world.ts (the model above); test/adapters/aws/read-plan-mocked.test.ts
 * (its header: moto's XML denials, no expression validation, no GetMetricData paging, no missing
 * result entry; a proxy rewrite could produce the last two, not done); bench/tick-cost.ts.
 *
 * Moved to the real servers (kube-apiserver, moto, fault proxy): node scaler scale-down, scale-up,
 * fault isolation (a field missing from one group's answer, one group's throttled activities),
 * scale-up notices (the 503 one included), empty-node bulk delete, the drain runner, the cluster
 * nodes adapter's server calls; pods and nodes in one tick; RBAC; the pod scaler's handler,
 * DynamoDB, DynamoDB Streams, scalingModifiers, sources, fault isolation and decision-once suites;
 * CLI dry-run; EKS discovery; STS AssumeRole failures and ExternalId; the failed-activities and
 * UnprocessedKeys cases. kubernetes-faults.test.ts's TLS case now uses a bare HTTPS server (its
 * other cases always used misbehaving loopback servers). The pod scaler's mock-based startHarness is gone.
 *
 * A Kubernetes API server for tests: real paths, verbs, Status error bodies, resourceVersions and
 * patch content types, over HTTPS on 127.0.0.1 (a random port), with an in-memory object store.
 * Drive it with the real @kubernetes/client-node through `server.kubeConfig()`.
 *
 *   const server = await startKubeApiServer();            // { token?: 'test-token', authenticate? }
 *   server.put('Deployment', { metadata: { name: 'web', namespace: 'jobs' }, spec: {...} });
 *   server.get('Deployment', 'jobs', 'web');              // a copy, or undefined; '' namespace for Nodes
 *   server.list('Pod');  server.list('Pod', 'jobs');      // copies, sorted by namespace/name
 *   server.delete('Pod', 'jobs', 'web-1');
 *   server.failNext({ method: 'PATCH', path: /\/scale$/, status: 409, times: 1, retryAfterSeconds? });
 *   server.requests                                       // [{ method, path, query, contentType, body, status, authorization }]
 *   const api = server.kubeConfig().makeApiClient(AppsV1Api);
 *   await server.close();
 *
 * Kinds served (see kube-resources.ts): Pod, Node, Event, ReplicationController,
 * PodDisruptionBudget (policy/v1), Deployment, StatefulSet, ReplicaSet, DaemonSet (apps/v1),
 * HorizontalPodAutoscaler (autoscaling/v2), Rollout (argoproj.io/v1alpha1, with a scale
 * subresource whose selector is `status.selector`); add more with `server.registerResource(type)`.
 *
 * Semantics modelled: one cluster-wide resourceVersion counter bumped on every write; uid and
 * creationTimestamp on create; `spec.replicas` defaulted to 1 for built-in workloads; list with
 * `labelSelector`, `fieldSelector` (e.g. `spec.nodeName=n1`), `limit`/`continue`; GET/PUT/PATCH
 * (merge, strategic merge, JSON patch) and DELETE; `/scale` GET/PUT/PATCH with resourceVersion
 * preconditions (409 Conflict); `/status`; POST `pods/{name}/eviction` (policy/v1 Eviction): 429
 * when a matching PodDisruptionBudget has `status.disruptionsAllowed` < 1, else deletes the pod and
 * decrements the budget; 500 when several budgets match (as the real server); terminal and Pending
 * pods ignore budgets. No controllers run: `status` only changes when a test writes it.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { KubeConfig } from '@kubernetes/client-node';
import { applyJsonPatch, applyMergePatch } from './kube-patches';
import { matchesFieldSelector, matchesLabelSelector, matchesSelectorObject } from './kube-selectors';
import type { LabelSelectorObject } from './kube-selectors';
import { BUILT_IN_RESOURCES, apiVersionOf, qualifiedResource, readPath, writePath } from './kube-resources';
import type { KubeObject, ResourceType } from './kube-resources';
import { KUBE_TEST_TLS_CERT, KUBE_TEST_TLS_KEY } from './kube-tls-fixture';
import { listenOnLoopback } from '../../lambdas/util/listen-on-loopback';

export type { KubeObject, ResourceType } from './kube-resources';

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType?: string;
  /** Parsed JSON body (or the raw text when it was not JSON). */
  body?: unknown;
  /** Response status. */
  status: number;
  /** The Authorization header as received (test-only: lets tests check token rotation). */
  authorization?: string;
  /** When the request arrived (epoch ms, the machine's clock): the bench times patches with it. */
  receivedAt: number;
}

export interface FailureRule {
  /** HTTP method to match; any when omitted. */
  method?: string;
  /** Exact pathname, or a pattern tested against the pathname. */
  path: string | RegExp;
  status: number;
  /** How many matching requests fail (default 1). */
  times?: number;
  retryAfterSeconds?: number;
  message?: string;
}

export interface KubeApiServerOptions {
  /** Bearer token the server accepts (default `test-token`). */
  token?: string;
  /** Replaces the token check: return true to accept the request's Authorization header. */
  authenticate?: (authorization: string | undefined) => boolean;
  /**
   * Optional: holds every request this long before answering, as a remote API server's processing
   * time would (bench/tick-cost measures the pod scaler against a fixed per-call latency).
   */
  latencyMs?: number;
}

export interface KubeApiServer {
  /** `https://127.0.0.1:<port>`. */
  url: string;
  /** PEM of the server's self-signed certificate (trust it as the cluster CA). */
  caPem: string;
  put(kind: string, object: KubeObject): KubeObject;
  get(kind: string, namespace: string, name: string): KubeObject | undefined;
  list(kind: string, namespace?: string): KubeObject[];
  delete(kind: string, namespace: string, name: string): boolean;
  registerResource(type: ResourceType): void;
  failNext(rule: FailureRule): void;
  requests: RecordedRequest[];
  /** TLS connections accepted so far (shows whether the client reuses connections). */
  readonly tlsConnections: number;
  /** A KubeConfig for the real client: this server, its CA, and the bearer token. */
  kubeConfig(token?: string): KubeConfig;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
};

const PATCH_TYPES = [
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/json-patch+json',
];

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string = REASONS[status] ?? 'Unknown',
    readonly details?: Record<string, unknown>,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

interface Route {
  type: ResourceType;
  namespace?: string;
  name?: string;
  subresource?: string;
}

function verbOf(method: string, named: boolean): string {
  switch (method) {
    case 'GET':
      return named ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return method.toLowerCase();
  }
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<KubeApiServer> {
  const token = options.token ?? 'test-token';
  const authenticate = options.authenticate ?? ((header) => header === `Bearer ${token}`);
  const types: ResourceType[] = [...BUILT_IN_RESOURCES];
  const store = new Map<string, Map<string, KubeObject>>();
  const failures: (FailureRule & { remaining: number })[] = [];
  const requests: RecordedRequest[] = [];
  let revision = 1;

  const typeOfKind = (kind: string): ResourceType => {
    const type = types.find((t) => t.kind === kind);
    if (!type) throw new Error(`kube-api-server: unknown kind ${kind}; registerResource() it first`);
    return type;
  };
  const bucket = (type: ResourceType) => {
    const key = `${type.group}/${type.plural}`;
    let objects = store.get(key);
    if (!objects) {
      objects = new Map();
      store.set(key, objects);
    }
    return objects;
  };
  const keyOf = (namespace: string | undefined, name: string) => `${namespace ?? ''}/${name}`;
  const nextVersion = () => String((revision += 1));

  /** Stores a copy as a write would: bump resourceVersion, fill identity fields and defaults. */
  const write = (type: ResourceType, object: KubeObject, existing?: KubeObject): KubeObject => {
    const stored = structuredClone(object);
    stored.apiVersion = apiVersionOf(type);
    stored.kind = type.kind;
    if (!type.namespaced) delete stored.metadata.namespace;
    else stored.metadata.namespace ??= 'default';
    stored.metadata.uid = existing?.metadata.uid ?? stored.metadata.uid ?? randomUUID();
    stored.metadata.creationTimestamp =
      existing?.metadata.creationTimestamp ?? stored.metadata.creationTimestamp ?? new Date().toISOString();
    stored.metadata.resourceVersion = nextVersion();
    if (type.scale?.defaultReplicas !== undefined && readPath(stored, type.scale.specReplicasPath) === undefined) {
      writePath(stored, type.scale.specReplicasPath, type.scale.defaultReplicas);
    }
    bucket(type).set(keyOf(stored.metadata.namespace, stored.metadata.name), stored);
    return structuredClone(stored);
  };

  const find = (type: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined =>
    bucket(type).get(keyOf(type.namespaced ? namespace : undefined, name));

  const mustFind = (type: ResourceType, namespace: string | undefined, name: string): KubeObject => {
    const found = find(type, namespace, name);
    if (!found) {
      throw new HttpError(404, `${qualifiedResource(type)} "${name}" not found`, 'NotFound', {
        name,
        group: type.group,
        kind: type.plural,
      });
    }
    return found;
  };

  const conflict = (type: ResourceType, name: string) =>
    new HttpError(
      409,
      `Operation cannot be fulfilled on ${qualifiedResource(type)} "${name}": the object has been modified; ` +
        'please apply your changes to the latest version and try again',
      'Conflict',
      { name, group: type.group, kind: type.plural },
    );

  const checkPrecondition = (type: ResourceType, current: KubeObject, wanted: unknown) => {
    if (typeof wanted === 'string' && wanted !== '' && wanted !== current.metadata.resourceVersion) {
      throw conflict(type, current.metadata.name);
    }
  };

  const sortedObjects = (type: ResourceType, namespace?: string) =>
    [...bucket(type).values()]
      .filter((o) => namespace === undefined || o.metadata.namespace === namespace)
      .sort((a, b) => keyOf(a.metadata.namespace, a.metadata.name).localeCompare(keyOf(b.metadata.namespace, b.metadata.name)));

  const applyPatch = (contentType: string | undefined, target: unknown, patch: unknown): unknown => {
    const mediaType = contentType?.split(';')[0]?.trim();
    if (!mediaType || !PATCH_TYPES.includes(mediaType)) {
      throw new HttpError(415, `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`);
    }
    try {
      return mediaType === 'application/json-patch+json'
        ? applyJsonPatch(target, patch as Parameters<typeof applyJsonPatch>[1])
        : applyMergePatch(target, patch);
    } catch (error) {
      throw new HttpError(422, `the patch could not be applied: ${(error as Error).message}`);
    }
  };

  const toScale = (type: ResourceType, object: KubeObject) => ({
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: object.metadata.name,
      namespace: object.metadata.namespace,
      uid: object.metadata.uid,
      resourceVersion: object.metadata.resourceVersion,
      creationTimestamp: object.metadata.creationTimestamp,
    },
    spec: { replicas: readPath(object, type.scale!.specReplicasPath) ?? 0 },
    status: { replicas: readPath(object, type.scale!.statusReplicasPath) ?? 0, selector: type.scale!.selector(object) ?? '' },
  });

  const writeScale = (type: ResourceType, current: KubeObject, scale: unknown): unknown => {
    const replicas = readPath(scale, 'spec.replicas');
    if (!Number.isInteger(replicas) || (replicas as number) < 0) {
      throw new HttpError(
        422,
        `Scale.autoscaling "${current.metadata.name}" is invalid: spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`,
      );
    }
    checkPrecondition(type, current, readPath(scale, 'metadata.resourceVersion'));
    const updated = structuredClone(current);
    writePath(updated, type.scale!.specReplicasPath, replicas);
    return toScale(type, write(type, updated, current));
  };

  const evict = (podType: ResourceType, namespace: string, name: string) => {
    const pod = mustFind(podType, namespace, name);
    const phase = readPath(pod, 'status.phase');
    const ignoresBudgets = phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending';
    const pdbType = typeOfKind('PodDisruptionBudget');
    const budgets = sortedObjects(pdbType, namespace).filter((pdb) =>
      matchesSelectorObject(pod.metadata.labels as Record<string, string> | undefined, readPath(pdb, 'spec.selector') as LabelSelectorObject),
    );
    if (!ignoresBudgets && budgets.length > 1) {
      throw new HttpError(500, 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
    }
    const budget = ignoresBudgets ? undefined : budgets[0];
    if (budget) {
      const allowed = Number(readPath(budget, 'status.disruptionsAllowed') ?? 0);
      if (allowed < 1) {
        const healthy = Number(readPath(budget, 'status.currentHealthy') ?? 0);
        const desired = Number(readPath(budget, 'status.desiredHealthy') ?? 0);
        throw new HttpError(429, "Cannot evict pod as it would violate the pod's disruption budget.", 'TooManyRequests', {
          causes: [
            {
              reason: 'DisruptionBudget',
              message: `The disruption budget ${budget.metadata.name} needs ${desired} healthy pods and has ${healthy} currently`,
            },
          ],
        });
      }
      const updated = structuredClone(budget);
      writePath(updated, 'status.disruptionsAllowed', allowed - 1);
      write(pdbType, updated, budget);
    }
    bucket(podType).delete(keyOf(namespace, name));
    revision += 1;
    return { status: 201, body: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } };
  };

  const route = (pathname: string): Route => {
    const segments = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    let group: string;
    let version: string;
    let rest: string[];
    if (segments[0] === 'api') [group, version, rest] = ['', segments[1] ?? '', segments.slice(2)];
    else if (segments[0] === 'apis') [group, version, rest] = [segments[1] ?? '', segments[2] ?? '', segments.slice(3)];
    else throw new HttpError(404, 'the server could not find the requested resource');
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const type = types.find((t) => t.group === group && t.version === version && t.plural === rest[0]);
    if (!type || (namespace !== undefined && !type.namespaced) || rest.length > 3) {
      throw new HttpError(404, 'the server could not find the requested resource');
    }
    if (type.namespaced && namespace === undefined && rest.length > 1) {
      throw new HttpError(404, 'the server could not find the requested resource');
    }
    return { type, namespace, name: rest[1], subresource: rest[2] };
  };

  const handle = (method: string, url: URL, contentType: string | undefined, body: unknown): { status: number; body: unknown } => {
    const { type, namespace, name, subresource } = route(url.pathname);
    const query = url.searchParams;

    if (name === undefined) {
      if (method === 'GET') {
        let items = sortedObjects(type, namespace).filter(
          (o) => matchesLabelSelector(o.metadata.labels as Record<string, string>, query.get('labelSelector')) &&
            matchesFieldSelector(o, query.get('fieldSelector')),
        );
        const offset = query.get('continue') ? Number(Buffer.from(query.get('continue')!, 'base64url').toString()) : 0;
        const limit = query.get('limit') ? Number(query.get('limit')) : undefined;
        items = items.slice(offset);
        let continueToken: string | undefined;
        if (limit && items.length > limit) {
          items = items.slice(0, limit);
          continueToken = Buffer.from(String(offset + limit)).toString('base64url');
        }
        return {
          status: 200,
          body: {
            kind: `${type.kind}List`,
            apiVersion: apiVersionOf(type),
            metadata: { resourceVersion: String(revision), ...(continueToken ? { continue: continueToken } : {}) },
            // Like the real server, list items carry no kind/apiVersion of their own.
            items: items.map(({ kind: _k, apiVersion: _a, ...rest }) => structuredClone(rest)),
          },
        };
      }
      if (method === 'POST') {
        const object = structuredClone(body) as KubeObject;
        if (!object?.metadata) throw new HttpError(400, 'the request body has no metadata');
        if (object.metadata.namespace && object.metadata.namespace !== namespace) {
          throw new HttpError(400, 'the namespace of the provided object does not match the namespace sent on the request');
        }
        object.metadata.namespace = namespace;
        if (!object.metadata.name && typeof object.metadata.generateName === 'string') {
          object.metadata.name = `${object.metadata.generateName}${randomUUID().slice(0, 5)}`;
        }
        if (!object.metadata.name) throw new HttpError(422, `${type.kind} is invalid: metadata.name: Required value: name or generateName is required`);
        if (type.kind === 'Event') {
          const involved = readPath(object, 'involvedObject.namespace');
          if (involved !== undefined && involved !== namespace) {
            throw new HttpError(422, `Event "${object.metadata.name}" is invalid: involvedObject.namespace: Invalid value: "${String(involved)}": does not match event.namespace`);
          }
        }
        if (find(type, namespace, object.metadata.name)) {
          throw new HttpError(409, `${qualifiedResource(type)} "${object.metadata.name}" already exists`, 'AlreadyExists');
        }
        delete object.metadata.resourceVersion;
        return { status: 201, body: write(type, object) };
      }
      throw new HttpError(405, `the server does not allow this method on the requested resource`);
    }

    if (subresource === 'eviction') {
      if (type.kind !== 'Pod' || method !== 'POST') throw new HttpError(405, 'the server does not allow this method on the requested resource');
      return evict(type, namespace!, name);
    }

    const current = mustFind(type, namespace, name);

    if (subresource === 'scale') {
      if (!type.scale) throw new HttpError(404, 'the server could not find the requested resource');
      if (method === 'GET') return { status: 200, body: toScale(type, current) };
      if (method === 'PUT') return { status: 200, body: writeScale(type, current, body) };
      if (method === 'PATCH') return { status: 200, body: writeScale(type, current, applyPatch(contentType, toScale(type, current), body)) };
      throw new HttpError(405, 'the server does not allow this method on the requested resource');
    }
    if (subresource !== undefined && subresource !== 'status') {
      throw new HttpError(404, 'the server could not find the requested resource');
    }

    switch (method) {
      case 'GET':
        return { status: 200, body: structuredClone(current) };
      case 'PUT': {
        const object = structuredClone(body) as KubeObject;
        if (object?.metadata?.name !== name) throw new HttpError(400, 'the name of the object does not match the name on the URL');
        checkPrecondition(type, current, object.metadata.resourceVersion);
        return { status: 200, body: write(type, object, current) };
      }
      case 'PATCH': {
        const patched = applyPatch(contentType, current, body) as KubeObject;
        checkPrecondition(type, current, readPath(body, 'metadata.resourceVersion'));
        patched.metadata = { ...patched.metadata, name, namespace: current.metadata.namespace };
        return { status: 200, body: write(type, patched, current) };
      }
      case 'DELETE':
        bucket(type).delete(keyOf(current.metadata.namespace, name));
        revision += 1;
        return { status: 200, body: structuredClone(current) };
      default:
        throw new HttpError(405, 'the server does not allow this method on the requested resource');
    }
  };

  /** A forced failure, worded like the real server's (e.g. RBAC's "User … cannot patch …"). */
  const forcedFailure = (rule: FailureRule, method: string, pathname: string): HttpError => {
    let describe = pathname;
    try {
      const { type, namespace, name, subresource } = route(pathname);
      const verb = verbOf(method, name !== undefined);
      const resource = subresource ? `${type.plural}/${subresource}` : type.plural;
      describe =
        `User "eks-lambda-scaler" cannot ${verb} resource "${resource}" in API group "${type.group}"` +
        (namespace ? ` in the namespace "${namespace}"` : ' at the cluster scope');
      if (rule.status === 403) {
        return new HttpError(403, rule.message ?? `${qualifiedResource(type)}${name ? ` "${name}"` : ''} is forbidden: ${describe}`);
      }
    } catch {
      // Not a resource path; the generic message below is fine.
    }
    const message =
      rule.message ??
      (rule.status === 429
        ? 'Too many requests, please try again later.'
        : rule.status === 409
          ? 'Operation cannot be fulfilled: the object has been modified; please apply your changes to the latest version and try again'
          : `forced ${rule.status} for ${method} ${describe}`);
    return new HttpError(rule.status, message, REASONS[rule.status] ?? 'Unknown', undefined, rule.retryAfterSeconds);
  };

  const respond = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const contentType = req.headers['content-type'];
    let body: unknown = text.length > 0 ? text : undefined;
    try {
      if (text.length > 0) body = JSON.parse(text);
    } catch {
      // Keep the raw text; handlers that need JSON reject it.
    }
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType,
      body,
      status: 0,
      authorization: req.headers.authorization,
      receivedAt: Date.now(),
    };
    requests.push(record);
    try {
      if (!authenticate(req.headers.authorization)) throw new HttpError(401, 'Unauthorized');
      const rule = failures.find(
        (f) => f.remaining > 0 && (!f.method || f.method === method) &&
          (typeof f.path === 'string' ? f.path === url.pathname : f.path.test(url.pathname)),
      );
      if (rule) {
        rule.remaining -= 1;
        throw forcedFailure(rule, method, url.pathname);
      }
      const result = handle(method, url, contentType, body);
      record.status = result.status;
      respond(res, result.status, result.body);
    } catch (error) {
      const failure = error instanceof HttpError ? error : new HttpError(500, (error as Error).message);
      record.status = failure.status;
      const statusBody = {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: failure.message,
        reason: failure.reason,
        ...(failure.details ? { details: failure.details } : {}),
        code: failure.status,
      };
      const headers: Record<string, string> = failure.retryAfterSeconds !== undefined ? { 'retry-after': String(failure.retryAfterSeconds) } : {};
      respond(res, failure.status, statusBody, headers);
    }
  };

  const latencyMs = options.latencyMs ?? 0;
  const server = createServer({ cert: KUBE_TEST_TLS_CERT, key: KUBE_TEST_TLS_KEY }, (req, res) => {
    if (latencyMs > 0) setTimeout(() => void onRequest(req, res), latencyMs);
    else void onRequest(req, res);
  });
  let tlsConnections = 0;
  server.on('secureConnection', () => {
    tlsConnections += 1;
  });
  const url = `https://127.0.0.1:${await listenOnLoopback(server)}`;

  return {
    url,
    caPem: KUBE_TEST_TLS_CERT,
    requests,
    get tlsConnections() {
      return tlsConnections;
    },
    put(kind, object) {
      const type = typeOfKind(kind);
      return write(type, object, find(type, object.metadata.namespace ?? 'default', object.metadata.name));
    },
    get(kind, namespace, name) {
      const found = find(typeOfKind(kind), namespace, name);
      return found ? structuredClone(found) : undefined;
    },
    list(kind, namespace) {
      return sortedObjects(typeOfKind(kind), namespace).map((o) => structuredClone(o));
    },
    delete(kind, namespace, name) {
      const type = typeOfKind(kind);
      return bucket(type).delete(keyOf(type.namespaced ? namespace : undefined, name));
    },
    registerResource(type) {
      types.push(type);
    },
    failNext(rule) {
      failures.push({ ...rule, remaining: rule.times ?? 1 });
    },
    kubeConfig(bearer = token) {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [{ name: 'test', server: url, caData: Buffer.from(KUBE_TEST_TLS_CERT).toString('base64'), skipTLSVerify: false }],
        users: [{ name: 'test', token: bearer }],
        contexts: [{ name: 'test', cluster: 'test', user: 'test' }],
        currentContext: 'test',
      });
      return kubeConfig;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
