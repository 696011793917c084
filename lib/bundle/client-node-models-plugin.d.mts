import type { Plugin } from 'esbuild';

/** Lets the Lambda bundles leave out client-node's generated model classes that nothing uses. */
export declare const clientNodeModelsWithoutSideEffects: Plugin;
