/**
 * `dry-run <files...> --cluster NAME`: with the user's own AWS credentials, reads the real triggers
 * and the targets' current replicas, runs the pod scaler's tick with `dryRun` on, and prints what
 * it would do and why. Nothing is patched and no state is written.
 */
import { EKSClient } from '@aws-sdk/client-eks';
import { STSClient } from '@aws-sdk/client-sts';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KubeConfig } from '@kubernetes/client-node';
import { AwsClientFactory } from '../../lambdas/adapters/aws/aws-client-factory';
import type { CredentialsProvider } from '../../lambdas/adapters/aws/assume-role-credentials';
import { createTriggerReader } from '../../lambdas/adapters/aws/read-plan';
import { EksClusterAccess } from '../../lambdas/adapters/kubernetes/eks-cluster-access';
import { KubernetesScaleTargetApi } from '../../lambdas/adapters/kubernetes/kubernetes-scale-target-api';
import { DynamoDbStateStore } from '../../lambdas/adapters/state/dynamodb-state-store';
import { MemoryStateStore } from '../../lambdas/adapters/state/memory-state-store';
import type { StateStore } from '../../lambdas/adapters/state/state-store';
import type { ClusterRef, ScalerConfig } from '../../lambdas/config/scaler-config';
import { runTick } from '../../lambdas/pod-scaler/tick';
import type { Clock, ObjectTickResult, TickSummary, TriggerReader } from '../../lambdas/pod-scaler/tick-types';
import { booleanFlag, COMMON_OPTIONS, FILENAME_OPTION, manifestPaths, namespaceFlag, outputFlag, parseCommandArgs, stringFlag, UsageError } from '../args';
import { requireCredentials, requireRegion, staticCredentialsFrom } from '../aws-environment';
import { isDocumentFormat, writeDocument } from '../format/document';
import { EXIT_FINDINGS, EXIT_OK, writeLine, type CliIo } from '../io';
import { formatManifestIssue, inNamespace, loadManifestFiles } from '../manifests';
import type { CommandDefinition } from './command';

const USAGE = `Usage: eks-lambda-scaler dry-run <paths...> --cluster NAME [--region R] [options]

Reads the real triggers (SQS, Kinesis, CloudWatch) and the targets' current replicas in an EKS
cluster with your own AWS credentials (the default chain), evaluates each ScaledObject with the
pod scaler's own tick, and prints what it would do and why. Changes nothing.

Options:
  --cluster NAME       EKS cluster of the targets (objects naming another cluster are skipped)
  --region R           the cluster's region (default: env AWS_REGION or AWS_DEFAULT_REGION)
  --table NAME         read scaling history from the scaler's state table (read only); without it
                       each object is evaluated as a freshly deployed scaler would first see it
  -f, --filename PATH  a file, a folder (recursive) or - for stdin (repeatable)
  -o, --output F       text (default; wide is the same), json or yaml: the tick's results
  -n, --namespace NS   only the ScaledObjects of namespace NS (-A: every namespace, the default)
  -h, --help           show this help

Your identity needs eks:DescribeCluster, an EKS access entry allowing get on the targets' scale
subresource, and read access to the queues, streams and metrics the triggers name.

Credentials and region are checked once, before anything is read.

Exit codes: 0 ok, 1 invalid manifests or an object could not be evaluated, 2 usage error
(a missing region or missing credentials included).`;

export interface DryRunDependencies {
  /** Trigger reads (default: the real read plan over the user's credentials). */
  readTriggers?: TriggerReader;
  /** AWS clients for the read plan (default: built from the user's credentials). */
  clientFactory?: AwsClientFactory;
  /** The cluster's KubeConfig (default: EKS DescribeCluster plus an IAM token). */
  kubeConfigFor?: (cluster: ClusterRef) => Promise<KubeConfig>;
  /** The state to evaluate from (default: empty, or the --table). */
  stateStore?: StateStore;
  clock?: Clock;
}

export const dryRunCommand: CommandDefinition = {
  name: 'dry-run',
  usage: USAGE,
  run: (argv, io) => runDryRun(argv, io),
};

