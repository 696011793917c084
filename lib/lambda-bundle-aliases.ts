/**
 * How the scaler Lambdas are bundled: the esbuild options used by the construct's bundling
 * (lib/scaler-functions.ts, through lib/bundle/build-lambda.mjs) and by bench/cold-start.ts, so the
 * bench measures what deploys. Tests and the CLI run on the real packages.
 *
 * Imports the bundles redirect (esbuild `alias`):
 * - client-node's KubeConfig imports packages for kubeconfig features the scalers never use: a stub
 *   (lambdas/bundle/kubeconfig-features-left-out.ts) stands in for them.
 * - `undici`: client-node uses its Agent and fetch; the package index also loads the rest of undici,
 *   and through it Node's own internal copy (lambdas/bundle/undici-used-parts.ts).
 * - `node:http` imported as ESM makes Node load that internal undici too
 *   (lambdas/bundle/node-http-as-commonjs.cjs).
 *
 * And, with esbuild plugins (lib/bundle/lambda-plugins.mjs): leaves out client-node's generated
 * model classes that nothing uses (client-node-models-plugin.mjs), and sends `import('node:http')`
 * to a stand-in that names its exports, which a split bundle needs (node-http-import-plugin.mjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { LAMBDA_ESBUILD_PLUGINS } from './bundle/lambda-plugins.mjs';

export const KUBECONFIG_PACKAGES_LEFT_OUT = ['js-yaml', 'hpagent', 'socks', 'socks-proxy-agent', 'openid-client', 'jsonpath-plus'] as const;

/** Relative to the project root, where esbuild runs (esbuild resolves an alias in its working directory). */
export const KUBECONFIG_STUB = './lambdas/bundle/kubeconfig-features-left-out.ts';

/** What stands in for `undici`: the Agent and fetch client-node uses, from undici's own files. */
export const UNDICI_USED_PARTS = './lambdas/bundle/undici-used-parts.ts';

/**
 * The name undici-used-parts.ts requires undici's files by. It cannot say `undici/...`: an alias
 * also covers its package's subpaths, so those would lead back to the stand-in.
 */
export const UNDICI_OF_CLIENT_NODE = 'undici-of-client-node';

/** What stands in for `node:http`: the same module object, without the ESM import's side effect. */
export const NODE_HTTP_AS_COMMONJS = './lambdas/bundle/node-http-as-commonjs.cjs';

/** Bundled CommonJS dependencies call `require`, which an ESM bundle lacks: the banner defines it. */
const ESM_REQUIRE_BANNER = "import { createRequire as __elsCreateRequire } from 'node:module'; const require = __elsCreateRequire(import.meta.url);";

/** The plugins of every Lambda bundle. esbuild takes them only in its JS API, never as JSON. */
export { LAMBDA_ESBUILD_PLUGINS };

/**
 * The esbuild options of every Lambda bundle (ESM, Node.js 24, everything bundled, the banner, the
 * aliases, the plugins). The benches and tests that bundle a Lambda themselves add their entry,
 * output, minification and metafile.
 */
export function lambdaEsbuildOptions(projectRoot: string) {
  return { ...lambdaEsbuildJsonOptions(projectRoot), plugins: LAMBDA_ESBUILD_PLUGINS };
}

/**
 * The bundle the construct deploys, written to `outdir`: the handler's module `index.mjs` and its
 * chunks under `chunks/`. A module reached only through `import()` (the SDK's credential providers
 * other than the environment's, the Lambda client, the Kafka adapter, undici's fetch) is in a chunk
 * loaded when that `import()` runs, so a cold start compiles and runs only what every invocation
 * uses (docs/performance.md §31); the modules both sides share are chunks that `index.mjs` imports
 * statically, loaded at every cold start. Minified, with a
 * linked source map per file without the sources (NODE_OPTIONS=--enable-source-maps maps stack
 * traces to the TypeScript files). Without the plugins: lib/bundle/build-lambda.mjs adds them; a
 * caller of esbuild's JS API adds LAMBDA_ESBUILD_PLUGINS.
 */
export function lambdaDeployedJsonOptions(projectRoot: string, entry: string, outdir: string) {
  return {
    ...lambdaEsbuildJsonOptions(projectRoot),
    entryPoints: [entry],
    outdir,
    splitting: true,
    entryNames: DEPLOYED_ENTRY_NAME,
    chunkNames: `${DEPLOYED_CHUNKS_FOLDER}/[name]-[hash]`,
    outExtension: { '.js': '.mjs' },
    minify: true,
    sourcemap: 'linked' as const,
    sourcesContent: false,
    // A synth shows esbuild's warnings, as NodejsFunction's bundling did (the benches and tests keep 'error').
    logLevel: 'warning' as const,
  };
}

/** The deployed handler module's name without `.mjs`: the Lambda handler is its `handler` export. */
export const DEPLOYED_ENTRY_NAME = 'index';

/** Where the deployed bundle's lazily imported modules go, beside the handler module. */
export const DEPLOYED_CHUNKS_FOLDER = 'chunks';

/** lambdaEsbuildOptions less the plugins: options another process can be given as JSON. */
function lambdaEsbuildJsonOptions(projectRoot: string) {
  return {
    bundle: true,
    platform: 'node' as const,
    target: 'node24',
    format: 'esm' as const,
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    alias: lambdaBundleAliases(projectRoot),
    logLevel: 'error' as const,
    absWorkingDir: projectRoot,
  };
}

/** esbuild's `alias` option for bundling from `projectRoot` (the folder esbuild runs in). */
export function lambdaBundleAliases(projectRoot: string): Record<string, string> {
  return {
    ...Object.fromEntries(KUBECONFIG_PACKAGES_LEFT_OUT.map((name) => [name, KUBECONFIG_STUB])),
    undici: UNDICI_USED_PARTS,
    [UNDICI_OF_CLIENT_NODE]: undiciFolderOfClientNode(projectRoot),
    'node:http': NODE_HTTP_AS_COMMONJS,
  };
}

/**
 * undici's folder as @kubernetes/client-node resolves it, relative to `projectRoot`: nested under
 * client-node in this repository (package.json's `overrides` pins undici 7 there), wherever npm
 * put it in an app that installed this package. Relative, so the bundling arguments are the same
 * on every machine.
 */
function undiciFolderOfClientNode(projectRoot: string): string {
  const clientNode = createRequire(join(projectRoot, 'package.json')).resolve('@kubernetes/client-node/package.json');
  let folder = dirname(createRequire(clientNode).resolve('undici'));
  while (!isUndiciRoot(folder)) {
    if (dirname(folder) === folder) throw new Error(`cannot find the undici package that @kubernetes/client-node uses (from ${clientNode})`);
    folder = dirname(folder);
  }
  const path = relative(projectRoot, folder).split(sep).join('/');
  return path.startsWith('../') ? path : `./${path}`;
}

function isUndiciRoot(folder: string): boolean {
  const manifest = join(folder, 'package.json');
  return existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'undici';
}
