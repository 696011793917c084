/**
 * The Kafka read port (`KafkaReadPort`): for one consumer group and topic set, every partition's
 * latest offset and the group's committed offset, in as few calls as the protocol allows — one
 * Metadata call, one ListOffsets per partition leader, one OffsetFetch at the group's coordinator
 * (found with FindCoordinator). Connections are kept per cluster connection (brokers, TLS and SASL
 * identity) and per broker, so the reads of one pass share them, and closed after `idleMs` unused.
 *
 * A failure stays with its read: it rejects with an error naming the brokers and what failed, and
 * the connections it used are dropped, so the next pass connects afresh.
 */
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { KafkaConnection, type TlsSettings } from './kafka-connection';
import {
  API,
  VERSION,
  describeGroupsRequest,
  errorName,
  findCoordinatorRequest,
  listOffsetsRequest,
  metadataRequest,
  offsetFetchRequest,
  readDescribeGroups,
  readFindCoordinator,
  readListOffsets,
  readMetadata,
  readOffsetFetch,
  type MetadataAnswer,
} from './kafka-protocol';
import { mskIamSession, plainSession, scramSession, type SaslSession } from './kafka-sasl';
import { connectionKey } from '../../triggers/kafka-common';
import { TriggerError, type AwsSource, type KafkaCredential, type KafkaPartitionReading, type KafkaReadPort, type ReadRequest, type SecretKeyRef } from '../../triggers/trigger-definition';

type KafkaRequest = Extract<ReadRequest, { service: 'kafka' }>;

export interface KafkaOffsetReaderOptions {
  /** Reads a Secret's key (SASL username/password, TLS material) at call time. */
  readSecretKey?: (ref: SecretKeyRef) => Promise<string>;
  /** AWS credentials for Amazon MSK IAM, by the trigger's source. */
  credentialsFor?: (source: AwsSource) => AwsCredentialIdentityProvider;
  /** Connections unused this long are closed (default 60 s). */
  idleMs?: number;
  /** Credentials (Secrets) are read again, on new connections, after this long (default 5 min): a rotated password takes effect. */
  credentialsTtlMs?: number;
  now?: () => Date;
}

export function createKafkaOffsetReader(options: KafkaOffsetReaderOptions = {}): KafkaReadPort & { close(): void } {
  const clusters = new Map<string, ClusterClient>();
  /** Committed offsets of each group's previous read (excludePersistentLag), as KEDA keeps them in memory. */
  const previousCommitted = new Map<string, number>();
  return {
    async readOffsets(request, signal) {
      const key = connectionKey(request.connection, request.source);
      let cluster = clusters.get(key);
      if (!cluster) clusters.set(key, (cluster = new ClusterClient(request, options, () => clusters.delete(key))));
      let partitions: KafkaPartitionReading[];
      try {
        partitions = await cluster.read(request, signal);
      } catch (error) {
        // A broker's answer (unknown topic, refused group) leaves the connections sound for the other
        // reads sharing them; a transport failure drops them, and the next read connects afresh.
        if (error instanceof TriggerError) throw error;
        cluster.close();
        if (clusters.get(key) === cluster) clusters.delete(key);
        const message = error instanceof Error ? error.message : String(error);
        const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
        throw new TriggerError(`Kafka read for consumer group ${request.group} at ${request.connection.brokers.join(',')} failed: ${message}${timedOut ? '; check that the scaler can reach the brokers (VPC subnets and security groups)' : ''}`, timedOut ? 'KafkaTimeout' : 'KafkaUnreachable');
      }
      return partitions.map((offsets) => {
        const memoryKey = `${key}|${request.group}|${offsets.topic}/${offsets.partition}`;
        const previous = previousCommitted.get(memoryKey);
        if (offsets.committed !== undefined) previousCommitted.set(memoryKey, offsets.committed);
        return previous === undefined ? offsets : { ...offsets, previousCommitted: previous };
      });
    },
    close() {
      for (const cluster of clusters.values()) cluster.close();
      clusters.clear();
    },
  };
}

function parseAddress(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(address.trim());
  if (!match) throw new TriggerError(`bootstrap server "${address}" is not host:port`, 'KafkaBadAddress');
  return { host: match[1] as string, port: Number(match[2]) };
}

