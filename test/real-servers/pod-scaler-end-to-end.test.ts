/**
 * The pod scaler's real handler, wired by its production runtime, with nothing mocked: Kubernetes is
 * a real kube-apiserver over HTTPS with deploy/rbac.yaml applied, reached as the pod scaler's IAM
 * identity through an EKS token; SQS and EKS DescribeCluster are moto over HTTP (the cluster created
 * with CreateCluster, then seeded with the apiserver's endpoint and CA, as a real cluster reports its
 * own); state is in dynalite. The clock is fake, so the harness accepts tokens of any age.
 *
 * One apiserver and one moto for the file; each test owns a namespace, so nothing leaks between them.
 */
import { CreateClusterCommand, EKSClient } from '@aws-sdk/client-eks';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { CreateQueueCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CoreV1Api } from '@kubernetes/client-node';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStateTable, DynamoDbStateStore } from '../../lambdas/adapters/state/dynamodb-state-store';
import type { ScalerConfig } from '../../lambdas/config/scaler-config';
import { parseManifests } from '../../lambdas/engine/spec/parse-manifests';
import { startDynalite, type RunningDynalite } from '../support/dynalite';
import { MOTO_ACCOUNT_ID, MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../support/moto-server';
import {
  POD_SCALER_IDENTITY,
  REAL_KUBE_SKIP,
  REAL_KUBE_START_TIMEOUT_MS,
  startRealKubeApiServer,
  type RealKubeApiServer,
} from '../support/real-kube-apiserver';
import { FakeClock, podScalerHandler, scheduledTick, TABLE } from '../pod-scaler/harness';

const CLUSTER = 'real-cluster';
const REGION = 'us-east-1';
const RBAC_YAML = readFileSync(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8');

function scaledObject(namespace: string, name: string, queueUrl: string, target: { kind?: string; apiVersion?: string } = {}): string {
  return `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  scaleTargetRef: {name: ${name}${target.kind ? `, kind: ${target.kind}, apiVersion: ${target.apiVersion}` : ''}}
  pollingInterval: 30
  cooldownPeriod: 300
  minReplicaCount: 0
  maxReplicaCount: 20
  triggers:
    - type: aws-sqs-queue
      metadata: {queueURL: "${queueUrl}", awsRegion: ${REGION}, queueLength: "5"}
`;
}

function workload(namespace: string, name: string, replicas: number, kind = 'Deployment'): string {
  return `
apiVersion: v1
kind: Namespace
metadata: {name: ${namespace}}
---
apiVersion: apps/v1
kind: ${kind}
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: worker, image: "worker:1"}]}
`;
}

describe.skipIf(REAL_KUBE_SKIP || MOTO_SKIP)('pod scaler end to end: real kube-apiserver (HTTPS, RBAC, EKS tokens) and moto', () => {
  let kube: RealKubeApiServer;
  let moto: MotoServer;
  let dynalite: RunningDynalite;
  let store: DynamoDbStateStore;
  let sqs: SQSClient;
  const clock = new FakeClock(Date.UTC(2026, 10, 22, 12, 0, 0));

  beforeAll(async () => {
    [kube, moto, dynalite] = await Promise.all([startRealKubeApiServer({ clusterName: CLUSTER }), startMoto(), startDynalite()]);
    await kube.apply(RBAC_YAML);
    await createStateTable(dynalite.client, TABLE);
    store = new DynamoDbStateStore({ client: dynalite.client, tableName: TABLE });
    const eks = new EKSClient(moto.clientConfig(REGION));
    await eks.send(new CreateClusterCommand({ name: CLUSTER, roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/eks`, resourcesVpcConfig: {} }));
    await moto.seedEksCluster({ region: REGION, name: CLUSTER, endpoint: kube.endpoint, certificateAuthorityData: Buffer.from(kube.caPem).toString('base64'), authenticationMode: 'API_AND_CONFIG_MAP', status: 'ACTIVE' });
    sqs = new SQSClient(moto.clientConfig(REGION));
    // The production runtime takes the Lambda role's credentials from the environment: they sign the EKS token.
    process.env.AWS_ACCESS_KEY_ID = POD_SCALER_IDENTITY.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = POD_SCALER_IDENTITY.secretAccessKey;
    process.env.AWS_REGION = REGION;
  }, Math.max(REAL_KUBE_START_TIMEOUT_MS, MOTO_START_TIMEOUT_MS));

  afterAll(async () => {
    await Promise.all([kube?.close(), moto?.stop(), dynalite?.close()]);
  });

  function handlerFor(yaml: string, clusters: ScalerConfig['clusters'] = []) {
    const parsed = parseManifests(yaml, { file: 'test.yaml' });
    if (parsed.errors.length > 0) throw new Error(parsed.errors.map((issue) => issue.message).join('\n'));
    const config: ScalerConfig = { defaultCluster: { name: CLUSTER, region: REGION }, clusters, scaledObjects: parsed.objects, nodeGroups: [], hpaSyncPeriodSeconds: 0 };
    return podScalerHandler(
      {
        clock,
        dynamoDb: dynalite.client,
        lambda: new LambdaClient(moto.clientConfig(REGION)),
        eks: (region) => new EKSClient(moto.clientConfig(region, POD_SCALER_IDENTITY)),
        awsClients: moto.awsClientFactoryOptions({ baseCredentials: async () => ({ ...POD_SCALER_IDENTITY }), now: () => clock.now() }),
      },
      config,
    );
  }

  async function queueWithBacklog(name: string, messages: number): Promise<string> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    for (let sent = 0; sent < messages; sent += 10) {
      const batch = Array.from({ length: Math.min(10, messages - sent) }, (_, index) => ({ Id: `m${sent + index}`, MessageBody: 'work' }));
      await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: batch }));
    }
    // The scaler reads the queue named by its public URL; the factory's endpoint routes it to moto.
    return `https://sqs.${REGION}.amazonaws.com/${MOTO_ACCOUNT_ID}/${name}`;
  }

  async function replicas(namespace: string, name: string, kind = 'Deployment'): Promise<number | undefined> {
    const object = await kube.read<{ apiVersion: string; kind: string; spec?: { replicas?: number } }>('apps/v1', kind, namespace, name);
    return object?.spec?.replicas;
  }

  async function stateOf(namespace: string, name: string) {
    const key = `${CLUSTER}/${namespace}/${name}`;
    return (await store.loadMany([key])).states.get(key)!;
  }

  it('scales from zero on an SQS backlog through the scale subresource, and records Events the server accepts', async () => {
    await kube.apply(workload('orders-ns', 'orders', 0));
    const queue = await queueWithBacklog('orders', 47);
    const summary = await scheduledTick(handlerFor(scaledObject('orders-ns', 'orders', queue)));
    // KEDA activates 0 -> 1; the HPA's legacy scale-up cap (max(2x, 4)) then steps 1 -> 4 -> 8 -> 10.
    expect(summary.errors).toBe(0);
    expect(summary.scaled).toBeGreaterThan(0);
    expect(await replicas('orders-ns', 'orders')).toBeGreaterThan(0);

    const events = await kube.adminKubeConfig().makeApiClient(CoreV1Api).listNamespacedEvent({ namespace: 'orders-ns' });
    expect(events.items.length).toBe(summary.scaled);
    expect(events.items.every((event) => event.involvedObject.kind === 'Deployment' && event.involvedObject.name === 'orders')).toBe(true);
    expect(events.items.every((event) => event.source?.component === 'eks-lambda-scaler')).toBe(true);

    // The Deployment's spec beyond replicas is untouched: the scaler only writes the scale subresource.
    const deployment = await kube.read<{ apiVersion: string; kind: string; spec: { template: unknown } }>('apps/v1', 'Deployment', 'orders-ns', 'orders');
    expect(deployment?.spec.template).toEqual({ metadata: { labels: { app: 'orders' } }, spec: expect.objectContaining({ containers: [expect.objectContaining({ name: 'worker', image: 'worker:1' })] }) });
  });

  it('reaches the HPA algorithm\'s answer over passes: ceil(47 / 5) = 10 replicas', async () => {
    await kube.apply(workload('steady-ns', 'steady', 1));
    const queue = await queueWithBacklog('steady', 47);
    const handler = handlerFor(scaledObject('steady-ns', 'steady', queue));
    for (let minute = 0; minute < 3; minute += 1) {
      await scheduledTick(handler);
      clock.advance(60_000);
    }
    expect(await replicas('steady-ns', 'steady')).toBe(10);
  });

  it('never fights an HPA the real server holds for the workload', async () => {
    await kube.apply(workload('hpa-ns', 'held', 2));
    await kube.apply(`
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: held-cpu, namespace: hpa-ns}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: held}
  minReplicas: 1
  maxReplicas: 5
`);
    const queue = await queueWithBacklog('held', 100);
    const summary = await scheduledTick(handlerFor(scaledObject('hpa-ns', 'held', queue)));
    expect(summary.errors).toBeGreaterThan(0);
    expect(await replicas('hpa-ns', 'held')).toBe(2);
    const state = await stateOf('hpa-ns', 'held');
    expect(state.status).toBe('error');
    expect(state.statusReason).toContain('HorizontalPodAutoscaler hpa-ns/held-cpu already scales Deployment held');
  });

  it('names the missing RBAC rule when the real RBAC refuses (a ReplicaSet target, commented out in rbac.yaml)', async () => {
    await kube.apply(workload('rs-ns', 'batch', 1, 'ReplicaSet'));
    const queue = await queueWithBacklog('batch', 20);
    await scheduledTick(handlerFor(scaledObject('rs-ns', 'batch', queue, { kind: 'ReplicaSet', apiVersion: 'apps/v1' })));
    const state = await stateOf('rs-ns', 'batch');
    expect(state.status).toBe('error');
    expect(state.statusReason).toMatch(/replicasets\/scale/);
    expect(state.statusReason).toMatch(/rbac/i);
    expect(await replicas('rs-ns', 'batch', 'ReplicaSet')).toBe(1);
  });

  it('scales the same namespace/name in two clusters, each through its own DescribeCluster and its own cluster-bound token', async () => {
    // A second real apiserver that accepts only tokens signed for "second" (x-k8s-aws-id), as EKS.
    const second = await startRealKubeApiServer({ clusterName: 'second' });
    try {
      await second.apply(RBAC_YAML);
      const eksEu = new EKSClient(moto.clientConfig('eu-west-1'));
      await eksEu.send(new CreateClusterCommand({ name: 'second', roleArn: `arn:aws:iam::${MOTO_ACCOUNT_ID}:role/eks`, resourcesVpcConfig: {} }));
      await moto.seedEksCluster({ region: 'eu-west-1', name: 'second', endpoint: second.endpoint, certificateAuthorityData: Buffer.from(second.caPem).toString('base64'), authenticationMode: 'API', status: 'ACTIVE' });
      await kube.apply(workload('twin-ns', 'twin', 0));
      await second.apply(workload('twin-ns', 'twin', 0));
      const queue = await queueWithBacklog('twin', 12); // 3 replicas
      const inSecond = scaledObject('twin-ns', 'twin', queue).replace('metadata: {name: twin, namespace: twin-ns}', 'metadata: {name: twin, namespace: twin-ns, annotations: {eks-lambda-scaler.io/cluster: second}}');
      const summary = await scheduledTick(handlerFor(scaledObject('twin-ns', 'twin', queue) + '\n---\n' + inSecond, [{ name: 'second', region: 'eu-west-1' }]));
      expect(summary.errors).toBe(0);
      expect(await replicas('twin-ns', 'twin')).toBe(3);
      const inSecondCluster = await second.read<{ apiVersion: string; kind: string; spec?: { replicas?: number } }>('apps/v1', 'Deployment', 'twin-ns', 'twin');
      expect(inSecondCluster?.spec?.replicas).toBe(3);
    } finally {
      await second.close();
    }
  }, REAL_KUBE_START_TIMEOUT_MS);
});
