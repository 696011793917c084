/**
 * The port through which a scheduled window hands its next pass to a later invocation of the same
 * function instead of sleeping until it (issue 13: Lambda bills a sleeping invocation as a working
 * one). Production sends the message to an SQS queue with `DelaySeconds`; the queue's event source
 * mapping invokes the function when the delay ends (adapters/aws/sqs-pass-handover.ts).
 */
export const HANDOVER_EVENT_SOURCE = 'eks-lambda-scaler.pass';

/** SQS's largest `DelaySeconds`. */
export const MAX_HANDOVER_DELAY_SECONDS = 900;

/** One hand-over: which window, which of its passes, and when that pass is due. */
export interface HandoverMessage {
  source: typeof HANDOVER_EVENT_SOURCE;
  /** The window's id: unique per scheduled invocation. */
  window: string;
  /** Epoch ms at which the window started (its pass offsets count from here). */
  windowStart: number;
  /** The pass's offset in the window, ms. */
  offsetMs: number;
}

export interface PassHandover {
  /** Delivers `message` back to this function after `delaySeconds` (0 to MAX_HANDOVER_DELAY_SECONDS). */
  send(message: HandoverMessage, delaySeconds: number): Promise<void>;
}
