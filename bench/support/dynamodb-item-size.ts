/**
 * The size DynamoDB bills an item at (write units per KB, read units per 4 KB), computed from its
 * attributes the way DynamoDB's documentation describes: attribute names and string/binary values
 * by their UTF-8 bytes, numbers at about one byte per two digits plus one, containers 3 bytes plus
 * their elements plus one byte each. Close enough to tell 1 WRU from 2.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export function attributeBytes(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\./g, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS) return value.SS.reduce((sum, item) => sum + Buffer.byteLength(item), 0);
  if (value.NS) return value.NS.reduce((sum, item) => sum + attributeBytes({ N: item }), 0);
  if (value.L) return 3 + value.L.reduce((sum, item) => sum + 1 + attributeBytes(item), 0);
  if (value.M) return 3 + itemBytes(value.M) + Object.keys(value.M).length;
  return 0;
}

export function itemBytes(item: Record<string, AttributeValue>): number {
  return Object.entries(item).reduce((sum, [name, value]) => sum + Buffer.byteLength(name) + attributeBytes(value), 0);
}
