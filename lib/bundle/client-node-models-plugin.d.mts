import type { Plugin } from 'esbuild';

/** Lets the Lambda bundles leave out client-node's generated model classes that nothing uses. */
export declare const clientNodeModelsWithoutSideEffects: Plugin;

/** The plugins of every Lambda bundle: the construct's (build-lambda.mjs), the benches' and the tests'. */
export declare const LAMBDA_ESBUILD_PLUGINS: Plugin[];
