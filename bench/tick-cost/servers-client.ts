/**
 * The bench side of servers-process.ts: forks it (with tsx, on the same Node) and turns its IPC
 * messages into awaited calls.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ServerCounts, ServerReply, ServerRequest } from './servers-process';

export type ReadyServers = Extract<ServerReply, { type: 'ready' }>;

export class ServersProcess {
  private constructor(private readonly child: ChildProcess) {}

  static async start(size: number, latencyMs: number): Promise<{ servers: ServersProcess; ready: ReadyServers }> {
    const child = fork(fileURLToPath(new URL('./servers-process.ts', import.meta.url)), [], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const servers = new ServersProcess(child);
    const reply = await servers.request({ type: 'setup', size, latencyMs });
    if (reply.type !== 'ready') throw new Error(`bench servers did not start: ${JSON.stringify(reply)}`);
    return { servers, ready: reply };
  }

  async startTick(tick: number): Promise<void> {
    await this.request({ type: 'tick', tick });
  }

  async counts(): Promise<ServerCounts> {
    const reply = await this.request({ type: 'counts' });
    if (reply.type !== 'counts') throw new Error(`unexpected reply ${reply.type}`);
    return reply.counts;
  }

  async close(): Promise<void> {
    await this.request({ type: 'close' }).catch(() => undefined);
    if (this.child.exitCode === null) {
      await new Promise<void>((resolve) => {
        this.child.once('exit', () => resolve());
        setTimeout(() => {
          this.child.kill();
          resolve();
        }, 2_000).unref();
      });
    }
  }

  private request(request: ServerRequest): Promise<ServerReply> {
    return new Promise((resolve, reject) => {
      const onMessage = (reply: ServerReply) => {
        cleanup();
        if (reply.type === 'error') reject(new Error(`bench servers: ${reply.message}`));
        else resolve(reply);
      };
      const onExit = (code: number | null) => {
        cleanup();
        reject(new Error(`bench servers exited (code ${code}) during ${request.type}`));
      };
      const cleanup = () => {
        this.child.off('message', onMessage);
        this.child.off('exit', onExit);
      };
      this.child.on('message', onMessage);
      this.child.on('exit', onExit);
      this.child.send(request);
    });
  }
}
