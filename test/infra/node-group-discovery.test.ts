/**
 * The construct's node-group auto-discovery and managed-node-group reads: the configuration shipped
 * to the node scaler, IAM scoped by tag condition (a discovered group's name is unknown at synth),
 * eks:DescribeNodegroup on the clusters' node groups only, and no unacknowledged cdk-nag finding.
 */
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { asList, buildScaler, statementBySid, statementsOfRole } from './support/scaler-stack';

/** A statement's Condition block (the support helper's type leaves it out). */
const conditionOf = (statement: unknown) => (statement as { Condition?: unknown } | undefined)?.Condition;

const nagFindings = (built: ReturnType<typeof buildScaler>) =>
  [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) => pack.validateScope(built.app).violations.map((violation) => violation.ruleName));

describe('nodeGroupDiscovery', () => {
  const built = buildScaler({
    nodeGroups: [],
    nodeGroupDiscovery: [{ cluster: 'prod', scaleDownUnneededSeconds: 300 }, { cluster: 'prod', tags: { 'scaler.example.com/pool': 'batch', 'team-owned': '' } }],
  });
  const { template, scaler } = built;

  it('deploys the node scaler with discovery alone, and ships the entries in its configuration', () => {
    template.resourceCountIs('AWS::Lambda::Function', 2);
    expect(scaler.config.nodeGroupDiscovery).toEqual([
      { cluster: 'prod', scaleDownUnneededSeconds: 300 },
      { cluster: 'prod', tags: { 'scaler.example.com/pool': 'batch', 'team-owned': '' } },
    ]);
  });

  it("resizes only groups carrying the discovery tags: Cluster Autoscaler's by default, present with any value", () => {
    const statement = statementBySid(template, 'ScalerNodeScalerRole', 'ResizeDiscoveredNodeGroups0');
    expect(asList(statement?.Action).sort()).toEqual(['autoscaling:SetDesiredCapacity', 'autoscaling:TerminateInstanceInAutoScalingGroup']);
    expect(asList(statement?.Resource)).toEqual(['arn:aws:autoscaling:us-east-1:111111111111:autoScalingGroup:*:autoScalingGroupName/*']);
    expect(conditionOf(statement)).toEqual({ StringLike: { 'aws:ResourceTag/k8s.io/cluster-autoscaler/enabled': '*', 'aws:ResourceTag/k8s.io/cluster-autoscaler/prod': '*' } });
  });

  it('a tag with a value must equal it; a tag without one must be present', () => {
    expect(conditionOf(statementBySid(template, 'ScalerNodeScalerRole', 'ResizeDiscoveredNodeGroups1'))).toEqual({
      StringEquals: { 'aws:ResourceTag/scaler.example.com/pool': 'batch' },
      StringLike: { 'aws:ResourceTag/team-owned': '*' },
    });
  });

  it('reads managed node groups of its clusters only, and instance types (no resource-level permissions)', () => {
    expect(statementBySid(template, 'ScalerNodeScalerRole', 'DescribeManagedNodeGroups')).toMatchObject({
      Action: 'eks:DescribeNodegroup',
      Resource: 'arn:aws:eks:us-east-1:111111111111:nodegroup/prod/*/*',
    });
    expect(statementBySid(template, 'ScalerNodeScalerRole', 'DescribeInstanceTypes')).toMatchObject({ Action: 'ec2:DescribeInstanceTypes', Resource: '*' });
    // Nothing unconditional on every group: the only wildcard-group statements carry a condition.
    for (const statement of statementsOfRole(template, 'ScalerNodeScalerRole')) {
      if (JSON.stringify(statement.Resource).includes('autoScalingGroupName/*')) expect(conditionOf(statement)).toBeDefined();
    }
  });

  it('leaves no cdk-nag finding unacknowledged', () => {
    expect(nagFindings(built)).toEqual([]);
  });

  it.each([
    [{ cluster: 'staging' }, /nodeGroupDiscovery\[0\]\.cluster: "staging" is not in the construct's clusters \(prod\)/],
    [{ cluster: 'prod', tags: { '': 'x' } }, /nodeGroupDiscovery\[0\]\.tags: the key "" is not an AWS tag key/],
  ])('refuses %j at synth with the field and the fix', (entry, problem) => {
    expect(() => buildScaler({ nodeGroupDiscovery: [entry] })).toThrow(problem);
  });
});
