/**
 * Errors of the direct JSON-protocol path, shaped as the AWS SDK shapes them, so everything that
 * reads SDK errors (aws-errors.ts, dynamodb-errors.ts, the `instanceof`-free name checks of the
 * state store) reads these alike: `name` is the service's error code (`ConditionalCheckFailedException`,
 * `QueueDoesNotExist`), `$metadata.httpStatusCode` the status, `$fault` client or server.
 *
 * And the retry classes of the SDK's standard mode (@smithy/service-error-classification's
 * constants, as bundled in @smithy/core 3.41's retry module), so a call retries on exactly what
 * the SDK client would have retried.
 */

export interface AwsServiceErrorShape extends Error {
  $fault: 'client' | 'server';
  $metadata: { httpStatusCode?: number; requestId?: string; attempts?: number; totalRetryDelay?: number; clockSkewCorrected?: boolean };
  /** SQS's query-compatible code (`AWS.SimpleQueueService.NonExistentQueue`), as the SDK sets it. */
  Code?: string;
  Type?: string;
}

/**
 * An answer outside 2xx as an error. The code is read where the SDK reads it (the `x-amzn-errortype`
 * header, else the body's `code`, else `__type`, else SQS's query-compatible header), without what
 * the SDK strips: anything after `,` or `:`, and the namespace before `#`
 * (`com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException`). With none, the status names it.
 */
export function errorFromAnswer(status: number, headers: Readonly<Record<string, string | undefined>>, text: string): AwsServiceErrorShape {
  let parsed: Record<string, unknown> = {};
  if (text.trim() !== '') {
    try {
      const value: unknown = JSON.parse(text);
      if (value && typeof value === 'object') parsed = value as Record<string, unknown>;
    } catch {
      return unreadableAnswer(status, headers, text);
    }
  }
  const rawCode = headers['x-amzn-errortype'] ?? stringField(parsed, 'code') ?? stringField(parsed, '__type') ?? headers['x-amzn-query-error']?.split(';')[0];
  const code = rawCode ? sanitizeErrorCode(rawCode) : status >= 500 ? 'InternalFailure' : `Http${status}`;
  const message = stringField(parsed, 'message') ?? stringField(parsed, 'Message') ?? (text.trim().slice(0, 200) || `HTTP ${status}`);
  const error = new Error(message) as AwsServiceErrorShape;
  error.name = code;
  error.$fault = status >= 500 ? 'server' : 'client';
  error.$metadata = { httpStatusCode: status, requestId: headers['x-amzn-requestid'] ?? headers['x-amz-request-id'] };
  const queryError = headers['x-amzn-query-error'];
  if (queryError) {
    const [queryCode, type] = queryError.split(';');
    if (queryCode) error.Code = queryCode;
    if (type) error.Type = type;
  }
  return error;
}

/**
 * A body that is not JSON (a proxy's or load balancer's page): a SyntaxError carrying the status, as
 * the SDK throws it, so aws-errors.ts reports a malformed answer naming the endpoint and a 5xx is
 * still retried as transient.
 */
export function unreadableAnswer(status: number, headers: Readonly<Record<string, string | undefined>>, text: string): AwsServiceErrorShape {
  const error = new SyntaxError(`Deserialization error: the HTTP ${status} answer is not JSON: ${text.replace(/\s+/g, ' ').trim().slice(0, 120)}`) as unknown as AwsServiceErrorShape;
  error.$metadata = { httpStatusCode: status, requestId: headers['x-amzn-requestid'] };
  return error;
}

function stringField(object: Record<string, unknown>, key: string): string | undefined {
  const value = object[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function sanitizeErrorCode(raw: string): string {
  let code = raw;
  const comma = code.indexOf(',');
  if (comma >= 0) code = code.slice(0, comma);
  const colon = code.indexOf(':');
  if (colon >= 0) code = code.slice(0, colon);
  const hash = code.indexOf('#');
  if (hash >= 0) code = code.slice(hash + 1);
  return code;
}

export type RetryErrorType = 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR';

const THROTTLING_CODES = new Set([
  'BandwidthLimitExceeded',
  'EC2ThrottledException',
  'LimitExceededException',
  'PriorRequestNotComplete',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'RequestThrottled',
  'RequestThrottledException',
  'SlowDown',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'TransactionInProgressException',
]);
const TRANSIENT_CODES = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const NETWORK_ERROR_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/** What the SDK's standard retry strategy would call this error; only CLIENT_ERROR is not retried. */
export function retryErrorType(error: unknown): RetryErrorType {
  const shaped = (error ?? {}) as Partial<AwsServiceErrorShape> & { code?: unknown };
  const status = shaped.$metadata?.httpStatusCode;
  const name = typeof shaped.name === 'string' ? shaped.name : '';
  if (status === 429 || THROTTLING_CODES.has(name)) return 'THROTTLING';
  if (isTransient(error, 0)) return 'TRANSIENT';
  if (status !== undefined && status >= 500) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

function isTransient(error: unknown, depth: number): boolean {
  if (!error || typeof error !== 'object') return false;
  const shaped = error as Partial<AwsServiceErrorShape> & { code?: unknown; cause?: unknown };
  if (shaped.name === 'AbortError') return false;
  const status = shaped.$metadata?.httpStatusCode;
  return (
    shaped.$metadata?.clockSkewCorrected === true ||
    TRANSIENT_CODES.has(shaped.name ?? '') ||
    (shaped.name === 'InvalidSignatureException' && (shaped.message ?? '').includes('Signature expired')) ||
    (typeof shaped.code === 'string' && NETWORK_ERROR_CODES.has(shaped.code)) ||
    (status !== undefined && TRANSIENT_STATUS.has(status)) ||
    (depth < 10 && isTransient(shaped.cause, depth + 1))
  );
}
