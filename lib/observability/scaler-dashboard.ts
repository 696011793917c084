/**
 * One CloudWatch dashboard with what KEDA users read in its Grafana dashboard, at a size that does
 * not grow with the ScaledObjects: per cluster, the objects evaluated, active, scaled, in fallback,
 * at max and failing, and the node groups' summed capacity; the scalers' own health; and, when the
 * per-object metrics are turned on, one search-expression graph per metric with a line per object.
 */
import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, MathExpression, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { clusterMetric, NODE_GROUP_DIMENSION, OBJECT_DIMENSION, searchPerDimension } from './scaler-metrics';
import type { NodeGroupMetricName, ObjectMetricName } from './scaler-metrics';

export interface ScalerDashboardProps {
  dashboardName?: string;
  functions: Readonly<Record<string, IFunction>>;
  failureQueue: IQueue;
  /** `Cluster` dimension values of clusters with ScaledObjects. */
  objectClusters: readonly string[];
  /** `Cluster` dimension values of clusters with node groups. */
  nodeGroupClusters: readonly string[];
  /** Whether the Lambdas publish per-object and per-node-group metrics (adds the search graphs). */
  perObjectMetrics: boolean;
}

const HALF = 12;
const HEIGHT = 6;

export class ScalerDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: ScalerDashboardProps) {
    super(scope, id);
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      defaultInterval: Duration.hours(3),
    });

    this.dashboard.addWidgets(
      new TextWidget({
        markdown:
          '# eks-lambda-scaler\nPer cluster: ScaledObjects evaluated, active, scaled, in fallback, at max and failing; node groups\' capacity. ' +
          'Which objects need attention: the fallback and pinned-at-max alarms name the Contributor Insights rules and the Logs Insights query. ' +
          'Decisions and their reasons are in the pod scaler\'s log.' +
          (props.perObjectMetrics ? ' Per-object graphs: one line per ScaledObject (search expressions).' : ' Per-object graphs: set perObjectMetrics (a custom metric per object and name).'),
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(...this.scalerHealthWidgets(props));
    for (const cluster of props.objectClusters) this.dashboard.addWidgets(...objectClusterWidgets(cluster));
    for (const cluster of props.nodeGroupClusters) this.dashboard.addWidgets(...nodeClusterWidgets(cluster));
    if (props.perObjectMetrics) this.dashboard.addWidgets(...perObjectWidgets(props.nodeGroupClusters.length > 0));
  }

  private scalerHealthWidgets(props: ScalerDashboardProps): IWidget[] {
    const functions = Object.entries(props.functions);
    return [
      new GraphWidget({
        title: 'Scaler invocations, errors and throttles',
        width: HALF,
        height: HEIGHT,
        left: functions.flatMap(([name, fn]) => [
          fn.metricInvocations({ label: `${name} invocations`, statistic: 'Sum' }),
          fn.metricErrors({ label: `${name} errors`, statistic: 'Sum' }),
          fn.metricThrottles({ label: `${name} throttles`, statistic: 'Sum' }),
        ]),
      }),
      new GraphWidget({
        title: 'Scaler duration (p99) and failed invocations',
        width: HALF,
        height: HEIGHT,
        left: functions.map(([name, fn]) => fn.metricDuration({ label: `${name} p99`, statistic: 'p99' })),
        right: [props.failureQueue.metricApproximateNumberOfMessagesVisible({ label: 'dead-letter queue', statistic: 'Maximum' })],
      }),
    ];
  }
}

function objectClusterWidgets(cluster: string): IWidget[] {
  return [
    new GraphWidget({
      title: `${cluster}: ScaledObjects evaluated, active, scaled`,
      width: HALF,
      height: HEIGHT,
      left: [
        clusterMetric(cluster, 'ObjectsEvaluated', { label: 'evaluated' }),
        clusterMetric(cluster, 'ObjectsActive', { label: 'active' }),
      ],
      right: [clusterMetric(cluster, 'ObjectsScaled', { label: 'scale patches' })],
    }),
    new GraphWidget({
      title: `${cluster}: ScaledObjects in fallback, at max replicas, with errors`,
      width: HALF,
      height: HEIGHT,
      left: [
        clusterMetric(cluster, 'ObjectsInFallback', { label: 'in fallback' }),
        clusterMetric(cluster, 'ObjectsAtMaxReplicas', { label: 'at max replicas' }),
        clusterMetric(cluster, 'ObjectsWithErrors', { label: 'with errors' }),
      ],
    }),
  ];
}

function nodeClusterWidgets(cluster: string): IWidget[] {
  return [
    new GraphWidget({
      title: `${cluster}: node groups' capacity`,
      width: HALF,
      height: HEIGHT,
      left: [
        clusterMetric(cluster, 'DesiredCapacity', { statistic: 'Maximum', label: 'desired capacity' }),
        clusterMetric(cluster, 'InServiceInstances', { statistic: 'Maximum', label: 'in service' }),
      ],
    }),
    new GraphWidget({
      title: `${cluster}: pods and node changes`,
      width: HALF,
      height: HEIGHT,
      left: [clusterMetric(cluster, 'UnschedulablePods', { statistic: 'Maximum', label: 'unschedulable pods' })],
      right: [
        clusterMetric(cluster, 'NodesRequested', { label: 'nodes requested' }),
        clusterMetric(cluster, 'NodesRemoved', { label: 'nodes removed' }),
        clusterMetric(cluster, 'ScaleUpFailures', { label: 'scale-up failures' }),
      ],
    }),
  ];
}

function perObjectWidgets(withNodeGroups: boolean): IWidget[] {
  const search = (dimension: typeof OBJECT_DIMENSION | typeof NODE_GROUP_DIMENSION, name: ObjectMetricName | NodeGroupMetricName, statistic: string) =>
    new MathExpression({ expression: searchPerDimension(dimension, name, statistic), usingMetrics: {}, period: Duration.minutes(1), label: '' });
  const graph = (title: string, expression: MathExpression) => new GraphWidget({ title, width: HALF, height: HEIGHT, left: [expression] });
  return [
    graph('Metric value per ScaledObject', search(OBJECT_DIMENSION, 'MetricValue', 'Average')),
    graph('Metric target per ScaledObject', search(OBJECT_DIMENSION, 'MetricTarget', 'Average')),
    graph('Desired replicas per ScaledObject', search(OBJECT_DIMENSION, 'DesiredReplicas', 'Maximum')),
    graph('Current replicas per ScaledObject', search(OBJECT_DIMENSION, 'CurrentReplicas', 'Maximum')),
    ...(withNodeGroups
      ? [
          graph('Desired capacity per node group', search(NODE_GROUP_DIMENSION, 'DesiredCapacity', 'Maximum')),
          graph('In-service instances per node group', search(NODE_GROUP_DIMENSION, 'InServiceInstances', 'Maximum')),
        ]
      : []),
  ];
}
