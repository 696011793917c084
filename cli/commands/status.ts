/**
 * `status`: one row per ScaledObject from the scaler's state table, like
 * `kubectl get scaledobject`, plus when it last scaled and why.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore } from '../../lambdas/adapters/state/dynamodb-state-store';
import type { StateStore, StoredObjectState } from '../../lambdas/adapters/state/state-store';
import { booleanFlag, COMMON_OPTIONS, LIVE_CLUSTER_OPTIONS, liveClusterFlags, namespaceFlag, outputFlag, parseCommandArgs, stringFlag, UsageError, type OutputFormat } from '../args';
import { requireCredentials, requireRegion, staticCredentialsFrom } from '../aws-environment';
import { isDocumentFormat, writeDocument } from '../format/document';
import { age } from '../format/relative-time';
import { formatTable } from '../format/table';
import { EXIT_FINDINGS, EXIT_OK, writeLine, type CliIo } from '../io';
import type { CommandDefinition } from './command';
import type { ClusterSelection } from '../cluster-objects';

const USAGE = `Usage: eks-lambda-scaler status [--table NAME] [--region R] [--endpoint URL] [-o text|wide|json|yaml] [-n NS | -A]
       eks-lambda-scaler status --cluster [--context NAME] [--kubeconfig PATH] [-o text|wide|json|yaml] [-n NS | -A]

Reads the scaler's state table and prints one row per ScaledObject, like
\`kubectl get scaledobject\`: target, min, max, triggers, ready, active, fallback, paused,
replicas, and when and why it last scaled. Uses your AWS credentials (default chain).

With --cluster, reads the ScaledObjects that live in the cluster instead (one list, with your
kubeconfig): KEDA's columns from the status the pod scaler writes on them, and why an object is
not Ready (the parser's message for a refused spec) or not managed. -o yaml prints a v1 List,
as \`kubectl get so -o yaml\`, which validate, dry-run and simulate read back.

Options:
  --table NAME         state table (default: env STATE_TABLE_NAME)
  --region R           AWS region (default: env AWS_REGION or AWS_DEFAULT_REGION)
  --endpoint URL       DynamoDB endpoint (a local DynamoDB or dynalite)
  -o, --output F       text (default), wide (adds the cluster column always), json or yaml:
                       the stored items
  --cluster            read the cluster of your kubeconfig instead of the state table
  --context NAME       the kubeconfig context to use (default: its current context)
  --kubeconfig PATH    the kubeconfig (default: env KUBECONFIG, then ~/.kube/config)
  -n, --namespace NS   only the ScaledObjects of namespace NS
  -A, --all-namespaces every namespace (the default)
  -h, --help           show this help

Credentials and region are checked once, before the table is read.

Exit codes: 0 ok, 1 the table could not be read or an object is in error (with --cluster: an
object is Ready=False), 2 usage error (a missing region or missing credentials included, or a
kubeconfig that cannot be read or reach its cluster).`;

export interface StatusDependencies {
  /** Replaces the DynamoDB store (tests). */
  stateStore?: StateStore;
  now?: () => number;
}

export const statusCommand: CommandDefinition = {
  name: 'status',
  usage: USAGE,
  run: (argv, io) => runStatus(argv, io),
};

