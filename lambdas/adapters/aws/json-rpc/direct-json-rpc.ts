/**
 * The busy tick's hottest AWS calls (the state table's PutItem and BatchGetItem, SQS
 * GetQueueAttributes, Kinesis ListShards and DescribeStreamSummary: all of a 1,000-object tick's AWS calls but
 * its 10-17 CloudWatch reads) sent without the SDK's middleware
 * stack. Each SDK `send` rebuilds that stack, copies the client's whole configuration into a
 * context twice, resolves the endpoint rules and walks the operation's schema to serialize, log
 * and parse: about 1 ms of CPU a call on the bench machine, against 0.3 ms this way
 * (docs/performance.md §27). At a 512 MB Lambda's CPU share that is the difference that matters.
 *
 * What stays the SDK's, read from the client's own resolved configuration, so a client behaves as
 * configured whichever path a call takes:
 * - the transport (`requestHandler`: connection pool, per-attempt and socket timeouts);
 * - credentials (the client's memoized provider: the Lambda role, an assumed role);
 * - the endpoint (a configured one, `AWS_ENDPOINT_URL_<SERVICE>`, or the SDK's endpoint rules,
 *   evaluated once per client: partitions, FIPS, dual-stack);
 * - retries (a fresh standard strategy per call, as the SDK makes one, fed the SDK's own error
 *   classes: `json-rpc-errors.ts`);
 * - the clock-skew correction (`config.systemClockOffset`, learnt from each answer's Date header
 *   as the SDK's signer learns it, and an error it corrects retried);
 * - the X-Ray trace header the SDK's recursion detection adds inside Lambda.
 * What is this module's: the request body (the JSON protocol's body is the command's input), the
 * SigV4 signature (`sigv4-json-post.ts`), and errors shaped like the SDK's.
 *
 * Only the operations a service lists here take this path; every other command goes to the SDK
 * client unchanged, and so does every command of a client whose middleware stack is not the
 * SDK's own (someone's metering or tracing middleware runs as it would), or whose `send` was
 * replaced. Not carried over: the SDK's user-agent metadata.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { errorFromAnswer, retryErrorType, unreadableAnswer, type AwsServiceErrorShape, type RetryErrorType } from './json-rpc-errors';
import { SigV4JsonPostSigner, type SigningCredentials } from './sigv4-json-post';

/** An AWS JSON-protocol service and the operations sent directly. */
export interface JsonRpcService {
  /** SigV4 signing name: `dynamodb`, `sqs`. */
  signingName: string;
  /** `application/x-amz-json-1.0` (DynamoDB, SQS) or `-1.1`. */
  contentType: string;
  /** The `X-Amz-Target` prefix: `DynamoDB_20120810`, `AmazonSQS`. */
  targetPrefix: string;
  /** Headers the service wants on every request (SQS: `x-amzn-query-mode`). */
  extraHeaders?: Readonly<Record<string, string>>;
  /** Command class → operation name. A class not listed goes to the SDK. */
  operations: ReadonlyMap<abstract new (...args: never[]) => unknown, string>;
  /** Serializes a command's input (default `JSON.stringify`). */
  encodeInput?(input: unknown): string;
  /** Turns the answer's JSON into the SDK's output shape (default: as parsed). */
  decodeOutput?(output: Record<string, unknown>, text: string): Record<string, unknown>;
}

/** The parts of a resolved SDK client configuration this path reads. */
interface ResolvedClientConfig {
  region: () => Promise<string>;
  credentials: () => Promise<SigningCredentials>;
  requestHandler: { handle(request: unknown, options?: { abortSignal?: AbortSignal }): Promise<{ response: { statusCode: number; headers: Record<string, string>; body: unknown } }> };
  retryStrategy: () => Promise<unknown>;
  isCustomEndpoint?: boolean;
  endpoint?: () => Promise<{ protocol: string; hostname: string; port?: number; path: string }>;
  serviceConfiguredEndpoint?: () => Promise<string | undefined>;
  endpointProvider?: (params: Record<string, unknown>, context: Record<string, unknown>) => { url: URL; properties?: { authSchemes?: Array<{ signingRegion?: string }> } };
  useFipsEndpoint?: () => Promise<boolean>;
  useDualstackEndpoint?: () => Promise<boolean>;
  /** The SDK's correction of the local clock, ms, learnt from answers' Date headers; shared with the SDK path. */
  systemClockOffset?: number;
  disableClockSkewCorrection?: () => Promise<boolean | undefined>;
}

