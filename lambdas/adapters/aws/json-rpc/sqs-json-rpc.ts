/**
 * SQS's operations on the direct path (`direct-json-rpc.ts`): GetQueueAttributes, the read every
 * SQS trigger makes for every distinct queue each pass. SQS speaks the JSON protocol in a
 * query-compatible mode: the header below asks for it, and errors carry the query protocol's code
 * (`AWS.SimpleQueueService.NonExistentQueue`) in `x-amzn-query-error`, kept as `Code` as the SDK keeps it.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import type { JsonRpcService } from './direct-json-rpc';

export const SQS_JSON_RPC: JsonRpcService = {
  signingName: 'sqs',
  contentType: 'application/x-amz-json-1.0',
  targetPrefix: 'AmazonSQS',
  extraHeaders: { 'x-amzn-query-mode': 'true' },
  operations: new Map<abstract new (...args: never[]) => unknown, string>([[GetQueueAttributesCommand, 'GetQueueAttributes']]),
};
