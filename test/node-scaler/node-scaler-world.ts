/**
 * A test world for the node scaler, driven through the real handler: the Kubernetes API test server
 * (nodes, pods, PDBs, DaemonSets, Deployments, eviction with 429), Auto Scaling through
 * aws-sdk-client-mock backed by a small ASG model, DynamoDB in dynalite, and a fake clock.
 */
import {
  AutoScalingClient,
  DescribeAutoScalingGroupsCommand,
  DescribeScalingActivitiesCommand,
  SetDesiredCapacityCommand,
  TerminateInstanceInAutoScalingGroupCommand,
} from '@aws-sdk/client-auto-scaling';
import type { Activity } from '@aws-sdk/client-auto-scaling';
import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { createStateTable } from '../../lambdas/adapters/state/dynamodb-state-store';
import { DynamoDbNodeGroupStateStore, nodeGroupStateKey } from '../../lambdas/adapters/state/node-group-state-store';
import type { NodeGroupConfig, ScalerConfig } from '../../lambdas/config/scaler-config';
import { createNodeScalerHandler } from '../../lambdas/node-scaler/handler';
import type { NodeScalerHandlerDependencies } from '../../lambdas/node-scaler/handler';
import type { NodeGroupMetricName, NodeScalerTelemetry } from '../../lambdas/node-scaler/telemetry';
import type { NodeScalerTickSummary } from '../../lambdas/node-scaler/tick-types';
import type { KubeApiServer, KubeObject } from '../support/kube-api-server';
import { startKubeApiServer } from '../support/kube-api-server';
import type { RunningDynalite } from '../support/dynalite';
import { startDynalite } from '../support/dynalite';

export const T0 = Date.UTC(2026, 10, 1, 12, 0, 0);
export const MINUTE = 60_000;
export const CLUSTER = 'prod';
export const TEMPLATE_TAG = 'k8s.io/cluster-autoscaler/node-template/';
const SCHEDULED_EVENT = { source: 'aws.events', 'detail-type': 'Scheduled Event' };
/** The test servers accept the test token and EKS tokens (the fault suite reaches them through EKS discovery). */
const KUBE_AUTH = { authenticate: (header: string | undefined) => header === 'Bearer test-token' || (header?.startsWith('Bearer k8s-aws-v1.') ?? false) };

export interface InvokeOptions {
  event?: unknown;
  autoScalingClient?: AutoScalingClient;
  dynamoDbClient?: DynamoDBClient;
  kubeConfigFor?: NodeScalerHandlerDependencies['kubeConfigFor'];
  /** What Lambda's context reports as the time left (default 60 s). */
  remainingMs?: number;
  safetyMarginMs?: number;
  callTimeoutMs?: number;
}

export interface AsgModel {
  name: string;
  minSize: number;
  maxSize: number;
  desiredCapacity: number;
  instances: Array<{ instanceId: string; lifecycleState: string; instanceType?: string }>;
  tags: Record<string, string>;
  activities: Activity[];
}

export interface NodeSpec {
  name: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  ready?: boolean;
  annotations?: Record<string, string>;
  /** metadata.creationTimestamp, epoch ms (default: when the test server stores it, i.e. wall-clock now). */
  createdAt?: number;
}

export interface PodSpec {
  name: string;
  namespace?: string;
  node?: string;
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  owner?: { kind: string; name: string } | null;
  unschedulable?: boolean;
  volumes?: unknown[];
  nodeSelector?: Record<string, string>;
  /** metadata.creationTimestamp, epoch ms (default: wall-clock now, as the test server sets it). */
  createdAt?: number;
  /** metadata.deletionTimestamp, epoch ms: the pod is terminating. */
  deletingSince?: number;
  terminationGracePeriodSeconds?: number;
  /** The cluster the pod is in (default CLUSTER). */
  cluster?: string;
}

/**
 * dynalite flips a new table to ACTIVE on a zero-delay timer; an item write that lands before that
 * fails with ResourceNotFoundException, so wait for ACTIVE (a few event-loop turns at most).
 */
export async function waitForActiveTable(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`table ${tableName} did not become ACTIVE in dynalite`);
}