interface RetryToken {
  getRetryCount(): number;
  getRetryDelay(): number;
}

interface RetryStrategyV2 {
  acquireInitialRetryToken(scope: string): Promise<RetryToken>;
  refreshRetryTokenForRetry(token: RetryToken, errorInfo: { errorType: RetryErrorType; error: unknown }): Promise<RetryToken>;
  recordSuccess(token: RetryToken): void;
}

interface Destination {
  protocol: string;
  hostname: string;
  port: number | undefined;
  path: string;
  /** The Host header, as signed. */
  host: string;
  signingRegion: string;
  /** False when the client was built with `disableClockSkewCorrection`. */
  correctClockSkew: boolean;
}

interface SendOptions {
  abortSignal?: AbortSignal;
}

const USER_AGENT = 'eks-lambda-scaler (direct JSON protocol)';

/**
 * The client, with `send` taking the direct path for the service's listed operations. The same
 * object in every other respect (config, destroy, middlewareStack), so callers cannot tell.
 */
export function withDirectJsonRpc<C extends { send: (...args: never[]) => unknown; config: object }>(client: C, service: JsonRpcService, now: () => Date = () => new Date()): C {
  const config = client.config as unknown as ResolvedClientConfig;
  const signer = new SigV4JsonPostSigner();
  let destination: Promise<Destination> | undefined;
  const sdkSend = (command: unknown, options?: unknown) => (client.send as (command: unknown, options?: unknown) => Promise<unknown>).call(client, command, options);

  const direct = async (operation: string, input: unknown, options: SendOptions | undefined): Promise<unknown> => {
    const to = await (destination ??= resolveDestination(config, service).catch((error: unknown) => {
      destination = undefined;
      throw error;
    }));
    const body = service.encodeInput ? service.encodeInput(input) : JSON.stringify(input);
    const target = `${service.targetPrefix}.${operation}`;
    const signal = options?.abortSignal;
    const strategy = (await config.retryStrategy()) as RetryStrategyV2;
    let token = await strategy.acquireInitialRetryToken('');
    let totalRetryDelay = 0;
    const invocationId = randomUUID();
    const traceId = lambdaTraceId();
    for (let attempt = 1; ; attempt++) {
      const offsetBefore = config.systemClockOffset ?? 0;
      try {
        signal?.throwIfAborted();
        const credentials = await config.credentials();
        const sentAt = now().getTime();
        const signed = signer.sign(
          { host: to.host, path: to.path, region: to.signingRegion, service: service.signingName, contentType: service.contentType, target, extraHeaders: service.extraHeaders, body },
          credentials,
          new Date(to.correctClockSkew ? sentAt + offsetBefore : sentAt),
        );
        const { response } = await config.requestHandler.handle(
          {
            protocol: to.protocol,
            hostname: to.hostname,
            port: to.port,
            method: 'POST',
            path: to.path,
            query: {},
            headers: {
              ...signed,
              host: to.host,
              'content-length': String(Buffer.byteLength(body)),
              'user-agent': USER_AGENT,
              'amz-sdk-invocation-id': invocationId,
              'amz-sdk-request': `attempt=${attempt}`,
              ...(traceId ? { 'x-amzn-trace-id': traceId } : {}),
            },
            body,
          },
          signal ? { abortSignal: signal } : {},
        );
        const text = await readText(response.body as IncomingMessage);
        const metadata = { httpStatusCode: response.statusCode, requestId: response.headers['x-amzn-requestid'], attempts: attempt, totalRetryDelay };
        if (to.correctClockSkew) config.systemClockOffset = sampledClockOffset(response.headers, sentAt, now().getTime(), config.systemClockOffset ?? 0);
        if (response.statusCode < 200 || response.statusCode >= 300) {
          const error = errorFromAnswer(response.statusCode, response.headers, text);
          const offset = config.systemClockOffset ?? 0;
          // As the SDK's signer: an answer that moved a clock already off by 4 minutes or more
          // marks the error corrected, which the retry strategy takes as transient.
          if (to.correctClockSkew && Math.abs(offset) >= 240_000 && offset !== offsetBefore) error.$metadata.clockSkewCorrected = true;
          throw error;
        }
        const parsed = parseAnswer(response.statusCode, response.headers, text);
        strategy.recordSuccess(token);
        const output = service.decodeOutput ? service.decodeOutput(parsed, text) : parsed;
        return { ...output, $metadata: metadata };
      } catch (error) {
        if (signal?.aborted) throw error;
        const errorType = retryErrorType(error);
        try {
          token = await strategy.refreshRetryTokenForRetry(token, { errorType, error });
        } catch {
          throw withAttempts(error, attempt, totalRetryDelay);
        }
        const delay = token.getRetryDelay();
        totalRetryDelay += delay;
        if (delay > 0) await sleep(delay, signal);
      }
    }
  };

  const send = (command: { constructor: unknown; input?: unknown }, optionsOrCallback?: unknown, callback?: unknown) => {
    const operation = service.operations.get(command?.constructor as never);
    // Callback style, and options beyond an abort signal, stay with the SDK.
    if (operation === undefined || typeof optionsOrCallback === 'function' || callback !== undefined || !onlyAbortSignal(optionsOrCallback)) {
      return sdkSend(command, optionsOrCallback);
    }
    return direct(operation, command.input ?? {}, optionsOrCallback as SendOptions | undefined);
  };
  const sdkOwnSend = deepestSend(client);
  // Learnt at the first call, not at wiring: it builds a client, which the Lambda's init need not pay for.
  let sdkOwnStack: string | undefined;
  // Whether the client's stack is the SDK's own, learnt again only when the stack was changed or
  // replaced since: comparing the stacks at every call cost 9–30 µs of CPU (docs/performance.md §27, §30).
  let lastCheck: { stack: MiddlewareStackView; changes: number; sdkOwn: boolean } | undefined;
  return new Proxy(client, {
    get(target, property, receiver) {
      const current: unknown = Reflect.get(target, property, receiver);
      // A `send` someone replaced (aws-sdk-client-mock, a tracing wrapper), or middleware someone
      // added (a meter, a tracer), is theirs to keep: such a client is left to the SDK whole.
      if (property !== 'send' || current !== sdkOwnSend) return current;
      const stack = (target as unknown as { middlewareStack: MiddlewareStackView }).middlewareStack;
      // A stack whose changes cannot be counted (a frozen one) is checked at every call.
      const changes = changesOf(stack)?.count ?? Number.NaN;
      if (lastCheck?.stack !== stack || lastCheck.changes !== changes) {
        sdkOwnStack ??= defaultMiddlewareOf(client.constructor as new (config: object) => { middlewareStack: MiddlewareStackView; destroy(): void });
        lastCheck = { stack, changes, sdkOwn: middlewareOf(stack) === sdkOwnStack };
      }
      return lastCheck.sdkOwn ? send : current;
    },
  });
}

