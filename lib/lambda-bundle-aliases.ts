/**
 * Packages the scaler Lambdas' bundles replace with a stub: client-node's KubeConfig imports them
 * for kubeconfig features the scalers never use (see lambdas/bundle/kubeconfig-features-left-out.ts).
 * Used by the construct's bundling and by bench/cold-start.ts, so the bench measures what deploys.
 */
export const KUBECONFIG_PACKAGES_LEFT_OUT = ['js-yaml', 'hpagent', 'socks', 'socks-proxy-agent', 'openid-client', 'jsonpath-plus'] as const;

/** Relative to the project root, where esbuild runs (esbuild resolves an alias in its working directory). */
export const KUBECONFIG_STUB = './lambdas/bundle/kubeconfig-features-left-out.ts';

/** esbuild's `alias` option: each left-out package to the stub. */
export const LAMBDA_BUNDLE_ALIASES: Readonly<Record<string, string>> = Object.fromEntries(KUBECONFIG_PACKAGES_LEFT_OUT.map((name) => [name, KUBECONFIG_STUB]));
