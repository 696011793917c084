/**
 * The pod scaler's asynchronous invocations (shard fan-out, scale-up notices to the node scaler)
 * through the real Lambda client against moto: the REST-JSON request on the wire, the `Event`
 * invocation type answered 202. moto runs no function code without Docker (see
 * test/support/moto-server.ts), which these fire-and-forget calls do not need.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildProductionRuntime } from '../../../lambdas/pod-scaler/production-runtime';
import { SHARD_EVENT_SOURCE } from '../../../lambdas/pod-scaler/invocation-event';
import type { ShardEvent } from '../../../lambdas/pod-scaler/run-invocation';
import { MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../../support/moto-server';

const REGION = 'us-east-1';

describe.skipIf(MOTO_SKIP)('pod scaler invocations against moto Lambda', () => {
  let moto: MotoServer;
  let lambda: LambdaClient;
  beforeAll(async () => {
    moto = await startMoto();
    lambda = new LambdaClient(moto.clientConfig(REGION));
  }, MOTO_START_TIMEOUT_MS);
  afterAll(async () => {
    lambda?.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    await moto.createLambdaFunction('pod-scaler', REGION);
    await moto.createLambdaFunction('node-scaler', REGION);
    await moto.recordRequests();
  });

  const runtime = () =>
    buildProductionRuntime({
      env: { STATE_TABLE_NAME: 'state', AWS_LAMBDA_FUNCTION_NAME: 'pod-scaler', NODE_SCALER_FUNCTION_NAME: 'node-scaler' },
      config: { defaultCluster: { name: 'prod', region: REGION }, clusters: [], scaledObjects: [], nodeGroups: [] },
      dynamoDb: new DynamoDBClient(moto.clientConfig(REGION)),
      lambda,
      kubeConfigFor: () => Promise.reject(new Error('not used')),
    });

  it('fans a shard out to its own function, asynchronously, with the shard event as payload', async () => {
    const shard: ShardEvent = { source: SHARD_EVENT_SOURCE, shard: 1, of: 3, objectIds: ['prod/jobs/a', 'prod/jobs/b'] };
    await (await runtime()).invokeShard(shard);
    expect(await moto.lambdaInvocations()).toEqual([{ functionName: 'pod-scaler', invocationType: 'Event', payload: shard }]);
  });

  it('tells the node scaler about scale-ups', async () => {
    const scaleUps = [{ cluster: 'prod', namespace: 'jobs', apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', fromReplicas: 1, toReplicas: 4 }];
    await (await runtime()).tick.onScaleUps!(scaleUps);
    expect(await moto.lambdaInvocations()).toEqual([{ functionName: 'node-scaler', invocationType: 'Event', payload: { source: 'eks-lambda-scaler.pod-scaler', scaleUps } }]);
  });

  it('keeps the Docker-free Lambda backend across resets', async () => {
    expect((await lambda.send(new GetFunctionCommand({ FunctionName: 'pod-scaler' }))).Configuration?.FunctionName).toBe('pod-scaler');
    await moto.reset();
    await moto.createLambdaFunction('pod-scaler', REGION);
    await moto.recordRequests();
    await (await runtime()).invokeShard({ source: SHARD_EVENT_SOURCE, shard: 0, of: 1, objectIds: [] });
    expect(await moto.lambdaInvocations('pod-scaler')).toHaveLength(1);
  });
});
