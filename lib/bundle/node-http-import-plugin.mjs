/**
 * An esbuild plugin that sends `import('node:http')` in the Lambda bundles to an ES module that
 * names its exports (lambdas/bundle/node-http-for-import.ts). Every other import of `node:http`
 * keeps the alias to the CommonJS stand-in (lib/lambda-bundle-aliases.ts), which hands `require`
 * users the module object itself. Why: in a split bundle esbuild puts a CommonJS module reached by
 * `import()` in a chunk that exports only `default`, and the AWS SDK destructures
 * `await import('node:http')`. Plugins see an import before the alias does, so only the
 * `dynamic-import` kind is taken here.
 */

import { fileURLToPath } from 'node:url';

const NODE_HTTP = /^(?:node:)?http$/;
const STAND_IN = fileURLToPath(new URL('../../lambdas/bundle/node-http-for-import.ts', import.meta.url));

export const nodeHttpImportWithNamedExports = {
  name: 'node-http-import-with-named-exports',
  setup(build) {
    build.onResolve({ filter: NODE_HTTP }, (args) => (args.kind === 'dynamic-import' ? { path: STAND_IN } : undefined));
  },
};
