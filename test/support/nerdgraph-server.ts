/**
 * A server shaped like New Relic's NerdGraph for the one call the new-relic trigger makes:
 * `POST /graphql` with `API-Key`, a JSON body `{query, variables: {accountId, query}}` whose GraphQL
 * selects `actor { account(id) { nrql(query) { results } } }`. It answers each NRQL text with the
 * rows the test set, refuses an unknown key as NerdGraph does (a GraphQL error on 200), and records
 * every request.
 *
 *   const nr = await startNerdGraphServer({ apiKeys: ['NRAK-TEST'] });
 *   nr.answer('SELECT count(*) FROM Queue', [{ count: 7 }]);
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedNerdGraphRequest {
  path: string;
  apiKey: string | undefined;
  accountId: unknown;
  nrql: unknown;
  graphql: string;
}

export interface NerdGraphServer {
  /** Origin to put in place of https://api.newrelic.com. */
  origin: string;
  requests: RecordedNerdGraphRequest[];
  answer(nrql: string, rows: Record<string, unknown>[] | { status: number; body: string }): void;
  close(): Promise<void>;
}

export async function startNerdGraphServer(options: { apiKeys: string[]; accounts?: number[] }): Promise<NerdGraphServer> {
  const answers = new Map<string, Record<string, unknown>[] | { status: number; body: string }>();
  const requests: RecordedNerdGraphRequest[] = [];
  const server: Server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      let body: { query?: string; variables?: { accountId?: unknown; query?: unknown } } = {};
      try {
        body = JSON.parse(text) as typeof body;
      } catch {
        return reply(400, { errors: [{ message: 'body is not JSON' }] });
      }
      const apiKey = request.headers['api-key'] as string | undefined;
      requests.push({ path: request.url ?? '', apiKey, accountId: body.variables?.accountId, nrql: body.variables?.query, graphql: body.query ?? '' });
      if (request.method !== 'POST' || request.url !== '/graphql') return reply(404, { errors: [{ message: 'not found' }] });
      if (!apiKey || !options.apiKeys.includes(apiKey)) return reply(401, { errors: [{ message: 'Invalid API key' }] });
      if (!/actor\s*{\s*account\(id:\s*\$accountId\)\s*{\s*nrql\(query:\s*\$query\)\s*{[^}]*results/.test(body.query ?? '')) {
        return reply(200, { errors: [{ message: 'unexpected GraphQL document' }] });
      }
      if (options.accounts && !options.accounts.includes(Number(body.variables?.accountId))) {
        return reply(200, { data: { actor: { account: null } }, errors: [{ message: 'Account not found or user does not have access' }] });
      }
      const answer = answers.get(String(body.variables?.query)) ?? [];
      if (!Array.isArray(answer)) return reply(answer.status, answer.body);
      reply(200, { data: { actor: { account: { nrql: { results: answer } } } } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    answer: (nrql, rows) => void answers.set(nrql, rows),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}
