/** cdk-nag (AwsSolutions and Serverless packs): zero unacknowledged findings, a written reason for each acknowledgement. */
import { Validations } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { SecurityGroup, Vpc } from 'aws-cdk-lib/aws-ec2';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { buildScaler } from './support/scaler-stack';
import type { BuiltScaler } from './support/scaler-stack';

function findings(built: BuiltScaler): string[] {
  return [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((pack) =>
    pack.validateScope(built.app).violations.map(
      (violation) => `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.locations?.join(',') ?? resource.resourceLogicalId).join('; ')}`,
    ),
  );
}

function acknowledgements(scope: IConstruct): { path: string; id: string; reason: string }[] {
  return scope.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id, reason })),
      ),
  );
}

describe('cdk-nag', () => {
  it('finds nothing unacknowledged in the default deployment', () => {
    expect(findings(buildScaler())).toEqual([]);
  });

  it('finds nothing unacknowledged with VPC placement for a private endpoint', () => {
    const built = buildScaler((stack) => {
      const vpc = new Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
      const clusterSecurityGroup = new SecurityGroup(stack, 'ClusterSecurityGroup', { vpc });
      return { vpc: { vpc, clusterSecurityGroups: [clusterSecurityGroup] } };
    });
    // The VPC itself is the test's, not the construct's: only the construct's resources are judged.
    const scalerFindings = findings(built).filter((finding) => finding.includes('/Scaler/'));
    expect(scalerFindings).toEqual([]);
    built.template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ScalerNetworkSecurityGroup'), 'GroupId'] },
    });
  });

  it('finds nothing unacknowledged with Kafka brokers in the VPC, and opens only their ports', () => {
    const built = buildScaler((stack) => {
      const vpc = new Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 1 });
      const msk = new SecurityGroup(stack, 'MskSecurityGroup', { vpc });
      return { vpc: { vpc, kafkaBrokers: [{ securityGroup: msk, ports: [9096, 9098] }] } };
    });
    expect(findings(built).filter((finding) => finding.includes('/Scaler/'))).toEqual([]);
    for (const port of [9096, 9098]) {
      built.template.hasResourceProperties('AWS::EC2::SecurityGroupIngress', {
        IpProtocol: 'tcp',
        FromPort: port,
        ToPort: port,
        GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('MskSecurityGroup'), 'GroupId'] },
        SourceSecurityGroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ScalerNetworkSecurityGroup'), 'GroupId'] },
      });
      built.template.hasResourceProperties('AWS::EC2::SecurityGroupEgress', { IpProtocol: 'tcp', FromPort: port, ToPort: port });
    }
  });

  it('gives a reason for every acknowledgement', () => {
    const built = buildScaler();
    const acknowledged = acknowledgements(built.stack);
    expect(acknowledged.length).toBeGreaterThan(0);
    for (const { reason } of acknowledged) expect(reason.length).toBeGreaterThan(40);
  });
});
