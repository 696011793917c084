/**
 * DynamoDB failures worded for a person: the service, the operation, the table, and what to do.
 * The SDK's own messages name neither the table nor the service ("Requested resource not found").
 */
import { awsErrorName, isMalformedAnswer, isServerError } from '../aws/aws-errors';

const FIXES: Record<string, string> = {
  AccessDeniedException: "grant the action on the table's ARN to the Lambda's role (the CDK construct does; check for a deny or a changed table name)",
  ResourceNotFoundException: 'the table does not exist in this account and region: check STATE_TABLE_NAME and that the stack deployed it',
  ProvisionedThroughputExceededException: 'the table is throttling the scaler: use on-demand billing or raise its capacity',
  ThrottlingException: 'DynamoDB is throttling the scaler: use on-demand billing or raise its capacity',
  RequestLimitExceeded: 'the account is over its DynamoDB request limit: raise the limit',
  TimeoutError: 'no answer in time: check that the Lambda can reach DynamoDB (a VPC endpoint or a NAT)',
};

/** `operation` as IAM names it without the prefix, e.g. `PutItem`; `itemKey` when the call addressed one item. */
export function dynamoDbError(error: unknown, operation: string, tableName: string, itemKey?: string): Error {
  const call = itemKey === undefined ? `DynamoDB ${operation} on table ${tableName}` : `DynamoDB ${operation} for item ${itemKey} in table ${tableName}`;
  if (isMalformedAnswer(error)) {
    return new Error(
      `${call} got an answer that is not DynamoDB's (a proxy or captive-portal page?): ` +
        'check any VPC endpoint or proxy between the Lambda and DynamoDB; retried next pass',
      { cause: error },
    );
  }
  const name = awsErrorName(error);
  const detail = error instanceof Error ? error.message.replace(/\s+/g, ' ').trim() : String(error);
  if (isServerError(error)) {
    const wrapped = new Error(`${call} failed with a server error at AWS (${name}: ${detail}): retried next pass`, { cause: error });
    wrapped.name = name;
    return wrapped;
  }
  const fix = FIXES[name] ? `; ${FIXES[name]}` : '';
  const action = name === 'AccessDeniedException' ? ` (needs dynamodb:${operation})` : '';
  const wrapped = new Error(`${call} failed${action}: ${name}: ${detail}${fix}`, { cause: error });
  // Keeps the AWS error name, so callers that branch on it (the CLI, retries) still can.
  wrapped.name = name;
  return wrapped;
}
