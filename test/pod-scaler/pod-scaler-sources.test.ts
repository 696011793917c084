/**
 * The pod scaler's real handler reading a Kinesis stream on kinesalite, and resolving
 * `...FromEnv` metadata from the target's container env.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SplitShardCommand } from '@aws-sdk/client-kinesis';
import { mockClient } from 'aws-sdk-client-mock';
import { pollOnly, putDeployment, replicasOf, startHarness, CLUSTER, REGION, type Harness } from './harness';
import { startKinesalite, type RunningKinesalite } from '../support/kinesalite';

let harness: Harness;
let kinesis: RunningKinesalite;
const sqs = mockClient(SQSClient);

beforeAll(async () => {
  kinesis = await startKinesalite();
});
afterAll(async () => {
  await kinesis.close();
});
beforeEach(async () => {
  harness = await startHarness();
  sqs.reset();
});
afterEach(async () => {
  await harness.close();
});

describe('pod scaler sources', () => {
  it('follows a Kinesis stream on kinesalite, including a reshard between ticks', async () => {
    await kinesis.createStream('clicks', 4);
    putDeployment(harness.kube, 'stream', 'consumer', 1);
    const config = pollOnly(`
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: consumer, namespace: stream}
spec:
  scaleTargetRef: {name: consumer}
  pollingInterval: 60
  minReplicaCount: 1
  maxReplicaCount: 10
  triggers:
    - type: aws-kinesis-stream
      metadata: {streamName: clicks, awsRegion: ${REGION}, shardCount: "2"}
`);
    const handler = harness.handlerFor(config, {}, { kinesis: kinesis.endpoint });
    const first = await harness.tick(handler);
    expect(first.calls.kinesis).toBe(1);
    expect(replicasOf(harness.kube, 'stream', 'consumer')).toBe(2); // 4 open shards / 2 per pod

    // Split the first of four shards (hash range [0, 2^126)) at its midpoint: five open shards.
    await kinesis.client.send(
      new SplitShardCommand({ StreamName: 'clicks', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 125n).toString() }),
    );
    await kinesis.waitActive('clicks');
    harness.clock.advance(60_000);
    await harness.tick(handler);
    expect(replicasOf(harness.kube, 'stream', 'consumer')).toBe(3); // ceil(5 open shards / 2 per pod)
  });

  it('resolves queueURLFromEnv from the container env, and says why a Secret-backed value cannot be used', async () => {
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '20', ApproximateNumberOfMessagesNotVisible: '0' } });
    putDeployment(harness.kube, 'shop', 'from-env', 0);
    harness.kube.put('Deployment', {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'secret-env', namespace: 'shop' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'secret-env' } },
        template: {
          metadata: { labels: { app: 'secret-env' } },
          spec: {
            containers: [
              { name: 'worker', image: 'w:1', env: [{ name: 'QUEUE_URL', valueFrom: { secretKeyRef: { name: 'queue', key: 'url' } } }] },
            ],
          },
        },
      },
    });
    const object = (name: string) => `
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: ${name}, namespace: shop}
spec:
  scaleTargetRef: {name: ${name}}
  pollingInterval: 60
  triggers:
    - type: aws-sqs-queue
      metadata: {queueURLFromEnv: QUEUE_URL, awsRegion: ${REGION}, queueLength: "5"}
`;
    const handler = harness.handlerFor(pollOnly(object('from-env') + '\n---\n' + object('secret-env')));
    await harness.tick(handler);

    expect(replicasOf(harness.kube, 'shop', 'from-env')).toBe(4);
    const urls = sqs.commandCalls(GetQueueAttributesCommand).map((call) => call.args[0].input.QueueUrl);
    expect(urls).toEqual(['https://sqs.us-east-1.amazonaws.com/111122223333/from-env']);

    const state = (await harness.store.loadMany([`${CLUSTER}/shop/secret-env`])).states.get(`${CLUSTER}/shop/secret-env`)!;
    expect(state.status).toBe('error');
    expect(state.statusReason).toContain('QUEUE_URL');
    expect(state.statusReason).toMatch(/Secret queue/);
    expect(replicasOf(harness.kube, 'shop', 'secret-env')).toBe(0);
  });
});
