/**
 * The pod scaler's real handler reading a Kinesis stream on kinesalite, and resolving
 * `...FromEnv` metadata from the target's container env. Moved from
 * test/pod-scaler/pod-scaler-sources.test.ts onto real servers (test/pod-scaler/real-harness.ts),
 * assertions kept: the Deployments are in a real kube-apiserver the scaler reads with its EKS
 * identity (so reading a container's env is allowed by deploy/rbac.yaml, not assumed), and SQS is
 * moto instead of a client mock.
 *
 * Where the real servers differ, the set-up adapts (real server): the queue named in the container
 * env is a real moto queue (`from-env`, 20 messages), so its URL carries moto's account id
 * (`queueUrl('from-env')`) where the mock had 111122223333; the URLs the scaler read are taken from
 * moto's request log (its own signing key), not from the mock's calls. Kinesis stays on kinesalite
 * (moto's OpenShardCount after a split is wrong: test/real-servers/README.md).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SplitShardCommand } from '@aws-sdk/client-kinesis';
import { pollOnly, CLUSTER, REGION } from '../pod-scaler/harness';
import { queueUrl, REAL_POD_SCALER_SKIP, useRealHarness, type RealHarness } from '../pod-scaler/real-harness';
import { POD_SCALER_IDENTITY } from '../support/real-kube-apiserver';
import { startKinesalite, type RunningKinesalite } from '../support/kinesalite';

const startedHarness = useRealHarness({ queues: [{ name: 'from-env', region: REGION }] });
let harness: RealHarness;
let kinesis: RunningKinesalite;

beforeAll(async () => {
  if (!REAL_POD_SCALER_SKIP) kinesis = await startKinesalite();
});
afterAll(async () => {
  await kinesis?.close();
});
beforeEach(() => {
  if (!REAL_POD_SCALER_SKIP) harness = startedHarness();
});

/** The QueueUrl of every GetQueueAttributes the scaler (its own key) sent to moto since reset(). */
async function queueUrlsRead(): Promise<string[]> {
  const reads = (await harness.moto.recordedRequests('GetQueueAttributes')).filter((request) => request.accessKeyId === POD_SCALER_IDENTITY.accessKeyId);
  return reads.map((request) => (JSON.parse(request.body) as { QueueUrl: string }).QueueUrl);
}

describe.skipIf(REAL_POD_SCALER_SKIP)('pod scaler sources (real kube-apiserver, moto, kinesalite)', () => {
  it('follows a Kinesis stream on kinesalite, including a reshard between ticks', async () => {
    await kinesis.createStream('clicks', 4);
    await harness.putDeployment('consumer', 1, { namespace: 'stream' });
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
    expect(await harness.replicasOf('consumer', { namespace: 'stream' })).toBe(2); // 4 open shards / 2 per pod

    // Split the first of four shards (hash range [0, 2^126)) at its midpoint: five open shards.
    await kinesis.client.send(
      new SplitShardCommand({ StreamName: 'clicks', ShardToSplit: 'shardId-000000000000', NewStartingHashKey: (2n ** 125n).toString() }),
    );
    await kinesis.waitActive('clicks');
    harness.clock.advance(60_000);
    await harness.tick(handler);
    expect(await harness.replicasOf('consumer', { namespace: 'stream' })).toBe(3); // ceil(5 open shards / 2 per pod)
  });

  it('resolves queueURLFromEnv from the container env, and says why a Secret-backed value cannot be used', async () => {
    await harness.setBacklog(20); // every harness queue, `from-env` included
    await harness.putDeployment('from-env', 0);
    await harness.kube.apply([
      {
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
      } as never,
    ]);
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

    expect(await harness.replicasOf('from-env')).toBe(4);
    expect(await queueUrlsRead()).toEqual([queueUrl('from-env')]);

    const state = (await harness.store.loadMany([`${CLUSTER}/shop/secret-env`])).states.get(`${CLUSTER}/shop/secret-env`)!;
    expect(state.status).toBe('error');
    expect(state.statusReason).toContain('QUEUE_URL');
    expect(state.statusReason).toMatch(/Secret queue/);
    expect(await harness.replicasOf('secret-env')).toBe(0);
  });
});
