/**
 * An in-process dynalite (DynamoDB's protocol, in memory) on a loopback port, with a DynamoDBClient
 * pointed at it. Used by the state-store tests, the simulator's embedded store and the bench.
 *
 *   const db = await startDynalite();
 *   await createStateTable(db.client, 'state');
 *   ...
 *   await db.close();
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { listenOnLoopback } from '../../lambdas/util/listen-on-loopback';

// dynalite ships CommonJS without types; load it through require and describe only what we use.
type DynaliteFactory = (options: Record<string, unknown>) => Server;
const require = createRequire(import.meta.url);
const dynalite = require('dynalite') as DynaliteFactory;

export interface RunningDynalite {
  client: DynamoDBClient;
  endpoint: string;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<RunningDynalite> {
  // Zero delays: tables are ACTIVE as soon as CreateTable returns, so tests need no waiting.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listenOnLoopback(server);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
    maxAttempts: 1,
  });
  return {
    client,
    endpoint,
    async close() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
    },
  };
}
