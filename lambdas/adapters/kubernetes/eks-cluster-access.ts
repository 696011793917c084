/**
 * Turns a ClusterRef into a KubeConfig that talks to that EKS cluster as the Lambda's IAM role.
 *
 * The cluster description (endpoint, CA, authentication mode) is fetched once per container life:
 * it only changes when someone rebuilds the cluster, and a Lambda container lives for hours at most.
 *
 * Token freshness: the KubeConfig carries no static token. It names a custom auth provider, and the
 * authenticator registered for it asks the cluster's EksTokenSource on every request. client-node
 * calls authenticators per request, so a KubeConfig (and the API clients made from it) can be kept
 * for the whole container life while each call still carries a token that is minutes old at most.
 * That beats rebuilding per tick, which would leave a tick running past 15 minutes with a dead token.
 */
import { DescribeClusterCommand } from '@aws-sdk/client-eks';
import type { EKSClient } from '@aws-sdk/client-eks';
import { KubeConfig } from './client-node-parts';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import type { ClusterRef } from '../../config/scaler-config';
import { EksTokenSource } from './eks-token';
import { reuseConnections } from './connection-reuse';

/** The auth-provider name our authenticator answers to. */
export const EKS_AUTH_PROVIDER = 'eks-lambda-scaler';

export interface EksClusterAccessOptions {
  /** An EKS client for a region (clients are cheap to cache per region; the caller decides). */
  eks: (region: string) => EKSClient;
  /** The identity the cluster's access entry maps (the Lambda role's credentials in production). */
  credentials: AwsCredentialIdentityProvider;
  now?: () => number;
  /** Longest DescribeCluster may take, retries included, ms (default 10 000). */
  describeTimeoutMs?: number;
}

const DEFAULT_DESCRIBE_TIMEOUT_MS = 10_000;

interface ClusterConnection {
  endpoint: string;
  certificateAuthority: string;
}

export class EksClusterAccess {
  private readonly connections = new Map<string, Promise<KubeConfig>>();

  constructor(private readonly options: EksClusterAccessOptions) {}

  /** A KubeConfig for the cluster; cached, and safe to keep: each request gets a fresh token. */
  kubeConfigFor(cluster: ClusterRef): Promise<KubeConfig> {
    const cacheKey = `${cluster.region}/${cluster.name}`;
    let config = this.connections.get(cacheKey);
    if (!config) {
      config = this.connect(cluster);
      this.connections.set(cacheKey, config);
      // A failed describe (throttling, a typo fixed by redeploying config) must be retried next time.
      config.catch(() => this.connections.delete(cacheKey));
    }
    return config;
  }

  private async connect(cluster: ClusterRef): Promise<KubeConfig> {
    const connection = await this.describe(cluster);
    const tokens = new EksTokenSource(cluster.name, cluster.region, this.options.credentials, this.options.now);
    const kubeConfig = new KubeConfig();
    kubeConfig.addAuthenticator({
      isAuthProvider: (user) => (user.authProvider as { name?: string } | undefined)?.name === EKS_AUTH_PROVIDER,
      applyAuthentication: async (_user, opts) => {
        opts.headers = { ...opts.headers, Authorization: `Bearer ${await tokens.token()}` };
      },
    });
    const contextName = `${cluster.region}/${cluster.name}`;
    kubeConfig.loadFromOptions({
      clusters: [{ name: contextName, server: connection.endpoint, caData: connection.certificateAuthority, skipTLSVerify: false }],
      users: [{ name: EKS_AUTH_PROVIDER, authProvider: { name: EKS_AUTH_PROVIDER, config: {} } }],
      contexts: [{ name: contextName, cluster: contextName, user: EKS_AUTH_PROVIDER }],
      currentContext: contextName,
    });
    return reuseConnections(kubeConfig);
  }

  private async describe(cluster: ClusterRef): Promise<ClusterConnection> {
    const where = `EKS cluster ${cluster.name} in ${cluster.region}`;
    let described;
    try {
      const abortSignal = AbortSignal.timeout(this.options.describeTimeoutMs ?? DEFAULT_DESCRIBE_TIMEOUT_MS);
      described = (await this.options.eks(cluster.region).send(new DescribeClusterCommand({ name: cluster.name }), { abortSignal })).cluster;
    } catch (error) {
      const name = (error as { name?: string }).name;
      if (name === 'AbortError' || name === 'TimeoutError') {
        throw new Error(`${where}: DescribeCluster got no answer in time: check that the Lambda can reach the EKS API (an EKS VPC endpoint or a NAT)`, {
          cause: error,
        });
      }
      if (name === 'ResourceNotFoundException') {
        throw new Error(`${where} does not exist: fix the cluster name or region in the scaler configuration (clusters[])`, {
          cause: error,
        });
      }
      if (name === 'AccessDeniedException') {
        throw new Error(`${where}: the scaler's role may not call eks:DescribeCluster on it; grant it on the cluster's ARN`, {
          cause: error,
        });
      }
      throw new Error(`${where}: DescribeCluster failed: ${(error as Error).message}`, { cause: error });
    }
    const mode = described?.accessConfig?.authenticationMode;
    if (mode === 'CONFIG_MAP') {
      throw new Error(
        `${where} uses authenticationMode CONFIG_MAP, which has no access entries, so the scaler's role cannot be ` +
          'granted access. Switch it to API_AND_CONFIG_MAP (keeps aws-auth working) or API: ' +
          `aws eks update-cluster-config --name ${cluster.name} --region ${cluster.region} ` +
          '--access-config authenticationMode=API_AND_CONFIG_MAP (the change is one-way and does not restart anything)',
      );
    }
    const endpoint = described?.endpoint;
    const certificateAuthority = described?.certificateAuthority?.data;
    if (!endpoint || !certificateAuthority) {
      throw new Error(
        `${where} has no API endpoint yet (status ${described?.status ?? 'unknown'}): wait until it is ACTIVE`,
      );
    }
    return { endpoint, certificateAuthority };
  }
}
