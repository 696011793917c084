import type { Plugin } from 'esbuild';

/** The esbuild plugins of every Lambda bundle: the construct's (build-lambda.mjs), the benches' and the tests'. */
export declare const LAMBDA_ESBUILD_PLUGINS: Plugin[];
