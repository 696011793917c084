/**
 * `eks-lambda-scaler dry-run` against real servers, through the CLI's production wiring: the user's
 * credentials sign an EKS DescribeCluster, an SQS read and an EKS token, all over the real SDK.
 *  - AWS is moto: every client the command builds finds it through `AWS_ENDPOINT_URL` (the SDK's own
 *    setting, as a user pointing the CLI at an emulator would), so no client is mocked. The cluster
 *    `prod` is made with CreateCluster and seeded with the endpoint and CA of the proxy below.
 *  - Kubernetes is a real kube-apiserver (RBAC only) that maps the user's access key to a group bound
 *    to the built-in read-only rules of `view`: a dry run needs nothing more, and a write would be
 *    refused. (real server) The binding names `system:aggregate-to-view`, where `view`'s rules live:
 *    `view` itself is an aggregated role that only the controller manager's aggregation controller
 *    fills, and none runs here, so a binding to `view` grants nothing (seen: a 403 on the scale GET). The recording proxy in front of it (test/support/fault-proxy.ts) shows that only GETs
 *    reached the server.
 * Moved from test/cli/dry-run.test.ts (client mocks and the hand-written server) with its
 * assertions kept; its usage-error rows, which need no server, stay there. Where the real servers
 * differ, the set-up adapts (real server): the backlog is 40 visible and 7 in-flight messages in a
 * moto queue (received, not deleted); the missing queue is really missing from moto; what the mocks
 * recorded (DescribeCluster's input, the QueueUrl read) is read from moto's request log.
 */
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { runDryRun } from '../../cli/commands/dry-run';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { captureIo, cli, FIXTURES, tempDir } from '../cli/cli-harness';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { KUBE_TEST_TLS_CERT, KUBE_TEST_TLS_KEY } from '../support/kube-tls-fixture';
import { MOTO_ACCOUNT_ID, MOTO_SKIP, startMoto, type MotoServer } from '../support/moto-server';
import { REAL_KUBE_SKIP, startRealKubeApiServer, type EksTestIdentity, type RealKubeApiServer } from '../support/real-kube-apiserver';
import { REAL_POD_SCALER_START_TIMEOUT_MS } from '../pod-scaler/real-harness';

const SKIP = REAL_KUBE_SKIP || MOTO_SKIP;
/** The person running the CLI: an IAM user whose access entry maps to a read-only group. */
const DEVELOPER: EksTestIdentity = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'example-secret',
  username: `arn:aws:iam::${MOTO_ACCOUNT_ID}:user/developer`,
  groups: ['developers'],
};
const env = { AWS_ACCESS_KEY_ID: DEVELOPER.accessKeyId, AWS_SECRET_ACCESS_KEY: DEVELOPER.secretAccessKey };
const QUEUE_URL = `https://sqs.us-east-1.amazonaws.com/${MOTO_ACCOUNT_ID}/orders`; // the fixture's queue
let kube: RealKubeApiServer;
let proxy: FaultProxy;
let moto: MotoServer;

const workerDeployment = (replicas: number) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'orders-worker', namespace: 'jobs' },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'orders-worker' } },
    template: { metadata: { labels: { app: 'orders-worker' } }, spec: { containers: [{ name: 'worker', image: 'worker:1' }] } },
  },
});

beforeAll(async () => {
  if (SKIP) return;
  [kube, moto] = await Promise.all([startRealKubeApiServer({ clusterName: 'prod', identities: [DEVELOPER] }), startMoto()]);
  proxy = await startFaultProxy({ target: kube.endpoint, protocol: 'kubernetes', tls: { cert: KUBE_TEST_TLS_CERT, key: KUBE_TEST_TLS_KEY }, targetCa: kube.caPem });
  await kube.apply(`
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: developers-view}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: system:aggregate-to-view}
subjects: [{apiGroup: rbac.authorization.k8s.io, kind: Group, name: developers}]
---
apiVersion: v1
kind: Namespace
metadata: {name: jobs}
`);
  vi.stubEnv('AWS_ENDPOINT_URL', moto.endpoint);
}, REAL_POD_SCALER_START_TIMEOUT_MS);

afterAll(async () => {
  vi.unstubAllEnvs();
  await proxy?.close();
  await Promise.all([kube?.close(), moto?.stop()]);
});

