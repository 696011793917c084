/**
 * deploy/rbac.yaml on a real kube-apiserver, exercised with the scalers' own identities: EKS tokens
 * signed for each Lambda role, mapped to the groups `eks-lambda-scaler` (pod scaler) and
 * `eks-lambda-scaler-nodes` (node scaler) as the construct's access entries map them.
 *
 * Allowed: every call the production adapters make (lambdas/adapters/kubernetes/
 * kubernetes-scale-target-api.ts and kubernetes-cluster-nodes-api.ts), made through those adapters.
 * Forbidden: Secrets, editing a workload's spec, deleting pods, creating pods, reading one pod's
 * PodMetrics by name, and each group's use of the other group's permissions, made as raw API calls
 * that must answer 403.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppsV1Api,
  AutoscalingV2Api,
  CoreV1Api,
  CustomObjectsApi,
  PatchStrategy,
  PolicyV1Api,
  RbacAuthorizationV1Api,
  setHeaderOptions,
  type KubeConfig,
} from '@kubernetes/client-node';
import { KubernetesClusterNodesApi } from '../../lambdas/adapters/kubernetes/kubernetes-cluster-nodes-api';
import { KubernetesScaleTargetApi } from '../../lambdas/adapters/kubernetes/kubernetes-scale-target-api';
import { KubernetesPodMetricsApi, METRICS_SERVER_MISSING } from '../../lambdas/adapters/kubernetes/pod-metrics-api';
import { KubernetesApiError, type WorkloadRef } from '../../lambdas/adapters/kubernetes/scale-target-api';
import {
  NODE_SCALER_IDENTITY,
  POD_SCALER_IDENTITY,
  REAL_KUBE_SKIP,
  REAL_KUBE_START_TIMEOUT_MS,
  startRealKubeApiServer,
  statusOf,
  type EksTestIdentity,
  type RealKubeApiServer,
} from '../support/real-kube-apiserver';

const RBAC_YAML = readFileSync(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8');
const NS = 'jobs';
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

const WORLD = `
apiVersion: v1
kind: Namespace
metadata: { name: ${NS} }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: 2
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: worker
          image: worker:1
          env: [{ name: QUEUE_URL, value: "https://sqs.us-east-1.amazonaws.com/111122223333/orders" }]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: { name: db, namespace: ${NS} }
spec:
  replicas: 1
  serviceName: db
  selector: { matchLabels: { app: db } }
  template:
    metadata: { labels: { app: db } }
    spec: { containers: [{ name: db, image: db:1 }] }
---
apiVersion: apps/v1
kind: ReplicaSet
metadata: { name: web-rs, namespace: ${NS} }
spec:
  replicas: 1
  selector: { matchLabels: { app: web-rs } }
  template:
    metadata: { labels: { app: web-rs } }
    spec: { containers: [{ name: web, image: web:1, resources: { requests: { cpu: 250m, memory: 128Mi } } }] }
---
apiVersion: apps/v1
kind: DaemonSet
metadata: { name: agent, namespace: ${NS} }
spec:
  selector: { matchLabels: { app: agent } }
  template:
    metadata: { labels: { app: agent } }
    spec: { containers: [{ name: agent, image: agent:1 }] }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: db-hpa, namespace: ${NS} }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: StatefulSet, name: db }
  minReplicas: 1
  maxReplicas: 3
---
apiVersion: v1
kind: Node
metadata: { name: node-a, labels: { kubernetes.io/hostname: node-a } }
spec: { providerID: "aws:///us-east-1a/i-0123456789abcdef0" }
---
apiVersion: v1
kind: Pod
metadata: { name: web-1, namespace: ${NS}, labels: { app: web } }
spec: { nodeName: node-a, containers: [{ name: worker, image: worker:1 }] }
---
apiVersion: v1
kind: Pod
metadata: { name: web-2, namespace: ${NS}, labels: { app: web } }
spec: { nodeName: node-a, containers: [{ name: worker, image: worker:1 }] }
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: { name: web-pdb, namespace: ${NS} }
spec:
  minAvailable: 1
  selector: { matchLabels: { app: web } }
---
apiVersion: v1
kind: Secret
metadata: { name: credentials, namespace: ${NS} }
stringData: { password: hunter2 }
`;

const web: WorkloadRef = { namespace: NS, apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
const db: WorkloadRef = { namespace: NS, apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db' };

/** The HTTP status a raw call ends with: 200 when it succeeded. */
describe.skipIf(REAL_KUBE_SKIP)('deploy/rbac.yaml on a real kube-apiserver, with EKS-token identities', () => {
  let kube: RealKubeApiServer;
  let asPodScaler: KubeConfig;
  let asNodeScaler: KubeConfig;

  beforeAll(async () => {
    kube = await startRealKubeApiServer();
    await kube.apply(RBAC_YAML);
    const stored = await kube.apply(WORLD);
    const find = (kind: string, name: string) => stored.find((object) => object.kind === kind && object.metadata?.name === name)!;
    await kube.writeStatus(find('Deployment', 'web'), { replicas: 2, readyReplicas: 2 });
    await kube.writeStatus(find('Node', 'node-a'), {
      allocatable: { cpu: '2', memory: '8Gi', pods: '29' },
      capacity: { cpu: '2', memory: '8Gi', pods: '29' },
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }],
    });
    for (const name of ['web-1', 'web-2']) {
      await kube.writeStatus(find('Pod', name), { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] });
    }
    // What the disruption controller would write: one of the two healthy pods may go.
    await kube.writeStatus(find('PodDisruptionBudget', 'web-pdb'), {
      observedGeneration: find('PodDisruptionBudget', 'web-pdb').metadata?.generation ?? 1,
      currentHealthy: 2,
      desiredHealthy: 1,
      expectedPods: 2,
      disruptionsAllowed: 1,
    });
    asPodScaler = kube.kubeConfigAs(POD_SCALER_IDENTITY);
    asNodeScaler = kube.kubeConfigAs(NODE_SCALER_IDENTITY);
  }, REAL_KUBE_START_TIMEOUT_MS);

  afterAll(() => kube?.close());

  describe('the pod scaler (group eks-lambda-scaler) can do everything its adapter does', () => {
    it('reads and patches the scale subresource of a Deployment and a StatefulSet', async () => {
      const api = new KubernetesScaleTargetApi(asPodScaler);
      expect(await api.getScale(web)).toMatchObject({ specReplicas: 2, statusReplicas: 2, selector: 'app=web' });
      expect((await api.patchScaleReplicas(web, 3)).specReplicas).toBe(3);
      expect((await api.getScale(db)).specReplicas).toBe(1);
      expect((await api.patchScaleReplicas(db, 2)).specReplicas).toBe(2);
    });

    it('counts ready pods, finds an HPA on its target, reads container env and records an Event', async () => {
      const api = new KubernetesScaleTargetApi(asPodScaler);
      expect(await api.countReadyPods(NS, 'app=web')).toBe(2);
      expect(await api.findHpaFor(db)).toBe('db-hpa');
      expect(await api.findHpaFor(web)).toBeUndefined();
      expect(await api.readContainerEnv(web)).toEqual({ QUEUE_URL: { value: 'https://sqs.us-east-1.amazonaws.com/111122223333/orders' } });
      await api.recordEvent(web, { type: 'Normal', reason: 'KEDAScaleTargetActivated', message: 'Scaled apps/v1.Deployment jobs/web from 0 to 1' });
      const events = await kube.adminKubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: NS });
      expect(events.items.map((event) => [event.reason, event.involvedObject.kind, event.involvedObject.name])).toContainEqual([
        'KEDAScaleTargetActivated',
        'Deployment',
        'web',
      ]);
    });
  });

  describe('the pod scaler may get and list PodMetrics (cpu and memory triggers)', () => {
    // This server runs no metrics-server, so metrics.k8s.io is not served. Authorization comes
    // before routing: an allowed list answers 404 (nothing serves the group), a refused one 403.
    it('the adapter gets past RBAC to the 404 of a cluster without metrics-server, and says to install the add-on', async () => {
      const error = await new KubernetesPodMetricsApi(asPodScaler).readResourcePods({ namespace: NS, selector: 'app=web', resource: 'cpu' }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(KubernetesApiError);
      expect(error).toMatchObject({ status: 404, message: METRICS_SERVER_MISSING });
    });

    it('a get of one pod\'s PodMetrics by name also gets past RBAC (404, not 403)', async () => {
      const error = await asPodScaler.makeApiClient(CustomObjectsApi)
        .getNamespacedCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', namespace: NS, plural: 'pods', name: 'web-1' })
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ code: 404 });
    });
  });

  describe('the node scaler (group eks-lambda-scaler-nodes) can do everything its adapter does', () => {
    it('lists nodes, pods (all, and per node), PDBs and DaemonSets, and reads workload templates', async () => {
      const api = new KubernetesClusterNodesApi(asNodeScaler);
      expect((await api.listNodes()).map((node) => [node.name, node.instanceId, node.ready])).toEqual([['node-a', 'i-0123456789abcdef0', true]]);
      expect((await api.listPods()).map((pod) => pod.name).sort()).toEqual(['web-1', 'web-2']);
      expect((await api.listPodsOnNode('node-a')).length).toBe(2);
      expect((await api.listPodDisruptionBudgets()).map((pdb) => pdb.name)).toEqual(['web-pdb']);
      expect((await api.listDaemonSets()).map((daemonSet) => daemonSet.name)).toEqual(['agent']);
      for (const kind of ['Deployment', 'StatefulSet', 'ReplicaSet']) {
        const name = { Deployment: 'web', StatefulSet: 'db', ReplicaSet: 'web-rs' }[kind]!;
        const template = await api.readWorkloadTemplate({ namespace: NS, apiVersion: 'apps/v1', kind, name });
        expect(template.selector.matchLabels).toEqual({ app: name });
      }
    });

    it('cordons and taints a node, and undoes it', async () => {
      const api = new KubernetesClusterNodesApi(asNodeScaler);
      const taint = { key: 'eks-lambda-scaler/draining', value: 'true', effect: 'NoSchedule' as const };
      await api.cordonAndTaint('node-a', taint);
      let node = (await api.listNodes())[0]!;
      expect(node.unschedulable).toBe(true);
      expect(node.taints).toContainEqual(expect.objectContaining({ key: taint.key, effect: 'NoSchedule' }));
      await api.uncordonAndUntaint('node-a', taint.key);
      node = (await api.listNodes())[0]!;
      expect(node.unschedulable).toBe(false);
      expect(node.taints.map((existing) => existing.key)).not.toContain(taint.key);
    });

    it('evicts through the Eviction API, and the server enforces the PodDisruptionBudget', async () => {
      const api = new KubernetesClusterNodesApi(asNodeScaler);
      expect(await api.evictPod(NS, 'web-1')).toEqual({ outcome: 'evicted' });
      // The budget allowed one disruption; the server spent it, so the second eviction is refused.
      expect(await api.evictPod(NS, 'web-2')).toMatchObject({ outcome: 'blocked' });
      expect(await api.evictPod(NS, 'no-such-pod')).toEqual({ outcome: 'gone' });
    });
  });

  type Forbidden = { identity: 'pod scaler' | 'node scaler'; action: string; call: (config: KubeConfig) => Promise<unknown> };
  const forbidden: Forbidden[] = [
    ...(['pod scaler', 'node scaler'] as const).flatMap((identity): Forbidden[] => [
      { identity, action: 'read a Secret', call: (c) => c.makeApiClient(CoreV1Api).readNamespacedSecret({ name: 'credentials', namespace: NS }) },
      { identity, action: 'list Secrets', call: (c) => c.makeApiClient(CoreV1Api).listNamespacedSecret({ namespace: NS }) },
      {
        identity,
        action: "patch a Deployment's pod template",
        call: (c) =>
          c.makeApiClient(AppsV1Api).patchNamespacedDeployment(
            { name: 'web', namespace: NS, body: { spec: { template: { spec: { containers: [{ name: 'worker', image: 'evil:1' }] } } } } },
            MERGE_PATCH,
          ),
      },
      { identity, action: 'delete a pod directly', call: (c) => c.makeApiClient(CoreV1Api).deleteNamespacedPod({ name: 'web-2', namespace: NS }) },
      {
        identity,
        action: 'create a pod',
        call: (c) => c.makeApiClient(CoreV1Api).createNamespacedPod({ namespace: NS, body: { metadata: { name: 'intruder' }, spec: { containers: [{ name: 'x', image: 'x:1' }] } } }),
      },
      { identity, action: 'delete a Deployment', call: (c) => c.makeApiClient(AppsV1Api).deleteNamespacedDeployment({ name: 'web', namespace: NS }) },
      { identity, action: 'delete a node', call: (c) => c.makeApiClient(CoreV1Api).deleteNode({ name: 'node-a' }) },
      {
        identity,
        action: 'widen its own ClusterRole',
        call: (c) =>
          c.makeApiClient(RbacAuthorizationV1Api).patchClusterRole(
            { name: identity === 'pod scaler' ? 'eks-lambda-scaler-workloads' : 'eks-lambda-scaler-nodes', body: { rules: [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }] } },
            MERGE_PATCH,
          ),
      },
    ]),
    // The pod scaler reaching into the node scaler's permissions.
    { identity: 'pod scaler', action: 'list nodes', call: (c) => c.makeApiClient(CoreV1Api).listNode() },
    { identity: 'pod scaler', action: 'cordon a node', call: (c) => c.makeApiClient(CoreV1Api).patchNode({ name: 'node-a', body: { spec: { unschedulable: true } } }, MERGE_PATCH) },
    { identity: 'pod scaler', action: 'evict a pod', call: (c) => c.makeApiClient(CoreV1Api).createNamespacedPodEviction({ name: 'web-2', namespace: NS, body: { metadata: { name: 'web-2', namespace: NS } } }) },
    { identity: 'pod scaler', action: 'list PodDisruptionBudgets', call: (c) => c.makeApiClient(PolicyV1Api).listPodDisruptionBudgetForAllNamespaces() },
    { identity: 'pod scaler', action: 'list DaemonSets', call: (c) => c.makeApiClient(AppsV1Api).listDaemonSetForAllNamespaces() },
    { identity: 'pod scaler', action: 'patch a ReplicaSet scale (commented out in rbac.yaml)', call: (c) => c.makeApiClient(AppsV1Api).patchNamespacedReplicaSetScale({ name: 'web-rs', namespace: NS, body: { spec: { replicas: 5 } } }, MERGE_PATCH) },
    { identity: 'pod scaler', action: 'create an HPA', call: (c) => c.makeApiClient(AutoscalingV2Api).createNamespacedHorizontalPodAutoscaler({ namespace: NS, body: { metadata: { name: 'web-hpa' }, spec: { scaleTargetRef: { kind: 'Deployment', name: 'web' }, maxReplicas: 3 } } }) },
    // The node scaler reaching into the pod scaler's permissions.
    { identity: 'node scaler', action: 'read a Deployment scale', call: (c) => c.makeApiClient(AppsV1Api).readNamespacedDeploymentScale({ name: 'web', namespace: NS }) },
    { identity: 'node scaler', action: 'patch a Deployment scale', call: (c) => c.makeApiClient(AppsV1Api).patchNamespacedDeploymentScale({ name: 'web', namespace: NS, body: { spec: { replicas: 9 } } }, MERGE_PATCH) },
    { identity: 'node scaler', action: 'list PodMetrics', call: (c) => c.makeApiClient(CustomObjectsApi).listNamespacedCustomObject({ group: 'metrics.k8s.io', version: 'v1beta1', namespace: NS, plural: 'pods' }) },
    { identity: 'node scaler', action: 'list HPAs', call: (c) => c.makeApiClient(AutoscalingV2Api).listNamespacedHorizontalPodAutoscaler({ namespace: NS }) },
    { identity: 'node scaler', action: 'create an Event', call: (c) => c.makeApiClient(CoreV1Api).createNamespacedEvent({ namespace: NS, body: { metadata: { name: 'x' }, involvedObject: { kind: 'Node', name: 'node-a' } } }) },
    { identity: 'node scaler', action: 'patch node status', call: (c) => c.makeApiClient(CoreV1Api).patchNodeStatus({ name: 'node-a', body: { status: { phase: 'x' } } }, MERGE_PATCH) },
  ];

  it.each(forbidden)('the $identity may not $action (403)', async ({ identity, call }) => {
    const config = identity === 'pod scaler' ? asPodScaler : asNodeScaler;
    expect(await statusOf(() => call(config))).toBe(403);
  });

  it('names the missing RBAC rule when the adapter itself is refused (node scaler using the pod scaler adapter)', async () => {
    const api = new KubernetesScaleTargetApi(asNodeScaler);
    const error = await api.patchScaleReplicas(web, 4).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(KubernetesApiError);
    expect((error as KubernetesApiError).status).toBe(403);
  });

  const unauthenticated: Array<{ case: string; identity: EksTestIdentity; cluster?: string }> = [
    { case: 'a token signed for another cluster', identity: POD_SCALER_IDENTITY, cluster: 'someone-elses-cluster' },
    { case: 'an access key with no access entry', identity: { ...POD_SCALER_IDENTITY, accessKeyId: 'AKIDUNMAPPED' } },
    { case: 'a token signed with the wrong secret', identity: { ...NODE_SCALER_IDENTITY, secretAccessKey: 'not-the-secret' } },
  ];

  it.each(unauthenticated)('rejects $case as unauthenticated (401), as EKS does', async ({ identity, cluster }) => {
    const config = kube.kubeConfigAs(identity, cluster);
    expect(await statusOf(() => config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: NS }))).toBe(401);
  });
});
