/**
 * Which AWS resources the pod scaler reads, derived from validated ScaledObjects: at synth time for
 * bundled objects (the construct builds the IAM policy from it), and at run time for cluster objects
 * (iam-allowance.ts checks them against the patterns the construct granted). Pure.
 * For bundled objects the IAM policy is built from this list, so a queue or stream named in no
 * ScaledObject is never readable, and adding one to a ScaledObject widens the policy by exactly
 * that resource.
 */
import type { ScaledObject } from '../spec/scaled-object';
import type { ParsedTrigger } from '../../triggers/trigger-definition';
import { secretArnPattern } from './secret-arns';

/** A trigger whose resource is only known at run time (a `...FromEnv` parameter). */
export interface UnscopedTrigger {
  objectId: string;
  field: string;
  reason: string;
}

export interface TriggerResources {
  /** `sqs:GetQueueAttributes`, read with the scaler's own role. */
  queueArns: string[];
  /** `sqs:GetQueueUrl`: queues named by a bare name, whose URL the scaler looks up once. */
  queueUrlLookupArns: string[];
  /** `kinesis:ListShards`, read with the scaler's own role (aws-kinesis-stream.ts). */
  streamArns: string[];
  /** `dynamodb:Query`: the tables (and, with `indexName`, the index) aws-dynamodb triggers query with the scaler's own role. */
  tableArns: string[];
  /** `dynamodb:DescribeTable` on the table and `dynamodb:DescribeStream` on its streams (`table/<name>/stream/*`): aws-dynamodb-streams triggers. */
  tableStreamArns: { tableArn: string; streamArn: string }[];
  /** `sts:AssumeRole`: roles that carry the read permissions themselves (`awsRoleArn`, podIdentity). */
  assumeRoleArns: string[];
  /** `cloudwatch:GetMetricData` with the scaler's own role. */
  readsCloudWatch: boolean;
  /** `aps:QueryMetrics`: Amazon Managed Service for Prometheus workspaces prometheus triggers query (SigV4) with the scaler's own role. */
  workspaceArns: string[];
  /** `secretsmanager:GetSecretValue`: secrets a TriggerAuthentication's awsSecretManager supplies a credential from (new-relic's queryKey), read with the scaler's own role. */
  secretArns: string[];
  /**
   * Amazon MSK IAM read with the scaler's own role (kafka, apache-kafka): `kafka-cluster:Connect` on
   * the clusters, `kafka-cluster:DescribeTopic` on the topics, `kafka-cluster:DescribeGroup` on the
   * groups (Metadata, ListOffsets, FindCoordinator, OffsetFetch need nothing else).
   */
  msk: { clusterArns: string[]; topicArns: string[]; groupArns: string[] };
  unscoped: UnscopedTrigger[];
}

export interface ArnContext {
  /** The stack's account (may be a CDK token); used when a name carries no account. */
  account: string;
  /** Partition for a region, e.g. `aws`, `aws-cn`. */
  partitionOf(region: string): string;
  /** The scaler's own region (may be a CDK token), where a secret named without a region is read; `*` when unknown. */
  region?: string;
}

const SQS_HOST_PATTERNS = [
  /^sqs\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/,
  /^([a-z0-9-]+)\.queue\.amazonaws\.com(?:\.cn)?$/,
  /^sqs\.([a-z0-9-]+)\.api\.aws$/,
];
const ACCOUNT_ID = /^\d{12}$/;
const AMP_WORKSPACE_PATH = /\/workspaces\/(ws-[A-Za-z0-9-]+)(?:\/|$)/;
/** An MSK broker host: `b-1.<cluster>.<id>.c2.kafka.<region>.amazonaws.com` (also `-scram`/`-iam` variants, serverless `boot-<id>.c1.kafka-serverless...`). */
const MSK_BROKER_HOST = /^(?:b-\d+(?:-public)?|boot-[a-z0-9]+)\.([a-z0-9-]+)\.[a-z0-9]+\.c\d+\.kafka(?:-serverless)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/;

interface QueueLocation {
  name: string;
  region: string;
  account?: string;
  bareName: boolean;
}