export class NodeScalerWorld {
  now = T0;
  readonly groups = new Map<string, AsgModel>();
  readonly autoScalingClient = new AutoScalingClient({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' } });
  readonly asgMock = mockClient(this.autoScalingClient);
  readonly logs: Array<{ level: string; message: string; fields?: Record<string, unknown> }> = [];
  readonly metrics: Array<{ nodeGroup: string; values: Partial<Record<NodeGroupMetricName, number>> }> = [];
  readonly nodeGroups: NodeGroupConfig[] = [];
  /** Instances the model launches on SetDesiredCapacity (they stay Pending until a test registers a node). */
  private launched = 0;
  /**
   * One-shot: runs inside the next DescribeAutoScalingGroups call, after its answer is taken and
   * before it is returned, so a test can run an overlapping invocation against a stale snapshot.
   */
  duringNextDescribe?: () => Promise<void>;
  /** One-shot: runs inside the next clock sleep of an invocation (e.g. while a drain waits on a PDB). */
  duringNextSleep?: () => Promise<void>;
  /** Edits every DescribeAutoScalingGroups answer (e.g. drops a field), as a faulty endpoint would. */
  rewriteDescribedGroup?: (group: Record<string, unknown>) => void;
  /** Groups whose DescribeScalingActivities call fails with this error. */
  readonly activitiesFailures = new Map<string, Error>();
  /** Clusters besides CLUSTER, each with its own Kubernetes API test server (see addCluster). */
  readonly otherClusters = new Map<string, KubeApiServer>();

  private constructor(
    readonly kube: KubeApiServer,
    readonly dynamo: RunningDynalite,
    readonly tableName: string,
  ) {
    this.asgMock.on(DescribeAutoScalingGroupsCommand).callsFake((input) => this.asgOperations.DescribeAutoScalingGroups(input));
    this.asgMock.on(DescribeScalingActivitiesCommand).callsFake((input) => this.asgOperations.DescribeScalingActivities(input));
    this.asgMock.on(SetDesiredCapacityCommand).callsFake((input) => this.asgOperations.SetDesiredCapacity(input));
    this.asgMock.on(TerminateInstanceInAutoScalingGroupCommand).callsFake((input) => this.asgOperations.TerminateInstanceInAutoScalingGroup(input));
  }

  /**
   * The Auto Scaling model, by operation, taking and returning the SDK's shapes: the client mock
   * serves it, and so does the query emulator of the fault suite (test/faults), on the wire.
   */
  readonly asgOperations = {
    DescribeAutoScalingGroups: async (input: { AutoScalingGroupNames?: string[] }) => {
      const answer = this.describeAnswer(input);
      const hook = this.duringNextDescribe;
      this.duringNextDescribe = undefined;
      if (hook) await hook();
      return answer;
    },
    DescribeScalingActivities: (input: { AutoScalingGroupName?: string }) => {
      const failure = this.activitiesFailures.get(input.AutoScalingGroupName ?? '');
      if (failure) throw failure;
      return { Activities: this.groups.get(input.AutoScalingGroupName ?? '')?.activities ?? [] };
    },
    SetDesiredCapacity: (input: { AutoScalingGroupName?: string; DesiredCapacity?: number }) => {
      const group = this.groups.get(input.AutoScalingGroupName ?? '')!;
      const desired = input.DesiredCapacity ?? 0;
      if (desired > group.maxSize) throw Object.assign(new Error('New SetDesiredCapacity value is above max'), { name: 'ValidationError' });
      for (let count = group.desiredCapacity; count < desired; count += 1) {
        this.launched += 1;
        group.instances.push({ instanceId: `i-new${this.launched}`, lifecycleState: 'Pending' });
      }
      group.desiredCapacity = desired;
      return {};
    },
    TerminateInstanceInAutoScalingGroup: (input: { InstanceId?: string; ShouldDecrementDesiredCapacity?: boolean }) => {
      for (const group of this.groups.values()) {
        const instance = group.instances.find((candidate) => candidate.instanceId === input.InstanceId);
        if (!instance) continue;
        instance.lifecycleState = 'Terminating';
        if (input.ShouldDecrementDesiredCapacity) group.desiredCapacity -= 1;
        // The node object goes away once the instance is gone (the cloud controller's job in EKS).
        const kube = this.kubeOf(this.clusterOfGroup(group.name));
        const node = kube.list('Node').find((candidate) => (candidate.spec as { providerID?: string }).providerID?.endsWith(`/${input.InstanceId}`));
        if (node) kube.delete('Node', '', node.metadata.name);
        return { Activity: { ActivityId: 'a', AutoScalingGroupName: group.name, Cause: 'x', StartTime: new Date(this.now), StatusCode: 'InProgress' } };
      }
      throw Object.assign(new Error(`Instance Id not found - No managed instance found for instance ID: ${input.InstanceId}`), { name: 'ValidationError' });
    },
  };

  private describeAnswer(input: { AutoScalingGroupNames?: string[] }) {
    return {
      AutoScalingGroups: (input.AutoScalingGroupNames ?? [])
        .map((name) => this.groups.get(name))
        .filter((group): group is AsgModel => group !== undefined)
        .map((group) => {
          const described: Record<string, unknown> = {
            AutoScalingGroupName: group.name,
            MinSize: group.minSize,
            MaxSize: group.maxSize,
            DesiredCapacity: group.desiredCapacity,
            Instances: group.instances.map((instance) => ({ InstanceId: instance.instanceId, LifecycleState: instance.lifecycleState, InstanceType: instance.instanceType })),
            Tags: Object.entries(group.tags).map(([Key, Value]) => ({ Key, Value, ResourceId: group.name })),
          };
          this.rewriteDescribedGroup?.(described);
          return described;
        }),
    };
  }

  static async start(): Promise<NodeScalerWorld> {
    const [kube, dynamo] = await Promise.all([startKubeApiServer(KUBE_AUTH), startDynalite()]);
    const tableName = 'state';
    await createStateTable(dynamo.client, tableName);
    await waitForActiveTable(dynamo.client, tableName);
    return new NodeScalerWorld(kube, dynamo, tableName);
  }

  async close(): Promise<void> {
    this.asgMock.restore();
    await Promise.all([this.kube.close(), this.dynamo.close(), ...[...this.otherClusters.values()].map((server) => server.close())]);
  }

  /** A second (third...) cluster with its own API server; groups join it with `addGroup(model, { cluster })`. */
  async addCluster(name: string): Promise<KubeApiServer> {
    const server = await startKubeApiServer(KUBE_AUTH);
    this.otherClusters.set(name, server);
    return server;
  }

  kubeOf(cluster: string): KubeApiServer {
    return this.otherClusters.get(cluster) ?? this.kube;
  }

  clusterOfGroup(groupName: string): string {
    return this.nodeGroups.find((group) => group.autoScalingGroupName === groupName)?.cluster ?? CLUSTER;
  }

  addGroup(model: Partial<AsgModel> & { name: string }, config: Partial<NodeGroupConfig> = {}): AsgModel {
    const group: AsgModel = { minSize: 0, maxSize: 10, desiredCapacity: 0, instances: [], tags: {}, activities: [], ...model };
    this.groups.set(group.name, group);
    this.nodeGroups.push({ cluster: CLUSTER, autoScalingGroupName: group.name, ...config });
    return group;
  }

  /** A Ready node joined to the group (its instance InService). */
  addNode(groupName: string, spec: NodeSpec): void {
    const group = this.groups.get(groupName)!;
    const instanceId = `i-${spec.name}`;
    if (!group.instances.some((instance) => instance.instanceId === instanceId)) {
      group.instances.push({ instanceId, lifecycleState: 'InService' });
      group.desiredCapacity = Math.max(group.desiredCapacity, group.instances.filter((instance) => !instance.lifecycleState.startsWith('Terminat')).length);
    }
    this.kubeOf(this.clusterOfGroup(groupName)).put('Node', {
      metadata: {
        name: spec.name,
        labels: { 'kubernetes.io/hostname': spec.name, pool: 'general', ...spec.labels },
        annotations: spec.annotations ?? {},
        ...(spec.createdAt === undefined ? {} : { creationTimestamp: new Date(spec.createdAt).toISOString() }),
      },
      spec: { providerID: `aws:///us-east-1a/${instanceId}` },
      status: {
        conditions: [{ type: 'Ready', status: spec.ready === false ? 'False' : 'True' }],
        allocatable: { cpu: spec.cpu ?? '2', memory: spec.memory ?? '8Gi', pods: spec.pods ?? '29' },
      },
    });
  }

  addPod(spec: PodSpec): void {
    const owner = spec.owner === null ? undefined : (spec.owner ?? { kind: 'ReplicaSet', name: `${spec.name.replace(/-\d+$/, '')}-rs` });
    this.kubeOf(spec.cluster ?? CLUSTER).put('Pod', {
      metadata: {
        name: spec.name,
        namespace: spec.namespace ?? 'apps',
        labels: spec.labels ?? { app: spec.name.replace(/-\d+$/, '') },
        annotations: spec.annotations ?? {},
        ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind: owner.kind, name: owner.name, uid: 'u', controller: true }] : [],
        ...(spec.createdAt === undefined ? {} : { creationTimestamp: new Date(spec.createdAt).toISOString() }),
        ...(spec.deletingSince === undefined ? {} : { deletionTimestamp: new Date(spec.deletingSince).toISOString() }),
      },
      spec: {
        nodeName: spec.node,
        terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
        nodeSelector: spec.nodeSelector,
        volumes: spec.volumes,
        containers: [{ name: 'main', image: 'app', resources: { requests: { cpu: spec.cpu ?? '100m', memory: spec.memory ?? '128Mi' } } }],
      },
      status: spec.node
        ? { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }] }
        : { phase: 'Pending', conditions: spec.unschedulable === false ? [] : [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable' }] },
    });
  }

