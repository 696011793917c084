/**
 * dynalite (DynamoDB's protocol, in memory) on 127.0.0.1 with a fixed latency added to every
 * request, counting requests per operation. The delay is added before dynalite sees the request,
 * as network and service time would be; dynalite's own processing time comes on top.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { listenOnLoopback } from '../../lambdas/util/listen-on-loopback';

type DynaliteFactory = (options: Record<string, unknown>) => Server;
type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface DelayedDynalite {
  endpoint: string;
  counts(): Record<string, number>;
  resetCounts(): void;
  close(): Promise<void>;
}

export async function startDelayedDynalite(latencyMs: number): Promise<DelayedDynalite> {
  const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  // Put our delay in front of dynalite's own request handling; the body stays buffered meanwhile.
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  let counts: Record<string, number> = {};
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.slice(target.lastIndexOf('.') + 1);
    counts[operation] = (counts[operation] ?? 0) + 1;
    setTimeout(() => {
      for (const listener of listeners) listener.call(server, req, res);
    }, latencyMs);
  });
  const port = await listenOnLoopback(server);
  return {
    endpoint: `http://127.0.0.1:${port}`,
    counts: () => ({ ...counts }),
    resetCounts: () => {
      counts = {};
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