/** The smithy middleware stack's methods that change the stack itself (`concat` and `clone` make new ones). */
const STACK_CHANGES = ['add', 'addRelativeTo', 'use', 'remove', 'removeByTag'] as const;

type MiddlewareStackView = { identify(): string[] } & Partial<Record<(typeof STACK_CHANGES)[number], (...args: unknown[]) => unknown>>;

const stackChanges = new WeakMap<MiddlewareStackView, { count: number }>();

/**
 * How often `stack` has been changed since it was first seen here: its changing methods count, then
 * change it as before. Undefined when they cannot be wrapped (a frozen stack).
 */
function changesOf(stack: MiddlewareStackView): { count: number } | undefined {
  const known = stackChanges.get(stack);
  if (known || !Object.isExtensible(stack)) return known;
  const counter = { count: 0 };
  const originals: Partial<MiddlewareStackView> = {};
  try {
    for (const name of STACK_CHANGES) {
      const change = stack[name];
      if (typeof change !== 'function') continue;
      originals[name] = change;
      stack[name] = function (this: unknown, ...args: unknown[]) {
        counter.count += 1;
        return change.apply(this, args);
      };
    }
  } catch {
    // A method that cannot be replaced (a read-only property): put back the ones that were.
    for (const [name, change] of Object.entries(originals)) (stack as Record<string, unknown>)[name] = change;
    return undefined;
  }
  stackChanges.set(stack, counter);
  return counter;
}

/** The stack's middleware, by name and step, as one string. */
function middlewareOf(stack: MiddlewareStackView): string {
  return stack.identify().join('\n');
}

/** What the SDK itself puts on a client of this class: a fresh one's stack (the same whatever its configuration). */
function defaultMiddlewareOf(clientClass: new (config: object) => { middlewareStack: MiddlewareStackView; destroy(): void }): string {
  const fresh = new clientClass({});
  try {
    return middlewareOf(fresh.middlewareStack);
  } finally {
    fresh.destroy();
  }
}

