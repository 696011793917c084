/**
 * The node scaler's real handler against real servers, nothing mocked: Kubernetes is a real
 * kube-apiserver over HTTPS with deploy/rbac.yaml applied, reached as the node scaler's IAM identity
 * through an EKS token; Auto Scaling is moto over HTTP (groups made from a launch configuration,
 * instances with moto's ids, joined as Nodes whose providerID names them); state is in dynalite; the
 * clock is fake. The real-server twin of node-scaler-world.ts, for every test that needs no fault,
 * Pending instance or scaling activity (what only the model can give).
 *
 * No controller manager or kubelet runs: Node, Pod and PDB status are written through the status
 * subresource as those controllers would, and the server itself enforces the Eviction API's budgets.
 * The scaler reaches the apiserver through a recording proxy (test/support/fault-proxy.ts), so a test
 * can read the requests it sent (`kubeRequests`: the exact PATCH bodies, whether it evicted), which
 * the server's stored objects cannot show, and inject a fault (`kubeProxy`); it reaches moto's Auto
 * Scaling through another (`autoScalingProxy`) for faults and answers moto will not give.
 *
 * One world per test file (one apiserver start, about 10 s); tests isolate by group and namespace
 * names, and `cleanUp()` (afterEach) removes their nodes and pods because the node scaler reads the
 * whole cluster.
 */
