/**
 * The few Kafka protocol messages the scaler sends, encoded and decoded by hand: Metadata v4,
 * ListOffsets v2, OffsetFetch v3, FindCoordinator v1, DescribeGroups v1, SaslHandshake v1 and
 * SaslAuthenticate v1 (all "non-flexible" versions, which brokers from 1.0 through 4.x accept).
 * Field layouts follow the message definitions in Apache Kafka's
 * `clients/src/main/resources/common/message/*.json`. Pure: bytes in, bytes out.
 */

export const API = { ListOffsets: 2, Metadata: 3, OffsetFetch: 9, FindCoordinator: 10, DescribeGroups: 15, SaslHandshake: 17, SaslAuthenticate: 36 } as const;
export const VERSION = { ListOffsets: 2, Metadata: 4, OffsetFetch: 3, FindCoordinator: 1, DescribeGroups: 1, SaslHandshake: 1, SaslAuthenticate: 1 } as const;

/** Kafka's error codes that the scaler explains; any other is reported by number and name where known. */
export const ERROR_NAMES: Record<number, string> = {
  1: 'OFFSET_OUT_OF_RANGE',
  3: 'UNKNOWN_TOPIC_OR_PARTITION',
  5: 'LEADER_NOT_AVAILABLE',
  6: 'NOT_LEADER_OR_FOLLOWER',
  7: 'REQUEST_TIMED_OUT',
  14: 'COORDINATOR_LOAD_IN_PROGRESS',
  15: 'COORDINATOR_NOT_AVAILABLE',
  16: 'NOT_COORDINATOR',
  29: 'TOPIC_AUTHORIZATION_FAILED',
  30: 'GROUP_AUTHORIZATION_FAILED',
  31: 'CLUSTER_AUTHORIZATION_FAILED',
  33: 'UNSUPPORTED_SASL_MECHANISM',
  34: 'ILLEGAL_SASL_STATE',
  35: 'UNSUPPORTED_VERSION',
  58: 'SASL_AUTHENTICATION_FAILED',
  69: 'GROUP_ID_NOT_FOUND',
};

export function errorName(code: number): string {
  return ERROR_NAMES[code] ?? `error code ${code}`;
}

export class Writer {
  private chunks: Buffer[] = [];
  int8(value: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(value);
    return this.push(b);
  }
  int16(value: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(value);
    return this.push(b);
  }
  int32(value: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(value);
    return this.push(b);
  }
  int64(value: bigint): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(value);
    return this.push(b);
  }
  bool(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }
  string(value: string | null): this {
    if (value === null) return this.int16(-1);
    const bytes = Buffer.from(value, 'utf8');
    return this.int16(bytes.length).push(bytes);
  }
  bytes(value: Buffer): this {
    return this.int32(value.length).push(value);
  }
  /** An array; null writes length -1 (e.g. Metadata's "all topics"). */
  array<T>(items: readonly T[] | null, write: (writer: this, item: T) => void): this {
    if (items === null) return this.int32(-1);
    this.int32(items.length);
    for (const item of items) write(this, item);
    return this;
  }
  build(): Buffer {
    return Buffer.concat(this.chunks);
  }
  private push(buffer: Buffer): this {
    this.chunks.push(buffer);
    return this;
  }
}

export class Reader {
  private offset = 0;
  constructor(private readonly buffer: Buffer) {}
  int8(): number {
    return this.take(1).readInt8();
  }
  int16(): number {
    return this.take(2).readInt16BE();
  }
  int32(): number {
    return this.take(4).readInt32BE();
  }
  /** Offsets fit a double exactly up to 2^53, far past any partition's offset. */
  int64(): number {
    return Number(this.take(8).readBigInt64BE());
  }
  bool(): boolean {
    return this.int8() !== 0;
  }
  string(): string {
    const value = this.nullableString();
    if (value === null) throw new Error('malformed Kafka response: null where a string is required');
    return value;
  }
  nullableString(): string | null {
    const length = this.int16();
    return length < 0 ? null : this.take(length).toString('utf8');
  }
  bytes(): Buffer {
    const length = this.int32();
    return length < 0 ? Buffer.alloc(0) : this.take(length);
  }
  array<T>(read: (reader: this) => T): T[] {
    const length = this.int32();
    const items: T[] = [];
    for (let i = 0; i < length; i++) items.push(read(this));
    return items;
  }
  private take(length: number): Buffer {
    if (this.offset + length > this.buffer.length) throw new Error('malformed Kafka response: shorter than its fields');
    const slice = this.buffer.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
}

/** Request header v1: api key, version, correlation id, client id. */
export function frameRequest(apiKey: number, apiVersion: number, correlationId: number, clientId: string, body: Buffer): Buffer {
  const payload = new Writer().int16(apiKey).int16(apiVersion).int32(correlationId).string(clientId).build();
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length + body.length);
  return Buffer.concat([size, payload, body]);
}

export interface MetadataAnswer {
  brokers: { nodeId: number; host: string; port: number }[];
  topics: { errorCode: number; name: string; partitions: { errorCode: number; partition: number; leader: number }[] }[];
}

