/**
 * Turns AWS SDK errors into TriggerErrors a person can act on: which IAM action to grant on which
 * resource, which metadata to check, whether it was throttling or a timeout. The AWS error name is
 * kept as the code so alarms and tests can match on it. Messages never carry credentials: AWS error
 * texts name ARNs and actions, not keys.
 */
import { TriggerError } from '../../triggers/trigger-definition';

export interface AwsCallContext {
  /** e.g. `SQS GetQueueAttributes`. */
  operation: string;
  /** IAM action the call needs, e.g. `sqs:GetQueueAttributes`. */
  iamAction: string;
  /** IAM resource the call needs, e.g. `arn:aws:sqs:eu-west-1:123456789012:orders`. */
  resource: string;
  region: string;
  /** The thing read, for "does not exist" messages: `queue <url>`, `stream <name>`. */
  target: string;
  /** Metadata keys that name the target, for the fix. */
  targetKeys: string;
  roleArn?: string;
  /** The read's abort signal: when it fired, the error is a timeout whatever the SDK called it. */
  signal?: AbortSignal;
}

const ACCESS_DENIED = new Set(['AccessDenied', 'AccessDeniedException', 'AuthorizationError', 'UnauthorizedOperation', 'KMSAccessDeniedException']);
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'RequestThrottled',
  'RequestThrottledException',
  'TooManyRequestsException',
  'LimitExceededException',
  'RequestLimitExceeded',
  'ProvisionedThroughputExceededException',
]);
const NOT_FOUND = new Set(['QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'ResourceNotFoundException', 'ResourceNotFound']);
const INVALID_QUERY = new Set(['InvalidParameterValue', 'InvalidParameterValueException', 'InvalidParameterCombination', 'MissingParameter', 'ValidationError', 'InvalidParameterInput']);
const BAD_CREDENTIALS = new Set(['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException', 'InvalidSignatureException', 'SignatureDoesNotMatch', 'CredentialsProviderError']);
const TIMEOUTS = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'AbortError']);

/** The AWS error name (`QueueDoesNotExist`, `AccessDenied`...), or `Error` when there is none. */
export function awsErrorName(error: unknown): string {
  if (error && typeof error === 'object') {
    const named = error as { name?: unknown; Code?: unknown; code?: unknown };
    for (const candidate of [named.name, named.Code, named.code]) {
      if (typeof candidate === 'string' && candidate !== '' && candidate !== 'Error') return candidate;
    }
  }
  return 'Error';
}

function awsMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/\s+/g, ' ').trim() || 'no message';
}

const SERVER_ERRORS = new Set(['InternalServerError', 'InternalFailure', 'InternalError', 'ServiceUnavailable', 'ServiceUnavailableException', 'InternalServiceError', 'KMSInternalException']);

/** A 5xx from AWS (or a name that means one): nothing to fix on our side, the next pass retries. */
export function isServerError(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return SERVER_ERRORS.has(awsErrorName(error)) || (status !== undefined && status >= 500);
}

/**
 * An answer the SDK could not read (an HTML page from a proxy or captive portal instead of the
 * service's JSON/XML). The SDK's message is about its own internals; the person needs the endpoint.
 */
export function isMalformedAnswer(error: unknown): boolean {
  const message = error instanceof Error ? error.message : String(error);
  return awsErrorName(error) === 'SyntaxError' || /Deserialization error|is not valid JSON|Unexpected token|non-whitespace character/i.test(message);
}

export function isThrottlingError(error: unknown): boolean {
  return THROTTLED.has(awsErrorName(error));
}

export function isTimeoutError(error: unknown): boolean {
  return TIMEOUTS.has(awsErrorName(error));
}

/** True for CloudWatch's "one of your queries is invalid" errors, which fail a whole call. */
export function isInvalidQueryError(error: unknown): boolean {
  return INVALID_QUERY.has(awsErrorName(error));
}

export function isNotFoundError(error: unknown): boolean {
  const named = error as { Code?: unknown } | undefined;
  return NOT_FOUND.has(awsErrorName(error)) || named?.Code === 'AWS.SimpleQueueService.NonExistentQueue';
}

export function toTriggerError(error: unknown, context: AwsCallContext): TriggerError {
  if (error instanceof TriggerError) return error;
  const name = awsErrorName(error);
  const detail = awsMessage(error);
  const as = context.roleArn ? `the role ${context.roleArn}` : "the scaler's IAM role";

  if (context.signal?.aborted || TIMEOUTS.has(name)) {
    return new TriggerError(
      `${context.operation} on ${context.target} got no answer in time (region ${context.region}): check that the Lambda can reach the AWS endpoint (VPC endpoint or NAT) and awsEndpoint if set`,
      'Timeout',
    );
  }
  if (isNotFoundError(error)) {
    return new TriggerError(`${context.target} does not exist in ${context.region}: check ${context.targetKeys} and awsRegion (AWS said: ${detail})`, name);
  }
  if (ACCESS_DENIED.has(name)) {
    return new TriggerError(`${context.operation} denied: grant ${context.iamAction} on ${context.resource} to ${as} (AWS said: ${detail})`, name);
  }
  if (THROTTLED.has(name)) {
    return new TriggerError(`${context.operation} on ${context.target} was throttled by AWS even after retries: the read is retried next pass; raise the API quota or poll less often if it persists`, name);
  }
  if (isInvalidQueryError(error)) {
    return new TriggerError(`${context.operation} rejected the query for ${context.target}: ${detail} (check ${context.targetKeys})`, name);
  }
  if (BAD_CREDENTIALS.has(name)) {
    return new TriggerError(`${context.operation} failed: AWS rejected the credentials of ${as} (${name}: ${detail})`, name);
  }
  if (isMalformedAnswer(error)) {
    return new TriggerError(
      `${context.operation} on ${context.target} got an answer that is not from AWS (not the service's JSON/XML: a proxy or captive-portal page?): ` +
        'check awsEndpoint and any VPC endpoint or proxy in between; the read is retried next pass',
      'MalformedAnswer',
    );
  }
  if (isServerError(error)) {
    return new TriggerError(`${context.operation} on ${context.target} failed with a server error at AWS (${name}: ${detail}): the read is retried next pass`, name);
  }
  return new TriggerError(`${context.operation} on ${context.target} failed: ${name}: ${detail}`, name);
}
