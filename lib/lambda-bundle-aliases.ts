/**
 * Imports the scaler Lambdas' bundles redirect (esbuild `alias`), used by the construct's bundling
 * and by bench/cold-start.ts, so the bench measures what deploys. Tests and the CLI run on the real
 * packages.
 * - client-node's KubeConfig imports packages for kubeconfig features the scalers never use: a stub
 *   (lambdas/bundle/kubeconfig-features-left-out.ts) stands in for them.
 * - `undici`: client-node uses its Agent and fetch; the package index also loads the rest of undici,
 *   and through it Node's own internal copy (lambdas/bundle/undici-used-parts.ts).
 * - `node:http` imported as ESM makes Node load that internal undici too
 *   (lambdas/bundle/node-http-as-commonjs.cjs).
 */
export const KUBECONFIG_PACKAGES_LEFT_OUT = ['js-yaml', 'hpagent', 'socks', 'socks-proxy-agent', 'openid-client', 'jsonpath-plus'] as const;

/** Relative to the project root, where esbuild runs (esbuild resolves an alias in its working directory). */
export const KUBECONFIG_STUB = './lambdas/bundle/kubeconfig-features-left-out.ts';

/** What stands in for `undici`: the Agent and fetch client-node uses, from undici's own files. */
export const UNDICI_USED_PARTS = './lambdas/bundle/undici-used-parts.ts';

/** What stands in for `node:http`: the same module object, without the ESM import's side effect. */
export const NODE_HTTP_AS_COMMONJS = './lambdas/bundle/node-http-as-commonjs.cjs';

/** esbuild's `alias` option. */
export const LAMBDA_BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  ...Object.fromEntries(KUBECONFIG_PACKAGES_LEFT_OUT.map((name) => [name, KUBECONFIG_STUB])),
  undici: UNDICI_USED_PARTS,
  'node:http': NODE_HTTP_AS_COMMONJS,
};
