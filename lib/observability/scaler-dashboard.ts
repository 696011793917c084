/**
 * One CloudWatch dashboard with what KEDA users read in its Grafana dashboard: per ScaledObject, the
 * metric against its target and desired against current replicas; per node group, desired capacity
 * against in-service instances; and the scalers' own health.
 */
import { Duration } from 'aws-cdk-lib';
import { Dashboard, GraphWidget, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { nodeGroupMetric, objectMetric } from './scaler-metrics';

export interface ScalerDashboardProps {
  dashboardName?: string;
  functions: Readonly<Record<string, IFunction>>;
  failureQueue: IQueue;
  /** `ScaledObject` dimension values. */
  objectKeys: readonly string[];
  /** `NodeGroup` dimension values, `<cluster>/<asg name>`. */
  nodeGroupKeys: readonly string[];
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
          '# eks-lambda-scaler\nPer ScaledObject: the trigger metric against its target, and desired against current replicas. ' +
          'Per node group: desired capacity against in-service instances. Decisions and their reasons are in the pod scaler\'s log.',
        width: 24,
        height: 2,
      }),
    );
    this.dashboard.addWidgets(...this.scalerHealthWidgets(props));
    for (const key of props.objectKeys) this.dashboard.addWidgets(...objectWidgets(key));
    for (const key of props.nodeGroupKeys) this.dashboard.addWidgets(...nodeGroupWidgets(key));
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

function objectWidgets(key: string): IWidget[] {
  return [
    new GraphWidget({
      title: `${key}: metric vs target`,
      width: HALF,
      height: HEIGHT,
      left: [objectMetric(key, 'MetricValue', { label: 'metric value' }), objectMetric(key, 'MetricTarget', { label: 'target' })],
    }),
    new GraphWidget({
      title: `${key}: desired vs current replicas`,
      width: HALF,
      height: HEIGHT,
      left: [
        objectMetric(key, 'DesiredReplicas', { statistic: 'Maximum', label: 'desired' }),
        objectMetric(key, 'CurrentReplicas', { statistic: 'Maximum', label: 'current' }),
      ],
    }),
  ];
}

function nodeGroupWidgets(key: string): IWidget[] {
  return [
    new GraphWidget({
      title: `${key}: capacity`,
      width: HALF,
      height: HEIGHT,
      left: [
        nodeGroupMetric(key, 'DesiredCapacity', { statistic: 'Maximum', label: 'desired capacity' }),
        nodeGroupMetric(key, 'InServiceInstances', { statistic: 'Maximum', label: 'in service' }),
      ],
    }),
    new GraphWidget({
      title: `${key}: pods and node changes`,
      width: HALF,
      height: HEIGHT,
      left: [nodeGroupMetric(key, 'UnschedulablePods', { statistic: 'Maximum', label: 'unschedulable pods' })],
      right: [
        nodeGroupMetric(key, 'NodesRequested', { statistic: 'Sum', label: 'nodes requested' }),
        nodeGroupMetric(key, 'NodesRemoved', { statistic: 'Sum', label: 'nodes removed' }),
        nodeGroupMetric(key, 'ScaleUpFailures', { statistic: 'Sum', label: 'scale-up failures' }),
      ],
    }),
  ];
}