/** The smithy Client's own `send`: the last one up the prototype chain; a mock or wrapper sits above it. */
function deepestSend(client: object): unknown {
  let found: unknown;
  for (let prototype: object | null = client; prototype; prototype = Object.getPrototypeOf(prototype) as object | null) {
    if (Object.prototype.hasOwnProperty.call(prototype, 'send')) found = (prototype as { send: unknown }).send;
  }
  return found;
}

/**
 * The clock offset an answer shows, as the SDK's signer reads it (@aws-sdk/core's
 * getUpdatedSystemClockOffset): the Date header minus the local time it arrived, unless the answer
 * came through a cache (Age) or took over 15 minutes.
 */
function sampledClockOffset(headers: Record<string, string>, sentAt: number, receivedAt: number, current: number): number {
  const date = headers.date;
  if (date === undefined || headers.age !== undefined) return current;
  const serverTime = Date.parse(date);
  if (Number.isNaN(serverTime) || receivedAt - sentAt > 900_000) return current;
  return serverTime - receivedAt;
}

/** Inside Lambda with tracing, the invocation's trace id, which the SDK sends as X-Amzn-Trace-Id. */
function lambdaTraceId(): string | undefined {
  const functionName = process.env.AWS_LAMBDA_FUNCTION_NAME;
  const traceId = process.env._X_AMZN_TRACE_ID;
  return functionName && traceId ? traceId : undefined;
}

function onlyAbortSignal(options: unknown): boolean {
  if (options === undefined) return true;
  if (!options || typeof options !== 'object') return false;
  for (const key of Object.keys(options)) if (key !== 'abortSignal') return false;
  return true;
}

async function resolveDestination(config: ResolvedClientConfig, service: JsonRpcService): Promise<Destination> {
  const region = await config.region();
  let endpoint: { protocol: string; hostname: string; port?: number; path: string } | undefined;
  if (config.isCustomEndpoint && config.endpoint) {
    endpoint = await config.endpoint();
  } else {
    const configured = await config.serviceConfiguredEndpoint?.();
    if (configured) endpoint = fromUrl(new URL(configured));
  }
  let signingRegion = region;
  if (!endpoint) {
    if (!config.endpointProvider) throw new Error(`no endpoint rules on the ${service.signingName} client: cannot send directly`);
    const resolved = config.endpointProvider(
      { Region: region, UseFIPS: (await config.useFipsEndpoint?.()) ?? false, UseDualStack: (await config.useDualstackEndpoint?.()) ?? false },
      {},
    );
    endpoint = fromUrl(resolved.url);
    signingRegion = resolved.properties?.authSchemes?.[0]?.signingRegion ?? region;
  }
  const defaultPort = endpoint.protocol === 'https:' ? 443 : 80;
  const port = endpoint.port && endpoint.port !== defaultPort ? endpoint.port : undefined;
  return {
    protocol: endpoint.protocol,
    hostname: endpoint.hostname,
    port,
    path: endpoint.path || '/',
    host: port ? `${endpoint.hostname}:${port}` : endpoint.hostname,
    signingRegion,
    correctClockSkew: (await config.disableClockSkewCorrection?.()) !== true,
  };
}

function fromUrl(url: URL): { protocol: string; hostname: string; port?: number; path: string } {
  return { protocol: url.protocol, hostname: url.hostname, ...(url.port ? { port: Number(url.port) } : {}), path: url.pathname || '/' };
}

/**
 * The answer's JSON. A 2xx whose body is not JSON (a proxy's page) is the SDK's SyntaxError with the
 * status, which aws-errors.ts reports as a malformed answer naming the endpoint.
 */
function parseAnswer(status: number, headers: Record<string, string>, text: string): Record<string, unknown> {
  if (text === '') return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw unreadableAnswer(status, headers, text);
  }
}

function readText(body: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    body.on('data', (chunk: Buffer) => chunks.push(chunk));
    body.once('end', () => resolve(chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8')));
    body.once('error', reject);
  });
}

function withAttempts(error: unknown, attempts: number, totalRetryDelay: number): unknown {
  if (error && typeof error === 'object') {
    const shaped = error as Partial<AwsServiceErrorShape>;
    shaped.$metadata = { ...shaped.$metadata, attempts, totalRetryDelay };
  }
  return error;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
