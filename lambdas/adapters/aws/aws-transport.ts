/**
 * The transport of every AWS client the scalers make. Its own module, apart from the trigger
 * clients' factory, so the node scaler, which reads no triggers, does not bundle the SQS, Kinesis,
 * CloudWatch and DynamoDB Streams clients to get it.
 */
import { NodeHttpHandler } from '@smithy/node-http-handler';

export const DEFAULT_CALL_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_ATTEMPTS = 3;

/**
 * The transport every AWS client of the scaler uses (trigger reads, DynamoDB, EKS, Lambda): the
 * SDK's standard retries for throttling and 5xx, and a per-attempt timeout, so a hung endpoint
 * costs at most `maxAttempts` × `timeoutMs` instead of the Lambda's whole life.
 */
export function awsTransport(timeoutMs: number = DEFAULT_CALL_TIMEOUT_MS, maxAttempts: number = DEFAULT_MAX_ATTEMPTS) {
  return {
    retryMode: 'standard',
    maxAttempts,
    // requestTimeout alone only logs a warning in this @smithy/node-http-handler: throwOnRequestTimeout
    // fails the attempt, and socketTimeout bounds a socket that goes silent mid-answer.
    requestHandler: new NodeHttpHandler({
      requestTimeout: timeoutMs,
      throwOnRequestTimeout: true,
      socketTimeout: timeoutMs,
      connectionTimeout: Math.min(timeoutMs, 3_000),
    }),
  };
}
