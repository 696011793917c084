/**
 * The L3 construct: everything one `cdk deploy` creates to scale EKS workloads from KEDA
 * ScaledObjects with Lambda. The ScaledObjects are validated here, at synth time, with the engine's
 * parser; IAM is derived from them; the validated configuration ships inside both Lambda bundles.
 */
import { Annotations, Duration, Names, Stack, Stage } from 'aws-cdk-lib';
import type { RemovalPolicy } from 'aws-cdk-lib';
import type { Alarm, Dashboard, IAlarmAction, IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { SecurityGroup } from 'aws-cdk-lib/aws-ec2';
import { Grant, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable, Role } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ScalerConfig } from '../lambdas/config/scaler-config';
import type { NodeScalingOptions } from '../lambdas/engine/nodes/node-scaling-options';
import { buildScalerConfig, clusterOf, writeScalerConfig } from './config-bundle';
import { FailureQueue } from './failure-queue';
import { KUBERNETES_GROUP, KubernetesAccess, NODE_SCALER_KUBERNETES_GROUP } from './kubernetes-access';
import { ScalerNetworkAccess } from './network';
import type { VpcPlacementProps } from './network';
import { applyNagSuppressions } from './nag-suppressions';
import { ScalerAlarms } from './observability/scaler-alarms';
import type { ObservedCluster } from './observability/scaler-alarms';
import { ScalerDashboard } from './observability/scaler-dashboard';
import { grantDescribeClusters } from './permissions/cluster-permissions';
import { grantNodeGroupScaling } from './permissions/node-group-permissions';
import { grantDiscoveredNodeGroupScaling, grantNodeGroupFacts, managedNodeGroupArn } from './permissions/node-group-facts-permissions';
import { grantNodeScalerState, grantPodScalerState } from './permissions/state-table-permissions';
import { grantTriggerReads } from './permissions/trigger-permissions';
import { deriveTriggerResources } from '../lambdas/engine/iam/trigger-resources';
import type { TriggerResources } from '../lambdas/engine/iam/trigger-resources';
import { deriveTriggerRbac, describeGrants } from './permissions/trigger-rbac';
import { resolveNodeGroupDiscovery, resolveNodeGroups } from './node-groups';
import type { NodeGroupDiscoveryConfig } from '../lambdas/config/scaler-config';
import { NodeInterruptionHandling } from './node-interruptions';
import type { NodeInterruptionOptions } from './node-interruptions';
import type { NodeGroupProps } from './node-groups';
import { aggregateMetric } from './observability/scaler-metrics';
import type { ClusterMetricName, NodeGroupMetricName, ScalerMetricOptions } from './observability/scaler-metrics';
import { objectSourceOf, partitionOf, resolveClusters } from './resolved-cluster';
import { clusterObjectResourceArns, grantClusterObjectReads } from './permissions/cluster-object-permissions';
import type { ClusterObjectPermissions } from '../lambdas/engine/iam/iam-allowance';
import type { ResolvedCluster, ScaledCluster } from './resolved-cluster';
import type { ScaledObjectSource } from './scaled-object-source';
import { ScalerFunction } from './scaler-functions';
import type { ScalerNetwork } from './scaler-functions';
import { AlarmEventsRule, DEFAULT_SCHEDULE, TickSchedule } from './schedules';
import { PASS_HANDOVER_QUEUE_URL_ENV, PassHandoverQueue } from './pass-handover-queue';
import { StateTable } from './state-table';
import { PER_OBJECT_METRICS_ENV } from '../lambdas/util/scaler-metrics';

export interface ScalerFunctionOptions {
  /** MB; default 512 (CPU scales with memory, and cold starts load the SDK and Kubernetes clients). */
  readonly memorySize?: number;
  /** Default: 70 s for the pod scaler (a tick covers one minute of passes), 60 s for the node scaler. */
  readonly timeout?: Duration;
}

/** Resources read by triggers that name them only at run time (`queueURLFromEnv`, `streamNameFromEnv`). */
export interface AdditionalTriggerResources {
  readonly queueArns?: readonly string[];
  readonly streamArns?: readonly string[];
  readonly assumeRoleArns?: readonly string[];
}

