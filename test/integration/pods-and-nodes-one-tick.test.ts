/**
 * One tick that scales pods and nodes together, through both real handlers: the pod scaler raises
 * a Deployment on an SQS backlog and sends its scale-up notice (what the Lambda async invoke
 * delivers) to the node scaler, which asks the Auto Scaling Group for the nodes those pods need
 * before any of them exists.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { createPodScalerHandler } from '../../lambdas/pod-scaler/handler';
import { buildProductionRuntime } from '../../lambdas/pod-scaler/production-runtime';
import type { ScaleUpNotice } from '../../lambdas/pod-scaler/tick-types';
import type { NodeScalerTickSummary } from '../../lambdas/node-scaler/tick-types';
import { CLUSTER, startWorldWithFullNode, type NodeScalerWorld } from '../node-scaler/node-scaler-world';
import { configFrom, FakeClock } from '../pod-scaler/harness';

const sqs = mockClient(SQSClient);
let world: NodeScalerWorld;

beforeEach(async () => {
  world = await startWorldWithFullNode();
  sqs.reset();
  sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { ApproximateNumberOfMessages: '25', ApproximateNumberOfMessagesNotVisible: '0' } });
});
afterEach(async () => {
  await world.close();
});

describe('a tick that scales pods and nodes together', () => {
  it('requests the nodes for the new replicas in the same tick that creates them', async () => {
    const config = configFrom(`
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {name: web, namespace: apps}
spec:
  scaleTargetRef: {name: web}
  pollingInterval: 60
  minReplicaCount: 1
  maxReplicaCount: 10
  triggers:
    - type: aws-sqs-queue
      metadata: {queueURL: "https://sqs.us-east-1.amazonaws.com/111122223333/jobs", awsRegion: us-east-1, queueLength: "5"}
`);
    const nodeTicks: NodeScalerTickSummary[] = [];
    const handler = createPodScalerHandler(async () => {
      const runtime = await buildProductionRuntime({
        env: { STATE_TABLE_NAME: world.tableName },
        config: { ...config, defaultCluster: { name: CLUSTER, region: 'us-east-1' }, hpaSyncPeriodSeconds: 0 },
        clock: new FakeClock(world.now),
        dynamoDb: world.dynamo.client,
        kubeConfigFor: async () => world.kube.kubeConfig(),
        awsClients: { baseCredentials: async () => ({ accessKeyId: 'AKIDTEST', secretAccessKey: 'test' }) },
      });
      // Stands in for the Lambda async invoke of the node scaler: same payload, delivered at once.
      runtime.tick.onScaleUps = async (scaleUps: ScaleUpNotice[]) => {
        nodeTicks.push(await world.invoke({ source: 'eks-lambda-scaler.pod-scaler', scaleUps }));
      };
      return runtime;
    });

    const summary = await handler({}, { getRemainingTimeInMillis: () => 60_000 });

    // 25 messages / 5 per pod = 5 replicas; the HPA's legacy cap from 1 allows 4.
    expect(summary.scaled).toBe(1);
    expect((world.kube.get('Deployment', 'apps', 'web')!.spec as { replicas: number }).replicas).toBe(4);
    // Three new 1-CPU pods, and n1 is full: two 2-CPU nodes, requested before any pod exists.
    expect(world.kube.list('Pod').filter((pod) => !(pod.spec as { nodeName?: string }).nodeName)).toEqual([]);
    expect(nodeTicks).toHaveLength(1);
    expect(nodeTicks[0]?.pendingPods).toBe(3);
    expect(world.setDesiredCalls()).toEqual([{ AutoScalingGroupName: 'workers', DesiredCapacity: 3, HonorCooldown: false }]);
  });
});
