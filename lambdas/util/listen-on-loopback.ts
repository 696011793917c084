/**
 * Starts a server on a free loopback port and resolves with that port. Every local protocol server
 * here (the simulator's embedded dynalite, the test servers, the bench emulators) binds loopback
 * only: nothing they serve is reachable from another host.
 */
import type { AddressInfo, Server } from 'node:net';

export async function listenOnLoopback(server: Server): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return (server.address() as AddressInfo).port;
}
