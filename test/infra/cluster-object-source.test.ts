/**
 * The construct for clusters whose ScaledObjects live in the cluster (issue 14): the source and
 * namespaces reach the Lambdas' configuration, the pod scaler's role gets exactly the ARN patterns
 * given (action for action what the run-time check assumes), and what cannot work fails synth.
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { ScaledObjectSource } from '../../lib';
import { asList, buildScaler, sqsScaledObject, statementBySid, statementsOfRole } from './support/scaler-stack';

const LIVE = { clusters: [{ name: 'prod', objectSource: 'cluster' as const, namespaces: ['shop', 'billing'] }], scaledObjects: [], nodeGroups: [] };
const PERMISSIONS = {
  queueArns: ['arn:aws:sqs:us-east-1:111111111111:shop-*'],
  streamArns: ['arn:aws:kinesis:us-east-1:111111111111:stream/clicks'],
  tableArns: ['arn:aws:dynamodb:us-east-1:111111111111:table/jobs'],
  roleArns: ['arn:aws:iam::222222222222:role/keda-*'],
  cloudWatchMetrics: true,
};

describe('a cluster with objectSource: cluster', () => {
  const { scaler, template } = buildScaler({ ...LIVE, clusterObjectPermissions: PERMISSIONS });
  const sid = (name: string) => statementBySid(template, 'ScalerPodScalerRole', name);

  it('ships the source, the namespaces and the permissions in the configuration', () => {
    expect(scaler.config.defaultCluster).toMatchObject({ name: 'prod', objectSource: 'cluster', namespaces: ['shop', 'billing'] });
    expect(scaler.config.clusterObjectPermissions).toEqual(PERMISSIONS);
  });

  it.each([
    ['ReadClusterObjectQueues', ['sqs:GetQueueAttributes', 'sqs:GetQueueUrl'], PERMISSIONS.queueArns],
    ['ReadClusterObjectStreams', 'kinesis:ListShards', PERMISSIONS.streamArns],
    ['QueryClusterObjectTables', ['dynamodb:Query', 'dynamodb:DescribeTable'], ['arn:aws:dynamodb:us-east-1:111111111111:table/jobs', 'arn:aws:dynamodb:us-east-1:111111111111:table/jobs/index/*']],
    ['DescribeClusterObjectTableStreams', 'dynamodb:DescribeStream', ['arn:aws:dynamodb:us-east-1:111111111111:table/jobs/stream/*']],
    ['AssumeClusterObjectRoles', 'sts:AssumeRole', PERMISSIONS.roleArns],
    ['ReadClusterObjectCloudWatchMetrics', 'cloudwatch:GetMetricData', ['*']],
  ])('%s: %j on exactly %j', (name, action, resources) => {
    expect(sid(name)).toMatchObject({ Effect: 'Allow', Action: action });
    expect(asList(sid(name)?.Resource)).toEqual(resources);
  });

  it("tells the pod scaler the stack's account (for queues and tables named without one)", () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { SCALER_ACCOUNT_ID: '111111111111' } } });
  });

  it('cdk-nag finds nothing unacknowledged: each user-given wildcard pattern is acknowledged with its reason', () => {
    const built = buildScaler({ ...LIVE, clusterObjectPermissions: PERMISSIONS });
    const violations = new AwsSolutionsChecks().validateScope(built.app).violations.map((violation) => violation.ruleName);
    expect(violations).toEqual([]);
  });
});

describe('a cluster with objectSource: cluster and no permissions', () => {
  const { scaler, template } = buildScaler(LIVE);

  it('grants no trigger read and checks every object against nothing (each AWS trigger is rejected with the statement to add)', () => {
    expect(scaler.config.clusterObjectPermissions).toEqual({});
    const sids = statementsOfRole(template, 'ScalerPodScalerRole').map((statement) => statement.Sid ?? '');
    expect(sids.filter((name) => name.includes('ClusterObject') || name.includes('ScaledObject') || name === 'AssumeTriggerRoles')).toEqual([]);
  });
});

describe('what fails synth', () => {
  it.each([
    [
      'a bundled object for a cluster that reads its objects from the cluster',
      { ...LIVE, scaledObjects: [ScaledObjectSource.fromYaml(sqsScaledObject('orders', 'https://sqs.us-east-1.amazonaws.com/111111111111/orders'))] },
      `cluster "prod" reads its ScaledObjects from the cluster (objectSource: 'cluster'), so this bundled object would never be scaled`,
    ],
    ['namespaces without the cluster source', { clusters: [{ name: 'prod', namespaces: ['shop'] }], nodeGroups: [] }, "namespaces applies to objectSource: 'cluster' only"],
    ['a namespace the API server would refuse', { clusters: [{ name: 'prod', objectSource: 'cluster' as const, namespaces: ['Shop'] }], scaledObjects: [], nodeGroups: [] }, 'cluster prod: namespaces: '],
    ['permissions with no cluster-sourced cluster', { clusterObjectPermissions: PERMISSIONS, nodeGroups: [] }, "clusterObjectPermissions applies to clusters with objectSource: 'cluster' only"],
  ])('%s', (_label, props, message) => {
    expect(() => buildScaler(props)).toThrow(message);
  });
});
