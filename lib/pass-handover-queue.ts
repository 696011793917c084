/**
 * The queue through which the pod scaler's scheduled window hands itself its next pass instead of
 * sleeping until it (lambdas/pod-scaler/parked-windows.ts; docs/performance.md §20). The window
 * sends one message with `DelaySeconds` per pass; the queue's event source mapping invokes the pod
 * scaler when the delay ends. Nothing is billed while the window waits.
 */
import { Duration } from 'aws-cdk-lib';
import { EventSourceMapping, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import { Queue, QueueEncryption, type IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export const PASS_HANDOVER_QUEUE_URL_ENV = 'PASS_HANDOVER_QUEUE_URL';

export interface PassHandoverQueueProps {
  /** The pod scaler: it sends the hand-overs and receives them. */
  target: IFunction;
  /** Its role, to send. */
  sender: IGrantable;
  /** The pod scaler's timeout: SQS hides a message being handled at least this long. */
  functionTimeout: Duration;
  /** Where a hand-over goes after its invocation failed twice (the deployment's failure queue). */
  deadLetterQueue: IQueue;
}

export class PassHandoverQueue extends Construct {
  readonly queue: Queue;
  readonly mapping: EventSourceMapping;

  constructor(scope: Construct, id: string, props: PassHandoverQueueProps) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // A hand-over is useless a few seconds after its pass (the handler drops it as stale), so
      // nothing needs keeping long; SQS's minimum is one minute.
      retentionPeriod: Duration.minutes(5),
      // Lambda requires at least the function's timeout, or a message could be handled twice at once.
      visibilityTimeout: props.functionTimeout.plus(Duration.seconds(10)),
      deadLetterQueue: { queue: props.deadLetterQueue, maxReceiveCount: 2 },
    });
    this.queue.grantSendMessages(props.sender);
    this.queue.grantConsumeMessages(props.target);
    this.mapping = new EventSourceMapping(this, 'Mapping', {
      target: props.target,
      eventSourceArn: this.queue.queueArn,
      // One hand-over per invocation: each resumes its own window.
      batchSize: 1,
      // The windows parked at once are few (one per deployment: shards sleep); 2 is SQS's floor.
      maxConcurrency: 2,
    });
  }
}
