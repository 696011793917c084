/**
 * An in-process kinesalite (Kinesis's protocol, in memory) on a loopback port, with a KinesisClient
 * on HTTP/1.1 pointed at it (the SDK's Kinesis default is HTTP/2, which kinesalite does not speak).
 *
 *   const kinesis = await startKinesalite();
 *   await kinesis.createStream('clicks', 2);
 *   ...
 *   await kinesis.close();
 */
import { createRequire } from 'node:module';
import type { Server } from 'node:http';
import { CreateStreamCommand, DescribeStreamSummaryCommand, KinesisClient } from '@aws-sdk/client-kinesis';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { listenOnLoopback } from '../../lambdas/util/listen-on-loopback';

// kinesalite ships CommonJS without types; load it through require and describe only what we use.
type KinesaliteFactory = (options: Record<string, unknown>) => Server;
const require = createRequire(import.meta.url);
const kinesalite = require('kinesalite') as KinesaliteFactory;

export interface RunningKinesalite {
  client: KinesisClient;
  endpoint: string;
  /** Creates a stream and waits until it is ACTIVE. */
  createStream(name: string, shards: number): Promise<void>;
  /** Waits until a stream (e.g. after SplitShard) is ACTIVE again. */
  waitActive(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startKinesalite(): Promise<RunningKinesalite> {
  // Zero delays: streams turn ACTIVE on the next turn of the event loop.
  const server = kinesalite({ createStreamMs: 0, deleteStreamMs: 0, updateStreamMs: 0, shardLimit: 100 });
  const port = await listenOnLoopback(server);
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new KinesisClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' },
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });

  async function waitActive(name: string): Promise<void> {
    // Kinesalite finishes state changes on a zero-delay timer: a few polls at most.
    for (let attempt = 0; attempt < 200; attempt++) {
      const answer = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
      if (answer.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
      await new Promise((resolve) => setImmediate(resolve));
    }
    throw new Error(`stream ${name} never became ACTIVE`);
  }

  return {
    client,
    endpoint,
    async createStream(name, shards) {
      await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
      await waitActive(name);
    },
    waitActive,
    async close() {
      client.destroy();
      await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}
