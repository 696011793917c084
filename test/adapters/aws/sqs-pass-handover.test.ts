/**
 * The pass hand-over on SQS, against moto through the real SDK client: the message the event source
 * mapping will hand back to the pod scaler, its delay on the wire, and a missing queue named.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { SqsPassHandover } from '../../../lambdas/adapters/aws/sqs-pass-handover';
import { classifyEvent } from '../../../lambdas/pod-scaler/invocation-event';
import { HANDOVER_EVENT_SOURCE, type HandoverMessage } from '../../../lambdas/pod-scaler/pass-handover';
import { MOTO_SKIP, MOTO_START_TIMEOUT_MS, startMoto, type MotoServer } from '../../support/moto-server';

const REGION = 'us-east-1';
const MESSAGE: HandoverMessage = { source: HANDOVER_EVENT_SOURCE, window: '1764676800000-0a1b2c3d', windowStart: 1_764_676_800_000, offsetMs: 15_000 };

describe.skipIf(MOTO_SKIP)('SQS pass hand-over against moto', () => {
  let moto: MotoServer;
  let sqs: SQSClient;
  let queueUrl: string;

  beforeAll(async () => {
    moto = await startMoto();
    sqs = new SQSClient(moto.clientConfig(REGION));
  }, MOTO_START_TIMEOUT_MS);
  afterAll(async () => {
    sqs?.destroy();
    await moto?.stop();
  });
  beforeEach(async () => {
    await moto.reset();
    queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'pass-handover' }))).QueueUrl!;
    await moto.recordRequests();
  });

  it('sends one message whose body the pod scaler reads back as that hand-over', async () => {
    await new SqsPassHandover(sqs, queueUrl).send(MESSAGE, 0);
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    expect(received.Messages).toHaveLength(1);
    // As the event source mapping delivers it to Lambda.
    const event = { Records: [{ messageId: received.Messages![0]!.MessageId, eventSource: 'aws:sqs', body: received.Messages![0]!.Body }] };
    expect(classifyEvent(event)).toEqual({ kind: 'pass', messages: [MESSAGE], unreadable: [] });
  });

  it('asks SQS for the delay, in one SendMessage', async () => {
    await new SqsPassHandover(sqs, queueUrl).send(MESSAGE, 13);
    const sent = await moto.recordedRequests('SendMessage');
    expect(sent).toHaveLength(1);
    expect(JSON.parse(sent[0]!.body)).toMatchObject({ QueueUrl: queueUrl, DelaySeconds: 13 });
    // Delayed: not visible yet.
    const now = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    expect(now.Messages ?? []).toHaveLength(0);
  });

  it('names the queue when it does not exist', async () => {
    const missing = queueUrl.replace('pass-handover', 'deleted-queue');
    await expect(new SqsPassHandover(sqs, missing).send(MESSAGE, 10)).rejects.toThrow(/SQS SendMessage to the hand-over queue .*deleted-queue failed: QueueDoesNotExist/);
  });

  it.each([-1, 901, 1.5, Number.NaN])('refuses a delay SQS would refuse (%s s) before calling it', async (delay) => {
    await expect(new SqsPassHandover(sqs, queueUrl).send(MESSAGE, delay)).rejects.toThrow(/not a whole number of seconds from 0 to 900/);
    expect(await moto.recordedRequests('SendMessage')).toHaveLength(0);
  });
});
