/**
 * Production dependencies of the node scaler: configuration from SCALER_CONFIG_FILE (default
 * `scaler-config.json` beside the bundled handler), state table from STATE_TABLE_NAME, real AWS
 * clients, and EKS access as the Lambda's role. Loaded lazily so tests never touch it.
 */
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EKSClient } from '@aws-sdk/client-eks';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ScalerConfig } from '../config/scaler-config';
import type { NodeScalerHandlerDependencies } from './handler';

export interface NodeScalerTransportOptions {
  /** Socket timeout of one HTTP attempt, ms (default 4000: three attempts fit the handler's 10 s call guard, see call-guard.ts). */
  attemptTimeoutMs?: number;
  /** Attempts per call including the first (default 3; the SDK's standard mode retries throttling and 5xx). */
  maxAttempts?: number;
  /** Endpoint override (tests: the fault proxy in front of a local server). */
  endpoint?: string;
}

/**
 * The transport every node-scaler AWS client uses: standard retries and a socket timeout per
 * attempt, so a hung connection fails the attempt rather than the invocation. Tests build their
 * clients through this too, pointed at a local endpoint.
 */
export function nodeScalerClientConfig(options: NodeScalerTransportOptions = {}) {
  const timeout = options.attemptTimeoutMs ?? 4_000;
  return {
    retryMode: 'standard',
    maxAttempts: options.maxAttempts ?? 3,
    // requestTimeout alone only logs a warning in this @smithy/node-http-handler: throwOnRequestTimeout
    // makes it fail the attempt, and socketTimeout bounds a socket that goes silent mid-answer.
    requestHandler: new NodeHttpHandler({ requestTimeout: timeout, throwOnRequestTimeout: true, socketTimeout: timeout, connectionTimeout: Math.min(timeout, 3_000) }),
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  };
}

export async function buildProductionDependencies(): Promise<NodeScalerHandlerDependencies> {
  const configFile = process.env.SCALER_CONFIG_FILE ?? join(dirname(fileURLToPath(import.meta.url)), 'scaler-config.json');
  const tableName = process.env.STATE_TABLE_NAME;
  if (!tableName) throw new Error('STATE_TABLE_NAME is not set; the CDK construct sets it to the state table name');
  let config: ScalerConfig;
  try {
    config = JSON.parse(await readFile(configFile, 'utf8')) as ScalerConfig;
  } catch (error) {
    throw new Error(`cannot read the scaler configuration ${configFile}: ${(error as Error).message}; set SCALER_CONFIG_FILE or ship scaler-config.json beside the handler`, { cause: error });
  }
  const autoScalingClient = new AutoScalingClient(nodeScalerClientConfig());
  const eksClients = new Map<string, EKSClient>();
  const eks = (region: string) => {
    let client = eksClients.get(region);
    if (!client) {
      client = new EKSClient({ region, ...nodeScalerClientConfig() });
      eksClients.set(region, client);
    }
    return client;
  };
  // The Lambda role's credentials from the SDK's default chain, as the cluster's access entry maps them.
  const credentials = autoScalingClient.config.credentials;
  const { EksClusterAccess } = await import('../adapters/kubernetes/eks-cluster-access');
  const access = new EksClusterAccess({ eks, credentials });
  return {
    config,
    autoScalingClient,
    dynamoDbClient: new DynamoDBClient(nodeScalerClientConfig()),
    tableName,
    kubeConfigFor: (cluster) => access.kubeConfigFor(cluster),
  };
}