import { AutoScalingClient, DescribeAutoScalingGroupsCommand } from '@aws-sdk/client-auto-scaling';
import { EKSClient } from '@aws-sdk/client-eks';
import { CoreV1Api, type KubernetesObject } from '@kubernetes/client-node';
import { CachedNodeGroupFacts } from '../../lambdas/adapters/node-group-facts/cached-node-group-facts';
import { Ec2InstanceTypes } from '../../lambdas/adapters/node-group-facts/ec2-instance-types';
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { createStateTable } from '../../lambdas/adapters/state/dynamodb-state-store';
import { DynamoDbNodeGroupStateStore, nodeGroupStateKey } from '../../lambdas/adapters/state/node-group-state-store';
import type { NodeGroupConfig, NodeGroupDiscoveryConfig, ScalerConfig } from '../../lambdas/config/scaler-config';
import type { NodeScalingOptions } from '../../lambdas/engine/nodes/node-scaling-options';
import { createNodeScalerHandler } from '../../lambdas/node-scaler/handler';
import type { NodeGroupMetricName } from '../../lambdas/node-scaler/telemetry';
import type { NodeScalerTickSummary } from '../../lambdas/node-scaler/tick-types';
import { startDynalite, type RunningDynalite } from '../support/dynalite';
import { startFaultProxy, type FaultProxy, type ProxiedRequest } from '../support/fault-proxy';
import { KUBE_TEST_TLS_CERT, KUBE_TEST_TLS_KEY } from '../support/kube-tls-fixture';
import { MOTO_CREDENTIALS, MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../support/moto-server';
import { NODE_SCALER_IDENTITY, REAL_KUBE_SKIP, REAL_KUBE_START_TIMEOUT_MS, startRealKubeApiServer, type RealKubeApiServer } from '../support/real-kube-apiserver';
import { MINUTE, T0, waitForActiveTable } from './node-scaler-world';

export const REAL_CLUSTER = 'real-cluster';
export const REAL_REGION = 'us-east-1';
/** skipIf for a suite on this world: the tier's one skip line is printed by the global set-up. */
export const REAL_NODE_WORLD_SKIP = REAL_KUBE_SKIP || MOTO_SKIP;
export const REAL_NODE_WORLD_START_TIMEOUT_MS = Math.max(REAL_KUBE_START_TIMEOUT_MS, MOTO_START_TIMEOUT_MS);
export const REAL_STATE_TABLE = 'node-state';
const TABLE = REAL_STATE_TABLE;
const RBAC_YAML = readFileSync(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8');
const SCHEDULED_EVENT = { source: 'aws.events', 'detail-type': 'Scheduled Event' };

export interface RealNodeSpec {
  name: string;
  cpu?: string;
  pods?: string;
}

export interface RealGroupSpec {
  name: string;
  minSize?: number;
  maxSize?: number;
  instanceType?: string;
  tags?: Record<string, string>;
  /** Nodes joined to the group, one per instance moto launches (a name alone is a 2-CPU, 29-pod node). */
  nodes?: Array<string | RealNodeSpec>;
}

export interface RealPodPlan {
  name: string;
  /** Bound to this node and Running; without it, Pending as unschedulable. */
  node?: string;
  cpu: string;
  memory?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  /** false: a bare pod, no controller (default: the namespace's ReplicaSet owns it). */
  owned?: boolean;
  volumes?: unknown[];
  nodeSelector?: Record<string, string>;
  tolerations?: Array<{ key?: string; operator?: string; value?: string; effect?: string }>;
  /** spec.affinity, as written in a manifest. */
  affinity?: unknown;
  /** Container limits (extended resources such as nvidia.com/gpu take their request from the limit). */
  limits?: Record<string, string>;
}

export class RealNodeScalerWorld {
  now = T0;
  /** Called after each fake sleep of the scaler's clock, to play a controller acting meanwhile (a PDB's status recomputed...). */
  onSleep?: (now: number) => Promise<void>;
  readonly logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  readonly metrics: Array<{ nodeGroup: string; values: Partial<Record<NodeGroupMetricName, number>> }> = [];
  /** The tests' own Auto Scaling client (straight to moto). */
  readonly autoScaling: AutoScalingClient;
  /** The scaler's Auto Scaling client: through `autoScalingProxy`. */
  private readonly scalerAutoScaling: AutoScalingClient;
  private readonly createdNodes: string[] = [];
  private readonly createdNamespaces = new Set<string>();

  private constructor(
    readonly kube: RealKubeApiServer,
    readonly moto: MotoServer,
    readonly dynalite: RunningDynalite,
    /** The recording proxy between the scaler and the apiserver; `inject` a fault the server would not give on demand. */
    readonly kubeProxy: FaultProxy,
    /** The proxy between the scaler and moto's Auto Scaling (query protocol): for faults and answers moto will not give. */
    readonly autoScalingProxy: FaultProxy,
  ) {
    this.autoScaling = new AutoScalingClient(moto.clientConfig(REAL_REGION));
    this.scalerAutoScaling = new AutoScalingClient({ ...moto.clientConfig(REAL_REGION), endpoint: autoScalingProxy.url });
    this.scalerEks = new EKSClient(moto.clientConfig(REAL_REGION));
  }

  /** The scaler's EKS client for DescribeNodegroup (straight to moto). */
  readonly scalerEks: EKSClient;

  static async start(): Promise<RealNodeScalerWorld> {
    const [kube, moto, dynalite] = await Promise.all([startRealKubeApiServer({ clusterName: REAL_CLUSTER }), startMoto(), startDynalite()]);
    await kube.apply(RBAC_YAML);
    await createStateTable(dynalite.client, TABLE);
    await waitForActiveTable(dynalite.client, TABLE);
    await moto.recordRequests();
    const proxy = await startFaultProxy({ target: kube.endpoint, protocol: 'kubernetes', tls: { cert: KUBE_TEST_TLS_CERT, key: KUBE_TEST_TLS_KEY }, targetCa: kube.caPem });
    const autoScalingProxy = await startFaultProxy({ target: moto.endpoint, protocol: 'aws-query' });
    return new RealNodeScalerWorld(kube, moto, dynalite, proxy, autoScalingProxy);
  }

  /** The requests the node scaler sent to the apiserver since the test began, in order. */
  get kubeRequests(): readonly ProxiedRequest[] {
    return this.kubeProxy.requests;
  }

  async close(): Promise<void> {
    this.autoScaling.destroy();
    this.scalerAutoScaling.destroy();
    this.scalerEks.destroy();
    await Promise.all([this.kubeProxy?.close(), this.autoScalingProxy?.close()]);
    await Promise.all([this.kube?.close(), this.moto?.stop(), this.dynalite?.close()]);
  }

  /** afterEach: the node scaler sees the whole cluster, so a test's nodes and pods go when it ends. */
  async cleanUp(): Promise<void> {
    const core = this.kube.adminKubeConfig().makeApiClient(CoreV1Api);
    for (const namespace of this.createdNamespaces) await core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: 0 });
    this.createdNamespaces.clear();
    for (const name of this.createdNodes.splice(0)) await core.deleteNode({ name });
    this.logs.length = 0;
    this.metrics.length = 0;
    this.now = T0;
    this.onSleep = undefined;
    this.kubeProxy.reset();
    this.autoScalingProxy.reset();
    await this.moto.recordRequests();
  }

  /** A moto group with one instance per node, each joined to the cluster as a Ready Node; returns node name -> instance id. */
  async group(spec: RealGroupSpec): Promise<Map<string, string>> {
    const nodes = (spec.nodes ?? []).map((node) => (typeof node === 'string' ? { name: node } : node));
    const instanceIds = await this.moto.createAutoScalingGroup({
      name: spec.name,
      minSize: spec.minSize,
      maxSize: spec.maxSize ?? 10,
      desiredCapacity: nodes.length,
      instanceType: spec.instanceType,
      tags: spec.tags,
      region: REAL_REGION,
    });
    const instanceOf = new Map<string, string>();
    for (const [index, node] of nodes.entries()) {
      const instanceId = instanceIds[index]!;
      instanceOf.set(node.name, instanceId);
      await this.joinNode(node, spec.name, instanceId);
    }
    return instanceOf;
  }

  private async joinNode(node: RealNodeSpec, group: string, instanceId: string): Promise<void> {
    this.createdNodes.push(node.name);
    const [created] = await this.kube.apply([
      {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: node.name, labels: { 'kubernetes.io/hostname': node.name, pool: group } },
        spec: { providerID: `aws:///${REAL_REGION}a/${instanceId}` },
      } as KubernetesObject,
    ]);
    const allocatable = { cpu: node.cpu ?? '2', memory: '8Gi', pods: node.pods ?? '29' };
    await this.kube.writeStatus(created!, {
      allocatable,
      capacity: allocatable,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: new Date(T0).toISOString(), lastTransitionTime: new Date(T0).toISOString() }],
    });
    // The TaintNodesByCondition admission plugin taints every new Node not-ready; the node
    // lifecycle controller lifts it once the kubelet reports Ready. No controller here, so lift it.
    await this.kube.mergePatch(created!, { spec: { taints: null } });
  }

  /**
   * Deletes the Node of a terminated instance: the cloud node lifecycle controller's job in EKS
   * (none runs here), which the hand-written world did inside TerminateInstanceInAutoScalingGroup.
   */
  async removeNode(name: string): Promise<void> {
    await this.kube.adminKubeConfig().makeApiClient(CoreV1Api).deleteNode({ name });
    this.createdNodes.splice(this.createdNodes.indexOf(name), 1);
  }

  /** Pods in `namespace` (created if needed), owned by a ReplicaSet `<namespace>-rs` that exists unless `owned: false`. */
  async pods(namespace: string, plans: RealPodPlan[]): Promise<void> {
    this.createdNamespaces.add(namespace);
    const [, replicaSet] = await this.kube.apply([
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
    const owner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: replicaSet!.metadata!.name!, uid: replicaSet!.metadata!.uid!, controller: true };
    for (const plan of plans) {
      const [pod] = await this.kube.apply([
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name: plan.name,
            namespace,
            labels: { app: namespace, ...plan.labels },
            annotations: plan.annotations ?? {},
            ownerReferences: plan.owned === false ? [] : [owner],
          },
          spec: {
            ...(plan.node ? { nodeName: plan.node } : {}),
            ...(plan.nodeSelector ? { nodeSelector: plan.nodeSelector } : {}),
            ...(plan.tolerations ? { tolerations: plan.tolerations } : {}),
            ...(plan.volumes ? { volumes: plan.volumes } : {}),
            ...(plan.affinity ? { affinity: plan.affinity } : {}),
            terminationGracePeriodSeconds: 0,
            containers: [{ name: 'main', image: 'app:1', resources: { requests: { cpu: plan.cpu, memory: plan.memory ?? '256Mi' }, ...(plan.limits ? { limits: plan.limits } : {}) } }],
          },
        } as KubernetesObject,
      ]);
      await this.kube.writeStatus(
        pod!,
        plan.node
          ? { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }] }
          : { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
      );
    }
  }

  /** `count` Pending unschedulable pods `<prefix>-1..count`. */
  async pendingPods(namespace: string, prefix: string, count: number, plan: Omit<RealPodPlan, 'name' | 'node'>): Promise<void> {
    await this.pods(namespace, Array.from({ length: count }, (_, index) => ({ name: `${prefix}-${index + 1}`, ...plan })));
  }

  /** The node scaler's cluster-wide settings for the next ticks (expander, balancing, limits). */
  nodeScaling?: NodeScalingOptions;

  /** One invocation through a fresh handler (a cold start) at `minutes` after T0, managing `groups`. */
  async tickAt(
    groups: Array<string | NodeGroupConfig>,
    minutes: number,
    event: unknown = SCHEDULED_EVENT,
    /**
     * Node-group auto-discovery entries, EKS/EC2 facts (DescribeNodegroup, DescribeInstanceTypes) from
     * moto, and the Lambda's remaining time (default 60 s).
     */
    extra: { nodeGroupDiscovery?: NodeGroupDiscoveryConfig[]; nodeGroupFacts?: boolean; remainingMs?: number } = {},
  ): Promise<NodeScalerTickSummary> {
    const remainingMs = extra.remainingMs ?? 60_000;
    this.now = Math.max(this.now, T0 + minutes * MINUTE);
    const nodeGroups = groups.map((group) => (typeof group === 'string' ? { cluster: REAL_CLUSTER, autoScalingGroupName: group } : group));
    const cluster = { name: REAL_CLUSTER, region: REAL_REGION };
    const config: ScalerConfig = {
      defaultCluster: cluster,
      clusters: [cluster],
      scaledObjects: [],
      nodeGroups,
      ...(this.nodeScaling ? { nodeScaling: this.nodeScaling } : {}),
      ...(extra.nodeGroupDiscovery ? { nodeGroupDiscovery: extra.nodeGroupDiscovery } : {}),
    };
    // A fresh cache per invocation, as after a cold start; EC2 has a generous timeout because moto loads every instance type on its first call.
    const nodeGroupFacts = extra.nodeGroupFacts
      ? new CachedNodeGroupFacts({
          eks: () => this.scalerEks,
          ec2: new Ec2InstanceTypes({ credentials: async () => MOTO_CREDENTIALS, endpointFor: () => this.moto.endpoint, timeoutMs: 30_000 }),
          now: () => this.now,
        })
      : undefined;
    const handler = createNodeScalerHandler({
      config,
      autoScalingClient: this.scalerAutoScaling,
      dynamoDbClient: this.dynalite.client,
      tableName: TABLE,
      nodeGroupFacts,
      kubeConfigFor: async () => this.kube.kubeConfigAs(NODE_SCALER_IDENTITY, REAL_CLUSTER, { endpoint: this.kubeProxy.url, caPem: KUBE_TEST_TLS_CERT }),
      clock: {
        now: () => this.now,
        sleep: async (ms) => {
          this.now += ms;
          await this.onSleep?.(this.now);
        },
      },
      telemetry: {
        info: (message, fields) => this.logs.push({ level: 'info', message, fields }),
        warn: (message, fields) => this.logs.push({ level: 'warn', message, fields }),
        error: (message, fields) => this.logs.push({ level: 'error', message, fields }),
        groupMetrics: (nodeGroup, values) => this.metrics.push({ nodeGroup, values }),
      },
    });
    return handler(event, { getRemainingTimeInMillis: () => remainingMs });
  }

  async describeGroup(group: string) {
    const { AutoScalingGroups } = await this.autoScaling.send(new DescribeAutoScalingGroupsCommand({ AutoScalingGroupNames: [group] }));
    return AutoScalingGroups![0]!;
  }

  async storedState(group: string) {
    return new DynamoDbNodeGroupStateStore({ client: this.dynalite.client, tableName: TABLE }).load(nodeGroupStateKey(REAL_CLUSTER, group));
  }

  /** What moto received for this operation since the test began, as query parameters (the Auto Scaling query protocol). */
  async autoScalingCalls(operation: 'SetDesiredCapacity' | 'TerminateInstanceInAutoScalingGroup'): Promise<Array<Record<string, string>>> {
    return this.moto.recordedQueryParams(operation);
  }

  async node(name: string) {
    return this.kube.read<KubernetesObject & { spec: { unschedulable?: boolean; taints?: Array<{ key: string; effect?: string }> } }>('v1', 'Node', undefined, name);
  }

  /** Gone, or terminating (no kubelet here finishes the deletion of a bound pod). */
  async podEvicted(namespace: string, name: string): Promise<boolean> {
    const pod = await this.kube.read<KubernetesObject>('v1', 'Pod', namespace, name);
    return pod === undefined || pod.metadata?.deletionTimestamp !== undefined;
  }
}

/**
 * Inside a describe: one world for the file (started in beforeAll, cleaned after each test, closed
 * in afterAll), handed to `onStarted`.
 */
export function useRealNodeScalerWorld(onStarted: (world: RealNodeScalerWorld) => void): void {
  let world: RealNodeScalerWorld | undefined;
  beforeAll(async () => {
    world = await RealNodeScalerWorld.start();
    onStarted(world);
  }, REAL_NODE_WORLD_START_TIMEOUT_MS);
  afterEach(async () => {
    await world?.cleanUp();
  });
  afterAll(async () => {
    await world?.close();
  });
}