/** The connections to one cluster, as one identity. */
class ClusterClient {
  private readonly brokers = new Map<number, Promise<KafkaConnection>>();
  private bootstrap: Promise<KafkaConnection> | undefined;
  private settings: Promise<{ tls?: TlsSettings; sasl?: (host: string) => SaslSession }> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private settingsReadAt = 0;

  constructor(
    private readonly request: KafkaRequest,
    private readonly options: KafkaOffsetReaderOptions,
    private readonly onIdleClose: () => void,
  ) {}

  async read(request: KafkaRequest, signal: AbortSignal): Promise<KafkaPartitionReading[]> {
    clearTimeout(this.idleTimer);
    if (this.settings && Date.now() - this.settingsReadAt > (this.options.credentialsTtlMs ?? 300_000)) {
      this.close();
      this.settings = undefined;
    }
    try {
      return await this.readOnce(request, signal);
    } finally {
      this.idleTimer = setTimeout(() => {
        this.close();
        this.onIdleClose();
      }, this.options.idleMs ?? 60_000);
      this.idleTimer.unref?.();
    }
  }

  close(): void {
    clearTimeout(this.idleTimer);
    const all = [this.bootstrap, ...this.brokers.values()];
    this.bootstrap = undefined;
    this.brokers.clear();
    for (const connection of all) connection?.then((open) => open.close(), () => undefined);
  }

  private async readOnce(request: KafkaRequest, signal: AbortSignal): Promise<KafkaPartitionReading[]> {
    const { group } = request;
    let committedTopics: Map<string, Map<number, { committed: number; errorCode: number }>> | undefined;
    let names: string[] | null;
    if (request.topics.kind === 'named') {
      names = request.topics.names;
    } else if (request.topics.kind === 'committed') {
      // sarama's ListConsumerGroupOffsets(group, nil): every topic the group has committed offsets for.
      committedTopics = await this.offsetFetch(group, null, signal);
      names = [...committedTopics.keys()];
      if (names.length === 0) return [];
    } else {
      // kafka-go's path without a topic: the group must have members; then every topic of the cluster.
      const coordinator = await this.coordinator(group, signal);
      const [described] = readDescribeGroups(await coordinator.request(API.DescribeGroups, VERSION.DescribeGroups, describeGroupsRequest(group), signal));
      if (!described || described.errorCode !== 0) throw new TriggerError(`error describing group ${group}: ${described ? errorName(described.errorCode) : 'no answer'}`, 'KafkaGroup');
      if (described.members === 0) throw new TriggerError(`no active members in group ${group}, group-state is ${described.state}`, 'KafkaNoMembers');
      names = null;
    }

    const metadata = readMetadata(await (await this.bootstrapConnection(signal)).request(API.Metadata, VERSION.Metadata, metadataRequest(names), signal));
    const partitionsByTopic = this.partitionsOf(metadata, request.topics.kind === 'all');
    const [latest, committed] = await Promise.all([this.latestOffsets(metadata, partitionsByTopic, signal), committedTopics ?? this.offsetFetch(group, partitionsByTopic, signal)]);

    const out: KafkaPartitionReading[] = [];
    for (const [topic, partitions] of partitionsByTopic) {
      for (const { partition } of partitions) {
        const latestOffset = latest.get(`${topic}/${partition}`);
        if (latestOffset === undefined) continue; // as sarama: a partition the leader did not answer for counts no lag
        const block = committed.get(topic)?.get(partition);
        out.push({ topic, partition, latest: latestOffset, committed: block && block.errorCode === 0 ? block.committed : undefined });
      }
    }
    return out;
  }

  private partitionsOf(metadata: MetadataAnswer, allTopics: boolean): Map<string, { partition: number; leader: number }[]> {
    const result = new Map<string, { partition: number; leader: number }[]>();
    for (const topic of metadata.topics) {
      if (topic.errorCode !== 0) {
        const hint = topic.errorCode === 3 ? ' (does the topic exist?)' : topic.errorCode === 29 ? ' (the scaler\'s identity may not describe it)' : '';
        throw new TriggerError(`error describing topic ${topic.name}: ${errorName(topic.errorCode)}${hint}`, 'KafkaTopic');
      }
      if (allTopics && topic.name.startsWith('__')) continue; // internal topics (__consumer_offsets) hold no group's work
      result.set(topic.name, topic.partitions.map(({ partition, leader }) => ({ partition, leader })));
    }
    return result;
  }

