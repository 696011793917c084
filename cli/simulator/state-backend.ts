/**
 * Where a simulation keeps the pod scaler's state. By default the real DynamoDB adapter against an
 * in-process dynalite (DynamoDB's protocol, in memory, on a loopback port), the way an app defaults
 * to SQLite: the simulation exercises the same conditional writes as Lambda. `--state memory`
 * skips the server.
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore, createStateTable } from '../../lambdas/adapters/state/dynamodb-state-store';
import { MemoryStateStore } from '../../lambdas/adapters/state/memory-state-store';
import type { StateStore } from '../../lambdas/adapters/state/state-store';
import { listenOnLoopback } from '../../lambdas/util/listen-on-loopback';

export type StateBackendKind = 'dynalite' | 'memory';

export interface StateBackend {
  kind: StateBackendKind;
  /** A fresh, empty store (one per simulated object, so two runs never share a key). */
  newStore(): Promise<StateStore>;
  close(): Promise<void>;
}

// dynalite ships CommonJS without types; describe only the factory we call.
type DynaliteFactory = (options: Record<string, unknown>) => Server;

export async function openStateBackend(kind: StateBackendKind): Promise<StateBackend> {
  if (kind === 'memory') {
    return { kind, newStore: async () => new MemoryStateStore(), close: async () => {} };
  }
  const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;
  // Zero delays: the table is ACTIVE as soon as CreateTable returns.
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listenOnLoopback(server);
  const client = new DynamoDBClient({
    endpoint: `http://127.0.0.1:${port}`,
    region: 'local',
    // dynalite accepts any signature; these are placeholders, never real credentials.
    credentials: { accessKeyId: 'simulator', secretAccessKey: 'simulator' },
    maxAttempts: 1,
  });
  let tables = 0;
  return {
    kind,
    async newStore() {
      const tableName = `eks-lambda-scaler-sim-${++tables}`;
      await createStateTable(client, tableName);
      return new DynamoDbStateStore({ client, tableName });
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
