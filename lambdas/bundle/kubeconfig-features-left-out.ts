/**
 * Stands in, in the Lambda bundles only, for the packages @kubernetes/client-node's KubeConfig
 * imports for features the scalers never use: kubeconfig YAML (js-yaml), HTTP and SOCKS proxies
 * (hpagent, socks, socks-proxy-agent), OIDC auth (openid-client) and the GCP and Azure auth
 * providers (jsonpath-plus). The scalers build their KubeConfig from EKS DescribeCluster with a
 * token of their own (lambdas/adapters/kubernetes/eks-cluster-access.ts), so none of these code paths
 * runs; leaving them out takes about 180 KB off each bundle (docs/performance.md §3). The aliases
 * are in lib/lambda-bundle-aliases.ts. Tests and the CLI run on the real packages.
 */
function leftOut(feature: string): never {
  throw new Error(
    `${feature} is not bundled in the scaler Lambdas: they reach EKS clusters through DescribeCluster and a token of their own ` +
      '(lib/lambda-bundle-aliases.ts lists what is left out)',
  );
}

// js-yaml: reading a kubeconfig file or string.
export const load = (): never => leftOut('Reading kubeconfig YAML');
export const loadAll = (): never => leftOut('Reading kubeconfig YAML');
export const dump = (): never => leftOut('Writing kubeconfig YAML');

// hpagent, socks-proxy-agent, socks: a kubeconfig cluster's proxy-url.
export class HttpProxyAgent {
  constructor() {
    leftOut('An HTTP proxy (kubeconfig proxy-url)');
  }
}
export class HttpsProxyAgent {
  constructor() {
    leftOut('An HTTPS proxy (kubeconfig proxy-url)');
  }
}
export class SocksProxyAgent {
  constructor() {
    leftOut('A SOCKS proxy (kubeconfig proxy-url)');
  }
}
export const SocksClient = { createConnection: (): never => leftOut('A SOCKS proxy (kubeconfig proxy-url)') };

// openid-client: the kubeconfig oidc auth provider.
export const customFetch = Symbol('customFetch');
export const discovery = (): never => leftOut('OIDC authentication');
export const refreshTokenGrant = (): never => leftOut('OIDC authentication');

// jsonpath-plus: the kubeconfig gcp and azure auth providers.
export const JSONPath = (): never => leftOut('GCP or Azure kubeconfig authentication');
