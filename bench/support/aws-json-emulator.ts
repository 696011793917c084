/**
 * A small AWS JSON-protocol endpoint (awsJson1_0 / awsJson1_1: POST /, operation in the
 * `x-amz-target` header, JSON in and out) on 127.0.0.1, holding each request for a fixed latency
 * before answering and counting requests per operation. The installed SQS, CloudWatch and Kinesis
 * clients all speak these protocols, so the real SDK clients exercise their real serializers.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../../lambdas/util/listen-on-loopback';

export type OperationHandler = (input: Record<string, unknown>) => unknown;

export interface AwsJsonEmulator {
  endpoint: string;
  /** Requests answered, by operation name (e.g. `GetQueueAttributes`). */
  counts(): Record<string, number>;
  resetCounts(): void;
  close(): Promise<void>;
}

export interface AwsJsonEmulatorOptions {
  /** `1.0` (SQS, CloudWatch) or `1.1` (Kinesis): only the response content type differs. */
  jsonVersion: '1.0' | '1.1';
  latencyMs: number;
  operations: Record<string, OperationHandler>;
}

export async function startAwsJsonEmulator(options: AwsJsonEmulatorOptions): Promise<AwsJsonEmulator> {
  let counts: Record<string, number> = {};
  const contentType = `application/x-amz-json-${options.jsonVersion}`;

  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': contentType, 'x-amzn-requestid': 'bench' });
    res.end(JSON.stringify(body));
  };

  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.lastIndexOf('.') + 1);
    counts[operation] = (counts[operation] ?? 0) + 1;
    const handler = options.operations[operation];
    if (!handler) {
      answer(res, 400, { __type: 'UnknownOperationException', message: `the bench emulator does not serve ${target}` });
      return;
    }
    try {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const output = handler(input);
      setTimeout(() => answer(res, 200, output), options.latencyMs);
    } catch (error) {
      answer(res, 400, { __type: 'ValidationException', message: (error as Error).message });
    }
  };

  const server: Server = createServer((req, res) => void onRequest(req, res));
  server.keepAliveTimeout = 60_000;
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    resetCounts: () => {
      counts = {};
    },
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
