/**
 * The node scaler's dependencies on the wire, each behind a fault proxy: Auto Scaling (the world's
 * model served in the query protocol), DynamoDB (dynalite) and the Kubernetes API of each cluster
 * (the API test servers, over TLS, found through EKS DescribeCluster on a loopback EKS endpoint, with
 * real EKS tokens). The real handler runs with real SDK and client-node clients
 * built by the production transport (short timeouts, set through its options), so the SDK's
 * retries, parsers and socket timeouts are part of every cell.
 *
 * The fleet: cluster `prod` with groups `alpha` and `beta`, cluster `edge` with group `gamma`; each
 * group has one full 2-CPU node and one pending pod that only fits a new node of that group.
 */
import { AutoScalingClient } from '@aws-sdk/client-auto-scaling';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EKSClient } from '@aws-sdk/client-eks';
import { createServer, type Server } from 'node:http';
import { EksClusterAccess } from '../../lambdas/adapters/kubernetes/eks-cluster-access';
import { listenOnLoopback } from '../../lambdas/util/listen-on-loopback';
import { awsTransport } from '../../lambdas/adapters/aws/aws-transport';
import type { NodeScalerTickSummary } from '../../lambdas/node-scaler/tick-types';
import { NodeScalerWorld } from '../node-scaler/node-scaler-world';
import { startFaultProxy, type FaultProxy } from '../support/fault-proxy';
import { KUBE_TEST_TLS_CERT, KUBE_TEST_TLS_KEY } from '../support/kube-tls-fixture';
import { startQueryEmulator, type QueryEmulator } from './query-emulator';

export const GROUPS = { alpha: 'prod', beta: 'prod', gamma: 'edge' } as const;
export type GroupName = keyof typeof GROUPS;

/** Short timeouts, through the production options: hangs cost seconds, not minutes. */
export const WIRE_TIMEOUTS = { attemptTimeoutMs: 1_000, maxAttempts: 2, callTimeoutMs: 2_500 };
/** Lambda's remaining time in every cell, and the margin the handler keeps back. */
export const REMAINING_MS = 8_000;
export const SAFETY_MARGIN_MS = 1_000;

const CREDENTIALS = { accessKeyId: 'AKIDFAULTS', secretAccessKey: 'faults' };

export class NodeScalerWire {
  private constructor(
    readonly world: NodeScalerWorld,
    private readonly emulator: QueryEmulator,
    readonly autoScaling: FaultProxy,
    readonly dynamoDb: FaultProxy,
    readonly kube: Record<string, FaultProxy>,
    readonly eks: FaultProxy,
    private readonly eksEndpoint: Server,
  ) {}

  static async start(): Promise<NodeScalerWire> {
    const world = await NodeScalerWorld.start();
    const edge = await world.addCluster('edge');
    for (const [group, cluster] of Object.entries(GROUPS)) {
      world.addGroup({ name: group }, { cluster });
      world.addNode(group, { name: `${group}-1`, cpu: '2', memory: '8Gi', labels: { pool: group } });
      world.addPod({ name: `busy-${group}`, node: `${group}-1`, cpu: '1900m', memory: '1Gi', cluster });
      world.addPod({ name: `wants-${group}`, cpu: '1', memory: '512Mi', nodeSelector: { pool: group }, cluster });
    }
    const operations = world.asgOperations as unknown as Record<string, (input: Record<string, unknown>) => unknown>;
    const emulator = await startQueryEmulator(operations);
    const tls = { cert: KUBE_TEST_TLS_CERT, key: KUBE_TEST_TLS_KEY };
    const [autoScaling, dynamoDb, prodKube, edgeKube] = await Promise.all([
      startFaultProxy({ target: emulator.url, protocol: 'aws-query' }),
      startFaultProxy({ target: world.dynamo.endpoint, protocol: 'aws-json' }),
      startFaultProxy({ target: world.kube.url, protocol: 'kubernetes', tls, targetCa: world.kube.caPem }),
      startFaultProxy({ target: edge.url, protocol: 'kubernetes', tls, targetCa: edge.caPem }),
    ]);
    const kube = { prod: prodKube, edge: edgeKube };
    // EKS DescribeCluster (REST JSON: GET /clusters/<name>): each cluster's endpoint is its proxy.
    const eksEndpoint = createServer((req, res) => {
      const name = decodeURIComponent(/^\/clusters\/([^/?]+)/.exec(req.url ?? '')?.[1] ?? '');
      const proxy = kube[name as keyof typeof kube];
      if (!proxy) {
        res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'ResourceNotFoundException' });
        res.end(JSON.stringify({ message: `No cluster found for name: ${name}.` }));
        return;
      }
      const cluster = { name, endpoint: proxy.url, certificateAuthority: { data: Buffer.from(KUBE_TEST_TLS_CERT).toString('base64') }, accessConfig: { authenticationMode: 'API_AND_CONFIG_MAP' }, status: 'ACTIVE' };
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'eks-endpoint' });
      res.end(JSON.stringify({ cluster }));
    });
    const eks = await startFaultProxy({ target: `http://127.0.0.1:${await listenOnLoopback(eksEndpoint)}`, protocol: 'aws-rest-json' });
    return new NodeScalerWire(world, emulator, autoScaling, dynamoDb, kube, eks, eksEndpoint);
  }

  /** One invocation of the real handler through the proxies; `elapsedMs` is wall-clock time. */
  async invoke(): Promise<{ summary: NodeScalerTickSummary; elapsedMs: number }> {
    // The production transport (production-wiring.ts), with short timeouts through its options.
    const transport = () => ({ region: 'us-east-1', credentials: CREDENTIALS, ...awsTransport(WIRE_TIMEOUTS.attemptTimeoutMs, WIRE_TIMEOUTS.maxAttempts) });
    const autoScalingClient = new AutoScalingClient({ ...transport(), endpoint: this.autoScaling.url });
    const dynamoDbClient = new DynamoDBClient({ ...transport(), endpoint: this.dynamoDb.url });
    const eksClient = new EKSClient({ ...transport(), endpoint: this.eks.url });
    const access = new EksClusterAccess({ eks: () => eksClient, credentials: async () => CREDENTIALS });
    const started = performance.now();
    try {
      const summary = await this.world.invokeWith({
        autoScalingClient,
        dynamoDbClient,
        // Production's EKS discovery (a fresh cache per invocation, as a cold start).
        kubeConfigFor: (cluster) => access.kubeConfigFor(cluster),
        remainingMs: REMAINING_MS,
        safetyMarginMs: SAFETY_MARGIN_MS,
        callTimeoutMs: WIRE_TIMEOUTS.callTimeoutMs,
      });
      return { summary, elapsedMs: performance.now() - started };
    } finally {
      autoScalingClient.destroy();
      dynamoDbClient.destroy();
      eksClient.destroy();
    }
  }

  desiredCapacity(group: GroupName): number {
    return this.world.groups.get(group)!.desiredCapacity;
  }

  async close(): Promise<void> {
    await Promise.all([this.autoScaling.close(), this.dynamoDb.close(), this.eks.close(), ...Object.values(this.kube).map((proxy) => proxy.close())]);
    this.eksEndpoint.closeAllConnections();
    await new Promise<void>((resolve) => this.eksEndpoint.close(() => resolve()));
    await this.emulator.close();
    await this.world.close();
  }
}
