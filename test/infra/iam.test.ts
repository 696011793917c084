/** IAM derived from the ScaledObjects: exactly the resources named, no wildcard actions. */
import { join } from 'node:path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { ScaledObjectSource } from '../../lib';
import { asList, buildScaler, sqsScaledObject, statementBySid, statementsOfRole } from './support/scaler-stack';

const ORDERS = 'https://sqs.us-east-1.amazonaws.com/123456789012/orders';
const REFUNDS = 'https://sqs.us-east-1.amazonaws.com/123456789012/refunds';

describe('pod scaler permissions from the fixture ScaledObjects', () => {
  const { template } = buildScaler();
  const sid = (name: string) => statementBySid(template, 'ScalerPodScalerRole', name);

  it.each([
    ['ReadScaledObjectQueues', 'sqs:GetQueueAttributes', ['arn:aws:sqs:us-east-1:111111111111:orders']],
    ['ReadScaledObjectStreams', 'kinesis:ListShards', ['arn:aws:kinesis:us-east-1:111111111111:stream/clicks']],
    ['AssumeTriggerRoles', 'sts:AssumeRole', ['arn:aws:iam::222222222222:role/partner-feed-reader']],
    ['ReadCloudWatchMetrics', 'cloudwatch:GetMetricData', ['*']],
    ['DescribeScaledClusters', 'eks:DescribeCluster', ['arn:aws:eks:us-east-1:111111111111:cluster/prod']],
  ])('%s: %s on exactly %j', (name, action, resources) => {
    expect(sid(name)).toMatchObject({ Effect: 'Allow', Action: action });
    expect(asList(sid(name)?.Resource)).toEqual(resources);
  });

  it('never grants the queue read through an assumed role (the role carries it)', () => {
    const all = JSON.stringify(statementsOfRole(template, 'ScalerPodScalerRole'));
    expect(all).not.toContain('partner-feed"');
    expect(all).not.toContain(':sqs:eu-west-1');
  });

  it('each scaler reads and writes the state table only, with only the calls its state store makes', () => {
    const stateStatement = (role: string) => statementsOfRole(template, role).find((statement) => statement.Sid === 'ReadWriteScalerState');
    const pod = stateStatement('ScalerPodScalerRole');
    expect(pod?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/StateTable/), 'Arn'] });
    expect(asList(pod?.Action).sort()).toEqual(['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:Scan']);
    const node = stateStatement('ScalerNodeScalerRole');
    expect(node?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/StateTable/), 'Arn'] });
    expect(asList(node?.Action).sort()).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem']);
    // The node scaler can reach node-group items only, never an object's state.
    expect((node as { Condition?: unknown } | undefined)?.Condition).toEqual({ 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['nodegroup/*'] } });
  });

  it('may invoke the node scaler and itself (shards), nothing else', () => {
    const invokes = statementsOfRole(template, 'ScalerPodScalerRole').filter((s) => asList(s.Action).includes('lambda:InvokeFunction'));
    expect(invokes.map((s) => s.Resource)).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': [expect.stringMatching(/NodeScalerFunction/), 'Arn'] },
        { 'Fn::GetAtt': [expect.stringMatching(/PodScalerFunction/), 'Arn'] },
      ]),
    );
    expect(invokes).toHaveLength(2);
  });

  it('no policy in the stack has a wildcard action', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const actions = policies.flatMap((policy) =>
      (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) => asList(s.Action)),
    );
    expect(actions.length).toBeGreaterThan(10);
    for (const action of actions) expect(action).toMatch(/^[a-z0-9-]+:[A-Za-z]+$/);
  });

  it('writes logs only to the function\'s own log group (no AWS managed policy)', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    const logs = statementsOfRole(template, 'ScalerPodScalerRole').find((s) => asList(s.Action).includes('logs:PutLogEvents'));
    expect(logs?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/PodScalerLogs/), 'Arn'] });
  });
});

describe('node scaler permissions', () => {
  const { template } = buildScaler({
    nodeGroups: [
      { cluster: 'prod', autoScalingGroupName: 'prod-workers' },
      { cluster: 'prod', autoScalingGroupName: 'prod-gpu' },
    ],
  });

  it('changes capacity of the configured groups only', () => {
    const statement = statementBySid(template, 'ScalerNodeScalerRole', 'ResizeConfiguredNodeGroups');
    expect(asList(statement?.Action).sort()).toEqual(['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup']);
    expect(asList(statement?.Resource).sort()).toEqual([
      'arn:aws:autoscaling:us-east-1:111111111111:autoScalingGroup:*:autoScalingGroupName/prod-gpu',
      'arn:aws:autoscaling:us-east-1:111111111111:autoScalingGroup:*:autoScalingGroupName/prod-workers',
    ]);
  });

  it('describes groups with the two read calls that have no resource-level permissions', () => {
    const statement = statementBySid(template, 'ScalerNodeScalerRole', 'DescribeNodeGroups');
    expect(asList(statement?.Action).sort()).toEqual(['autoscaling:DescribeAutoScalingGroups', 'autoscaling:DescribeScalingActivities']);
  });

  it('reads no trigger source (its only SQS access is sending failures to the dead-letter queue)', () => {
    const statements = statementsOfRole(template, 'ScalerNodeScalerRole');
    const all = JSON.stringify(statements);
    for (const action of ['kinesis:', 'sts:AssumeRole', 'cloudwatch:GetMetricData']) expect(all).not.toContain(action);
    for (const statement of statements.filter((s) => asList(s.Action).some((a) => a.startsWith('sqs:')))) {
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/FailedInvocations/), 'Arn'] });
    }
  });

  it('is not deployed when no node group is configured', () => {
    const { template: podOnly } = buildScaler({ nodeGroups: [] });
    podOnly.resourceCountIs('AWS::Lambda::Function', 1);
    podOnly.resourceCountIs('AWS::Scheduler::Schedule', 1);
  });
});

