/**
 * Issue 13: the real pod scaler handler parks its window between passes and is resumed by the
 * hand-over it sent to SQS (moto), on the real kube-apiserver and dynalite. The event source mapping
 * is AWS's, so the test plays it: it takes each SendMessage moto received, moves the fake clock to
 * the end of its delay, and invokes the same handler (the warm container) with the SQS event
 * Lambda would deliver. The counts are those of the sleeping window in pod-scaler-handler.test.ts.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { configFrom, sqsObject, REGION } from '../pod-scaler/harness';
import { queueUrl, REAL_POD_SCALER_SKIP, START_TIME, useRealHarness, type RealHarness } from '../pod-scaler/real-harness';
import type { InvocationSummary } from '../../lambdas/pod-scaler/run-invocation';

const realHarness = useRealHarness();
let harness: RealHarness;
let handoverUrl: string;
const context = { getRemainingTimeInMillis: () => 70_000 };

beforeEach(async () => {
  if (REAL_POD_SCALER_SKIP) return;
  harness = realHarness();
  const sqs = new SQSClient(harness.moto.clientConfig(REGION));
  handoverUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'pass-handover' }))).QueueUrl!;
  sqs.destroy();
});

/** The hand-overs the scaler sent since the last call, as the event source mapping would deliver them. */
async function sentHandovers(seen: number): Promise<Array<{ body: string; delaySeconds: number }>> {
  const sent = await harness.moto.recordedRequests('SendMessage');
  return sent
    .map((request) => JSON.parse(request.body) as { QueueUrl: string; MessageBody: string; DelaySeconds: number })
    .filter((body) => body.QueueUrl === handoverUrl)
    .slice(seen)
    .map((body) => ({ body: body.MessageBody, delaySeconds: body.DelaySeconds }));
}

describe.skipIf(REAL_POD_SCALER_SKIP)('pod scaler window parked between passes (real handler, kube-apiserver, moto, dynalite)', () => {
  it('runs the minute in four invocations with the counts of a sleeping one, sleeping only the early wake', async () => {
    await harness.putDeployment('orders', 0);
    await harness.setBacklog(47); // HPA wants ceil(47 / 5) = 10
    const handler = harness.handlerFor(configFrom(sqsObject({ queue: queueUrl('orders') })), { PASS_HANDOVER_QUEUE_URL: handoverUrl });
    const summaries: InvocationSummary[] = [await handler({ source: 'aws.scheduler' }, context)];
    let seen = 0;
    while (summaries.at(-1)!.parked) {
      const [handover, ...more] = await sentHandovers(seen);
      expect(more).toHaveLength(0);
      seen += 1;
      expect(handover!.delaySeconds).toBe(13); // the pass 15 s later, asked for 2 s early
      harness.clock.time = harness.clock.now() + handover!.delaySeconds * 1000 + 300;
      summaries.push(await handler({ Records: [{ messageId: `m${seen}`, eventSource: 'aws:sqs', body: handover!.body }] }, context));
    }
    expect(summaries.map((summary) => Boolean(summary.parked))).toEqual([true, true, true, false]);
    // As sleeping: 0 s poll 0 -> 4, 15 s sync 4 -> 8, 30 s poll 8 -> 10, 45 s holds.
    expect(harness.patchedReplicas()).toEqual([4, 8, 10]);
    expect(summaries.at(-1)).toMatchObject({ trigger: 'schedule', passes: 4, evaluated: 4, scaled: 3, errors: 0, handover: { parks: 3 } });
    expect(await harness.replicasOf('orders')).toBe(10);
    expect(harness.clock.now() - START_TIME).toBe(45_000);
  });

  it('sleeps through the minute when the queue cannot be reached, and says why', async () => {
    await harness.putDeployment('orders', 0);
    await harness.setBacklog(47);
    const missing = handoverUrl.replace('pass-handover', 'no-such-queue');
    const handler = harness.handlerFor(configFrom(sqsObject({ queue: queueUrl('orders') })), { PASS_HANDOVER_QUEUE_URL: missing });
    const summary = await handler({ source: 'aws.scheduler' }, context);
    expect(summary.parked).toBeUndefined();
    expect(summary.passes).toBe(4);
    expect(harness.patchedReplicas()).toEqual([4, 8, 10]);
    expect(summary.handover?.failures?.[0]).toMatch(/pass at \+15 s could not be handed over \(SQS SendMessage to the hand-over queue .*no-such-queue failed: QueueDoesNotExist/);
  });
});
