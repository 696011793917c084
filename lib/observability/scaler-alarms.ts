/**
 * The alarms an operator needs: a scaler failing or throttled, ticks lost to the dead-letter queue,
 * a ScaledObject running on fallback replicas, and a ScaledObject pinned at its maxReplicaCount.
 * Per-object alarms name the object, so the notification says where to look.
 */
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { objectMetric } from './scaler-metrics';
import { constructIdsFor } from './construct-ids';

export interface ObservedObject {
  /** The `ScaledObject` dimension value, `<cluster>/<namespace>/<name>`. */
  key: string;
  /** Seconds between evaluations: an alarm period shorter than this would see gaps as "fine". */
  pollingInterval: number;
}

export interface ScalerAlarmsProps {
  /** Scaler functions by a short name (`PodScaler`, `NodeScaler`). */
  functions: Readonly<Record<string, IFunction>>;
  failureQueue: IQueue;
  /** One per configured ScaledObject. */
  objects: readonly ObservedObject[];
  /** Minutes at maxReplicaCount before an object counts as pinned (default 15). */
  pinnedAtMaxMinutes?: number;
  actions: readonly IAlarmAction[];
}

export class ScalerAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ScalerAlarmsProps) {
    super(scope, id);
    const add = (alarm: Alarm) => {
      for (const action of props.actions) {
        alarm.addAlarmAction(action);
        alarm.addOkAction(action);
      }
      this.alarms.push(alarm);
    };

    for (const [name, fn] of Object.entries(props.functions)) {
      add(
        new Alarm(this, `${name}Errors`, {
          alarmDescription: `eks-lambda-scaler ${name} invocations failed: read its log group for the error; until fixed, ScaledObjects are not evaluated on time`,
          metric: fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
      add(
        new Alarm(this, `${name}Throttles`, {
          alarmDescription: `eks-lambda-scaler ${name} invocations were throttled: the account's Lambda concurrency is exhausted, so ticks are delayed or lost`,
          metric: fn.metricThrottles({ period: Duration.minutes(5), statistic: 'Sum' }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    }

    add(
      new Alarm(this, 'FailedInvocations', {
        alarmDescription:
          'eks-lambda-scaler: scheduled ticks, alarm events or async invocations could not be delivered or failed after retries; the messages in the dead-letter queue say which and why',
        metric: props.failureQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );

    const pinnedMinutes = props.pinnedAtMaxMinutes ?? 15;
    const ids = constructIdsFor(props.objects.map((object) => object.key));
    props.objects.forEach((object, index) => {
      const { key } = object;
      // Periods are whole minutes and at least one evaluation long, so every period holds a datapoint.
      const periodMinutes = Math.max(1, Math.ceil(object.pollingInterval / 60));
      const period = Duration.minutes(periodMinutes);
      const pinnedPeriods = Math.max(1, Math.ceil(pinnedMinutes / periodMinutes));
      add(
        new Alarm(this, `Fallback-${ids[index]}`, {
          alarmDescription: `ScaledObject ${key} is on fallback replicas: its triggers fail more often than fallback.failureThreshold allows. The pod scaler's log says which trigger and why`,
          metric: objectMetric(key, 'Fallback', { statistic: 'Maximum', period }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
      // The minimum over a period is 1 only if every evaluation in it wanted max replicas or more.
      add(
        new Alarm(this, `PinnedAtMax-${ids[index]}`, {
          alarmDescription: `ScaledObject ${key} has wanted its maxReplicaCount for ${pinnedPeriods * periodMinutes} minutes: the backlog may be growing; raise maxReplicaCount or the workload's throughput`,
          metric: objectMetric(key, 'AtMaxReplicas', { statistic: 'Minimum', period }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: pinnedPeriods,
          datapointsToAlarm: pinnedPeriods,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    });
  }
}