/** Metadata v4: the named topics, or every topic when `topics` is null; never creates a topic. */
export function metadataRequest(topics: readonly string[] | null): Buffer {
  return new Writer().array(topics, (w, name) => w.string(name)).bool(false).build();
}

export function readMetadata(reader: Reader): MetadataAnswer {
  reader.int32(); // throttle_time_ms
  const brokers = reader.array((r) => {
    const nodeId = r.int32();
    const host = r.string();
    const port = r.int32();
    r.nullableString(); // rack
    return { nodeId, host, port };
  });
  reader.nullableString(); // cluster_id
  reader.int32(); // controller_id
  const topics = reader.array((r) => {
    const errorCode = r.int16();
    const name = r.string();
    r.bool(); // is_internal
    const partitions = r.array((p) => {
      const partitionError = p.int16();
      const partition = p.int32();
      const leader = p.int32();
      p.array((q) => q.int32()); // replica_nodes
      p.array((q) => q.int32()); // isr_nodes
      return { errorCode: partitionError, partition, leader };
    });
    return { errorCode, name, partitions };
  });
  return { brokers, topics };
}

/** ListOffsets v2, read_uncommitted, timestamp -1: each partition's high watermark (as sarama and kafka-go ask). */
export function listOffsetsRequest(topics: ReadonlyMap<string, readonly number[]>): Buffer {
  return new Writer()
    .int32(-1) // replica_id: a client
    .int8(0) // isolation_level: read_uncommitted
    .array([...topics], (w, [name, partitions]) => w.string(name).array(partitions, (pw, partition) => pw.int32(partition).int64(-1n)))
    .build();
}

export function readListOffsets(reader: Reader): { topic: string; partition: number; errorCode: number; offset: number }[] {
  reader.int32(); // throttle_time_ms
  return reader
    .array((r) => {
      const topic = r.string();
      return r.array((p) => {
        const partition = p.int32();
        const errorCode = p.int16();
        p.int64(); // timestamp
        const offset = p.int64();
        return { topic, partition, errorCode, offset };
      });
    })
    .flat();
}

export function findCoordinatorRequest(group: string): Buffer {
  return new Writer().string(group).int8(0).build();
}

export function readFindCoordinator(reader: Reader): { errorCode: number; errorMessage: string | null; nodeId: number; host: string; port: number } {
  reader.int32(); // throttle_time_ms
  const errorCode = reader.int16();
  const errorMessage = reader.nullableString();
  const nodeId = reader.int32();
  const host = reader.string();
  const port = reader.int32();
  return { errorCode, errorMessage, nodeId, host, port };
}

/** OffsetFetch v3 for the named topics' partitions, or every topic the group committed (null). */
export function offsetFetchRequest(group: string, topics: ReadonlyMap<string, readonly number[]> | null): Buffer {
  return new Writer()
    .string(group)
    .array(topics ? [...topics] : null, (w, [name, partitions]) => w.string(name).array(partitions, (pw, partition) => pw.int32(partition)))
    .build();
}

export function readOffsetFetch(reader: Reader): { errorCode: number; partitions: { topic: string; partition: number; committed: number; errorCode: number }[] } {
  reader.int32(); // throttle_time_ms
  const partitions = reader
    .array((r) => {
      const topic = r.string();
      return r.array((p) => {
        const partition = p.int32();
        const committed = p.int64();
        p.nullableString(); // metadata
        const errorCode = p.int16();
        return { topic, partition, committed, errorCode };
      });
    })
    .flat();
  const errorCode = reader.int16();
  return { errorCode, partitions };
}

export function describeGroupsRequest(group: string): Buffer {
  return new Writer().array([group], (w, name) => w.string(name)).build();
}

export function readDescribeGroups(reader: Reader): { errorCode: number; state: string; members: number }[] {
  reader.int32(); // throttle_time_ms
  return reader.array((r) => {
    const errorCode = r.int16();
    r.string(); // group_id
    const state = r.string();
    r.string(); // protocol_type
    r.string(); // protocol_data
    const members = r.array((m) => {
      m.string(); // member_id
      m.string(); // client_id
      m.string(); // client_host
      m.bytes(); // member_metadata
      m.bytes(); // member_assignment
      return 1;
    }).length;
    return { errorCode, state, members };
  });
}

export function saslHandshakeRequest(mechanism: string): Buffer {
  return new Writer().string(mechanism).build();
}

export function readSaslHandshake(reader: Reader): { errorCode: number; mechanisms: string[] } {
  const errorCode = reader.int16();
  const mechanisms = reader.array((r) => r.string());
  return { errorCode, mechanisms };
}

export function saslAuthenticateRequest(authBytes: Buffer): Buffer {
  return new Writer().bytes(authBytes).build();
}

export function readSaslAuthenticate(reader: Reader): { errorCode: number; errorMessage: string | null; authBytes: Buffer } {
  const errorCode = reader.int16();
  const errorMessage = reader.nullableString();
  const authBytes = reader.bytes();
  reader.int64(); // session_lifetime_ms
  return { errorCode, errorMessage, authBytes };
}
