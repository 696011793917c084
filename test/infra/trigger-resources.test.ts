import { describe, expect, it } from 'vitest';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import { deriveTriggerResources, locateQueue } from '../../lambdas/engine/iam/trigger-resources';
import { sqsScaledObject } from './support/scaler-stack';

const context = { account: '999999999999', partitionOf: (region: string) => (region.startsWith('cn-') ? 'aws-cn' : 'aws') };

function objectsFrom(yaml: string) {
  const result = parseManifests(yaml, { file: 'test.yaml' });
  expect(result.errors).toEqual([]);
  return result.objects;
}

describe('locateQueue (KEDA reading of queueURL)', () => {
  it.each([
    ['AWS URL: region from the host', 'https://sqs.eu-west-1.amazonaws.com/123456789012/orders', 'us-east-1', { name: 'orders', region: 'eu-west-1', account: '123456789012', bareName: false }],
    ['legacy AWS host', 'https://us-west-2.queue.amazonaws.com/123456789012/q', 'us-east-1', { name: 'q', region: 'us-west-2', account: '123456789012', bareName: false }],
    ['FIFO queue', 'https://sqs.us-east-1.amazonaws.com/123456789012/jobs.fifo', 'us-east-1', { name: 'jobs.fifo', region: 'us-east-1', account: '123456789012', bareName: false }],
    ['bare name: the stack account', 'orders', 'us-east-1', { name: 'orders', region: 'us-east-1', bareName: true }],
    ['emulator URL: account from the path, region from awsRegion', 'http://localhost:4566/000000000000/orders', 'eu-central-1', { name: 'orders', region: 'eu-central-1', account: '000000000000', bareName: false }],
    ['VPC endpoint URL', 'https://vpce-0abc-xyz.sqs.us-east-1.vpce.amazonaws.com/123456789012/orders', 'us-east-1', { name: 'orders', region: 'us-east-1', account: '123456789012', bareName: false }],
    ['path-only URI', '/123456789012/orders', 'us-east-1', { name: 'orders', region: 'us-east-1', account: '123456789012', bareName: false }],
    ['elasticmq-style path without an account id', 'http://localhost:9324/queue/orders', 'us-east-1', { name: 'orders', region: 'us-east-1', account: undefined, bareName: false }],
  ])('%s', (_label, url, awsRegion, expected) => {
    expect(locateQueue(url, awsRegion)).toEqual(expected);
  });

  it.each(['https://sqs.us-east-1.amazonaws.com/123456789012', 'https://sqs.us-east-1.amazonaws.com/123456789012/orders/'])(
    'rejects %s as KEDA does (no /<account>/<name> path)',
    (url) => {
      expect(locateQueue(url, 'us-east-1')).toBeUndefined();
    },
  );
});