  private async latestOffsets(metadata: MetadataAnswer, partitionsByTopic: Map<string, { partition: number; leader: number }[]>, signal: AbortSignal): Promise<Map<string, number>> {
    const byLeader = new Map<number, Map<string, number[]>>();
    for (const [topic, partitions] of partitionsByTopic) {
      for (const { partition, leader } of partitions) {
        if (leader < 0) throw new TriggerError(`partition ${partition} of topic ${topic} has no leader`, 'KafkaNoLeader');
        const topics = byLeader.get(leader) ?? new Map<string, number[]>();
        topics.set(topic, [...(topics.get(topic) ?? []), partition]);
        byLeader.set(leader, topics);
      }
    }
    const latest = new Map<string, number>();
    await Promise.all(
      [...byLeader].map(async ([leader, topics]) => {
        const connection = await this.broker(metadata, leader, signal);
        for (const answer of readListOffsets(await connection.request(API.ListOffsets, VERSION.ListOffsets, listOffsetsRequest(topics), signal))) {
          if (answer.errorCode !== 0) throw new TriggerError(`error reading the latest offset of topic ${answer.topic} partition ${answer.partition}: ${errorName(answer.errorCode)}`, 'KafkaListOffsets');
          latest.set(`${answer.topic}/${answer.partition}`, answer.offset);
        }
      }),
    );
    return latest;
  }

  private async offsetFetch(group: string, topics: Map<string, { partition: number }[]> | null, signal: AbortSignal): Promise<Map<string, Map<number, { committed: number; errorCode: number }>>> {
    const coordinator = await this.coordinator(group, signal);
    const request = topics ? new Map([...topics].map(([topic, partitions]) => [topic, partitions.map((p) => p.partition)])) : null;
    const answer = readOffsetFetch(await coordinator.request(API.OffsetFetch, VERSION.OffsetFetch, offsetFetchRequest(group, request), signal));
    if (answer.errorCode !== 0) throw new TriggerError(`error listing consumer group offsets of ${group}: ${errorName(answer.errorCode)}${answer.errorCode === 30 ? ' (the scaler\'s identity may not describe the group)' : ''}`, 'KafkaOffsetFetch');
    const result = new Map<string, Map<number, { committed: number; errorCode: number }>>();
    for (const block of answer.partitions) {
      const partitions = result.get(block.topic) ?? new Map<number, { committed: number; errorCode: number }>();
      partitions.set(block.partition, { committed: block.committed, errorCode: block.errorCode });
      result.set(block.topic, partitions);
    }
    return result;
  }

  private async coordinator(group: string, signal: AbortSignal): Promise<KafkaConnection> {
    const found = readFindCoordinator(await (await this.bootstrapConnection(signal)).request(API.FindCoordinator, VERSION.FindCoordinator, findCoordinatorRequest(group), signal));
    if (found.errorCode !== 0) throw new TriggerError(`cannot find the coordinator of consumer group ${group}: ${found.errorMessage ?? errorName(found.errorCode)}`, 'KafkaCoordinator');
    return this.brokerAt(found.nodeId, found.host, found.port, signal);
  }

  private broker(metadata: MetadataAnswer, nodeId: number, signal: AbortSignal): Promise<KafkaConnection> {
    const broker = metadata.brokers.find((candidate) => candidate.nodeId === nodeId);
    if (!broker) throw new TriggerError(`the cluster's metadata names leader ${nodeId} but no such broker`, 'KafkaMetadata');
    return this.brokerAt(nodeId, broker.host, broker.port, signal);
  }

  private brokerAt(nodeId: number, host: string, port: number, signal: AbortSignal): Promise<KafkaConnection> {
    const known = this.brokers.get(nodeId);
    if (known) return known.then((connection) => (connection.usable ? connection : this.reconnect(nodeId, host, port, signal)));
    return this.reconnect(nodeId, host, port, signal);
  }

