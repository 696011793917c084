import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { DescribeClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { runDryRun } from '../../cli/commands/dry-run';
import { startKubeApiServer, type KubeApiServer } from '../support/kube-api-server';
import { captureIo, cli, FIXTURES, tempDir } from './cli-harness';

// Class-level mocks: every client the command builds from the user's credentials is intercepted.
const eksMock = mockClient(EKSClient);
const sqsMock = mockClient(SQSClient);
const env = { AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'example-secret' };
let server: KubeApiServer;

function workerDeployment(replicas: number) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'orders-worker', namespace: 'jobs' },
    spec: {
      replicas,
      selector: { matchLabels: { app: 'orders-worker' } },
      template: { metadata: { labels: { app: 'orders-worker' } }, spec: { containers: [{ name: 'worker', image: 'worker:1' }] } },
    },
  };
}

beforeAll(async () => {
  // Accepts only EKS IAM tokens, as the real cluster would.
  server = await startKubeApiServer({ authenticate: (header) => header?.startsWith('Bearer k8s-aws-v1.') === true });
});
afterAll(async () => {
  await server.close();
  eksMock.restore();
  sqsMock.restore();
});
beforeEach(() => {
  eksMock.reset();
  sqsMock.reset();
  server.put('Deployment', workerDeployment(2));
  server.requests.length = 0;
  eksMock.on(DescribeClusterCommand).resolves({
    cluster: {
      name: 'prod',
      status: 'ACTIVE',
      endpoint: server.url,
      certificateAuthority: { data: Buffer.from(server.caPem).toString('base64') },
      accessConfig: { authenticationMode: 'API' },
    },
  });
});

describe('dry-run', () => {
  it('reads the real trigger and current replicas, prints the decision and why, and changes nothing', async () => {
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '40', ApproximateNumberOfMessagesNotVisible: '7' } });
    const outcome = await cli(['dry-run', 'test/cli/fixtures/sqs-worker.yaml', '--cluster', 'prod', '--region', 'us-east-1'], env);

    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('Dry run against prod (us-east-1); nothing was changed.');
    // 47 messages / queueLength 10 wants 5; the legacy HPA caps a step from 2 at max(2 x 2, 4) = 4.
    expect(outcome.stdout).toMatch(/^jobs\/orders-worker: would scale 2 -> 4 \(status active, rule scale-up-limit\)$/m);
    expect(outcome.stdout).toMatch(/^ {2}why: .*47 \/ 10/m);
    expect(outcome.stdout).toMatch(/^ {2}trigger 0 aws-sqs-queue s0-aws-sqs-orders: value 47, target 10 \(AverageValue\) active proposes 5$/m);

    expect(eksMock.commandCalls(DescribeClusterCommand)[0]!.args[0].input).toEqual({ name: 'prod' });
    expect(sqsMock.commandCalls(GetQueueAttributesCommand)[0]!.args[0].input).toMatchObject({
      QueueUrl: 'https://sqs.us-east-1.amazonaws.com/123456789012/orders',
    });
    expect(server.requests.length).toBeGreaterThan(0);
    expect(server.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(server.get('Deployment', 'jobs', 'orders-worker')!.spec).toMatchObject({ replicas: 2 });
  });

  it('takes `kubectl get so -o yaml` output (a v1 List of live objects, status included) as it takes the file', async () => {
    sqsMock.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '40', ApproximateNumberOfMessagesNotVisible: '7' } });
    const object = parse(readFileSync(join(FIXTURES, 'sqs-worker.yaml'), 'utf8')) as { metadata: Record<string, unknown> };
    const live = {
      ...object,
      metadata: { ...object.metadata, uid: '5f0c7a52-0d3c-4a8e-9a57-6a1d1bb0f1d2', resourceVersion: '4711', generation: 1, creationTimestamp: '2026-12-01T10:00:00Z' },
      status: { scaleTargetKind: 'apps/v1.Deployment', conditions: [{ type: 'Ready', status: 'True', reason: 'ScaledObjectReady' }] },
    };
    const file = join(tempDir(), 'so.yaml');
    writeFileSync(file, stringify({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '' }, items: [live] }));
    const outcome = await cli(['dry-run', file, '--cluster', 'prod', '--region', 'us-east-1'], env);
    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toMatch(/^jobs\/orders-worker: would scale 2 -> 4 \(status active, rule scale-up-limit\)$/m);
  });

  it('reports an object it cannot evaluate with the reason, exit 1 (injected kubeconfig)', async () => {
    sqsMock.on(GetQueueAttributesCommand).rejects(Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist' }));
    const io = captureIo(env);
    const code = await runDryRun(['test/cli/fixtures/sqs-worker.yaml', '--cluster', 'prod', '--region', 'us-east-1', '--output', 'json'], io, {
      kubeConfigFor: async () => server.kubeConfig('k8s-aws-v1.test-token'),
    });
    const document = JSON.parse(io.out.join(''));
    expect(document.results).toHaveLength(1);
    const [result] = document.results;
    expect(result.objectId).toBe('jobs/orders-worker');
    expect(result.status).toBe('error');
    expect(JSON.stringify(result)).toContain('does not exist');
    expect(code).toBe(1);
    expect(eksMock.commandCalls(DescribeClusterCommand)).toHaveLength(0);
    expect(server.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it.each([
    [['dry-run', 'x.yaml'], /dry-run needs --cluster NAME/],
    [['dry-run', '--cluster', 'prod'], /dry-run needs at least one ScaledObject file/],
    [['dry-run', 'x.yaml', '--cluster', 'prod'], /dry-run needs an AWS region: give --region R \(or set env AWS_REGION\)/],
  ])('%j is a usage error (exit 2)', async (argv, message) => {
    const outcome = await cli(argv, {});
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(message);
  });
});
