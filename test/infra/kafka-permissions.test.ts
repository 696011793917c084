/**
 * IAM for Amazon MSK IAM kafka triggers that sign with the scaler's own role: kafka-cluster:Connect
 * on the cluster, DescribeTopic on the topics, DescribeGroup on the group, nothing else; none when a
 * podIdentity role signs (that role carries them) and none for SASL/SCRAM.
 */
import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import { deriveTriggerResources } from '../../lambdas/engine/iam/trigger-resources';

const context = { account: '999999999999', partitionOf: () => 'aws' };
const HOSTS = 'b-1.payments.a1b2c3.c2.kafka.eu-west-1.amazonaws.com:9098,b-2.payments.a1b2c3.c2.kafka.eu-west-1.amazonaws.com:9098';

function manifests(podIdentity: string, bootstrapServers = HOSTS): string {
  return `
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: msk, namespace: payments}
spec:
  podIdentity: {provider: aws${podIdentity}}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: settlement, namespace: payments}
spec:
  scaleTargetRef: {name: settlement}
  triggers:
    - type: apache-kafka
      authenticationRef: {name: msk}
      metadata: {bootstrapServers: "${bootstrapServers}", consumerGroup: settlement, topic: "settlements,refunds", sasl: aws_msk_iam, tls: enable, awsRegion: eu-west-1}
`;
}

function resources(yaml: string) {
  const parsed = parseManifests(yaml, { file: 'test.yaml' });
  expect(parsed.errors).toEqual([]);
  return deriveTriggerResources(parsed.objects, context);
}

describe('MSK IAM permissions', () => {
  it('grants the scaler\'s own role Connect, DescribeTopic and DescribeGroup on that cluster\'s names only', () => {
    expect(resources(manifests('')).msk).toEqual({
      clusterArns: ['arn:aws:kafka:eu-west-1:999999999999:cluster/payments/*'],
      topicArns: ['arn:aws:kafka:eu-west-1:999999999999:topic/payments/*/refunds', 'arn:aws:kafka:eu-west-1:999999999999:topic/payments/*/settlements'],
      groupArns: ['arn:aws:kafka:eu-west-1:999999999999:group/payments/*/settlement'],
    });
  });

  it('grants only sts:AssumeRole when a podIdentity role signs', () => {
    const derived = resources(manifests(', roleArn: "arn:aws:iam::123456789012:role/msk-lag-reader"'));
    expect(derived.msk).toEqual({ clusterArns: [], topicArns: [], groupArns: [] });
    expect(derived.assumeRoleArns).toEqual(['arn:aws:iam::123456789012:role/msk-lag-reader']);
  });

  it('says why nothing can be derived for brokers that are not one MSK cluster\'s', () => {
    const derived = resources(manifests('', 'kafka-0.internal:9098'));
    expect(derived.msk.clusterArns).toEqual([]);
    expect(derived.unscoped).toEqual([expect.objectContaining({ field: 'spec.triggers[0].metadata.bootstrapServers' })]);
  });
});