  addPendingPods(prefix: string, count: number, spec: Omit<PodSpec, 'name'> = {}): void {
    for (let index = 1; index <= count; index += 1) this.addPod({ name: `${prefix}-${index}`, ...spec });
  }

  put(kind: string, object: KubeObject): void {
    this.kube.put(kind, object);
  }

  config(): ScalerConfig {
    const cluster = { name: CLUSTER, region: 'us-east-1' };
    const others = [...this.otherClusters.keys()].map((name) => ({ name, region: 'us-east-1' }));
    return { defaultCluster: cluster, clusters: [cluster, ...others], scaledObjects: [], nodeGroups: this.nodeGroups };
  }

  private telemetry(): NodeScalerTelemetry {
    return {
      info: (message, fields) => this.logs.push({ level: 'info', message, fields }),
      warn: (message, fields) => this.logs.push({ level: 'warn', message, fields }),
      error: (message, fields) => this.logs.push({ level: 'error', message, fields }),
      groupMetrics: (nodeGroup, values) => this.metrics.push({ nodeGroup, values }),
    };
  }

  /** One invocation through a fresh handler (a cold start each time: nothing survives in memory). */
  async invoke(event: unknown = SCHEDULED_EVENT): Promise<NodeScalerTickSummary> {
    return this.invokeWith({ event });
  }

