/**
 * Kinesis's operations on the direct path (`direct-json-rpc.ts`): the reads a Kinesis trigger makes
 * for its stream (aws-kinesis-stream.ts): ListShards with the scaler's own role, and
 * DescribeStreamSummary with an assumed one (under the account's 20 calls a second, which
 * kinesis-call-limit.ts keeps). Kinesis speaks JSON 1.1. The inputs the trigger sends carry no
 * timestamps (a `ShardFilter.Timestamp` or `StreamCreationTimestamp` would need epoch seconds, not
 * the ISO string `JSON.stringify` writes). ListShards' answer has no timestamps; DescribeStreamSummary's
 * one is epoch seconds on the wire and a Date in the SDK's output, converted here the same way.
 */
import { DescribeStreamSummaryCommand, ListShardsCommand } from '@aws-sdk/client-kinesis';
import type { JsonRpcService } from './direct-json-rpc';

export const KINESIS_JSON_RPC: JsonRpcService = {
  signingName: 'kinesis',
  contentType: 'application/x-amz-json-1.1',
  targetPrefix: 'Kinesis_20131202',
  operations: new Map<abstract new (...args: never[]) => unknown, string>([
    [DescribeStreamSummaryCommand, 'DescribeStreamSummary'],
    [ListShardsCommand, 'ListShards'],
  ]),
  decodeOutput: (output) => {
    const summary = output.StreamDescriptionSummary as Record<string, unknown> | undefined;
    const created = summary?.StreamCreationTimestamp;
    if (typeof created === 'number') summary!.StreamCreationTimestamp = new Date(Math.round(created * 1000));
    return output;
  },
};