export interface EksLambdaScalerProps {
  /** EKS clusters to scale in; the first is the default for ScaledObjects without the cluster annotation. */
  readonly clusters: readonly ScaledCluster[];
  /** KEDA ScaledObjects (and TriggerAuthentications): files, YAML text, or manifests as objects. */
  readonly scaledObjects: readonly ScaledObjectSource[];
  /** Auto Scaling Groups the node scaler sizes; none = no node scaler is deployed. */
  readonly nodeGroups?: readonly NodeGroupProps[];
  /**
   * How the node scaler picks the group to grow and how far the cluster may grow, as Cluster
   * Autoscaler's `--expander` (default least-waste), `--balance-similar-node-groups` and
   * `--max-nodes-total`/`--cores-total`/`--memory-total`; each cluster is limited on its own.
   */
  readonly nodeScaling?: NodeScalingOptions;
  /**
   * Drain a node group's node on EC2 Spot interruption warnings, rebalance recommendations and ASG
   * terminate lifecycle actions (docs/node-scaler.md, Interruptions). Default off: leave it off where
   * aws-node-termination-handler or Karpenter already handles them.
   */
  readonly nodeInterruptions?: boolean | NodeInterruptionOptions;
  /**
   * Auto Scaling Groups found each tick by their tags (default Cluster Autoscaler's
   * `k8s.io/cluster-autoscaler/enabled` + `k8s.io/cluster-autoscaler/<cluster>`), with the knobs
   * each gets; resized only where IAM sees those tags (docs/node-scaler.md).
   */
  readonly nodeGroupDiscovery?: readonly NodeGroupDiscoveryConfig[];
  /** How often the scalers run; default every minute (EventBridge Scheduler's finest). */
  readonly schedule?: ScheduleExpression;
  /** SNS topics every alarm notifies (on ALARM and back to OK). */
  readonly alarmTopics?: readonly ITopic[];
  /** Other alarm actions. */
  readonly alarmActions?: readonly IAlarmAction[];
  /** Minutes at maxReplicaCount before a ScaledObject's "pinned at max" alarm fires; default 15. */
  readonly pinnedAtMaxMinutes?: number;
  /** Forward only CloudWatch alarms with these name prefixes to the pod scaler; default all. */
  readonly alarmNamePrefixes?: readonly string[];
  /** Run the scalers in a VPC, for clusters with a private endpoint. */
  readonly vpc?: VpcPlacementProps;
  readonly podScaler?: ScalerFunctionOptions;
  readonly nodeScaler?: ScalerFunctionOptions;
  /** Default one month. */
  readonly logRetention?: RetentionDays;
  /** The state table's; default RETAIN. Ignored when you bring the table (`stateTable`). */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * Bring your own state table instead of the one the construct creates: partition key `pk`
   * (string) and TTL attribute `expiresAt` (STATE_TABLE_PARTITION_KEY, STATE_TABLE_TTL_ATTRIBUTE).
   * The scalers get item-level access to it only.
   */
  readonly stateTable?: ITable;
  /** Create EKS access entries for the scaler roles (cluster authentication mode API or API_AND_CONFIG_MAP); default true. */
  readonly createAccessEntries?: boolean;
  /** Parser warnings fail synth too. */
  readonly strictValidation?: boolean;
  /**
   * Seconds between HPA syncs, which run between KEDA's polls as the HPA controller does (default
   * 15, so counts and timing match KEDA + HPA). 0 evaluates only at each pollingInterval: fewer
   * reads, slower 1..N scaling for objects polled less often than every 15 s.
   */
  readonly hpaSyncPeriodSeconds?: number;
  /** Resources for triggers whose queue or stream comes from the container env. */
  readonly additionalTriggerResources?: AdditionalTriggerResources;
  /**
   * For clusters with `objectSource: 'cluster'`: the AWS resources their ScaledObjects may read, as
   * IAM ARN patterns (`*`, `?`). The pod scaler's role is granted exactly these; an object that
   * needs anything else is rejected with the IAM statement to add. Default: nothing (only cron
   * triggers, and AWS triggers are rejected with that statement). Trust model: docs/migrate-from-keda.md.
   */
  readonly clusterObjectPermissions?: ClusterObjectPermissions;
  readonly dashboardName?: string;
  /**
   * Also publish metrics per ScaledObject (and per node group) and graph them on the dashboard.
   * Default false: CloudWatch bills each object's metric set as 8 custom metrics a month ($2.40
   * at list price), so by default only per-cluster counts are published (docs/performance.md).
   */
  readonly perObjectMetrics?: boolean;
  /**
   * ScaledObjects one pod scaler invocation evaluates; above it, the scheduled tick fans out to
   * shard invocations of this many each (and the configuration is sliced to match). Default 1,000.
   * Smaller shards finish their passes sooner; each shard is one more invocation a minute, billed
   * its whole minute (docs/performance.md §5, §12).
   */
  readonly objectsPerInvocation?: number;
  /**
   * How the scheduled window waits between its 15 s passes. `queue` (default): it parks, and an SQS
   * delay queue invokes the pod scaler again when the next pass is due, so Lambda bills the passes
   * only (docs/performance.md §20). `sleep`: the invocation runs through the minute, sleeping
   * between passes (Lambda bills the whole minute: about $13 a month more at 512 MB). Shard
   * invocations of fleets above `objectsPerInvocation` sleep either way.
   */
  readonly passHandover?: 'queue' | 'sleep';
}

