/**
 * Stands in, in the Lambda bundles only, for `node:http` where bundled code imports it with
 * `import()` (the AWS SDK's HTTP handler and its instance-metadata region lookup do). The deployed
 * bundle is split (lib/lambda-bundle-aliases.ts), and esbuild gives a CommonJS module reached by
 * `import()` a chunk that exports only `default`, so node-http-as-commonjs.cjs there would leave
 * `const { request } = await import('node:http')` with `undefined`. This module hands out the same
 * object, as `default` and by name, and like the CommonJS stand-in never touches the WebSocket,
 * CloseEvent and MessageEvent getters that make Node load its internal undici.
 * lib/bundle/node-http-import-plugin.mjs routes those imports here.
 */
const http = process.getBuiltinModule('node:http');

export default http;
export const {
  METHODS,
  STATUS_CODES,
  Agent,
  ClientRequest,
  IncomingMessage,
  OutgoingMessage,
  Server,
  ServerResponse,
  createServer,
  validateHeaderName,
  validateHeaderValue,
  get,
  request,
  setMaxIdleHTTPParsers,
  maxHeaderSize,
  globalAgent,
} = http;