describe('deriveTriggerResources', () => {
  it('grants each queue, stream and role named, sorted and deduplicated', () => {
    const objects = objectsFrom(
      [
        sqsScaledObject('a', 'https://sqs.us-east-1.amazonaws.com/123456789012/orders'),
        sqsScaledObject('b', 'https://sqs.us-east-1.amazonaws.com/123456789012/orders'),
        sqsScaledObject('c', 'billing'),
        sqsScaledObject('d', 'https://sqs.us-east-1.amazonaws.com/222222222222/partner', {
          awsRoleArn: 'arn:aws:iam::222222222222:role/reader',
        }),
      ].join('---\n'),
    );
    const resources = deriveTriggerResources(objects, context);
    expect(resources.queueArns).toEqual(['arn:aws:sqs:us-east-1:123456789012:orders', 'arn:aws:sqs:us-east-1:999999999999:billing']);
    expect(resources.queueUrlLookupArns).toEqual(['arn:aws:sqs:us-east-1:999999999999:billing']);
    // Read through an assumed role: only the role, never the queue itself.
    expect(resources.assumeRoleArns).toEqual(['arn:aws:iam::222222222222:role/reader']);
    expect(resources.readsCloudWatch).toBe(false);
    expect(resources.unscoped).toEqual([]);
  });

  it('grants dynamodb:Query on each aws-dynamodb table, or on its index when indexName is set', () => {
    const table = (name: string, metadata: string) => `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: ${name}, namespace: jobs}
spec:
  scaleTargetRef: {name: ${name}}
  triggers:
    - type: aws-dynamodb
      metadata:
        awsRegion: eu-west-1
        keyConditionExpression: "#k = :v"
        expressionAttributeNames: '{"#k": "status"}'
        expressionAttributeValues: '{":v": {"S": "pending"}}'
        targetValue: "10"
${metadata}
`;
    const objects = objectsFrom([table('a', '        tableName: jobs'), table('b', '        tableName: jobs'), table('c', '        tableName: jobs\n        indexName: by-status')].join('---\n'));
    expect(deriveTriggerResources(objects, context).tableArns).toEqual([
      'arn:aws:dynamodb:eu-west-1:999999999999:table/jobs',
      'arn:aws:dynamodb:eu-west-1:999999999999:table/jobs/index/by-status',
    ]);
  });

  it('grants DescribeTable on each aws-dynamodb-streams table and DescribeStream on its streams', () => {
    const yaml = ['orders', 'orders', 'payments'].map((table, i) => `apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: s${i}, namespace: jobs}
spec:
  scaleTargetRef: {name: s${i}}
  triggers:
    - type: aws-dynamodb-streams
      metadata: {tableName: ${table}, awsRegion: us-west-2}
`).join('---\n');
    expect(deriveTriggerResources(objectsFrom(yaml), context).tableStreamArns).toEqual([
      { tableArn: 'arn:aws:dynamodb:us-west-2:999999999999:table/orders', streamArn: 'arn:aws:dynamodb:us-west-2:999999999999:table/orders/stream/*' },
      { tableArn: 'arn:aws:dynamodb:us-west-2:999999999999:table/payments', streamArn: 'arn:aws:dynamodb:us-west-2:999999999999:table/payments/stream/*' },
    ]);
  });

  it('uses the partition of the queue region', () => {
    const objects = objectsFrom(sqsScaledObject('a', 'https://sqs.cn-north-1.amazonaws.com.cn/123456789012/orders', { awsRegion: 'cn-north-1' }));
    expect(deriveTriggerResources(objects, context).queueArns).toEqual(['arn:aws-cn:sqs:cn-north-1:123456789012:orders']);
  });

  it('reports a queue that only the container env names, instead of granting anything', () => {
    const yaml = sqsScaledObject('a', 'unused').replace('queueURL: "unused"', 'queueURLFromEnv: "QUEUE_URL"');
    const resources = deriveTriggerResources(objectsFrom(yaml), context);
    expect(resources.queueArns).toEqual([]);
    expect(resources.unscoped).toEqual([
      expect.objectContaining({ objectId: 'jobs/a', field: 'spec.triggers[0].metadata.queueURLFromEnv' }),
    ]);
  });
});

describe('deriveTriggerResources: prometheus', () => {
  const prometheus = (name: string, serverAddress: string, auth: string) => `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: ${name}, namespace: jobs}
spec:
  scaleTargetRef: {name: ${name}}
  triggers:
    - type: prometheus
      ${auth ? `authenticationRef: {name: ${auth}}` : ''}
      metadata: {serverAddress: "${serverAddress}", query: up, threshold: "1", awsRegion: eu-west-1}
`;
  const auth = (name: string, role = '') => `
apiVersion: keda.sh/v1alpha1
kind: TriggerAuthentication
metadata: {name: ${name}, namespace: jobs}
spec:
  podIdentity: {provider: aws${role ? `, roleArn: "${role}"` : ''}}
`;

  it('grants aps:QueryMetrics on the workspace a SigV4 query names with the scaler\'s own role, sts:AssumeRole for a podIdentity role, nothing for unsigned servers', () => {
    const amp = 'https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    const objects = objectsFrom(
      [
        auth('own'),
        auth('role', 'arn:aws:iam::222222222222:role/amp-reader'),
        prometheus('a', amp, 'own'),
        prometheus('b', amp, 'role'),
        prometheus('c', 'http://prometheus-operated.monitoring.svc:9090', ''),
        prometheus('d', 'https://vpce-0abc.aps-workspaces.eu-west-1.vpce.amazonaws.com/workspaces/ws-1111', 'own'),
      ].join('---\n'),
    );
    const resources = deriveTriggerResources(objects, context);
    expect(resources.workspaceArns).toEqual([
      'arn:aws:aps:eu-west-1:999999999999:workspace/ws-0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0',
      'arn:aws:aps:eu-west-1:999999999999:workspace/ws-1111',
    ]);
    expect(resources.assumeRoleArns).toEqual(['arn:aws:iam::222222222222:role/amp-reader']);
    expect(resources.unscoped).toEqual([]);
  });
});