/**
 * The package's root: `..` from lib/ in a clone, `../..` from dist/lib/ in the installed package.
 * The Lambdas are bundled from its TypeScript handlers at synth time in both cases.
 */
const PROJECT_ROOT = packageRoot(dirname(fileURLToPath(import.meta.url)));
const DEFAULT_ENTRIES = {
  podScaler: join(PROJECT_ROOT, 'lambdas', 'pod-scaler', 'handler.ts'),
  nodeScaler: join(PROJECT_ROOT, 'lambdas', 'node-scaler', 'handler.ts'),
};

function packageRoot(from: string): string {
  for (let folder = from; ; folder = dirname(folder)) {
    if (existsSync(join(folder, 'lambdas', 'pod-scaler', 'handler.ts'))) return folder;
    if (dirname(folder) === folder) throw new Error(`eks-lambda-scaler: the Lambda handlers (lambdas/) are missing above ${from}; reinstall the package`);
  }
}

export class EksLambdaScaler extends Construct {
  /** The validated configuration both Lambdas ship with. */
  readonly config: ScalerConfig;
  readonly clusters: readonly ResolvedCluster[];
  readonly triggerResources: TriggerResources;
  /** The state table: the construct's own, or the one given as `stateTable`. */
  readonly table: ITable;
  readonly podScaler: LambdaFunction;
  readonly podScalerRole: Role;
  readonly nodeScaler?: LambdaFunction;
  readonly nodeScalerRole?: Role;
  /** The node scaler's second entry for interruption notices (prop `nodeInterruptions`). */
  readonly nodeInterruptionHandler?: LambdaFunction;
  readonly failureQueue: Queue;
  /** The pod scaler's pass hand-over queue (`passHandover: 'queue'`, the default). */
  readonly passHandoverQueue?: Queue;
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;
  readonly securityGroup?: SecurityGroup;

