/**
 * One connection to one Kafka broker: TCP or TLS, then SASL if asked, then requests matched to
 * answers by correlation id. Every request waits at most until its signal aborts; an abort, a
 * socket error or a close fails every request in flight and the connection is not used again.
 */
import net from 'node:net';
import tls from 'node:tls';
import { API, VERSION, Reader, errorName, frameRequest, readSaslAuthenticate, readSaslHandshake, saslAuthenticateRequest, saslHandshakeRequest } from './kafka-protocol';
import type { SaslSession } from './kafka-sasl';
import { recordAwsCall } from '../aws/call-counter';

const CLIENT_ID = 'eks-lambda-scaler';
/** Largest answer accepted: a Metadata answer for thousands of partitions is far below it. */
const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

export interface TlsSettings {
  ca?: string;
  cert?: string;
  key?: string;
  passphrase?: string;
  rejectUnauthorized: boolean;
}

export interface ConnectOptions {
  host: string;
  port: number;
  tls?: TlsSettings;
  /** Built per broker (AWS_MSK_IAM signs the broker's host name). */
  sasl?: (host: string) => SaslSession;
  signal: AbortSignal;
}

export class KafkaConnection {
  private nextCorrelation = 1;
  private readonly pending = new Map<number, { resolve: (body: Buffer) => void; reject: (error: Error) => void }>();
  private buffered: Buffer = Buffer.alloc(0);
  private failure: Error | undefined;

  private constructor(
    private readonly socket: net.Socket,
    readonly address: string,
  ) {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(new Error(`${address}: ${error.message}`)));
    socket.on('close', () => this.fail(new Error(`${address} closed the connection`)));
  }

  static async open(options: ConnectOptions): Promise<KafkaConnection> {
    const address = `${options.host}:${options.port}`;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const onAbort = () => {
        socket.destroy();
        reject(abortError(address, 'connecting', options.signal));
      };
      const socket = options.tls
        ? tls.connect({ host: options.host, port: options.port, servername: net.isIP(options.host) ? undefined : options.host, ...options.tls }, () => done())
        : net.connect({ host: options.host, port: options.port }, () => done());
      const done = () => {
        options.signal.removeEventListener('abort', onAbort);
        socket.removeListener('error', onError);
        resolve(socket);
      };
      const onError = (error: Error) => {
        options.signal.removeEventListener('abort', onAbort);
        reject(new Error(`cannot connect to broker ${address}${options.tls ? ' (TLS)' : ''}: ${error.message}`));
      };
      socket.once('error', onError);
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
    });
    socket.setNoDelay(true);
    const connection = new KafkaConnection(socket, address);
    if (options.sasl) {
      try {
        await connection.authenticate(options.sasl(options.host), options.signal);
      } catch (error) {
        connection.close();
        throw error;
      }
    }
    return connection;
  }

  /** Sends one request and resolves with the answer's body (after the correlation id). */
  request(apiKey: number, apiVersion: number, body: Buffer, signal: AbortSignal): Promise<Reader> {
    if (this.failure) return Promise.reject(this.failure);
    if (signal.aborted) return Promise.reject(abortError(this.address, 'waiting for an answer', signal));
    const correlationId = this.nextCorrelation++;
    // The pass's call counts (docs/performance.md): every read request, not the SASL login steps.
    if (apiKey !== API.SaslHandshake && apiKey !== API.SaslAuthenticate) recordAwsCall('kafka');
    return new Promise<Reader>((resolve, reject) => {
      const onAbort = () => {
        const error = abortError(this.address, 'waiting for an answer', signal);
        this.fail(error); // answers may still arrive out of turn: the connection is not reused
        reject(error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.pending.set(correlationId, {
        resolve: (answer) => {
          signal.removeEventListener('abort', onAbort);
          resolve(new Reader(answer));
        },
        reject: (error) => {
          signal.removeEventListener('abort', onAbort);
          reject(error);
        },
      });
      this.socket.write(frameRequest(apiKey, apiVersion, correlationId, CLIENT_ID, body));
    });
  }

  get usable(): boolean {
    return !this.failure;
  }

  close(): void {
    this.fail(new Error(`${this.address}: connection closed`));
  }

  private async authenticate(session: SaslSession, signal: AbortSignal): Promise<void> {
    const handshake = readSaslHandshake(await this.request(API.SaslHandshake, VERSION.SaslHandshake, saslHandshakeRequest(session.mechanism), signal));
    if (handshake.errorCode !== 0) {
      throw new Error(`broker ${this.address} does not accept SASL mechanism ${session.mechanism} (${errorName(handshake.errorCode)}; it offers ${handshake.mechanisms.join(', ') || 'none'})`);
    }
    let message = await session.next(Buffer.alloc(0));
    while (message) {
      const answer = readSaslAuthenticate(await this.request(API.SaslAuthenticate, VERSION.SaslAuthenticate, saslAuthenticateRequest(message), signal));
      if (answer.errorCode !== 0) throw new Error(`broker ${this.address} refused the SASL ${session.mechanism} login: ${answer.errorMessage ?? errorName(answer.errorCode)}`);
      message = await session.next(answer.authBytes);
    }
  }

  private onData(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    while (this.buffered.length >= 4) {
      const size = this.buffered.readInt32BE(0);
      if (size < 4 || size > MAX_RESPONSE_BYTES) return this.fail(new Error(`${this.address} sent a frame of ${size} bytes, which is not a Kafka answer (is this a Kafka listener, and does it expect ${'TLS'} or plain text?)`));
      if (this.buffered.length < 4 + size) return;
      const frame = this.buffered.subarray(4, 4 + size);
      this.buffered = this.buffered.subarray(4 + size);
      const correlationId = frame.readInt32BE(0);
      const waiting = this.pending.get(correlationId);
      this.pending.delete(correlationId);
      waiting?.resolve(frame.subarray(4));
    }
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
    this.socket.destroy();
  }
}

function abortError(address: string, what: string, signal: AbortSignal): Error {
  const error = new Error(`broker ${address} did not answer in time (${what})`);
  error.name = signal.reason instanceof Error && signal.reason.name === 'TimeoutError' ? 'TimeoutError' : 'AbortError';
  return error;
}
