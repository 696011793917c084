/**
 * DynamoDB's operations on the direct path (`direct-json-rpc.ts`): the state table's item reads
 * and writes, which every pass makes for every object that changes. Table management, scans and
 * queries stay with the SDK.
 *
 * DynamoDB's JSON carries binary attribute values (`B`, `BS`) as base64, where the SDK's types use
 * Uint8Array: both directions are converted here, so an item reads the same whichever path read it.
 */
import { BatchGetItemCommand, DeleteItemCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { JsonRpcService } from './direct-json-rpc';

export const DYNAMODB_JSON_RPC: JsonRpcService = {
  signingName: 'dynamodb',
  contentType: 'application/x-amz-json-1.0',
  targetPrefix: 'DynamoDB_20120810',
  operations: new Map<abstract new (...args: never[]) => unknown, string>([
    [PutItemCommand, 'PutItem'],
    [GetItemCommand, 'GetItem'],
    [BatchGetItemCommand, 'BatchGetItem'],
    [DeleteItemCommand, 'DeleteItem'],
  ]),
  encodeInput: (input) => JSON.stringify(input, binaryAsBase64),
  decodeOutput: (output, text) => (BINARY_VALUE.test(text) ? (binaryFromBase64(output) as Record<string, unknown>) : output),
};

/** A `"B":` or `"BS":` key anywhere in the answer: only then is the output walked. */
const BINARY_VALUE = /"BS?"\s*:/;

function binaryAsBase64(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify hands a Buffer's toJSON() form to the replacer: the holder has the original.
  const original = (this as Record<string, unknown>)[key];
  if (original instanceof Uint8Array) return Buffer.from(original.buffer, original.byteOffset, original.byteLength).toString('base64');
  return value;
}

/** Turns every AttributeValue `{ B: base64 }` / `{ BS: [base64] }` into Uint8Array(s), as the SDK does. */
function binaryFromBase64(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = binaryFromBase64(value[i]);
    return value;
  }
  if (!value || typeof value !== 'object') return value;
  const object = value as Record<string, unknown>;
  const keys = Object.keys(object);
  if (keys.length === 1) {
    if (keys[0] === 'B' && typeof object.B === 'string') return { B: fromBase64(object.B) };
    if (keys[0] === 'BS' && Array.isArray(object.BS) && object.BS.every((item) => typeof item === 'string')) return { BS: (object.BS as string[]).map(fromBase64) };
  }
  for (const key of keys) object[key] = binaryFromBase64(object[key]);
  return object;
}

function fromBase64(text: string): Uint8Array {
  const buffer = Buffer.from(text, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}