  constructor(scope: Construct, id: string, props: EksLambdaScalerProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.clusters = resolveClusters(props.clusters, stack);
    const resolvedNodeGroups = resolveNodeGroups(props.nodeGroups ?? [], this.clusters, stack);
    const nodeGroups = resolvedNodeGroups.map((group) => group.config);
    const nodeGroupDiscovery = resolveNodeGroupDiscovery(props.nodeGroupDiscovery ?? [], this.clusters);
    const built = buildScalerConfig({
      sources: props.scaledObjects,
      clusters: this.clusters.map(({ name, region }, index) => ({ name, region, ...objectSourceOf(props.clusters[index]!) })),
      nodeGroups,
      strict: props.strictValidation,
      nodeScaling: props.nodeScaling,
    });
    if (props.hpaSyncPeriodSeconds !== undefined) {
      if (!Number.isInteger(props.hpaSyncPeriodSeconds) || props.hpaSyncPeriodSeconds < 0 || props.hpaSyncPeriodSeconds > 60) {
        throw new Error(`eks-lambda-scaler: hpaSyncPeriodSeconds must be a whole number of seconds from 0 to 60 (got ${props.hpaSyncPeriodSeconds})`);
      }
      built.config.hpaSyncPeriodSeconds = props.hpaSyncPeriodSeconds;
    }
    const clusterSourced = built.config.clusters.some((cluster) => cluster.objectSource === 'cluster');
    if (props.clusterObjectPermissions !== undefined && !clusterSourced) {
      throw new Error("eks-lambda-scaler: clusterObjectPermissions applies to clusters with objectSource: 'cluster' only; none has it");
    }
    // With the cluster source, every object is checked against the grants, none given meaning none.
    if (clusterSourced) built.config.clusterObjectPermissions = clusterObjectPermissionsOf(props.clusterObjectPermissions ?? {});
    if (nodeGroupDiscovery.length > 0) built.config.nodeGroupDiscovery = nodeGroupDiscovery;
    this.config = built.config;
    built.warnings.forEach((warning, index) =>
      Annotations.of(this).addWarningV2(`eks-lambda-scaler:scaledObject${index}`, warning),
    );
    const objectsPerInvocation = props.objectsPerInvocation;
    if (objectsPerInvocation !== undefined && !(Number.isInteger(objectsPerInvocation) && objectsPerInvocation >= 1)) {
      throw new Error(`EksLambdaScaler: objectsPerInvocation is ${objectsPerInvocation}; it must be a whole number of ScaledObjects, 1 or more (default 1,000)`);
    }
    // Absolute, so the bundling step copies it from the right place whatever the working folder.
    const writtenConfig = writeScalerConfig(this.config, resolve(Stage.of(this)?.outdir ?? tmpdir(), 'eks-lambda-scaler'), Names.uniqueId(this), objectsPerInvocation);

    this.table = props.stateTable ?? new StateTable(this, 'State', { removalPolicy: props.tableRemovalPolicy }).table;
    this.failureQueue = new FailureQueue(this, 'FailedInvocations').queue;
    let network: ScalerNetwork | undefined;
    if (props.vpc) {
      this.securityGroup = new ScalerNetworkAccess(this, 'Network', props.vpc).securityGroup;
      network = { vpc: props.vpc.vpc, subnets: props.vpc.subnets, securityGroup: this.securityGroup };
    }
    const perObjectMetrics = props.perObjectMetrics ?? false;
    const observabilityEnv: Record<string, string> = perObjectMetrics ? { [PER_OBJECT_METRICS_ENV]: 'true' } : {};
    const common = {
      projectRoot: PROJECT_ROOT,
      configFile: writtenConfig.file,
      logRetention: props.logRetention ?? RetentionDays.ONE_MONTH,
      failureQueue: this.failureQueue,
      network,
    };

    let nodeScaler: ScalerFunction | undefined;
    const autoScalingGroupArns = resolvedNodeGroups.map((group) => group.arn);
    const nodeGroupClusters = this.clusters.filter((cluster) => [...nodeGroups, ...nodeGroupDiscovery].some((group) => group.cluster === cluster.name));
    let discoveredNodeGroupArns: string[] = [];
    if (nodeGroups.length > 0 || nodeGroupDiscovery.length > 0) {
      nodeScaler = new ScalerFunction(this, 'NodeScaler', {
        ...common,
        entry: DEFAULT_ENTRIES.nodeScaler,
        description: 'eks-lambda-scaler node scaler: sizes EC2 Auto Scaling Groups to the pods',
        memorySize: props.nodeScaler?.memorySize ?? 512,
        timeout: props.nodeScaler?.timeout ?? Duration.seconds(60),
        // One node scaler at a time: a scheduled tick and a pod scaler notice (or a tick that runs
        // long while draining) must never act on one Auto Scaling Group from two stale views.
        // Throttled invocations are retried by Lambda (async) and the Scheduler.
        reservedConcurrentExecutions: 1,
        environment: { STATE_TABLE_NAME: this.table.tableName, ...observabilityEnv },
      });
      this.nodeScaler = nodeScaler.function;
      this.nodeScalerRole = nodeScaler.role;
      grantNodeScalerState(nodeScaler.role, this.table);
      grantDescribeClusters(nodeScaler.role, this.clusters);
      grantNodeGroupScaling(nodeScaler.role, autoScalingGroupArns);
      grantNodeGroupFacts(nodeScaler.role, nodeGroupClusters, stack.account);
      discoveredNodeGroupArns = grantDiscoveredNodeGroupScaling(nodeScaler.role, nodeGroupDiscovery, this.clusters, stack.account);
    }
    let interruptions: NodeInterruptionHandling | undefined;
    if (nodeScaler && props.nodeInterruptions) {
      interruptions = new NodeInterruptionHandling(this, 'NodeInterruptions', {
        ...(props.nodeInterruptions === true ? {} : props.nodeInterruptions),
        functionProps: { ...common, entry: DEFAULT_ENTRIES.nodeScaler, environment: { STATE_TABLE_NAME: this.table.tableName, ...observabilityEnv } },
        nodeScaler,
        groups: resolvedNodeGroups,
        deadLetterQueue: this.failureQueue,
      });
      this.nodeInterruptionHandler = interruptions.handler.function;
    } else if (props.nodeInterruptions) {
      throw new Error('eks-lambda-scaler: nodeInterruptions needs nodeGroups: interruptions are handled only for the node scaler\'s groups');
    }

    const podScalerTimeout = props.podScaler?.timeout ?? Duration.seconds(70);
    const podScaler = new ScalerFunction(this, 'PodScaler', {
      ...common,
      entry: DEFAULT_ENTRIES.podScaler,
      // Only the pod scaler shards; its shard invocations read their own slice.
      configShardsDirectory: writtenConfig.shardsDirectory,
      description: 'eks-lambda-scaler pod scaler: KEDA ScaledObjects evaluated and applied to EKS',
      memorySize: props.podScaler?.memorySize ?? 512,
      timeout: podScalerTimeout,
      environment: {
        STATE_TABLE_NAME: this.table.tableName,
        ...observabilityEnv,
        ...(nodeScaler ? { NODE_SCALER_FUNCTION_NAME: nodeScaler.function.functionName } : {}),
        // The account of queues and tables named without one, for the run-time IAM check.
        ...(clusterSourced ? { SCALER_ACCOUNT_ID: stack.account } : {}),
        // The shard size the configuration slices were cut at (production-runtime.ts reads it).
        ...(objectsPerInvocation !== undefined ? { MAX_OBJECTS_PER_INVOCATION: String(objectsPerInvocation) } : {}),
      },
    });
    this.podScaler = podScaler.function;
    this.podScalerRole = podScaler.role;
    let passHandover: PassHandoverQueue | undefined;
    if ((props.passHandover ?? 'queue') === 'queue') {
      const handover = (passHandover = new PassHandoverQueue(this, 'PassHandover', {
        target: podScaler.function,
        sender: podScaler.role,
        functionTimeout: podScalerTimeout,
        deadLetterQueue: this.failureQueue,
      }));
      podScaler.function.addEnvironment(PASS_HANDOVER_QUEUE_URL_ENV, handover.queue.queueUrl);
      this.passHandoverQueue = handover.queue;
    } else if (props.passHandover !== 'sleep') {
      throw new Error(`EksLambdaScaler: passHandover is ${String(props.passHandover)}; it must be 'queue' (default) or 'sleep'`);
    }
    grantPodScalerState(podScaler.role, this.table);
    grantDescribeClusters(podScaler.role, this.clusters);
    this.triggerResources = this.withAdditional(
      // ScaledJobs' triggers read the same way (issue 17).
      deriveTriggerResources([...this.config.scaledObjects, ...(this.config.scaledJobs ?? [])], { account: stack.account, partitionOf, region: stack.region }),
      props.additionalTriggerResources,
    );
    grantTriggerReads(podScaler.role, this.triggerResources);
    if (this.config.clusterObjectPermissions) grantClusterObjectReads(podScaler.role, this.config.clusterObjectPermissions);
    this.noteTriggerRbac();
    this.grantInvocations(podScaler, nodeScaler);

    const schedule = props.schedule ?? DEFAULT_SCHEDULE;
    new TickSchedule(this, 'PodScalerTick', {
      target: podScaler.function,
      schedule,
      deadLetterQueue: this.failureQueue,
      description: 'eks-lambda-scaler: evaluate every ScaledObject',
    });
    if (nodeScaler) {
      new TickSchedule(this, 'NodeScalerTick', {
        target: nodeScaler.function,
        schedule,
        deadLetterQueue: this.failureQueue,
        description: 'eks-lambda-scaler: size the node groups to the pods',
      });
    }
    new AlarmEventsRule(this, 'AlarmEvents', {
      target: podScaler.function,
      deadLetterQueue: this.failureQueue,
      alarmNamePrefixes: props.alarmNamePrefixes,
    });

    if (props.createAccessEntries ?? true) {
      new KubernetesAccess(this, 'KubernetesAccess', {
        clusters: this.clusters,
        roles: {
          PodScaler: { role: podScaler.role, group: KUBERNETES_GROUP },
          ...(nodeScaler ? { NodeScaler: { role: nodeScaler.role, group: NODE_SCALER_KUBERNETES_GROUP } } : {}),
        },
      });
    }

    const functions = {
      PodScaler: podScaler.function,
      ...(nodeScaler ? { NodeScaler: nodeScaler.function } : {}),
      ...(interruptions ? { NodeInterruptions: interruptions.handler.function } : {}),
    };
    const observedClusters = this.observedClusters();
    this.alarms = new ScalerAlarms(this, 'Alarms', {
      functions,
      failureQueue: this.failureQueue,
      clusters: observedClusters,
      podScalerLogGroup: podScaler.logGroup,
      pinnedAtMaxMinutes: props.pinnedAtMaxMinutes,
      actions: [...(props.alarmTopics ?? []).map((topic) => new SnsAction(topic)), ...(props.alarmActions ?? [])],
    }).alarms;
    this.dashboard = new ScalerDashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      functions,
      failureQueue: this.failureQueue,
      objectClusters: observedClusters.map((cluster) => cluster.name),
      nodeGroupClusters: nodeGroupClusters.map((cluster) => cluster.name),
      perObjectMetrics,
    }).dashboard;

    applyNagSuppressions({
      podScaler,
      nodeScaler,
      nodeInterruptions: interruptions?.handler,
      failureQueue: this.failureQueue,
      ...(passHandover ? { passHandoverMapping: passHandover.mapping } : {}),
      autoScalingGroupArns,
      discoveredNodeGroupArns,
      managedNodeGroupArns: nodeGroupClusters.map((cluster) => managedNodeGroupArn(cluster, stack.account)),
      tableStreamArns: this.triggerResources.tableStreamArns.map(({ streamArn }) => streamArn),
      clusterObjectArns: this.config.clusterObjectPermissions ? clusterObjectResourceArns(this.config.clusterObjectPermissions) : [],
      inVpc: props.vpc !== undefined,
    });
  }

  /** Clusters with ScaledObjects, each with its slowest pollingInterval (the alarms' period). */
  private observedClusters(): ObservedCluster[] {
    const longest = new Map<string, number>();
    for (const object of this.config.scaledObjects) {
      const cluster = clusterOf(object, this.config.defaultCluster.name);
      longest.set(cluster, Math.max(longest.get(cluster) ?? 0, object.pollingInterval));
    }
    return [...longest].map(([name, longestPollingInterval]) => ({ name, longestPollingInterval }));
  }

  /**
   * Read access to the scalers' state (cooldowns, HPA history, fallback counters, last decisions),
   * e.g. for a role that runs `eks-lambda-scaler status`. Reads only: the scalers are the one writer.
   */
  grantReadState(grantee: IGrantable): Grant {
    return this.table.grantReadData(grantee);
  }

  /** Invoking the pod scaler out of schedule (a tick now, e.g. from a runbook or a test). */
  grantInvokePodScaler(grantee: IGrantable): Grant {
    return this.podScaler.grantInvoke(grantee);
  }

  /**
   * One of the aggregate metrics the scalers publish per cluster (lambdas/util/scaler-metrics.ts),
   * summed over every cluster unless `cluster` is given; Sum over one minute by default.
   */
  metric(metricName: ClusterMetricName | NodeGroupMetricName, props?: ScalerMetricOptions): IMetric {
    return aggregateMetric(this.config.clusters.map((cluster) => cluster.name), metricName, props);
  }

  /** ScaledObjects that could not be evaluated or applied in a pass (a trigger read failed, a patch was refused...). */
  metricErrors(props?: ScalerMetricOptions): IMetric {
    return this.metric('ObjectsWithErrors', props);
  }

  /** ScaledObjects running on their fallback replica count because a trigger keeps failing. */
  metricObjectsInFallback(props?: ScalerMetricOptions): IMetric {
    return this.metric('ObjectsInFallback', props);
  }

  /** ScaledObjects pinned at maxReplicaCount. */
  metricObjectsAtMaxReplicas(props?: ScalerMetricOptions): IMetric {
    return this.metric('ObjectsAtMaxReplicas', props);
  }

  /** Scale subresource patches applied. */
  metricObjectsScaled(props?: ScalerMetricOptions): IMetric {
    return this.metric('ObjectsScaled', props);
  }

  /** ScaledObjects evaluated (a minute's Sum over the tick and its shards is the fleet's count). */
  metricObjectsEvaluated(props?: ScalerMetricOptions): IMetric {
    return this.metric('ObjectsEvaluated', props);
  }

  /** Node scaler: scale-ups of a node group that failed (published only when node groups are configured). */
  metricScaleUpFailures(props?: ScalerMetricOptions): IMetric {
    return this.metric('ScaleUpFailures', props);
  }

  /**
   * In-cluster Prometheus Services (through the API server's service proxy) and new-relic query keys
   * in Secrets need RBAC beyond deploy/rbac.yaml; the construct cannot apply it (no kubectl at
   * synth), so it says exactly what to apply.
   */
  private noteTriggerRbac(): void {
    const grants = deriveTriggerRbac([...this.config.scaledObjects, ...(this.config.scaledJobs ?? [])]);
    if (grants.length === 0) return;
    Annotations.of(this).addInfo(
      `triggers need Kubernetes RBAC beyond deploy/rbac.yaml for the pod scaler's group: get on ${describeGrants(grants)}; apply it with: npx eks-lambda-scaler rbac <your ScaledObject files> | kubectl apply -f -`,
    );
  }

  private withAdditional(derived: TriggerResources, extra: AdditionalTriggerResources | undefined): TriggerResources {
    const merge = (a: readonly string[], b: readonly string[] | undefined) => [...new Set([...a, ...(b ?? [])])].sort();
    const resources: TriggerResources = {
      ...derived,
      queueArns: merge(derived.queueArns, extra?.queueArns),
      streamArns: merge(derived.streamArns, extra?.streamArns),
      assumeRoleArns: merge(derived.assumeRoleArns, extra?.assumeRoleArns),
    };
    // Which listed resource serves which env-named trigger is unknowable at synth time, so every
    // such trigger keeps its warning; the advice changes once resources are listed.
    const advice = extra
      ? 'it is granted only if it is among the additionalTriggerResources you listed: check that they cover it'
      : 'the read will be denied unless you grant it: list the resource in additionalTriggerResources, or name it in the metadata directly';
    for (const [index, item] of derived.unscoped.entries()) {
      Annotations.of(this).addWarningV2(`eks-lambda-scaler:unscopedTrigger${index}`, `${item.objectId}: ${item.field}: ${item.reason}; ${advice}`);
    }
    return resources;
  }

  /**
   * The pod scaler invokes the node scaler (scale-up notices) and itself (shards of a large
   * deployment). A separate policy for the self-invocation: the function's default policy cannot
   * name the function's own ARN without a dependency cycle.
   */
  private grantInvocations(podScaler: ScalerFunction, nodeScaler: ScalerFunction | undefined): void {
    if (nodeScaler) {
      podScaler.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'NotifyNodeScaler',
          actions: ['lambda:InvokeFunction'],
          resources: [nodeScaler.function.functionArn],
        }),
      );
    }
    new Policy(this, 'PodScalerShardInvocation', {
      roles: [podScaler.role],
      statements: [
        new PolicyStatement({
          sid: 'InvokeOwnShards',
          actions: ['lambda:InvokeFunction'],
          resources: [podScaler.function.functionArn],
        }),
      ],
    });
  }
}

/** A plain copy for the bundled configuration (props are readonly arrays). */
function clusterObjectPermissionsOf(given: ClusterObjectPermissions): ClusterObjectPermissions {
  return {
    ...(given.queueArns ? { queueArns: [...given.queueArns] } : {}),
    ...(given.streamArns ? { streamArns: [...given.streamArns] } : {}),
    ...(given.tableArns ? { tableArns: [...given.tableArns] } : {}),
    ...(given.roleArns ? { roleArns: [...given.roleArns] } : {}),
    ...(given.secretArns ? { secretArns: [...given.secretArns] } : {}),
    ...(given.cloudWatchMetrics ? { cloudWatchMetrics: true } : {}),
  };
}