const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export async function runDryRun(argv: string[], io: CliIo, deps: DryRunDependencies = {}): Promise<number> {
  const args = parseCommandArgs(argv, {
    ...COMMON_OPTIONS,
    ...FILENAME_OPTION,
    cluster: { type: 'string' },
    region: { type: 'string' },
    table: { type: 'string' },
  });
  if (booleanFlag(args, 'help')) {
    writeLine(io.stdout, USAGE);
    return EXIT_OK;
  }
  const output = outputFlag(args);
  const namespace = namespaceFlag(args);
  const paths = manifestPaths(args);
  if (paths.length === 0) throw new UsageError('dry-run needs at least one ScaledObject file');
  const clusterName = stringFlag(args, 'cluster');
  if (!clusterName) throw new UsageError('dry-run needs --cluster NAME (the EKS cluster of the targets)');
  const region = requireRegion(io, stringFlag(args, 'region'), 'dry-run');
  const cluster: ClusterRef = { name: clusterName, region };

  const loaded = await loadManifestFiles(paths, io);
  for (const issue of [...loaded.errors, ...loaded.warnings]) writeLine(io.stderr, formatManifestIssue(issue));
  const objects = inNamespace(loaded.objects, namespace).kept.map((entry) => entry.object);
  const elsewhere = objects.filter((object) => object.cluster !== undefined && object.cluster !== clusterName);
  for (const object of elsewhere) {
    writeLine(io.stderr, `skipped ${object.id}: it names cluster ${object.cluster} (annotation eks-lambda-scaler.io/cluster), not ${clusterName}`);
  }
  const here = objects.filter((object) => !elsewhere.includes(object));
  if (here.length === 0) {
    writeLine(io.stderr, 'nothing to evaluate: no valid ScaledObject for this cluster');
    return EXIT_FINDINGS;
  }

  const config: ScalerConfig = { defaultCluster: cluster, clusters: [cluster], scaledObjects: here, nodeGroups: [] };
  const wiring = buildWiring(io, cluster, deps, stringFlag(args, 'table'));
  let summary: TickSummary;
  try {
    await requireCredentials(wiring.credentials);
    const clock = deps.clock ?? realClock;
    const scaleTargetApis = new Map<string, Promise<KubernetesScaleTargetApi>>();
    summary = await runTick(
      {
        config,
        clock,
        stateStore: wiring.stateStore,
        scaleTargets: (name) => {
          let api = scaleTargetApis.get(name);
          if (!api) {
            api = wiring.kubeConfigFor({ name, region }).then((kubeConfig) => new KubernetesScaleTargetApi(kubeConfig));
            scaleTargetApis.set(name, api);
          }
          return api;
        },
        readTriggers: wiring.readTriggers,
      },
      // One pass now (no pollingInterval passes), with a minute to finish it.
      { deadline: clock.now() + 60_000, windowMs: 0, dryRun: true },
    );
  } finally {
    wiring.close();
  }

  if (isDocumentFormat(output)) {
    writeDocument(io.stdout, output, { cluster, results: summary.results, calls: summary.calls });
  } else {
    writeLine(io.stdout, `Dry run against ${cluster.name} (${cluster.region}); nothing was changed.`);
    for (const result of summary.results) writeLine(io.stdout, `\n${describeResult(result)}`);
  }
  const failed = summary.results.some((r) => r.error !== undefined || r.status === 'error');
  return failed || loaded.errors.length > 0 ? EXIT_FINDINGS : EXIT_OK;
}

interface Wiring {
  credentials: CredentialsProvider;
  readTriggers: TriggerReader;
  kubeConfigFor(cluster: ClusterRef): Promise<KubeConfig>;
  stateStore: StateStore;
  close(): void;
}

