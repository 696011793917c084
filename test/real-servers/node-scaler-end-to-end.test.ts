/**
 * The node scaler's real handler with nothing mocked: Kubernetes is a real kube-apiserver over HTTPS
 * with deploy/rbac.yaml applied, reached as the node scaler's IAM identity through an EKS token;
 * Auto Scaling is moto over HTTP (groups made from a launch configuration, instances with moto's ids,
 * joined as Nodes whose providerID names them); state is in dynalite; the clock is fake.
 *
 * No controller manager or kubelet runs: the tests write Node, Pod and PDB status through the status
 * subresource as those controllers would, and the server itself enforces the Eviction API's budgets.
 * Each test owns its group, its nodes and its namespace.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStateTable } from '../../lambdas/adapters/state/dynamodb-state-store';
import type { ScalerConfig } from '../../lambdas/config/scaler-config';
import { TO_BE_DELETED_TAINT } from '../../lambdas/engine/nodes/node-template';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import { createNodeScalerHandler } from '../../lambdas/node-scaler/handler';
import type { NodeScalerTickSummary } from '../../lambdas/node-scaler/tick-types';
import { createPodScalerHandler } from '../../lambdas/pod-scaler/handler';
import { buildProductionRuntime } from '../../lambdas/pod-scaler/production-runtime';
import type { ScaleUpNotice } from '../../lambdas/pod-scaler/tick-types';
import { startDynalite, type RunningDynalite } from '../support/dynalite';
import { MOTO_ACCOUNT_ID, MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../support/moto-server';
import {
  NODE_SCALER_IDENTITY,
  POD_SCALER_IDENTITY,
  REAL_KUBE_SKIP,
  REAL_KUBE_START_TIMEOUT_MS,
  startRealKubeApiServer,
  type RealKubeApiServer,
} from '../support/real-kube-apiserver';
import { waitForActiveTable } from '../node-scaler/node-scaler-world';
import { FakeClock, quietHandlerOptions } from '../pod-scaler/harness';

const CLUSTER = 'real-cluster';
const REGION = 'us-east-1';
const TABLE = 'node-state';
const MINUTE = 60_000;
const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
const RBAC_YAML = readFileSync(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8');

interface PodPlan {
  name: string;
  node?: string;
  cpu: string;
  labels?: Record<string, string>;
}

describe.skipIf(REAL_KUBE_SKIP || MOTO_SKIP)('node scaler end to end: real kube-apiserver (HTTPS, RBAC, EKS tokens) and moto Auto Scaling', () => {
  let kube: RealKubeApiServer;
  let moto: MotoServer;
  let dynalite: RunningDynalite;
  let autoScaling: AutoScalingClient;

  beforeAll(async () => {
    [kube, moto, dynalite] = await Promise.all([startRealKubeApiServer({ clusterName: CLUSTER }), startMoto(), startDynalite()]);
    await kube.apply(RBAC_YAML);
    await createStateTable(dynalite.client, TABLE);
    await waitForActiveTable(dynalite.client, TABLE);
    autoScaling = new AutoScalingClient(moto.clientConfig(REGION));
  }, Math.max(REAL_KUBE_START_TIMEOUT_MS, MOTO_START_TIMEOUT_MS));

  afterAll(async () => {
    await Promise.all([kube?.close(), moto?.stop(), dynalite?.close()]);
  });

  // The node scaler sees the whole cluster: each test's nodes and pods go when it ends.
  const createdNodes: string[] = [];
  const createdNamespaces: string[] = [];
  afterEach(async () => {
    const core = kube.adminKubeConfig().makeApiClient(CoreV1Api);
    for (const namespace of createdNamespaces.splice(0)) await core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 });
    for (const name of createdNodes.splice(0)) await core.deleteNode({ name });
  });

  /** A moto group of `nodes.length` instances, each joined to the cluster as a Ready 2-CPU Node. */
  async function groupWithNodes(group: string, nodes: string[]): Promise<Map<string, string>> {
    const instanceIds = await moto.createAutoScalingGroup({ name: group, maxSize: 5, desiredCapacity: nodes.length, region: REGION });
    const instanceOf = new Map<string, string>();
    for (const [index, name] of nodes.entries()) {
      const instanceId = instanceIds[index]!;
      instanceOf.set(name, instanceId);
      createdNodes.push(name);
      const [node] = await kube.apply([
        {
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name, labels: { 'kubernetes.io/hostname': name, pool: group } },
          spec: { providerID: `aws:///${REGION}a/${instanceId}` },
        } as KubernetesObject,
      ]);
      await kube.writeStatus(node!, {
        allocatable: { cpu: '2', memory: '8Gi', pods: '29' },
        capacity: { cpu: '2', memory: '8Gi', pods: '29' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: new Date(T0).toISOString(), lastTransitionTime: new Date(T0).toISOString() }],
      });
      // The TaintNodesByCondition admission plugin taints every new Node not-ready; the node
      // lifecycle controller lifts it once the kubelet reports Ready. No controller here, so lift it.
      await kube.mergePatch(node!, { spec: { taints: null } });
    }
    return instanceOf;
  }

  /** Pods owned by a ReplicaSet `<namespace>-rs` that exists; running where `node` is set, else Pending as unschedulable. */
  async function pods(namespace: string, plans: PodPlan[]): Promise<void> {
    createdNamespaces.push(namespace);
    const [, replicaSet] = await kube.apply([
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
      {
        apiVersion: 'apps/v1',
        kind: 'ReplicaSet',
        metadata: { name: `${namespace}-rs`, namespace },
        spec: {
          replicas: plans.length,
          selector: { matchLabels: { app: namespace } },
          template: { metadata: { labels: { app: namespace } }, spec: { containers: [{ name: 'main', image: 'app:1', resources: { requests: { cpu: '100m', memory: '128Mi' } } }] } },
        },
      } as KubernetesObject,
    ]);
    for (const plan of plans) {
      const [pod] = await kube.apply([
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: plan.name,
            namespace,
            labels: { app: namespace, ...plan.labels },
            ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: replicaSet!.metadata!.name!, uid: replicaSet!.metadata!.uid!, controller: true }],
          },
          spec: {
            ...(plan.node ? { nodeName: plan.node } : {}),
            terminationGracePeriodSeconds: 0,
            containers: [{ name: 'main', image: 'app:1', resources: { requests: { cpu: plan.cpu, memory: '256Mi' } } }],
          },
        } as KubernetesObject,
      ]);
      await kube.writeStatus(
        pod!,
        plan.node
          ? { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }] }
          : { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
      );
    }
  }

  async function invokeAt(group: string, minutes: number, event: unknown = { source: 'aws.events', 'detail-type': 'Scheduled Event' }) {
    const config: ScalerConfig = { defaultCluster: { name: CLUSTER, region: REGION }, clusters: [{ name: CLUSTER, region: REGION }], scaledObjects: [], nodeGroups: [{ cluster: CLUSTER, autoScalingGroupName: group }] };
    let now = T0 + minutes * MINUTE;
    const handler = createNodeScalerHandler({
      config,
      autoScalingClient: autoScaling,
      dynamoDbClient: dynalite.client,
      tableName: TABLE,
      kubeConfigFor: async () => kube.kubeConfigAs(NODE_SCALER_IDENTITY),
      clock: { now: () => now, sleep: async (ms) => void (now += ms) },
      telemetry: { info: () => {}, warn: () => {}, error: () => {}, groupMetrics: () => {} },
    });
    return handler(event, { getRemainingTimeInMillis: () => 60_000 });
  }

  async function describeGroup(group: string) {
    const { AutoScalingGroups } = await autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
    return AutoScalingGroups![0]!;
  }

  it('scales a group up in moto for pods the real server holds as unschedulable', async () => {
    await groupWithNodes('up-workers', ['up-n1']);
    await pods('up-apps', [
      { name: 'busy-1', node: 'up-n1', cpu: '1800m' },
      { name: 'waiting-1', cpu: '1' },
      { name: 'waiting-2', cpu: '500m' },
    ]);
    const summary = await invokeAt('up-workers', 0);
    expect(summary.groups[0]).toMatchObject({ nodeGroup: `${CLUSTER}/up-workers` });
    expect((await describeGroup('up-workers')).DesiredCapacity).toBe(2);
  });

  it('drains an unneeded node after 10 minutes: real cordon + taint, real eviction, terminate with decrement in moto', async () => {
    const instanceOf = await groupWithNodes('down-workers', ['down-n1', 'down-n2']);
    await pods('down-apps', [
      { name: 'small-1', node: 'down-n1', cpu: '200m' },
      { name: 'big-1', node: 'down-n2', cpu: '1200m' },
    ]);
    await moto.recordRequests();
    await invokeAt('down-workers', 0);
    await invokeAt('down-workers', 5);
    const removal = await invokeAt('down-workers', 10);
    expect(removal.groups[0]?.drain).toMatchObject({ node: 'down-n1', instanceId: instanceOf.get('down-n1'), outcome: 'terminated' });

    const node = await kube.read<KubernetesObject & { spec: { unschedulable?: boolean; taints?: Array<{ key: string }> } }>('v1', 'Node', undefined, 'down-n1');
    expect(node?.spec.unschedulable).toBe(true);
    expect(node?.spec.taints?.map((taint) => taint.key)).toContain(TO_BE_DELETED_TAINT);
    // The eviction went through the server: the pod is gone or terminating.
    const evicted = await kube.read<KubernetesObject>('v1', 'Pod', 'down-apps', 'small-1');
    expect(evicted === undefined || evicted.metadata?.deletionTimestamp !== undefined).toBe(true);
    const terminations = await moto.recordedRequests('TerminateInstanceInAutoScalingGroup');
    expect(terminations).toHaveLength(1);
    expect(terminations[0]!.body).toContain(instanceOf.get('down-n1'));
    expect(terminations[0]!.body).toContain('ShouldDecrementDesiredCapacity=true');
    expect((await describeGroup('down-workers')).DesiredCapacity).toBe(1);
  });

  it('never terminates a node whose pod the real server refuses to evict (a PodDisruptionBudget its controller has not observed yet: 429)', async () => {
    await groupWithNodes('pdb-workers', ['pdb-n1', 'pdb-n2']);
    await pods('pdb-apps', [
      { name: 'guarded-1', node: 'pdb-n1', cpu: '200m', labels: { guarded: 'yes' } },
      { name: 'big-1', node: 'pdb-n2', cpu: '1200m' },
    ]);
    // The budget's status says one pod may go, so the planner picks the node; but the disruption
    // controller has not observed the budget's latest generation, and the server refuses any
    // eviction against a budget in that state (429): only a real server enforces this.
    const [budget] = await kube.apply([
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guarded', namespace: 'pdb-apps' }, spec: { minAvailable: 1, selector: { matchLabels: { guarded: 'yes' } } } } as KubernetesObject,
    ]);
    await kube.writeStatus(budget!, { observedGeneration: (budget!.metadata?.generation ?? 1) - 1, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2, disruptionsAllowed: 1 });
    await invokeAt('pdb-workers', 0);
    await invokeAt('pdb-workers', 5);
    const attempt = await invokeAt('pdb-workers', 10);

    const pod = await kube.read<KubernetesObject>('v1', 'Pod', 'pdb-apps', 'guarded-1');
    expect(pod?.metadata?.deletionTimestamp).toBeUndefined();
    // The drain waits on the pod with the server's own 429 reason, and the instance stays.
    expect(attempt.groups[0]?.drain).toMatchObject({ node: 'pdb-n1', outcome: 'waiting', detail: expect.stringContaining("violate the pod's disruption budget") });
    expect((await describeGroup('pdb-workers')).Instances?.filter((instance) => !instance.LifecycleState?.startsWith('Terminat'))).toHaveLength(2);
  });

  it('pods and nodes in one tick: the pod scaler\'s scale-up notice makes the node scaler ask moto for the nodes before any pod exists', async () => {
    await groupWithNodes('tick-workers', ['tick-n1']);
    await pods('tick-apps', [{ name: 'other-0', node: 'tick-n1', cpu: '900m' }]);
    await kube.apply(`
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: tick-apps}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: "web:1", resources: {requests: {cpu: "1", memory: 1Gi}}}]}
`);
    await pods('tick-apps', [{ name: 'web-0', node: 'tick-n1', cpu: '1', labels: { app: 'web' } }]);
    const sqs = new SQSClient(moto.clientConfig(REGION));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'tick-jobs' }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, index) => ({ Id: `m${index}`, MessageBody: 'job' })) }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, index) => ({ Id: `n${index}`, MessageBody: 'job' })) }));
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 5 }, (_, index) => ({ Id: `o${index}`, MessageBody: 'job' })) }));
    const parsed = parseManifests(
      `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web, namespace: tick-apps}
spec:
  scaleTargetRef: {name: web}
  pollingInterval: 60
  minReplicaCount: 1
  maxReplicaCount: 10
  triggers:
    - type: aws-sqs-queue
      metadata: {queueURL: "https://sqs.${REGION}.amazonaws.com/${MOTO_ACCOUNT_ID}/tick-jobs", awsRegion: ${REGION}, queueLength: "5"}
`,
      { file: 'test.yaml' },
    );
    await moto.recordRequests();
    const nodeTicks: NodeScalerTickSummary[] = [];
    const handler = createPodScalerHandler(async () => {
      const runtime = await buildProductionRuntime({
        env: { STATE_TABLE_NAME: TABLE },
        config: { defaultCluster: { name: CLUSTER, region: REGION }, clusters: [], scaledObjects: parsed.objects, nodeGroups: [], hpaSyncPeriodSeconds: 0 },
        clock: new FakeClock(T0),
        dynamoDb: dynalite.client,
        kubeConfigFor: async () => kube.kubeConfigAs(POD_SCALER_IDENTITY),
        awsClients: moto.awsClientFactoryOptions({ baseCredentials: async () => ({ ...POD_SCALER_IDENTITY }) }),
      });
      // Stands in for the Lambda async invoke of the node scaler: same payload, delivered at once.
      runtime.tick.onScaleUps = async (scaleUps: ScaleUpNotice[]) => {
        nodeTicks.push(await invokeAt('tick-workers', 0, { source: 'eks-lambda-scaler.pod-scaler', scaleUps }));
      };
      return runtime;
    }, quietHandlerOptions());

    const summary = await handler({}, { getRemainingTimeInMillis: () => 60_000 });

    // 25 messages / 5 per pod = 5 replicas; the HPA's legacy cap from 1 allows 4, written through the real scale subresource.
    expect(summary.scaled).toBe(1);
    expect((await kube.read<KubernetesObject & { spec: { replicas: number } }>('apps/v1', 'Deployment', 'tick-apps', 'web'))?.spec.replicas).toBe(4);
    // Three new 1-CPU pods and a full node: two more 2-CPU nodes, asked of moto before any pod exists.
    expect(nodeTicks).toHaveLength(1);
    expect(nodeTicks[0]?.pendingPods).toBe(3);
    expect((await describeGroup('tick-workers')).DesiredCapacity).toBe(3);
    const requests = await moto.recordedRequests('SetDesiredCapacity');
    expect(requests).toHaveLength(1);
    expect(new URLSearchParams(requests[0]!.body).get('HonorCooldown')).toBe('false');
  });
});
