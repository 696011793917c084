/**
 * Stands in, in the Lambda bundles only, for `undici`, which @kubernetes/client-node imports for
 * two things: `Agent` (the TLS connection to the API server, config.js) and `fetch`
 * (gen/http/isomorphic-fetch.js). undici's package index loads everything else too (its cache,
 * cookies, WebSocket, EventSource, mock agents, interceptors: about a third of its 527 KB in the
 * bundle), and its cookies module reads `globalThis.Headers`, which makes Node load and compile its
 * own internal copy of undici during the cold start (docs/performance.md, "Pod scaler init"). This
 * module takes `Agent` and `fetch` from the same undici files the index does, so requests behave as
 * before. `ProxyAgent` serves only a kubeconfig proxy-url, which the scalers never set (the proxy
 * packages are left out likewise, lib/lambda-bundle-aliases.ts).
 *
 * `undici-of-client-node` is an alias to the undici folder client-node resolves
 * (lib/lambda-bundle-aliases.ts); if a version moved these files, the bundling fails with a missing
 * path, never silently. The types are those of the copy this repository installs.
 */
import type * as Undici from '@kubernetes/client-node/node_modules/undici';
import { loadOnce } from '../util/load-once';

/* eslint-disable @typescript-eslint/no-require-imports -- undici's files are CommonJS without type declarations; the casts give them the package's own types */
const Dispatcher = require('undici-of-client-node/lib/dispatcher/dispatcher.js') as { prototype: object };
const dispatcherApi = require('undici-of-client-node/lib/api/index.js') as object;
export const Agent = require('undici-of-client-node/lib/dispatcher/agent.js') as typeof Undici.Agent;
/* eslint-enable @typescript-eslint/no-require-imports */

// As undici's index does: every dispatcher also offers request/stream/pipeline/upgrade/connect.
// KubernetesRest sends with the Agent's `request` (kubernetes-rest.ts, sendThroughDispatcher).
Object.assign(Dispatcher.prototype, dispatcherApi);

/**
 * undici's fetch, imported at its first call: only client-node's generated API classes (the node
 * scaler's) use it. Imported with `import()`, the deployed bundle keeps it in a chunk of its own
 * (lib/lambda-bundle-aliases.ts), so the pod scaler's cold start neither compiles its modules nor
 * loads the zlib, perf_hooks and worker_threads they require (docs/performance.md §31). The module
 * is CommonJS: in a split bundle its chunk exports `module.exports` as `default` and nothing else.
 */
const fetchModule = loadOnce(async () => {
  // @ts-expect-error -- the alias exists in the Lambda bundles only, and undici's files have no type declarations
  const imported = (await import('undici-of-client-node/lib/web/fetch/index.js')) as { default: { fetch: typeof Undici.fetch } };
  return imported.default;
});

/** undici's own `fetch` wrapper: the stack of a failed fetch names the caller, not undici's internals. */
export async function fetch(...args: Parameters<typeof Undici.fetch>): ReturnType<typeof Undici.fetch> {
  try {
    return await (await fetchModule()).fetch(...args);
  } catch (error) {
    if (error && typeof error === 'object') Error.captureStackTrace(error, fetch);
    throw error;
  }
}

export class ProxyAgent {
  constructor() {
    throw new Error(
      'An HTTP proxy (kubeconfig proxy-url) is not bundled in the scaler Lambdas: they reach EKS clusters through DescribeCluster and a token of their own ' +
        '(lib/lambda-bundle-aliases.ts lists what is left out)',
    );
  }
}
