/** The construct's interruption handling (prop nodeInterruptions): function, rules, hooks, IAM, cdk-nag. */
import { Match } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { buildScaler, statementsOfRole } from './support/scaler-stack';

const GROUP_ARN = 'arn:aws:autoscaling:us-east-1:111111111111:autoScalingGroup:*:autoScalingGroupName/prod-workers';

function interruptionFunctions(built: ReturnType<typeof buildScaler>) {
  return built.template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('node interruptions') } });
}

// The first synth loads aws-cdk-lib: over 30 s on a loaded machine.
describe('nodeInterruptions', { timeout: 120_000 }, () => {
  it('is off by default: no handler, no rule for EC2 or lifecycle events', () => {
    const built = buildScaler();
    expect(Object.keys(interruptionFunctions(built))).toHaveLength(0);
    expect(JSON.stringify(built.template.findResources('AWS::Events::Rule'))).not.toContain('aws.ec2');
  });

  it('adds a second entry into the node scaler, as its role, with a timeout covering the two-minute Spot notice', () => {
    const built = buildScaler({ nodeInterruptions: true });
    const functions = Object.values(interruptionFunctions(built));
    expect(functions).toHaveLength(1);
    const fn = functions[0]!.Properties;
    expect(fn.Timeout).toBe(150);
    expect(fn.ReservedConcurrentExecutions).toBeUndefined();
    const nodeScaler = Object.values(built.template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('node scaler:') } }))[0]!.Properties;
    expect(fn.Role).toEqual(nodeScaler.Role);
    expect(fn.Handler).toBe(nodeScaler.Handler);
  });

  it('routes Spot warnings and rebalance recommendations, and only the groups’ terminate lifecycle actions', () => {
    const built = buildScaler({ nodeInterruptions: true });
    built.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning', 'EC2 Instance Rebalance Recommendation'] },
      Targets: [Match.objectLike({ RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 120 }, DeadLetterConfig: Match.anyValue() })],
    });
    built.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.autoscaling'],
        'detail-type': ['EC2 Instance-terminate Lifecycle Action'],
        detail: { AutoScalingGroupName: ['prod-workers'], LifecycleTransition: ['autoscaling:EC2_INSTANCE_TERMINATING'] },
      },
    });
    built.template.resourceCountIs('AWS::AutoScaling::LifecycleHook', 0);
  });

  it('rebalance recommendations can be left out', () => {
    const built = buildScaler({ nodeInterruptions: { rebalanceRecommendations: false } });
    built.template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.ec2'], 'detail-type': ['EC2 Spot Instance Interruption Warning'] } });
  });

  it('grants CompleteLifecycleAction on the configured groups only, and the two Describe calls IAM cannot scope', () => {
    const built = buildScaler({ nodeInterruptions: true });
    const statements = statementsOfRole(built.template, 'ScalerNodeScalerRole');
    expect(statements).toContainEqual(expect.objectContaining({ Sid: 'CompleteConfiguredGroupsLifecycleActions', Action: 'autoscaling:CompleteLifecycleAction', Resource: GROUP_ARN }));
    expect(statements).toContainEqual(
      expect.objectContaining({ Sid: 'DescribeInstancesAndLifecycleHooks', Action: ['autoscaling:DescribeAutoScalingInstances', 'autoscaling:DescribeLifecycleHooks'], Resource: '*' }),
    );
    expect(JSON.stringify(statements)).not.toMatch(/autoscaling:\*|CompleteLifecycleAction","Resource":"\*"/);
  });

  it('with lifecycleHooks: a terminate hook per group, and a timeout that covers its heartbeat', () => {
    const built = buildScaler({ nodeInterruptions: { lifecycleHooks: true, lifecycleHookHeartbeatSeconds: 300 } });
    built.template.hasResourceProperties('AWS::AutoScaling::LifecycleHook', {
      AutoScalingGroupName: 'prod-workers',
      LifecycleHookName: 'eks-lambda-scaler-drain',
      LifecycleTransition: 'autoscaling:EC2_INSTANCE_TERMINATING',
      HeartbeatTimeout: 300,
      DefaultResult: 'CONTINUE',
    });
    expect(Object.values(interruptionFunctions(built))[0]!.Properties.Timeout).toBe(330);
  });

  it.each([10, 601, 1.5])('refuses a heartbeat of %s seconds, naming the field and the range', (seconds) => {
    expect(() => buildScaler({ nodeInterruptions: { lifecycleHooks: true, lifecycleHookHeartbeatSeconds: seconds } })).toThrow(/nodeInterruptions\.lifecycleHookHeartbeatSeconds must be a whole number of seconds from 30 to 600/);
  });

  it('refuses interruption handling without node groups', () => {
    expect(() => buildScaler({ nodeGroups: [], nodeInterruptions: true })).toThrow(/nodeInterruptions needs nodeGroups/);
  });

  it('alarms on the handler failing or being throttled', () => {
    const built = buildScaler({ nodeInterruptions: true });
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('NodeInterruptions invocations failed') });
    built.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmDescription: Match.stringLikeRegexp('NodeInterruptions invocations were throttled') });
  });

  it('cdk-nag finds nothing unacknowledged', () => {
    const built = buildScaler({ nodeInterruptions: { lifecycleHooks: true } });
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
      pack.validateScope(built.app).violations.map((violation) => `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.locations?.join(',') ?? resource.resourceLogicalId).join('; ')}`),
    );
    expect(findings).toEqual([]);
  });
});
