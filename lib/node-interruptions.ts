/**
 * Interruption handling for the node scaler's groups: EC2 Spot interruption warnings, rebalance
 * recommendations and Auto Scaling terminate lifecycle actions reach a second entry into the node
 * scaler (same bundle and handler, same role) through EventBridge rules; optionally a terminate
 * lifecycle hook on each group makes every ASG termination (scale-in, AZ rebalance, instance
 * refresh, a Spot reclaim seen by the group) wait for the drain.
 *
 * A function of its own, not the node scaler's: that one runs one invocation at a time (reserved
 * concurrency 1) and a tick can take a minute, so a Spot warning queued behind it would lose most
 * of its two minutes to Lambda's throttle retries. Handling a notice writes no state and touches
 * one node, so notices may run side by side, and beside a tick.
 */
import { Duration } from 'aws-cdk-lib';
import { CfnLifecycleHook } from 'aws-cdk-lib/aws-autoscaling';
import { Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  REBALANCE_RECOMMENDATION_DETAIL_TYPE,
  SPOT_INTERRUPTION_DETAIL_TYPE,
  SPOT_NOTICE_SECONDS,
  TERMINATE_LIFECYCLE_ACTION_DETAIL_TYPE,
  TERMINATING_TRANSITION,
} from '../lambdas/engine/nodes/interruption-notice';
import { grantInterruptionHandling } from './permissions/node-interruption-permissions';
import type { ResolvedNodeGroup } from './node-groups';
import { ScalerFunction } from './scaler-functions';
import type { ScalerFunctionProps } from './scaler-functions';

export interface NodeInterruptionOptions {
  /** Drain on rebalance recommendations too, not only on the two-minute Spot warning (default true). */
  readonly rebalanceRecommendations?: boolean;
  /**
   * Add a terminate lifecycle hook to each node group's ASG, so the ASG's own terminations wait for
   * the drain (default false: add it yourself, or leave ASG terminations undrained).
   */
  readonly lifecycleHooks?: boolean;
  /** The hook's heartbeat timeout, seconds: how long a termination waits at most (default 120; 30 to 600). */
  readonly lifecycleHookHeartbeatSeconds?: number;
  /** The handler's memory, MB (default 512). */
  readonly memorySize?: number;
}

/** The name of the hook the construct adds (lifecycleHooks: true). */
export const LIFECYCLE_HOOK_NAME = 'eks-lambda-scaler-drain';
const DEFAULT_HEARTBEAT_SECONDS = 120;

export interface NodeInterruptionHandlingProps extends NodeInterruptionOptions {
  /** The node scaler's function props (entry, config, network...), reused for the second entry. */
  readonly functionProps: Omit<ScalerFunctionProps, 'timeout' | 'memorySize' | 'description' | 'reservedConcurrentExecutions' | 'role'>;
  readonly nodeScaler: ScalerFunction;
  readonly groups: readonly ResolvedNodeGroup[];
  readonly deadLetterQueue: IQueue;
}

export class NodeInterruptionHandling extends Construct {
  readonly handler: ScalerFunction;
  readonly rules: Rule[] = [];
  readonly hooks: CfnLifecycleHook[] = [];

  constructor(scope: Construct, id: string, props: NodeInterruptionHandlingProps) {
    super(scope, id);
    const heartbeat = props.lifecycleHookHeartbeatSeconds ?? DEFAULT_HEARTBEAT_SECONDS;
    if (!Number.isInteger(heartbeat) || heartbeat < 30 || heartbeat > 600) {
      throw new Error(`eks-lambda-scaler: nodeInterruptions.lifecycleHookHeartbeatSeconds must be a whole number of seconds from 30 to 600 (got ${heartbeat}); Auto Scaling allows 30 to 7200, and the drain runs in one Lambda invocation (at most 900 s)`);
    }
    // The whole notice fits one invocation: the Spot warning's two minutes or the hook's heartbeat, plus time to report.
    const noticeSeconds = Math.max(SPOT_NOTICE_SECONDS, props.lifecycleHooks ? heartbeat : 0);
    this.handler = new ScalerFunction(this, 'Handler', {
      ...props.functionProps,
      role: props.nodeScaler.role,
      description: 'eks-lambda-scaler node interruptions: drains a node on a Spot warning, rebalance recommendation or ASG termination',
      memorySize: props.memorySize ?? 512,
      timeout: Duration.seconds(noticeSeconds + 30),
    });
    grantInterruptionHandling(props.nodeScaler.role, props.groups.map((group) => group.arn));

    const target = new LambdaFunction(this.handler.function, {
      deadLetterQueue: props.deadLetterQueue,
      retryAttempts: 2,
      // Past this the instance is gone (Spot) or the hook has run out: a late delivery would only be ignored.
      maxEventAge: Duration.seconds(Math.max(60, noticeSeconds)),
    });
    const ec2DetailTypes = [SPOT_INTERRUPTION_DETAIL_TYPE, ...(props.rebalanceRecommendations ?? true ? [REBALANCE_RECOMMENDATION_DETAIL_TYPE] : [])];
    // EC2's events name only the instance, so they cannot be narrowed to the groups here: the handler
    // ignores (with a log line) an instance in no configured group.
    this.rules.push(
      new Rule(this, 'Ec2Notices', {
        description: 'eks-lambda-scaler: EC2 Spot interruption warnings and rebalance recommendations drain the node',
        eventPattern: { source: ['aws.ec2'], detailType: ec2DetailTypes },
        targets: [target],
      }),
    );
    const names = [...new Set(props.groups.map((group) => group.config.autoScalingGroupName))];
    this.rules.push(
      new Rule(this, 'TerminateLifecycleActions', {
        description: "eks-lambda-scaler: terminate lifecycle actions of the node scaler's groups drain the node, then CONTINUE",
        eventPattern: {
          source: ['aws.autoscaling'],
          detailType: [TERMINATE_LIFECYCLE_ACTION_DETAIL_TYPE],
          detail: { AutoScalingGroupName: names, LifecycleTransition: [TERMINATING_TRANSITION] },
        },
        targets: [target],
      }),
    );
    if (props.lifecycleHooks) {
      for (const [index, name] of names.entries()) {
        this.hooks.push(
          new CfnLifecycleHook(this, `Hook${index}`, {
            autoScalingGroupName: name,
            lifecycleHookName: LIFECYCLE_HOOK_NAME,
            lifecycleTransition: TERMINATING_TRANSITION,
            heartbeatTimeout: heartbeat,
            // Terminated either way; CONTINUE also runs any other hook's action.
            defaultResult: 'CONTINUE',
          }),
        );
      }
    }
  }
}