describe('a second queue widens the policy by exactly that queue', () => {
  const queueStatement = (yaml: string) => {
    const { template } = buildScaler({ scaledObjects: [ScaledObjectSource.fromYaml(yaml, 'objects.yaml')] });
    return {
      queues: asList(statementBySid(template, 'ScalerPodScalerRole', 'ReadScaledObjectQueues')?.Resource),
      others: statementsOfRole(template, 'ScalerPodScalerRole').filter((s) => s.Sid !== 'ReadScaledObjectQueues'),
    };
  };
  const one = queueStatement(sqsScaledObject('orders', ORDERS));
  const two = queueStatement(`${sqsScaledObject('orders', ORDERS)}---\n${sqsScaledObject('refunds', REFUNDS)}`);

  it('adds the second queue and nothing else', () => {
    expect(one.queues).toEqual(['arn:aws:sqs:us-east-1:123456789012:orders']);
    expect(two.queues).toEqual(['arn:aws:sqs:us-east-1:123456789012:orders', 'arn:aws:sqs:us-east-1:123456789012:refunds']);
    expect(two.others).toEqual(one.others);
  });

  it('a second trigger on the same queue widens nothing', () => {
    const same = queueStatement(`${sqsScaledObject('orders', ORDERS)}---\n${sqsScaledObject('orders-too', ORDERS)}`);
    expect(same.queues).toEqual(one.queues);
  });
});

describe('queue names and run-time resources', () => {
  it('a bare queue name resolves in the stack account and may look its URL up', () => {
    const { template } = buildScaler({ scaledObjects: [ScaledObjectSource.fromYaml(sqsScaledObject('orders', 'orders'))] });
    const arn = 'arn:aws:sqs:us-east-1:111111111111:orders';
    expect(statementBySid(template, 'ScalerPodScalerRole', 'ReadScaledObjectQueues')?.Resource).toBe(arn);
    expect(statementBySid(template, 'ScalerPodScalerRole', 'ResolveQueueNames')).toMatchObject({ Action: 'sqs:GetQueueUrl', Resource: arn });
  });

  it('warns at synth about a queue only the container env names, and grants what the user lists', () => {
    const yaml = sqsScaledObject('orders', 'x').replace('queueURL: "x"', 'queueURLFromEnv: "QUEUE_URL"');
    const unscoped = buildScaler({ scaledObjects: [ScaledObjectSource.fromYaml(yaml)] });
    Annotations.fromStack(unscoped.stack).hasWarning('*', Match.stringLikeRegexp('jobs/orders: spec.triggers\\[0\\].metadata.queueURLFromEnv'));
    expect(statementBySid(unscoped.template, 'ScalerPodScalerRole', 'ReadScaledObjectQueues')).toBeUndefined();

    const granted = buildScaler({
      scaledObjects: [ScaledObjectSource.fromYaml(yaml)],
      additionalTriggerResources: { queueArns: ['arn:aws:sqs:us-east-1:111111111111:from-env'] },
    });
    expect(statementBySid(granted.template, 'ScalerPodScalerRole', 'ReadScaledObjectQueues')?.Resource).toBe('arn:aws:sqs:us-east-1:111111111111:from-env');
    // Which listed queue serves which env-named trigger cannot be known at synth: the warning stays.
    Annotations.fromStack(granted.stack).hasWarning('*', Match.stringLikeRegexp('queueURLFromEnv.*check that they cover it'));
  });

  it('clusters in another region get their own ARN, and an access entry warning instead of an entry', () => {
    const { template, stack } = buildScaler({ clusters: [{ name: 'prod' }, { name: 'prod-eu', region: 'eu-west-1' }] });
    expect(asList(statementBySid(template, 'ScalerPodScalerRole', 'DescribeScaledClusters')?.Resource)).toEqual([
      'arn:aws:eks:us-east-1:111111111111:cluster/prod',
      'arn:aws:eks:eu-west-1:111111111111:cluster/prod-eu',
    ]);
    template.resourceCountIs('AWS::EKS::AccessEntry', 2);
    Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp('cluster prod-eu is in eu-west-1'));
  });
});

describe('DynamoDB trigger permissions (the example manifests)', () => {
  it('grants dynamodb:Query on the aws-dynamodb table, and DescribeTable/DescribeStream on the aws-dynamodb-streams table and its streams', () => {
    const examples = join(import.meta.dirname, '..', '..', 'examples');
    const { template } = buildScaler({
      scaledObjects: [ScaledObjectSource.fromFile(join(examples, 'dynamodb-jobs.yaml')), ScaledObjectSource.fromFile(join(examples, 'dynamodb-stream-consumer.yaml'))],
    });
    const sid = (name: string) => statementBySid(template, 'ScalerPodScalerRole', name);
    expect(sid('QueryScaledObjectTables')).toMatchObject({ Effect: 'Allow', Action: 'dynamodb:Query' });
    expect(asList(sid('QueryScaledObjectTables')?.Resource)).toEqual(['arn:aws:dynamodb:eu-central-1:111111111111:table/jobs']);
    expect(asList(sid('DescribeScaledObjectTableStreams')?.Action)).toEqual(['dynamodb:DescribeTable', 'dynamodb:DescribeStream']);
    expect(asList(sid('DescribeScaledObjectTableStreams')?.Resource)).toEqual([
      'arn:aws:dynamodb:us-east-1:111111111111:table/orders',
      'arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/*',
    ]);
  });
});