/**
 * KEDA's reading of `queueURL`: a value that is not a URI is a bare queue name; otherwise the path is
 * `/<account>/<name>`. The region comes from an AWS host when there is one (the queue lives there),
 * else from `awsRegion`; an emulator's or VPC endpoint's host says nothing about the region.
 */
export function locateQueue(queueUrl: string, awsRegion: string): QueueLocation | undefined {
  const value = queueUrl.trim();
  if (!value.includes('/')) return { name: value, region: awsRegion, bareName: true };
  let pathname = value;
  let region = awsRegion;
  if (!value.startsWith('/')) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return { name: value, region: awsRegion, bareName: true };
    }
    pathname = url.pathname;
    for (const pattern of SQS_HOST_PATTERNS) {
      const match = pattern.exec(url.hostname);
      if (match?.[1]) region = match[1];
    }
  }
  const parts = pathname.split('/');
  if (parts.length !== 3 || !parts[2]) return undefined;
  const account = ACCOUNT_ID.test(parts[1] ?? '') ? parts[1] : undefined;
  return { name: parts[2], region, account, bareName: false };
}

function metadataValue(trigger: ParsedTrigger, key: string): string | undefined {
  const value = trigger.metadata[key]?.trim();
  return value ? value : undefined;
}

function fromEnvName(trigger: ParsedTrigger, key: string): string | undefined {
  return trigger.envRefs[key] ?? metadataValue(trigger, `${key}FromEnv`);
}

