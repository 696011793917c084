/**
 * The one dead-letter queue of the deployment: ticks the scheduler could not deliver, alarm events
 * EventBridge could not deliver, and asynchronous invocations that failed after Lambda's retries.
 * Anything in it means a tick was lost; an alarm watches it.
 */
import { Duration } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export class FailureQueue extends Construct {
  readonly queue: Queue;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
  }
}
