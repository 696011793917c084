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
import { awsTransport } from '../adapters/aws/aws-transport';
import type { ScalerConfig } from '../config/scaler-config';
import type { NodeScalerHandlerDependencies } from './handler';

/**
 * The node scaler's AWS transport: the project's one (standard retries, a failing per-attempt
 * timeout), 3 s per attempt so three attempts fit the handler's 10 s call guard (call-guard.ts).
 */
export const nodeScalerTransport = () => awsTransport(3_000, 3);

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
  const autoScalingClient = new AutoScalingClient(nodeScalerTransport());
  const eksClients = new Map<string, EKSClient>();
  const eks = (region: string) => {
    let client = eksClients.get(region);
    if (!client) {
      client = new EKSClient({ region, ...nodeScalerTransport() });
      eksClients.set(region, client);
    }
    return client;
  };
  // The Lambda role's credentials from the SDK's default chain, as the cluster's access entry maps them.
  const credentials = autoScalingClient.config.credentials;
  const { EksClusterAccess } = await import('../adapters/kubernetes/eks-cluster-access');
  const access = new EksClusterAccess({ eks, credentials });
  // Managed node groups and instance types for groups at zero, cached per container.
  const { CachedNodeGroupFacts } = await import('../adapters/node-group-facts/cached-node-group-facts');
  const { Ec2InstanceTypes } = await import('../adapters/node-group-facts/ec2-instance-types');
  const nodeGroupFacts = new CachedNodeGroupFacts({ eks, ec2: new Ec2InstanceTypes({ credentials }) });
  return {
    config,
    autoScalingClient,
    dynamoDbClient: new DynamoDBClient(nodeScalerTransport()),
    tableName,
    kubeConfigFor: (cluster) => access.kubeConfigFor(cluster),
    nodeGroupFacts,
  };
}