beforeEach(async () => {
  if (SKIP) return;
  await moto.reset();
  await new EKSClient(moto.clientConfig('us-east-1')).send(new CreateClusterCommand({ name: 'prod', roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/eks`, resourcesVpcConfig: {} }));
  await moto.seedEksCluster({ region: 'us-east-1', name: 'prod', endpoint: proxy.url, certificateAuthorityData: Buffer.from(KUBE_TEST_TLS_CERT).toString('base64'), authenticationMode: 'API', status: 'ACTIVE' });
  await kube.apply([workerDeployment(2) as never]);
  await moto.recordRequests();
  proxy.requests.length = 0;
});

/** The requests the CLI (the developer's key) sent to moto. */
const cliRequests = async (operation?: string) => (await moto.recordedRequests(operation)).filter((request) => request.accessKeyId === DEVELOPER.accessKeyId);

describe.skipIf(SKIP)('dry-run against a real kube-apiserver and moto', () => {
  /** The fixture's queue in moto with 40 visible and 7 in-flight messages. */
  async function seedBacklog(): Promise<void> {
    const sqs = new SQSClient(moto.clientConfig('us-east-1'));
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'orders', Attributes: { VisibilityTimeout: '3600' } }));
    for (let sent = 0; sent < 47; sent += 10) {
      await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: Math.min(10, 47 - sent) }, (_, i) => ({ Id: `m${i}`, MessageBody: 'work' })) }));
    }
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 7 })); // in flight: not visible
    expect(received.Messages).toHaveLength(7);
  }

  it('reads the real trigger and current replicas, prints the decision and why, and changes nothing', async () => {
    await seedBacklog();

    const outcome = await cli(['dry-run', 'test/cli/fixtures/sqs-worker.yaml', '--cluster', 'prod', '--region', 'us-east-1'], env);

    expect(outcome.stderr).toBe('');
    expect(outcome.code).toBe(0);
    expect(outcome.stdout).toContain('Dry run against prod (us-east-1); nothing was changed.');
    // 47 messages / queueLength 10 wants 5; the legacy HPA caps a step from 2 at max(2 x 2, 4) = 4.
    expect(outcome.stdout).toMatch(/^jobs\/orders-worker: would scale 2 -> 4 \(status active, rule scale-up-limit\)$/m);
    expect(outcome.stdout).toMatch(/^ {2}why: .*47 \/ 10/m);
    expect(outcome.stdout).toMatch(/^ {2}trigger 0 aws-sqs-queue s0-aws-sqs-orders: value 47, target 10 \(AverageValue\) active proposes 5$/m);

    const [describeCluster] = await cliRequests('GET /clusters/prod');
    expect(describeCluster).toMatchObject({ service: 'eks', method: 'GET', path: '/clusters/prod' });
    const [read] = await cliRequests('GetQueueAttributes');
    expect(JSON.parse(read!.body)).toMatchObject({ QueueUrl: QUEUE_URL });
    expect(proxy.requests.length).toBeGreaterThan(0);
    expect(proxy.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect((await kube.read<{ apiVersion: string; kind: string; spec: object }>('apps/v1', 'Deployment', 'jobs', 'orders-worker'))!.spec).toMatchObject({ replicas: 2 });
  });

  it('takes `kubectl get so -o yaml` output (a v1 List of live objects, status included) as it takes the file (issue 14 item 8)', async () => {
    await seedBacklog();
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
    // No queue in moto: its real QueueDoesNotExist.
    const io = captureIo(env);
    const code = await runDryRun(['test/cli/fixtures/sqs-worker.yaml', '--cluster', 'prod', '--region', 'us-east-1', '--output', 'json'], io, {
      kubeConfigFor: async () => kube.kubeConfigAs(DEVELOPER, 'prod', { endpoint: proxy.url, caPem: KUBE_TEST_TLS_CERT }),
    });
    const document = JSON.parse(io.out.join(''));
    expect(document.results).toHaveLength(1);
    const [result] = document.results;
    expect(result.objectId).toBe('jobs/orders-worker');
    expect(result.status).toBe('error');
    expect(JSON.stringify(result)).toContain('does not exist');
    expect(code).toBe(1);
    expect((await cliRequests()).filter((request) => request.service === 'eks')).toHaveLength(0);
    expect(proxy.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });
});
