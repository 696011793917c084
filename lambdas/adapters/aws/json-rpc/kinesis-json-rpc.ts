/**
 * Kinesis's operation on the direct path (`direct-json-rpc.ts`): DescribeStreamSummary, the read
 * every Kinesis trigger makes for its stream (under the account's 20 calls a second, which
 * kinesis-call-limit.ts keeps). Kinesis speaks JSON 1.1; its one timestamp in this answer is epoch
 * seconds on the wire and a Date in the SDK's output, converted here the same way.
 */
import { DescribeStreamSummaryCommand } from '@aws-sdk/client-kinesis';
import type { JsonRpcService } from './direct-json-rpc';

export const KINESIS_JSON_RPC: JsonRpcService = {
  signingName: 'kinesis',
  contentType: 'application/x-amz-json-1.1',
  targetPrefix: 'Kinesis_20131202',
  operations: new Map<abstract new (...args: never[]) => unknown, string>([[DescribeStreamSummaryCommand, 'DescribeStreamSummary']]),
  decodeOutput: (output) => {
    const summary = output.StreamDescriptionSummary as Record<string, unknown> | undefined;
    const created = summary?.StreamCreationTimestamp;
    if (typeof created === 'number') summary!.StreamCreationTimestamp = new Date(Math.round(created * 1000));
    return output;
  },
};
