/**
 * What invokes the scalers: an EventBridge Scheduler schedule per Lambda (every minute by default),
 * and an EventBridge rule that forwards CloudWatch alarm state changes to the pod scaler so
 * alarm-driven ScaledObjects are evaluated at once instead of at the next tick.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Rule } from 'aws-cdk-lib/aws-events';
import type { EventPattern } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { CfnSchedule, ContextAttribute, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export const DEFAULT_SCHEDULE = ScheduleExpression.rate(Duration.minutes(1));

export interface TickScheduleProps {
  target: IFunction;
  schedule: ScheduleExpression;
  deadLetterQueue: IQueue;
  description: string;
}

/**
 * Invokes a scaler on a schedule, with retries, and a dead-letter queue for ticks never delivered.
 * Written with the L1 resource and its own role: the L2 target also grants invoking every version
 * and alias (`<function arn>:*`), which a schedule of the unqualified function never needs.
 */
export class TickSchedule extends Construct {
  readonly schedule: CfnSchedule;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: TickScheduleProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new Role(this, 'Role', {
      description: `Lets EventBridge Scheduler invoke ${props.description}`,
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: {
          StringEquals: {
            'aws:SourceAccount': stack.account,
            'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
          },
        },
      }),
    });
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [props.target.functionArn] }),
    );
    this.role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['sqs:SendMessage'], resources: [props.deadLetterQueue.queueArn] }),
    );
    this.schedule = new CfnSchedule(this, 'Schedule', {
      description: props.description,
      scheduleExpression: props.schedule.expressionString,
      flexibleTimeWindow: { mode: 'OFF' },
      state: 'ENABLED',
      target: {
        arn: props.target.functionArn,
        roleArn: this.role.roleArn,
        // Shaped like an EventBridge scheduled event, so handlers recognize it with one check.
        input: JSON.stringify({
          source: 'aws.scheduler',
          'detail-type': 'Scheduled Event',
          time: ContextAttribute.scheduledTime,
          resources: [ContextAttribute.scheduleArn],
          detail: {},
        }),
        retryPolicy: {
          maximumRetryAttempts: 2,
          // A tick older than this has been replaced by the next one: retrying it would only pile up.
          maximumEventAgeInSeconds: 120,
        },
        deadLetterConfig: { arn: props.deadLetterQueue.queueArn },
      },
    });
  }
}

export interface AlarmEventsRuleProps {
  target: IFunction;
  deadLetterQueue: IQueue;
  /** Forward only alarms whose names start with one of these; default every alarm in the account and region. */
  alarmNamePrefixes?: readonly string[];
}

/** Sends CloudWatch alarm state changes to the pod scaler. */
export class AlarmEventsRule extends Construct {
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: AlarmEventsRuleProps) {
    super(scope, id);
    const pattern: EventPattern = {
      source: ['aws.cloudwatch'],
      detailType: ['CloudWatch Alarm State Change'],
      detail: {
        // The pod scaler acts only on a transition into ALARM (a backlog building); OK waits for the tick.
        state: { value: ['ALARM'] },
        ...(props.alarmNamePrefixes?.length ? { alarmName: props.alarmNamePrefixes.map((prefix) => ({ prefix })) } : {}),
      },
    };
    this.rule = new Rule(this, 'Rule', {
      description: 'eks-lambda-scaler: CloudWatch alarm state changes evaluate the ScaledObjects at once',
      eventPattern: pattern,
      targets: [
        new LambdaFunction(props.target, {
          deadLetterQueue: props.deadLetterQueue,
          retryAttempts: 2,
          maxEventAge: Duration.minutes(5),
        }),
      ],
    });
  }
}
