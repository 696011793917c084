/**
 * The contract every trigger type implements, one file per type (as KEDA's `pkg/scalers`):
 * metadata parsing, the pure step from a raw reading to a metric value, and the batched AWS read,
 * side by side. Parsing and the metric step are pure; only `readBatch` does I/O, through clients
 * handed to it.
 */
import type { AuthParameterSource, AwsSecretManagerSource } from '../engine/spec/scaled-object';
import type { SpecIssue } from '../engine/spec/issues';

/** The metric types of an external metric (every trigger but cpu and memory). */
export type MetricType = 'AverageValue' | 'Value';
/** A trigger's metric type: cpu and memory triggers may also target `Utilization` of the pods' requests. */
export type TriggerMetricType = MetricType | 'Utilization';

/**
 * The external metric type a trigger's value is served as. Only cpu/memory can be Utilization, and
 * their metrics never take the external path (no fallback, no value), so it reads as AverageValue.
 */
export function externalMetricType(type: TriggerMetricType): MetricType {
  return type === 'Value' ? 'Value' : 'AverageValue';
}

/** Where, and as whom, an AWS trigger reads. Plain data: also drives the IAM policy at synth time. */
export interface AwsSource {
  region: string;
  /** Role to assume (`awsRoleArn`, or a TriggerAuthentication's `podIdentity.roleArn`). */
  roleArn?: string;
  /** `podIdentity.externalID`: AssumeRole's `ExternalId` for `roleArn`. */
  externalId?: string;
  /** `awsEndpoint`: VPC endpoint or emulator base URL. */
  endpoint?: string;
}

export type SqsAttributeName =
  | 'ApproximateNumberOfMessages'
  | 'ApproximateNumberOfMessagesNotVisible'
  | 'ApproximateNumberOfMessagesDelayed';

export interface CloudWatchQuery {
  /** Metrics Insights / math expression; when set, the metric fields are unused. */
  expression?: string;
  namespace?: string;
  metricName?: string;
  dimensions?: { name: string; value: string }[];
  stat: string;
  unit?: string;
  period: number;
  accountId?: string;
}

/** One `aws-dynamodb` Query, as the trigger's metadata gives it (values in DynamoDB's JSON form). */
export type DynamoDbQuery = {
  tableName: string;
  keyConditionExpression: string;
  expressionAttributeNames: Record<string, string>;
  expressionAttributeValues: Record<string, unknown>;
  indexName?: string;
  filterExpression?: string;
};

/** What one trigger needs read now. `key` is equal for reads that can be shared (deduplication). */
export type ReadRequest =
  | { service: 'sqs'; key: string; source: AwsSource; queueUrl: string; attributes: SqsAttributeName[] }
  | { service: 'kinesis'; key: string; source: AwsSource; streamName: string }
  | { service: 'dynamodb'; key: string; source: AwsSource; query: DynamoDbQuery }
  | { service: 'dynamodbstreams'; key: string; source: AwsSource; tableName: string }
  | {
      service: 'cloudwatch';
      key: string;
      source: AwsSource;
      query: CloudWatchQuery;
      /** Epoch milliseconds, from the trigger's query window. */
      startTime: number;
      endTime: number;
    }
  | {
      service: 'prometheus';
      key: string;
      /** The query, and how it reaches its server. */
      call: HttpCall;
      /** Set when the call is SigV4-signed (Amazon Managed Service for Prometheus): whose credentials sign it. */
      source?: AwsSource;
    }
  | { service: 'newrelic'; key: string; call: HttpCall; source?: undefined }
  | {
      service: 'kafka';
      key: string;
      /** The cluster and how to authenticate: reads with equal connections share one client. */
      connection: KafkaConnection;
      group: string;
      /** Which topics: those named, those the group has committed offsets for (`kafka`), or all of the cluster's (`apache-kafka`). */
      topics: { kind: 'named'; names: string[] } | { kind: 'committed' } | { kind: 'all' };
      /** Set for Amazon MSK IAM: whose credentials sign. */
      source?: AwsSource;
    };

/** The raw answer to a ReadRequest, before the trigger turns it into a metric value. */
export type Reading =
  | { service: 'sqs'; attributes: Partial<Record<SqsAttributeName, string>> }
  | { service: 'kinesis'; openShardCount: number }
  | { service: 'dynamodb'; count: number }
  /** Every shard DescribeStream lists for the table's latest stream (KEDA counts closed ones too). */
  | { service: 'dynamodbstreams'; shardCount: number }
  | {
      service: 'cloudwatch';
      /** False when `MetricDataResults` came back empty. */
      hasResult: boolean;
      /** Datapoints of the (first) result, newest first (`ScanBy=TimestampDescending`). */
      values: number[];
    }
  /** The server's answer as it came: the trigger's metric step reads it as KEDA does. */
  | { service: 'prometheus'; status: number; body: string }
  | { service: 'newrelic'; status: number; body: string }
  /** Every partition of the topics read, with its latest and the group's committed offset. */
  | { service: 'kafka'; partitions: KafkaPartitionReading[] };