  private reconnect(nodeId: number, host: string, port: number, signal: AbortSignal): Promise<KafkaConnection> {
    const opening = this.connect(host, port, signal);
    this.brokers.set(nodeId, opening);
    opening.catch(() => this.brokers.delete(nodeId));
    return opening;
  }

  /** The first bootstrap server that answers (in the order written, as sarama and kafka-go try them). */
  private bootstrapConnection(signal: AbortSignal): Promise<KafkaConnection> {
    const known = this.bootstrap;
    if (known) return known.then((connection) => (connection.usable ? connection : this.openBootstrap(signal)));
    return this.openBootstrap(signal);
  }

  private openBootstrap(signal: AbortSignal): Promise<KafkaConnection> {
    const opening = (async () => {
      const failures: string[] = [];
      for (const address of this.request.connection.brokers) {
        const { host, port } = parseAddress(address);
        try {
          return await this.connect(host, port, signal);
        } catch (error) {
          if (signal.aborted || error instanceof TriggerError) throw error;
          failures.push(error instanceof Error ? error.message : String(error));
        }
      }
      throw new Error(failures.join('; '));
    })();
    this.bootstrap = opening;
    opening.catch(() => (this.bootstrap = undefined));
    return opening;
  }

  private async connect(host: string, port: number, signal: AbortSignal): Promise<KafkaConnection> {
    if (!this.settings) {
      this.settingsReadAt = Date.now();
      this.settings = this.resolveSettings();
      this.settings.catch(() => (this.settings = undefined));
    }
    const settings = await this.settings;
    return KafkaConnection.open({ host, port, signal, ...(settings.tls ? { tls: settings.tls } : {}), ...(settings.sasl ? { sasl: settings.sasl } : {}) });
  }

  /** TLS material and SASL credentials, read once per cluster client (Secrets at call time). */
  private async resolveSettings(): Promise<{ tls?: TlsSettings; sasl?: (host: string) => SaslSession }> {
    const { connection, source } = this.request;
    const value = (credential: KafkaCredential | undefined, what: string): Promise<string | undefined> => {
      if (!credential) return Promise.resolve(undefined);
      if (credential.from === 'value') return Promise.resolve(credential.value);
      if (!this.options.readSecretKey) throw new TriggerError(`${what} comes from Secret ${credential.secret.namespace}/${credential.secret.name}, and no Secret reader is wired into this reader`, 'NoSecretReader');
      return this.options.readSecretKey(credential.secret);
    };
    let tlsSettings: TlsSettings | undefined;
    if (connection.tls) {
      const [ca, cert, key, passphrase] = await Promise.all([value(connection.tls.ca, 'ca'), value(connection.tls.cert, 'cert'), value(connection.tls.key, 'key'), value(connection.tls.keyPassword, 'keyPassword')]);
      tlsSettings = { rejectUnauthorized: !connection.tls.insecure, ...(ca ? { ca } : {}), ...(cert ? { cert } : {}), ...(key ? { key } : {}), ...(passphrase ? { passphrase } : {}) };
    }
    const sasl = connection.sasl;
    if (!sasl) return tlsSettings ? { tls: tlsSettings } : {};
    if (sasl.mechanism === 'AWS_MSK_IAM') {
      if (!this.options.credentialsFor || !source) throw new TriggerError('Amazon MSK IAM needs AWS credentials, and none are wired into this reader', 'NoCredentials');
      const credentials = this.options.credentialsFor(source);
      const now = this.options.now ?? (() => new Date());
      return { ...(tlsSettings ? { tls: tlsSettings } : {}), sasl: (host) => mskIamSession(host, sasl.region, credentials, now) };
    }
    const [username, password] = await Promise.all([value(sasl.username, 'username'), value(sasl.password, 'password')]);
    if (!username || !password) throw new TriggerError(`the SASL ${sasl.mechanism} username or password is empty`, 'KafkaCredentials');
    const session = (): SaslSession => (sasl.mechanism === 'PLAIN' ? plainSession(username, password) : scramSession(sasl.mechanism === 'SCRAM-SHA-256' ? 'sha256' : 'sha512', username, password));
    return { ...(tlsSettings ? { tls: tlsSettings } : {}), sasl: session };
  }
}
