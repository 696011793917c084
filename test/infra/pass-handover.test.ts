/**
 * Issue 13: the pod scaler's scheduled window parks between its passes and an SQS delay queue wakes
 * it (lambdas/pod-scaler/parked-windows.ts); `passHandover: 'sleep'` keeps the old sleeping window.
 */
import { describe, expect, it } from 'vitest';
import { Match } from 'aws-cdk-lib/assertions';
import { buildScaler } from './support/scaler-stack';

const podScalerOf = (template: ReturnType<typeof buildScaler>['template']) => {
  const functions = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp('pod scaler') } });
  const [id, resource] = Object.entries(functions)[0]!;
  return { id, properties: resource.Properties as { Environment: { Variables: Record<string, unknown> }; Role: { 'Fn::GetAtt': string[] } } };
};

describe('pass hand-over queue', () => {
  it('is on by default: a short-lived encrypted queue, one message per invocation, failures to the failed-invocations queue', () => {
    const { template, scaler, stack } = buildScaler();
    const queueId = stack.getLogicalId(scaler.passHandoverQueue!.node.defaultChild as never);
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 300,
      // The pod scaler's 70 s timeout and a margin: Lambda refuses a mapping whose queue hides less.
      VisibilityTimeout: 80,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [stack.getLogicalId(scaler.failureQueue.node.defaultChild as never), 'Arn'] }, maxReceiveCount: 2 },
    });
    const pod = podScalerOf(template);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: pod.id },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: 1,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    expect(pod.properties.Environment.Variables.PASS_HANDOVER_QUEUE_URL).toEqual({ Ref: queueId });
  });

  it('lets only the pod scaler send to it, over TLS only', () => {
    const { template, scaler, stack } = buildScaler();
    const queueId = stack.getLogicalId(scaler.passHandoverQueue!.node.defaultChild as never);
    const pod = podScalerOf(template);
    const policies = template.findResources('AWS::IAM::Policy');
    const senders = Object.values(policies).filter((policy) =>
      JSON.stringify(policy.Properties.PolicyDocument).includes('sqs:SendMessage') && JSON.stringify(policy.Properties.PolicyDocument).includes(queueId),
    );
    expect(senders).toHaveLength(1);
    expect(JSON.stringify(senders[0]!.Properties.Roles)).toContain(pod.properties.Role['Fn::GetAtt'][0]);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId }],
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it("is absent with passHandover: 'sleep': no queue, no mapping, the window sleeps", () => {
    const { template, scaler } = buildScaler({ passHandover: 'sleep' });
    expect(scaler.passHandoverQueue).toBeUndefined();
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
    expect(podScalerOf(template).properties.Environment.Variables.PASS_HANDOVER_QUEUE_URL).toBeUndefined();
  });

  it('names the allowed values when given another', () => {
    expect(() => buildScaler({ passHandover: 'nap' as never })).toThrow(/passHandover is nap; it must be 'queue' \(default\) or 'sleep'/);
  });

  it('adds the same three resources whatever the fleet', () => {
    const count = (props: Parameters<typeof buildScaler>[0]) => Object.keys(buildScaler(props).template.toJSON().Resources as object).length;
    expect(count({}) - count({ passHandover: 'sleep' })).toBe(3); // queue, its TLS policy, the mapping
  });
});