export interface KafkaPartitionReading {
  topic: string;
  partition: number;
  latest: number;
  /** -1: nothing committed; undefined: the coordinator did not mention the partition. */
  committed: number | undefined;
  /**
   * The committed offset the same reader saw at its previous read of this group (excludePersistentLag).
   * Kept in the reader's memory, as KEDA keeps it in the scaler's: a cold start forgets it.
   */
  previousCommitted?: number;
}

/** A credential for a Kafka connection: a Secret's key read at call time, or a value (container env). */
export type KafkaCredential = { from: 'secret'; secret: SecretKeyRef } | { from: 'value'; value: string };

/** How to reach and authenticate to one Kafka cluster. Plain data: part of a ReadRequest and its key. */
export interface KafkaConnection {
  /** `host:port` pairs, as written. */
  brokers: string[];
  tls?: {
    ca?: KafkaCredential;
    cert?: KafkaCredential;
    key?: KafkaCredential;
    keyPassword?: KafkaCredential;
    /** `unsafeSsl` (kafka scaler only): do not verify the brokers' certificates. */
    insecure: boolean;
  };
  sasl?:
    | { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: KafkaCredential; password: KafkaCredential }
    /** Amazon MSK IAM, signed for `region` with the read's AwsSource (or the scaler's own role). */
    | { mechanism: 'AWS_MSK_IAM'; region: string };
}

/**
 * The port through which Kafka triggers read offsets (adapters/kafka). One call per distinct read;
 * it rejects with a TriggerError naming the cluster and what failed.
 */
export interface KafkaReadPort {
  readOffsets(request: Extract<ReadRequest, { service: 'kafka' }>, signal: AbortSignal): Promise<KafkaPartitionReading[]>;
}

/**
 * How an HTTP query reaches its server. `direct`: to the URL as written. `service-proxy`: through the
 * cluster's Kubernetes API server (the URL is then a path on it, `/api/v1/namespaces/.../proxy/...`),
 * as the scaler's own Kubernetes identity. `sigv4`: to the URL, signed for `service` in `region`.
 */
export type HttpRoute =
  | { kind: 'direct' }
  | { kind: 'service-proxy'; cluster: string }
  | { kind: 'sigv4'; service: string; region: string };

/** One key of one Kubernetes Secret, read by the adapter at call time: its value is never part of a request, key or log. */
export interface SecretKeyRef {
  cluster: string;
  namespace: string;
  name: string;
  key: string;
}

/** One value of AWS Secrets Manager, read by the adapter at call time (`region` undefined: the scaler's own). */
export type AwsSecretRef = AwsSecretManagerSource;

/** One HTTP call a trigger makes. Plain data: it is part of a ReadRequest (and its dedupe key). */
export interface HttpCall {
  /** The service the call is counted under in the pass's call counts. */
  service: 'prometheus' | 'newrelic';
  route: HttpRoute;
  /** GET when absent. */
  method?: 'GET' | 'POST';
  /** A JSON body, for POST. */
  body?: string;
  /**
   * A header whose value is a credential (New Relic's `API-Key`), resolved by the adapter at call
   * time: one key of a Kubernetes Secret, or a value of AWS Secrets Manager.
   */
  secretHeader?: { header: string; secret: SecretKeyRef } | { header: string; awsSecret: AwsSecretRef };
  /** An absolute URL (`direct`, `sigv4`) or an API-server path with its query (`service-proxy`). */
  url: string;
  /** Header name and value pairs, sent in this order. */
  headers: [string, string][];
  /** `unsafeSsl`: skip verifying the server's certificate (direct and sigv4 routes only). */
  insecureTls: boolean;
  /** The trigger's own timeout (KEDA's `timeout`), ms; the read plan's per-call limit applies as well. */
  timeoutMs?: number;
}

/** What an HTTP call answered. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/**
 * The port through which triggers make HTTP calls: the adapter (adapters/http) knows how to reach a
 * cluster's API server and whose credentials sign. Rejects only when no answer came (network,
 * timeout, no cluster access); any HTTP status resolves.
 */
export interface HttpReadPort {
  get(call: HttpCall, signal: AbortSignal, source?: AwsSource): Promise<HttpAnswer>;
}

/** A failed read or metric step, with what a person should do about it. */
export class TriggerError extends Error {
  constructor(
    message: string,
    /** AWS error name or our own code, e.g. `AWS.SimpleQueueService.NonExistentQueue`, `AccessDenied`. */
    readonly code: string = 'TriggerError',
  ) {
    super(message);
    this.name = 'TriggerError';
  }
}

