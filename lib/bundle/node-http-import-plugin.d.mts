import type { Plugin } from 'esbuild';

/** Sends `import('node:http')` in the Lambda bundles to a stand-in that names its exports. */
export declare const nodeHttpImportWithNamedExports: Plugin;
