/**
 * The construct as CDK users expect one: clusters, node groups and the state table given as
 * constructs, grant* and metric* methods. Asserted on the synthesized template.
 */
import { App, Lazy, Stack } from 'aws-cdk-lib';
import { AutoScalingGroup } from 'aws-cdk-lib/aws-autoscaling';
import { MathExpression, Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Cluster } from 'aws-cdk-lib/aws-eks';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { EksLambdaScaler, ScaledObjectSource } from '../../lib';
import { ACCOUNT, FIXTURES, REGION, asList, buildScaler, statementBySid } from './support/scaler-stack';
import { join } from 'node:path';

/** A stack still open for more constructs (buildScaler synthesizes at once). */
function openStack() {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'GrantTest', { env: { account: ACCOUNT, region: REGION } });
  const scaler = new EksLambdaScaler(stack, 'Scaler', {
    clusters: [{ name: 'prod' }],
    scaledObjects: [ScaledObjectSource.fromFile(join(FIXTURES, 'scaled-objects.yaml'))],
  });
  return { stack, scaler };
}

describe('clusters, node groups and the state table as constructs', () => {
  it('takes an imported ICluster: its name goes in the configuration and its ARN in DescribeCluster', () => {
    const { scaler, template } = buildScaler((stack) => ({
      clusters: [Cluster.fromClusterAttributes(stack, 'Prod', { clusterName: 'prod' })],
    }));
    expect(scaler.config.clusters.map((cluster) => cluster.name)).toEqual(['prod']);
    const describe = statementBySid(template, 'ScalerPodScaler', 'DescribeScaledClusters');
    expect(JSON.stringify(describe?.Resource)).toContain(':cluster/prod');
  });

  it('takes an IAutoScalingGroup and limits resizing to its ARN', () => {
    const { scaler, template } = buildScaler((stack) => ({
      nodeGroups: [{ cluster: 'prod', autoScalingGroup: AutoScalingGroup.fromAutoScalingGroupName(stack, 'Workers', 'prod-workers') }],
    }));
    expect(scaler.config.nodeGroups.map((group) => group.autoScalingGroupName)).toEqual(['prod-workers']);
    const resize = statementBySid(template, 'ScalerNodeScaler', 'ResizeConfiguredNodeGroups');
    expect(JSON.stringify(resize?.Resource)).toContain('autoScalingGroupName/prod-workers');
  });

  it('refuses a group whose name is a token, naming the construct and the fix', () => {
    expect(() =>
      buildScaler((stack) => {
        const unnamed = AutoScalingGroup.fromAutoScalingGroupName(stack, 'Unnamed', Lazy.string({ produce: () => 'known-at-deploy' }));
        return { nodeGroups: [{ cluster: 'prod', autoScalingGroup: unnamed }] };
      }),
    ).toThrow(/Unnamed has no literal autoScalingGroupName .* set autoScalingGroupName on the AutoScalingGroup/);
  });

  it('uses a state table the app brings instead of creating one', () => {
    let given: Table | undefined;
    const { scaler, template } = buildScaler((stack) => {
      given = Table.fromTableName(stack, 'Existing', 'scaler-state') as Table;
      return { stateTable: given };
    });
    expect(scaler.table).toBe(given);
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    const state = statementBySid(template, 'ScalerPodScaler', 'ReadWriteScalerState');
    expect(JSON.stringify(state?.Resource)).toContain('table/scaler-state');
  });
});

describe('grant* methods', () => {
  it('grantReadState gives reads of the state table and no writes', () => {
    const { stack, scaler } = openStack();
    const operator = new Role(stack, 'Operator', { assumedBy: new ServicePrincipal('ec2.amazonaws.com') });
    scaler.grantReadState(operator);
    const template = Template.fromStack(stack);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
      (policy.Properties.Roles as { Ref: string }[]).some((role) => role.Ref.startsWith('Operator')),
    );
    const actions = policies.flatMap((policy) => (policy.Properties.PolicyDocument.Statement as { Action: string | string[] }[]).flatMap((s) => asList(s.Action)));
    expect(actions).toContain('dynamodb:Scan');
    expect(actions).toContain('dynamodb:GetItem');
    expect(actions.some((action) => /Put|Update|Delete|BatchWrite/.test(action))).toBe(false);
  });

  it('grantInvokePodScaler gives lambda:InvokeFunction on the pod scaler', () => {
    const { stack, scaler } = openStack();
    const runbook = new Role(stack, 'Runbook', { assumedBy: new ServicePrincipal('ssm.amazonaws.com') });
    scaler.grantInvokePodScaler(runbook);
    const text = JSON.stringify(Template.fromStack(stack).toJSON().Resources);
    expect(text).toContain('lambda:InvokeFunction');
  });
});

describe('metric* methods on the aggregate metrics', () => {
  it('gives the one cluster\'s metric, Sum per minute, in the scalers\' namespace', () => {
    const { stack, scaler } = buildScaler();
    const metric = scaler.metricObjectsInFallback() as Metric;
    expect(metric).toBeInstanceOf(Metric);
    expect(metric.namespace).toBe('EksLambdaScaler');
    expect(metric.metricName).toBe('ObjectsInFallback');
    expect(metric.dimensions).toEqual({ Cluster: 'prod' });
    expect(metric.statistic).toBe('Sum');
    expect(stack.resolve(metric.period.toSeconds())).toBe(60);
    expect((scaler.metricErrors() as Metric).metricName).toBe('ObjectsWithErrors');
  });

  it('sums over every cluster, counting a silent cluster as 0, or gives one cluster when asked', () => {
    const { scaler } = buildScaler({ clusters: [{ name: 'prod' }, { name: 'staging' }] });
    const fleet = scaler.metricErrors() as MathExpression;
    expect(fleet).toBeInstanceOf(MathExpression);
    expect(fleet.expression).toBe('SUM([FILL(c0, 0), FILL(c1, 0)])');
    expect(Object.values(fleet.usingMetrics).map((metric) => (metric as Metric).dimensions)).toEqual([{ Cluster: 'prod' }, { Cluster: 'staging' }]);
    expect((scaler.metricErrors({ cluster: 'staging', period: undefined }) as Metric).dimensions).toEqual({ Cluster: 'staging' });
    expect(() => scaler.metricErrors({ cluster: 'nope' })).toThrow(/no cluster "nope" in this scaler \(its clusters: prod, staging\)/);
  });

  it('passes CloudWatch options through (statistic, period)', () => {
    const { scaler } = buildScaler();
    const metric = scaler.metricObjectsScaled({ statistic: 'Maximum' }) as Metric;
    expect(metric.statistic).toBe('Maximum');
  });
});