/** The production adapters, built from the user's credentials, unless a dependency is given. */
function buildWiring(io: CliIo, cluster: ClusterRef, deps: DryRunDependencies, table: string | undefined): Wiring {
  const closers: (() => void)[] = [];
  const staticCredentials = staticCredentialsFrom(io);
  const credentialsClient = new STSClient({ region: cluster.region, ...(staticCredentials ? { credentials: staticCredentials } : {}) });
  closers.push(() => credentialsClient.destroy());
  // The SDK's default chain, resolved once and shared (env, profile, SSO, instance role...).
  const credentials: CredentialsProvider = async () => credentialsClient.config.credentials();

  const clientFactory = deps.clientFactory ?? new AwsClientFactory({ baseCredentials: credentials, stsClient: credentialsClient });
  const readTriggers = deps.readTriggers ?? createTriggerReader({ clientFactory });

  let kubeConfigFor = deps.kubeConfigFor;
  if (!kubeConfigFor) {
    const eksClients = new Map<string, EKSClient>();
    const access = new EksClusterAccess({
      eks: (region) => {
        let client = eksClients.get(region);
        if (!client) {
          client = new EKSClient({ region, credentials });
          eksClients.set(region, client);
          closers.push(() => client!.destroy());
        }
        return client;
      },
      credentials,
    });
    kubeConfigFor = (ref) => access.kubeConfigFor(ref);
  }

  let stateStore = deps.stateStore;
  if (!stateStore && table) {
    const client = new DynamoDBClient({ region: cluster.region, credentials });
    closers.push(() => client.destroy());
    stateStore = readOnly(new DynamoDbStateStore({ client, tableName: table }));
  }
  return {
    credentials,
    readTriggers,
    kubeConfigFor,
    stateStore: stateStore ?? new MemoryStateStore(),
    close: () => closers.forEach((close) => close()),
  };
}

/** The tick writes nothing in dry-run; this makes sure of it for the user's real table. */
function readOnly(store: StateStore): StateStore {
  return {
    loadMany: (keys) => store.loadMany(keys),
    listAll: () => store.listAll(),
    save: async () => {
      throw new Error('dry-run never writes state');
    },
  };
}

export function describeResult(result: ObjectTickResult): string {
  const lines: string[] = [];
  const current = result.currentReplicas;
  const desired = result.desiredReplicas;
  let verdict: string;
  if (result.error) verdict = 'cannot be evaluated';
  else if (current !== undefined && desired !== undefined && current !== desired) verdict = `would scale ${current} -> ${desired}`;
  else verdict = `would stay at ${current ?? '?'}`;
  lines.push(`${result.objectId}: ${verdict} (status ${result.status}${result.explanation ? `, rule ${result.explanation.rule}` : ''})`);
  if (result.error) lines.push(`  why: ${result.error}`);
  else if (result.explanation) lines.push(`  why: ${result.explanation.message}`);
  else if (result.statusReason) lines.push(`  why: ${result.statusReason}`);
  for (const trigger of result.explanation?.triggers ?? []) {
    const parts = [`  trigger ${trigger.index} ${trigger.type} ${trigger.metricName}:`];
    if (trigger.error) parts.push(`error: ${trigger.error}`);
    else {
      parts.push(`value ${trigger.value ?? '?'}, target ${trigger.target} (${trigger.metricType})`);
      if (trigger.active !== undefined) parts.push(trigger.active ? 'active' : 'inactive');
      if (trigger.proposal !== undefined) parts.push(`proposes ${trigger.proposal}`);
      if (trigger.withinTolerance) parts.push('within tolerance');
      if (trigger.fallback) parts.push('fallback');
    }
    lines.push(parts.join(' '));
  }
  const composite = result.explanation?.composite;
  if (composite) {
    const inputs = Object.entries(composite.inputs).map(([name, value]) => `${name}=${value ?? 'nil'}`).join(', ');
    const outcome = composite.error ? `error: ${composite.error}` : `= ${composite.value}, target ${composite.target} (${composite.metricType}), ${composite.active ? 'active' : 'inactive'}`;
    const proposal = composite.proposal === undefined ? '' : ` proposes ${composite.proposal}`;
    lines.push(`  formula ${composite.formula} (${inputs}) ${outcome}${proposal}`);
  }
  for (const step of result.explanation?.steps ?? []) lines.push(`  - ${step}`);
  return lines.join('\n');
}
