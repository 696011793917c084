/**
 * `status`: one row per ScaledObject from the scaler's state table, like
 * `kubectl get scaledobject`, plus when it last scaled and why.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore } from '../../lambdas/adapters/state/dynamodb-state-store';
import type { StateStore, StoredObjectState } from '../../lambdas/adapters/state/state-store';
import { booleanFlag, choiceFlag, parseCommandArgs, stringFlag, UsageError } from '../args';
import { regionFrom, staticCredentialsFrom } from '../aws-environment';
import { age } from '../format/relative-time';
import { formatTable } from '../format/table';
import { EXIT_FINDINGS, EXIT_OK, writeLine, type CliIo } from '../io';
import type { CommandDefinition } from './command';

const USAGE = `Usage: eks-lambda-scaler status [--table NAME] [--region R] [--endpoint URL] [--output text|json]

Reads the scaler's state table and prints one row per ScaledObject, like
\`kubectl get scaledobject\`: target, min, max, triggers, ready, active, fallback, paused,
replicas, and when and why it last scaled. Uses your AWS credentials (default chain).

Options:
  --table NAME         state table (default: env STATE_TABLE_NAME)
  --region R           AWS region (default: env AWS_REGION or AWS_DEFAULT_REGION)
  --endpoint URL       DynamoDB endpoint (a local DynamoDB or dynalite)
  --output text|json   json: the stored items
  -h, --help           show this help

Exit codes: 0 ok, 1 the table could not be read or an object is in error, 2 usage error.`;

export interface StatusDependencies {
  /** Replaces the DynamoDB store (tests). */
  stateStore?: StateStore;
  now?: () => number;
}

export const statusCommand: CommandDefinition = {
  name: 'status',
  summary: 'show every ScaledObject the scaler manages, from its state table',
  usage: USAGE,
  run: (argv, io) => runStatus(argv, io),
};

export async function runStatus(argv: string[], io: CliIo, deps: StatusDependencies = {}): Promise<number> {
  const args = parseCommandArgs(argv, {
    table: { type: 'string' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
    output: { type: 'string' },
  });
  if (booleanFlag(args, 'help')) {
    writeLine(io.stdout, USAGE);
    return EXIT_OK;
  }
  const output = choiceFlag(args, 'output', ['text', 'json'] as const, 'text');
  if (args.positionals.length > 0) throw new UsageError(`status takes no arguments (got "${args.positionals.join(' ')}")`);
  const tableName = stringFlag(args, 'table') ?? io.env.STATE_TABLE_NAME;
  if (!deps.stateStore && !tableName) throw new UsageError('name the state table with --table NAME or env STATE_TABLE_NAME');

  let client: DynamoDBClient | undefined;
  let items: StoredObjectState[];
  try {
    let store = deps.stateStore;
    if (!store) {
      const region = regionFrom(io, stringFlag(args, 'region'));
      const endpoint = stringFlag(args, 'endpoint');
      const credentials = staticCredentialsFrom(io);
      client = new DynamoDBClient({
        ...(region ? { region } : {}),
        ...(endpoint ? { endpoint } : {}),
        ...(credentials ? { credentials } : {}),
        maxAttempts: 2,
      });
      store = new DynamoDbStateStore({ client, tableName: tableName! });
    }
    items = await store.listAll();
  } catch (error) {
    writeLine(io.stderr, `error: cannot read state table ${tableName ?? ''}: ${describeAwsError(error)}`);
    return EXIT_FINDINGS;
  } finally {
    client?.destroy();
  }
  items.sort((a, b) => a.key.localeCompare(b.key));

  if (output === 'json') {
    writeLine(io.stdout, JSON.stringify(items, null, 2));
  } else if (items.length === 0) {
    writeLine(io.stdout, `No ScaledObjects in ${tableName ?? 'the state table'} yet (the pod scaler writes one item per object it evaluates).`);
  } else {
    writeLine(io.stdout, formatStatusTable(items, (deps.now ?? Date.now)()));
  }
  return items.some((item) => item.status === 'error' && item.expiresAt === undefined) ? EXIT_FINDINGS : EXIT_OK;
}

const HEADER = ['NAMESPACE', 'NAME', 'SCALETARGETKIND', 'SCALETARGETNAME', 'MIN', 'MAX', 'TRIGGERS', 'READY', 'ACTIVE', 'FALLBACK', 'PAUSED', 'REPLICAS', 'LAST SCALE', 'AGE', 'WHY'];

export function formatStatusTable(items: StoredObjectState[], now: number): string {
  const clusters = new Set(items.map((item) => item.cluster));
  const withCluster = clusters.size > 1;
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