/** A trigger after validation. Plain JSON: it ships inside the Lambda's configuration. */
export interface ParsedTrigger {
  /** 0-based position in `spec.triggers` (KEDA's `s<index>-` metric prefix). */
  index: number;
  type: string;
  name?: string;
  /** KEDA's external metric name, e.g. `s0-aws-sqs-orders`. */
  metricName: string;
  metricType: TriggerMetricType;
  /** The HPA target (AverageValue or Value; for cpu/memory Utilization, the percent of requests). */
  target: number;
  /** Active means value > activationTarget (cron: inside the window). */
  activationTarget: number;
  /** Type-specific validated metadata. */
  params: Record<string, unknown>;
  /** Set for AWS triggers. */
  aws?: AwsSource;
  /** The metadata as written, kept to re-parse once `...FromEnv` values are resolved at tick time. */
  metadata: Record<string, string>;
  /** Container env var names that `...FromEnv` keys refer to; empty when none. */
  envRefs: Record<string, string>;
  authenticationRef?: { name: string; kind: 'TriggerAuthentication' | 'ClusterTriggerAuthentication' };
  /** The referenced TriggerAuthentication's non-credential parameters, kept for the tick-time re-parse. */
  authParams?: Record<string, AuthParameterSource>;
  useCachedMetrics: boolean;
}

export interface TriggerParseInput {
  /** `<namespace>/<name>` of the ScaledObject. */
  objectId: string;
  index: number;
  /** e.g. `spec.triggers[0].metadata`. */
  fieldPath: string;
  metadata: Record<string, string>;
  /**
   * The target container's env, once resolved at tick time. Undefined at synth time: a parameter
   * given as `...FromEnv` is then accepted unchecked and validated when the env is known.
   */
  resolvedEnv?: Record<string, string>;
  /** Role from a TriggerAuthentication's `podIdentity` (provider aws), if the trigger references one. */
  podIdentityRoleArn?: string;
  /** That TriggerAuthentication's `podIdentity.externalID`, sent with AssumeRole of its role. */
  podIdentityExternalId?: string;
  /** That TriggerAuthentication's `podIdentity.provider` (e.g. `aws`), when it has one. */
  podIdentityProvider?: string;
  /** The kind of the referenced authentication (a ClusterTriggerAuthentication's Secrets live in KEDA's namespace). */
  authenticationKind?: 'TriggerAuthentication' | 'ClusterTriggerAuthentication';
  /** That TriggerAuthentication's non-credential parameters (KEDA's authParams). */
  authParams?: Record<string, AuthParameterSource>;
  /** The trigger's own `metricType` as written (read by cpu and memory, whose type may be Utilization). */
  triggerMetricType?: string;
}

export interface TriggerParseResult {
  /**
   * Present when there are no errors. `envRefs` (optional): the MetadataReader's `envRefs`, i.e.
   * which container env vars `...FromEnv` keys name; derived from the metadata when absent.
   */
  parsed?: Pick<ParsedTrigger, 'metricName' | 'target' | 'activationTarget' | 'params' | 'aws'> & {
    envRefs?: Record<string, string>;
    /** Set by triggers that decide their own metric type (cpu, memory); the others take the trigger's. */
    metricType?: TriggerMetricType;
  };
  errors: SpecIssue[];
  warnings: SpecIssue[];
}

export interface MetricOutcome {
  /** Raw value (activation is decided on it before KEDA's clamp to >= 0). */
  value: number;
  active: boolean;
  /** A reading an operator should hear about though it still scales (logged at WARN). */
  warning?: string;
}

/** AWS SDK clients for one source (region, role, endpoint), built and cached by the read plan. */
export interface AwsClientsForSource {
  sqs(): import('@aws-sdk/client-sqs').SQSClient;
  kinesis(): import('@aws-sdk/client-kinesis').KinesisClient;
  cloudwatch(): import('@aws-sdk/client-cloudwatch').CloudWatchClient;
  dynamodb(): import('@aws-sdk/client-dynamodb').DynamoDBClient;
  dynamodbStreams(): import('@aws-sdk/client-dynamodb-streams').DynamoDBStreamsClient;
}

export interface ReadBatchOptions {
  /** Aborts the calls when the tick's budget runs out. */
  signal?: AbortSignal;
  /** HTTP for triggers that query a server over HTTP (prometheus); absent where none is wired. */
  http?: HttpReadPort;
  /** Kafka offsets for kafka and apache-kafka triggers; absent where none is wired. */
  kafka?: KafkaReadPort;
}

/** Where a read is made from: the cluster of the object whose trigger it is (in-cluster servers). */
export interface ReadContext {
  cluster?: string;
}

export interface TriggerDefinition {
  type: string;
  /** Validate metadata, report every problem at once. Pure. */
  parse(input: TriggerParseInput): TriggerParseResult;
  /** What to read for this trigger at `now` (epoch ms); undefined when no I/O is needed (cron). Pure. */
  readRequest(trigger: ParsedTrigger, now: number, context?: ReadContext): ReadRequest | undefined;
  /** Raw reading to metric value and activity. Pure; throws TriggerError on an unusable reading. */
  toMetric(trigger: ParsedTrigger, reading: Reading | undefined, now: number): MetricOutcome;
  /**
   * Executes deduplicated requests of this type that share one source, in as few calls as the API
   * allows. Returns one Reading or TriggerError per request key.
   */
  readBatch?(
    requests: ReadRequest[],
    clients: AwsClientsForSource,
    options: ReadBatchOptions,
  ): Promise<Map<string, Reading | TriggerError>>;
}
