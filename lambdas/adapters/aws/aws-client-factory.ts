/**
 * Builds and caches the AWS SDK clients the triggers read with, one set per source (region, role,
 * endpoint), for the life of the Lambda container. Every client uses HTTP/1.1 (Kinesis defaults to
 * HTTP/2, which kinesalite and some VPC proxies do not speak), the SDK's standard retry mode for
 * throttling and 5xx, and a per-attempt timeout. Calls are counted per service for the read plan.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { STSClient } from '@aws-sdk/client-sts';
import type { TriggerService } from '../../pod-scaler/tick-types';
import { sourceKey } from '../../triggers/aws-common';
import type { AwsClientsForSource, AwsSource } from '../../triggers/trigger-definition';
import { AssumeRoleCredentials, type CredentialsProvider } from './assume-role-credentials';
import { awsTransport } from './aws-transport';
import { recordAwsCall } from './call-counter';
import { withDirectJsonRpc } from './json-rpc/direct-json-rpc';
import { KINESIS_JSON_RPC } from './json-rpc/kinesis-json-rpc';
import { SQS_JSON_RPC } from './json-rpc/sqs-json-rpc';

export interface AwsClientFactoryOptions {
  /** Credentials of the scaler itself; default: the SDK's default chain (the Lambda's role). */
  baseCredentials?: CredentialsProvider;
  /** STS client for AssumeRole; default: one in `stsRegion`, with the base credentials. */
  stsClient?: STSClient;
  /** Region of the default STS client; default `AWS_REGION`, else us-east-1. */
  stsRegion?: string;
  /** Endpoint per service for sources without `awsEndpoint` (tests, emulators). */
  endpoints?: Partial<Record<Exclude<TriggerService, 'sts'>, string>>;
  /** Per-attempt timeout of one HTTP request, ms (default 5000). */
  callTimeoutMs?: number;
  /** Attempts per call including the first (default 3). */
  maxAttempts?: number;
  /** Clock for credential expiry (epoch ms); default Date.now. */
  now?: () => number;
}

type ClientService = Exclude<TriggerService, 'sts'>;

export class AwsClientFactory {
  private readonly sources = new Map<string, AwsClientsForSource>();
  private readonly secretClients = new Map<string, SecretsManagerClient>();
  private readonly roles: AssumeRoleCredentials;

  constructor(private readonly options: AwsClientFactoryOptions = {}) {
    const sts =
      options.stsClient ??
      new STSClient({
        region: options.stsRegion ?? process.env.AWS_REGION ?? 'us-east-1',
        ...(options.baseCredentials ? { credentials: options.baseCredentials } : {}),
        ...this.transport(),
      });
    this.roles = new AssumeRoleCredentials(sts, options.now);
  }

  /** Clients for one source; the same instances for equal sources. */
  forSource(source: AwsSource): AwsClientsForSource {
    const key = sourceKey(source);
    let clients = this.sources.get(key);
    if (!clients) {
      clients = this.build(source);
      this.sources.set(key, clients);
    }
    return clients;
  }

  /**
   * The Secrets Manager client a TriggerAuthentication's awsSecretManager reads with: in `region`,
   * as `roleArn` (assumed) or the scaler itself. One per region and role for the container's life.
   */
  secretsManager(region: string, roleArn: string | undefined): SecretsManagerClient {
    const source: AwsSource = { region, ...(roleArn ? { roleArn } : {}) };
    const key = sourceKey(source);
    let client = this.secretClients.get(key);
    if (!client) this.secretClients.set(key, (client = counted('secretsmanager', new SecretsManagerClient(this.config(source, 'secretsmanager')))));
    return client;
  }

  /** True while the source's role is still being assumed: a read that times out now is waiting for STS. */
  waitingForSts(source: AwsSource): boolean {
    return source.roleArn !== undefined && this.roles.isAssuming(source.roleArn);
  }

  /** The credentials a source reads with: the assumed role's, or the scaler's own. */
  credentialsFor(source: AwsSource): CredentialsProvider | undefined {
    return source.roleArn ? this.roles.providerFor(source.roleArn, source.externalId) : this.options.baseCredentials;
  }

  private build(source: AwsSource): AwsClientsForSource {
    const lazy = <T>(create: () => T): (() => T) => {
      let client: T | undefined;
      return () => (client ??= create());
    };
    return {
      // As KEDA: the request goes to the region's (or awsEndpoint's) host, not the queue URL's.
      // GetQueueAttributes skips the SDK's middleware (direct-json-rpc.ts, docs/performance.md §27).
      sqs: lazy(() => counted('sqs', withDirectJsonRpc(new SQSClient({ ...this.config(source, 'sqs'), useQueueUrlAsEndpoint: false }), SQS_JSON_RPC))),
      kinesis: lazy(() => counted('kinesis', withDirectJsonRpc(new KinesisClient(this.config(source, 'kinesis')), KINESIS_JSON_RPC))),
      cloudwatch: lazy(() => counted('cloudwatch', new CloudWatchClient(this.config(source, 'cloudwatch')))),
      dynamodb: lazy(() => counted('dynamodb', new DynamoDBClient(this.config(source, 'dynamodb')))),
      dynamodbStreams: lazy(() => counted('dynamodbstreams', new DynamoDBStreamsClient(this.config(source, 'dynamodbstreams')))),
    };
  }

  private config(source: AwsSource, service: ClientService) {
    const credentials = this.credentialsFor(source);
    const endpoint = source.endpoint ?? this.options.endpoints?.[service];
    return {
      region: source.region,
      ...(endpoint ? { endpoint } : {}),
      ...(credentials ? { credentials } : {}),
      ...this.transport(),
    };
  }

  private transport() {
    return awsTransport(this.options.callTimeoutMs, this.options.maxAttempts);
  }
}

/**
 * Wraps `send` so each operation counts once for the current pass. A proxy rather than SDK
 * middleware: it sees the call however the client is driven, mocked or real.
 */
function counted<T extends object>(service: ClientService, client: T): T {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property === 'send') {
        return (...args: unknown[]) => {
          recordAwsCall(service);
          return (target as { send: (...a: unknown[]) => unknown }).send(...args);
        };
      }
      return Reflect.get(target, property, receiver);
    },
  });
}
