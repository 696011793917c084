/* global module, process */
/**
 * Stands in, in the Lambda bundles only, for `node:http`. An ESM import of a built-in reads every
 * one of its exports, and `node:http`'s WebSocket, CloseEvent and MessageEvent getters make Node
 * load and compile its internal copy of undici: about 45 ms of CPU in a fresh process on the bench
 * machine, for classes the scalers never use. `process.getBuiltinModule` returns the same module
 * object without touching those getters.
 *
 * CommonJS on purpose (the package is "type": "module", so a .ts file would be ESM): esbuild then
 * hands both `import` and `require('node:http')` users that object itself, every property as
 * before (undici reads `maxHeaderSize`, for one), where an ESM stand-in would offer only the names
 * it lists. `import('node:http')` is the exception: in the split deployed bundle a CommonJS chunk
 * exports only `default`, so those go to node-http-for-import.ts (lib/bundle/node-http-import-plugin.mjs).
 */
module.exports = process.getBuiltinModule('node:http');