export async function runStatus(argv: string[], io: CliIo, deps: StatusDependencies = {}): Promise<number> {
  const args = parseCommandArgs(argv, {
    ...COMMON_OPTIONS,
    table: { type: 'string' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    ...LIVE_CLUSTER_OPTIONS,
  });
  if (booleanFlag(args, 'help')) {
    writeLine(io.stdout, USAGE);
    return EXIT_OK;
  }
  const output = outputFlag(args);
  const namespace = namespaceFlag(args);
  if (args.positionals.length > 0) throw new UsageError(`status takes no arguments (got "${args.positionals.join(' ')}")`);
  const live = liveClusterFlags(args, namespace);
  if (live) {
    if (stringFlag(args, 'table') !== undefined) throw new UsageError('give --table (the state table) or --cluster (the live objects), not both');
    return runClusterStatus(io, live, output, deps.now ?? Date.now);
  }
  const tableName = stringFlag(args, 'table') ?? io.env.STATE_TABLE_NAME;
  if (!deps.stateStore && !tableName) throw new UsageError('name the state table with --table NAME or env STATE_TABLE_NAME');

  let client: DynamoDBClient | undefined;
  let items: StoredObjectState[];
  let store = deps.stateStore;
  if (!store) {
    const region = requireRegion(io, stringFlag(args, 'region'), 'status');
    const endpoint = stringFlag(args, 'endpoint');
    const credentials = staticCredentialsFrom(io);
    client = new DynamoDBClient({ region, ...(endpoint ? { endpoint } : {}), ...(credentials ? { credentials } : {}), maxAttempts: 2 });
    store = new DynamoDbStateStore({ client, tableName: tableName! });
  }
  try {
    if (client) await requireCredentials(client.config.credentials);
  } catch (error) {
    client?.destroy();
    throw error;
  }
  try {
    items = (await store.listAll()).filter((item) => namespace === undefined || splitId(item.objectId)[0] === namespace);
  } catch (error) {
    writeLine(io.stderr, `error: cannot read state table ${tableName ?? ''}: ${describeAwsError(error)}`);
    return EXIT_FINDINGS;
  } finally {
    client?.destroy();
  }
  items.sort((a, b) => a.key.localeCompare(b.key));

  if (isDocumentFormat(output)) {
    writeDocument(io.stdout, output, items);
  } else if (items.length === 0) {
    writeLine(io.stdout, `No ScaledObjects in ${tableName ?? 'the state table'} yet (the pod scaler writes one item per object it evaluates).`);
  } else {
    writeLine(io.stdout, formatStatusTable(items, (deps.now ?? Date.now)(), output === 'wide'));
  }
  return items.some((item) => item.status === 'error' && item.expiresAt === undefined) ? EXIT_FINDINGS : EXIT_OK;
}

/** `status --cluster`: the live objects and the status written on them. */
async function runClusterStatus(io: CliIo, selection: ClusterSelection, output: OutputFormat, now: () => number): Promise<number> {
  // The Kubernetes client is loaded only here (CLI start-up, bench/cli-start.ts).
  const { readClusterObjects, formatClusterStatusTable } = await import('../cluster-objects');
  const { source, scaledObjects } = await readClusterObjects(io, selection);
  if (isDocumentFormat(output)) {
    writeDocument(io.stdout, output, { apiVersion: 'v1', kind: 'List', items: scaledObjects });
  } else if (scaledObjects.length === 0) {
    writeLine(io.stdout, `No ScaledObjects in ${source}${selection.namespace ? `, namespace ${selection.namespace}` : ''}.`);
  } else {
    writeLine(io.stdout, formatClusterStatusTable(scaledObjects, now(), output === 'wide'));
  }
  const notReady = scaledObjects.some((object) => object.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False'));
  return notReady ? EXIT_FINDINGS : EXIT_OK;
}

const HEADER = ['NAMESPACE', 'NAME', 'SCALETARGETKIND', 'SCALETARGETNAME', 'MIN', 'MAX', 'TRIGGERS', 'READY', 'ACTIVE', 'FALLBACK', 'PAUSED', 'REPLICAS', 'LAST SCALE', 'AGE', 'WHY'];

export function formatStatusTable(items: StoredObjectState[], now: number, wide = false): string {
  const clusters = new Set(items.map((item) => item.cluster));
  const withCluster = wide || clusters.size > 1;
  const rows = items.map((item) => {
    const [namespace, name] = splitId(item.objectId);
    const { summary } = item;
    const decision = item.lastDecision;
    const lastScale = item.lastScaleAt === undefined ? '<none>' : `${age(item.lastScaleAt, now)} ago${decision?.applied ? ` (${decision.fromReplicas}->${decision.desiredReplicas})` : ''}`;
    const row = [
      namespace,
      name,
      summary.target.kind,
      summary.target.name,
      String(summary.minReplicaCount),
      String(summary.maxReplicaCount),
      [...new Set(summary.triggerTypes)].join(','),
      item.status === 'error' ? 'False' : 'True',
      item.active ? 'True' : 'False',
      item.status === 'fallback' ? 'True' : 'False',
      item.status === 'paused' ? 'True' : 'False',
      item.currentReplicas === undefined ? '<unknown>' : String(item.currentReplicas),
      lastScale,
      age(item.scaling.firstSeenAt, now),
      why(item),
    ];
    return withCluster ? [item.cluster, ...row] : row;
  });
  return formatTable(withCluster ? ['CLUSTER', ...HEADER] : HEADER, rows);
}

function why(item: StoredObjectState): string {
  if (item.expiresAt !== undefined) return 'removed from the configuration; the item expires by TTL';
  if (item.status === 'error' && item.statusReason) return item.statusReason;
  const decision = item.lastDecision;
  if (decision) return `${decision.explanation.rule}: ${decision.explanation.message}${decision.applied ? '' : ' (not applied)'}`;
  return item.statusReason ?? '';
}

function splitId(objectId: string): [string, string] {
  const slash = objectId.indexOf('/');
  return slash < 0 ? ['default', objectId] : [objectId.slice(0, slash), objectId.slice(slash + 1)];
}

/** The AWS error's name and message; never the request, which carries signed headers. */
function describeAwsError(error: unknown): string {
  const err = error as { name?: string; message?: string };
  if (err.name === 'ResourceNotFoundException') return 'no such table (check --table and --region)';
  return `${err.name ?? 'Error'}: ${err.message ?? String(error)}`;
}
