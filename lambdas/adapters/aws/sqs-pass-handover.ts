/**
 * The pass hand-over on SQS: one `SendMessage` with `DelaySeconds` to the stack's hand-over queue,
 * whose event source mapping invokes the pod scaler when the delay ends. SQS bills the send, the
 * mapping's receive and its delete: about 3 requests a pass, $0.05 a month at four passes a minute.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { MAX_HANDOVER_DELAY_SECONDS, type HandoverMessage, type PassHandover } from '../../pod-scaler/pass-handover';

export class SqsPassHandover implements PassHandover {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  async send(message: HandoverMessage, delaySeconds: number): Promise<void> {
    if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_HANDOVER_DELAY_SECONDS) {
      throw new RangeError(`hand-over delay ${delaySeconds} s is not a whole number of seconds from 0 to ${MAX_HANDOVER_DELAY_SECONDS} (SQS DelaySeconds)`);
    }
    try {
      await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message), DelaySeconds: delaySeconds }));
    } catch (error) {
      const name = (error as { name?: string }).name ?? 'Error';
      const detail = (error as { message?: string }).message ?? String(error);
      throw new Error(`SQS SendMessage to the hand-over queue ${this.queueUrl} failed: ${name}: ${detail}`, { cause: error });
    }
  }
}
