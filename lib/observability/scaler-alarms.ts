/**
 * The alarms an operator needs: a scaler failing or throttled, ticks lost to the dead-letter queue,
 * ScaledObjects running on fallback replicas, and ScaledObjects pinned at their maxReplicaCount.
 *
 * Their number does not grow with the ScaledObjects: the fallback and pinned alarms watch the pod
 * scaler's per-cluster counts (one pair per cluster), and say which objects through two Contributor
 * Insights rules and one saved Logs Insights query over the pod scaler's "needs attention" log lines
 * (lambdas/pod-scaler/observe-result.ts), named in each alarm's description.
 */
import { Duration, Names, Stack } from 'aws-cdk-lib';
import { Alarm, CfnInsightRule, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { QueryDefinition, QueryString } from 'aws-cdk-lib/aws-logs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ATTENTION_MESSAGE, type AttentionCondition } from '../../lambdas/util/scaler-metrics';
import { clusterMetric } from './scaler-metrics';
import { constructIdsFor } from './construct-ids';

export interface ObservedCluster {
  /** The `Cluster` dimension value. */
  name: string;
  /**
   * The longest pollingInterval of its ScaledObjects, seconds: an alarm period shorter than this
   * could hold no evaluation of a slow object.
   */
  longestPollingInterval: number;
}

export interface ScalerAlarmsProps {
  /** Scaler functions by a short name (`PodScaler`, `NodeScaler`). */
  functions: Readonly<Record<string, IFunction>>;
  failureQueue: IQueue;
  /** The clusters with at least one ScaledObject. */
  clusters: readonly ObservedCluster[];
  /** The pod scaler's log group, where the "needs attention" lines go. */
  podScalerLogGroup: ILogGroup;
  /** Minutes at maxReplicaCount before an object counts as pinned (default 15). */
  pinnedAtMaxMinutes?: number;
  actions: readonly IAlarmAction[];
}

export class ScalerAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  /** Contributor Insights rule names by condition: the objects behind the fallback and pinned alarms. */
  readonly contributorRules: Record<AttentionCondition, string>;
  readonly attentionQuery: QueryDefinition;

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

    const prefix = Names.uniqueResourceName(this, { maxLength: 80 });
    this.contributorRules = {
      fallback: this.contributorRule('FallbackObjects', `${prefix}-fallback`, 'fallback', props.podScalerLogGroup),
      atMaxReplicas: this.contributorRule('PinnedAtMaxObjects', `${prefix}-at-max`, 'atMaxReplicas', props.podScalerLogGroup),
    };
    const queryName = `eks-lambda-scaler/${prefix}/objects-needing-attention`;
    this.attentionQuery = new QueryDefinition(this, 'AttentionQuery', {
      queryDefinitionName: queryName,
      logGroups: [props.podScalerLogGroup],
      queryString: new QueryString({
        filterStatements: [`message = "${ATTENTION_MESSAGE}"`],
        statsStatements: [
          'latest(desiredReplicas) as desired, latest(maxReplicas) as max, latest(statusReason) as reason, max(@timestamp) as lastSeen by condition, scaledObject',
        ],
        sort: 'lastSeen desc',
        limit: 1000,
      }),
    });
    const whichObjects = (condition: AttentionCondition) =>
      `Which objects: the Contributor Insights rule "${this.contributorRules[condition]}" (CloudWatch > Contributor Insights), or the saved Logs Insights query "${queryName}" on the pod scaler's log group`;

    const pinnedMinutes = props.pinnedAtMaxMinutes ?? 15;
    const ids = constructIdsFor(props.clusters.map((cluster) => cluster.name));
    props.clusters.forEach((cluster, index) => {
      // Whole minutes, at least one evaluation of the slowest object long, so every period holds one.
      const periodMinutes = Math.max(1, Math.ceil(cluster.longestPollingInterval / 60));
      const period = Duration.minutes(periodMinutes);
      const pinnedPeriods = Math.max(1, Math.ceil(pinnedMinutes / periodMinutes));
      add(
        new Alarm(this, `Fallback-${ids[index]}`, {
          alarmDescription:
            `ScaledObjects in cluster ${cluster.name} are on fallback replicas: their triggers fail more often than fallback.failureThreshold allows. ` +
            `${whichObjects('fallback')}; the pod scaler's warnings say which trigger and why`,
          metric: clusterMetric(cluster.name, 'ObjectsInFallback', { statistic: 'Maximum', period }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
      // An object counts when every evaluation of it in an invocation wanted max replicas or more;
      // the alarm fires when some object did so in every period for pinnedAtMaxMinutes.
      add(
        new Alarm(this, `PinnedAtMax-${ids[index]}`, {
          alarmDescription:
            `ScaledObjects in cluster ${cluster.name} have wanted their maxReplicaCount for ${pinnedPeriods * periodMinutes} minutes: the backlog may be growing; ` +
            `raise maxReplicaCount or the workload's throughput. ${whichObjects('atMaxReplicas')}`,
          metric: clusterMetric(cluster.name, 'ObjectsAtMaxReplicas', { statistic: 'Maximum', period }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: pinnedPeriods,
          datapointsToAlarm: pinnedPeriods,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
    });
  }

  /** Counts the attention lines of one condition by object: its report lists the objects. */
  private contributorRule(id: string, ruleName: string, condition: AttentionCondition, logGroup: ILogGroup): string {
    new CfnInsightRule(this, id, {
      ruleName,
      ruleState: 'ENABLED',
      ruleBody: Stack.of(this).toJsonString({
        Schema: { Name: 'CloudWatchLogRule', Version: 1 },
        LogGroupNames: [logGroup.logGroupName],
        LogFormat: 'JSON',
        Contribution: {
          Keys: ['$.scaledObject'],
          Filters: [
            { Match: '$.message', In: [ATTENTION_MESSAGE] },
            { Match: '$.condition', In: [condition] },
          ],
        },
        AggregateOn: 'Count',
      }),
    });
    return ruleName;
  }
}