  /** An invocation with some of the handler's dependencies replaced (the fault suite's wire-level clients). */
  async invokeWith(options: InvokeOptions = {}): Promise<NodeScalerTickSummary> {
    const handler = createNodeScalerHandler({
      config: this.config(),
      autoScalingClient: options.autoScalingClient ?? this.autoScalingClient,
      dynamoDbClient: options.dynamoDbClient ?? this.dynamo.client,
      tableName: this.tableName,
      kubeConfigFor: options.kubeConfigFor ?? (async (cluster) => this.kubeOf(cluster.name).kubeConfig()),
      clock: {
        now: () => this.now,
        sleep: async (ms) => {
          const hook = this.duringNextSleep;
          this.duringNextSleep = undefined;
          if (hook) await hook();
          this.now += ms;
        },
      },
      telemetry: this.telemetry(),
      safetyMarginMs: options.safetyMarginMs,
      callTimeoutMs: options.callTimeoutMs,
    });
    return handler(options.event ?? SCHEDULED_EVENT, { getRemainingTimeInMillis: () => options.remainingMs ?? 60_000 });
  }

  /** Advances the clock to `minutes` after T0 and invokes. */
  async tickAt(minutes: number, event?: unknown): Promise<NodeScalerTickSummary> {
    this.now = Math.max(this.now, T0 + minutes * MINUTE);
    return this.invoke(event);
  }

  async storedState(groupName: string) {
    return new DynamoDbNodeGroupStateStore({ client: this.dynamo.client, tableName: this.tableName }).load(nodeGroupStateKey(this.clusterOfGroup(groupName), groupName));
  }

  setDesiredCalls(): Array<{ AutoScalingGroupName?: string; DesiredCapacity?: number; HonorCooldown?: boolean }> {
    return this.asgMock.commandCalls(SetDesiredCapacityCommand).map((call) => call.args[0].input);
  }

  terminateCalls(): Array<{ InstanceId?: string; ShouldDecrementDesiredCapacity?: boolean }> {
    return this.asgMock.commandCalls(TerminateInstanceInAutoScalingGroupCommand).map((call) => call.args[0].input);
  }

  evictions(): string[] {
    return this.kube.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/eviction')).map((request) => `${request.status} ${request.path.split('/')[6]}`);
  }

  nodeTaints(name: string): Array<{ key: string }> {
    return ((this.kube.get('Node', '', name)?.spec as { taints?: Array<{ key: string }> } | undefined)?.taints ?? []);
  }

  nodeCordoned(name: string): boolean {
    return (this.kube.get('Node', '', name)?.spec as { unschedulable?: boolean } | undefined)?.unschedulable === true;
  }
}