/** ScaledObjects and ScaledJobs alike: the permissions follow the triggers. */
export function deriveTriggerResources(objects: readonly Pick<ScaledObject, 'id' | 'triggers'>[], context: ArnContext): TriggerResources {
  const queueArns = new Set<string>();
  const queueUrlLookupArns = new Set<string>();
  const streamArns = new Set<string>();
  const tableArns = new Set<string>();
  const streamTables = new Set<string>();
  const assumeRoleArns = new Set<string>();
  const workspaceArns = new Set<string>();
  const secretArns = new Set<string>();
  const mskClusterArns = new Set<string>();
  const mskTopicArns = new Set<string>();
  const mskGroupArns = new Set<string>();
  const unscoped: UnscopedTrigger[] = [];
  let readsCloudWatch = false;

  for (const object of objects) {
    for (const trigger of object.triggers) {
      // Only a credential the trigger reads at call time is granted: new-relic's queryKey.
      const secret = trigger.type === 'new-relic' ? trigger.authParams?.queryKey : undefined;
      if (secret?.from === 'awsSecretManager') {
        if (secret.roleArn) assumeRoleArns.add(secret.roleArn);
        else {
          const region = secret.region ?? context.region ?? '*';
          secretArns.add(secretArnPattern(secret.secretId, { region, account: context.account, partition: context.partitionOf(region) }));
        }
      }
      const aws = trigger.aws;
      if (!aws) continue;
      const field = `spec.triggers[${trigger.index}].metadata`;
      // A role from a TriggerAuthentication env entry is known only at run time.
      const roleFromEnv = trigger.authParams?.awsRoleArn;
      if (!aws.roleArn && roleFromEnv?.from === 'env') {
        unscoped.push({
          objectId: object.id,
          field: `spec.triggers[${trigger.index}].authenticationRef`,
          reason: `the role to assume (awsRoleArn) comes from container env ${roleFromEnv.envVar} at run time, so no sts:AssumeRole permission can be derived for it`,
        });
        continue;
      }
      // Reading through an assumed role: that role carries the read permissions, we only assume it.
      if (aws.roleArn) {
        assumeRoleArns.add(aws.roleArn);
        continue;
      }
      const partition = context.partitionOf(aws.region);
      if (trigger.type === 'aws-sqs-queue') {
        const queueUrl = metadataValue(trigger, 'queueURL');
        if (!queueUrl) {
          const envVar = fromEnvName(trigger, 'queueURL');
          unscoped.push({
            objectId: object.id,
            field: `${field}.queueURLFromEnv`,
            reason: `the queue comes from container env ${envVar ?? '(unknown)'} at run time, so no IAM permission can be derived for it`,
          });
          continue;
        }
        const queue = locateQueue(queueUrl, aws.region);
        if (!queue) continue; // the parser already rejected it; nothing to grant
        const arn = `arn:${context.partitionOf(queue.region)}:sqs:${queue.region}:${queue.account ?? context.account}:${queue.name}`;
        queueArns.add(arn);
        if (queue.bareName) queueUrlLookupArns.add(arn);
      } else if (trigger.type === 'aws-kinesis-stream') {
        const streamName = metadataValue(trigger, 'streamName');
        if (!streamName) {
          unscoped.push({
            objectId: object.id,
            field: `${field}.streamNameFromEnv`,
            reason: 'the stream comes from container env at run time, so no IAM permission can be derived for it',
          });
          continue;
        }
        streamArns.add(
          streamName.startsWith('arn:')
            ? streamName
            : `arn:${partition}:kinesis:${aws.region}:${context.account}:stream/${streamName}`,
        );
      } else if (trigger.type === 'aws-dynamodb') {
        // KEDA reads tableName and indexName from the metadata only, so they are always known here.
        const table = `arn:${partition}:dynamodb:${aws.region}:${context.account}:table/${metadataValue(trigger, 'tableName')}`;
        const indexName = metadataValue(trigger, 'indexName');
        tableArns.add(indexName ? `${table}/index/${indexName}` : table);
      } else if (trigger.type === 'aws-dynamodb-streams') {
        streamTables.add(`arn:${partition}:dynamodb:${aws.region}:${context.account}:table/${metadataValue(trigger, 'tableName')}`);
      } else if (trigger.type === 'aws-cloudwatch') {
        readsCloudWatch = true;
      } else if (trigger.type === 'prometheus') {
        // Signed queries go to <host>/workspaces/<id>/api/v1/query, through the AMP host or a VPC endpoint alike.
        const workspace = AMP_WORKSPACE_PATH.exec(metadataValue(trigger, 'serverAddress') ?? '')?.[1];
        if (!workspace) {
          unscoped.push({ objectId: object.id, field: `${field}.serverAddress`, reason: 'the address has no /workspaces/<id> path, so no aps:QueryMetrics permission can be derived for it' });
          continue;
        }
        workspaceArns.add(`arn:${partition}:aps:${aws.region}:${context.account}:workspace/${workspace}`);
      } else if (trigger.type === 'kafka' || trigger.type === 'apache-kafka') {
        // The cluster's UUID is not in the broker host: any cluster of that name in the region and account.
        const params = trigger.params as { bootstrapServers?: string[]; consumerGroup?: string; topics?: string[] };
        const clusters = new Set((params.bootstrapServers ?? []).map((server) => MSK_BROKER_HOST.exec(server.replace(/:\d+$/, ''))?.[1]));
        const cluster = clusters.size === 1 ? [...clusters][0] : undefined;
        if (!cluster) {
          unscoped.push({ objectId: object.id, field: `${field}.bootstrapServers`, reason: 'the brokers are not the broker addresses of one Amazon MSK cluster, so no kafka-cluster permission can be derived for them' });
          continue;
        }
        const base = `arn:${partition}:kafka:${aws.region}:${context.account}`;
        mskClusterArns.add(`${base}:cluster/${cluster}/*`);
        for (const topic of params.topics?.length ? params.topics : ['*']) mskTopicArns.add(`${base}:topic/${cluster}/*/${topic}`);
        mskGroupArns.add(`${base}:group/${cluster}/*/${params.consumerGroup ?? '*'}`);
      }
    }
  }

  const sorted = (values: Set<string>) => [...values].sort();
  return {
    queueArns: sorted(queueArns),
    queueUrlLookupArns: sorted(queueUrlLookupArns),
    streamArns: sorted(streamArns),
    tableArns: sorted(tableArns),
    // The stream's ARN carries its creation time, unknown at synth: any stream of the table.
    tableStreamArns: sorted(streamTables).map((tableArn) => ({ tableArn, streamArn: `${tableArn}/stream/*` })),
    assumeRoleArns: sorted(assumeRoleArns),
    readsCloudWatch,
    workspaceArns: sorted(workspaceArns),
    secretArns: sorted(secretArns),
    msk: { clusterArns: sorted(mskClusterArns), topicArns: sorted(mskTopicArns), groupArns: sorted(mskGroupArns) },
    unscoped,
  };
}
