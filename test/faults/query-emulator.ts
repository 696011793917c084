/**
 * The AWS query protocol (form-encoded POST with `Action`, XML answers), as EC2 Auto Scaling and STS
 * speak it, on a loopback port, serving operations from a model (the node-scaler test world's
 * Auto Scaling, an AssumeRole), so the real SDK clients (serializer, XML parser, retries, timeouts)
 * talk to it through the fault proxy.
 * Inputs are decoded into the SDK's input shapes; a thrown error becomes the query error
 * `<ErrorResponse>` with the error's name as its code.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { listenOnLoopback } from '../../lambdas/util/listen-on-loopback';

export type QueryOperation = (input: Record<string, unknown>) => unknown;

export interface QueryEmulator {
  url: string;
  close(): Promise<void>;
}

/** `A.member.1=x&A.member.2=y&N=3&B=true` → `{ A: ['x', 'y'], N: 3, B: true }` (one level of lists, as these operations use). */
export function decodeQueryInput(form: URLSearchParams): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const [key, raw] of form) {
    if (key === 'Action' || key === 'Version') continue;
    const value: unknown = raw === 'true' ? true : raw === 'false' ? false : /^\d+$/.test(raw) && /Capacity|Size|Records/.test(key) ? Number(raw) : raw;
    const member = /^(\w+)\.member\.(\d+)$/.exec(key);
    if (member) {
      const list = (input[member[1]!] ??= []) as unknown[];
      list[Number(member[2]) - 1] = value;
    } else input[key] = value;
  }
  return input;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The query protocol's XML for an output shape: lists as `<member>`, dates as ISO 8601. */
export function toQueryXml(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) return value.map((item) => `<member>${toQueryXml(item)}</member>`).join('');
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .map(([name, field]) => `<${name}>${toQueryXml(field)}</${name}>`)
      .join('');
  }
  return escapeXml(String(value));
}

export async function startQueryEmulator(operations: Record<string, QueryOperation>, namespace = 'https://autoscaling.amazonaws.com/doc/2011-01-01/'): Promise<QueryEmulator> {
  const reply = (res: ServerResponse, status: number, xml: string) => {
    res.writeHead(status, { 'content-type': 'text/xml', 'content-length': String(Buffer.byteLength(xml)) });
    res.end(xml);
  };
  const onRequest = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
    const action = form.get('Action') ?? '';
    const operation = operations[action];
    const fail = (code: string, message: string) =>
      reply(res, 400, `<ErrorResponse xmlns="${namespace}"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error><RequestId>emulator</RequestId></ErrorResponse>`);
    if (!operation) return fail('InvalidAction', `the emulator does not serve ${action}`);
    try {
      const output = await operation(decodeQueryInput(form));
      reply(res, 200, `<${action}Response xmlns="${namespace}"><${action}Result>${toQueryXml(output)}</${action}Result><ResponseMetadata><RequestId>emulator</RequestId></ResponseMetadata></${action}Response>`);
    } catch (error) {
      fail((error as Error).name, (error as Error).message);
    }
  };
  const server = createServer((req, res) => void onRequest(req, res));
  const port = await listenOnLoopback(server);
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
