/** The esbuild plugins of every Lambda bundle: the construct's (build-lambda.mjs), the benches' and the tests'. */
import { clientNodeModelsWithoutSideEffects } from './client-node-models-plugin.mjs';
import { nodeHttpImportWithNamedExports } from './node-http-import-plugin.mjs';

export const LAMBDA_ESBUILD_PLUGINS = [clientNodeModelsWithoutSideEffects, nodeHttpImportWithNamedExports];
