/**
 * A real Apache Kafka broker (4.0, KRaft mode: broker and controller in one JVM) on loopback ports,
 * for tests of the Kafka triggers' reads: the scaler's own protocol client against the real thing.
 *
 * Usage (one broker per test file):
 *
 *   import { KAFKA_SKIP, KAFKA_START_TIMEOUT_MS, startKafka, type KafkaBroker } from '../support/kafka-broker';
 *
 *   describe.skipIf(KAFKA_SKIP)('... against a real broker', () => {
 *     let kafka: KafkaBroker;
 *     beforeAll(async () => { kafka = await startKafka(); }, KAFKA_START_TIMEOUT_MS);
 *     afterAll(() => kafka?.stop());
 *     // kafka.bootstrap (PLAINTEXT), kafka.saslBootstrap (SASL_PLAINTEXT: PLAIN and SCRAM users below)
 *     // await kafka.produce('orders', 100); await kafka.resetGroup('workers', 'orders', '--to-latest');
 *   });
 *
 * The first start copies the broker's jars from Maven Central with `mvn dependency:copy-dependencies`
 * of `test/real-servers/kafka/pom.xml` into the git-ignored `.cache/real-servers/kafka-<version>/`
 * (under a lock, once for all workers); later starts take the JVM's start-up time. Each start
 * formats a fresh log directory with a random cluster id, and `stop()` removes it. Without `java`
 * (or, before the first install, `mvn`) KAFKA_SKIP says what is missing and the tier is skipped.
 *
 * Records are produced and group offsets committed with Kafka's own tools (ProducerPerformance,
 * ConsumerGroupCommand `--reset-offsets`), each a short JVM run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KafkaConnection } from '../../lambdas/adapters/kafka/kafka-connection';
import { API, VERSION, metadataRequest, readMetadata } from '../../lambdas/adapters/kafka/kafka-protocol';
import { onceUnderLock, runCommand } from './child-server';
import { KUBE_TEST_TLS_CERT, KUBE_TEST_TLS_KEY } from './kube-tls-fixture';

export const KAFKA_VERSION = '4.0.0';
/** A beforeAll timeout that covers a first download from Maven Central plus a cold JVM start on a busy machine. */
export const KAFKA_START_TIMEOUT_MS = 900_000;
/** SASL users on the SASL_PLAINTEXT listener. */
export const KAFKA_USERS = { plain: { username: 'alice', password: 'alice-secret' }, scram: { username: 'scram-user', password: 'scram-secret' } } as const;

/** The TLS listener's certificate (self-signed, for 127.0.0.1): the CA a client trusts. */
export const KAFKA_TLS_CA = KUBE_TEST_TLS_CERT;

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CACHE_DIR = join(REPO_ROOT, '.cache', 'real-servers');
const JARS_DIR = join(CACHE_DIR, `kafka-${KAFKA_VERSION}`);
const INSTALLED_STAMP = join(JARS_DIR, '.installed');
const LOCK_DIR = `${JARS_DIR}.lock`;
const POM = join(REPO_ROOT, 'test', 'real-servers', 'kafka', 'pom.xml');
const JAVA = process.env.JAVA ?? 'java';
const MVN = process.env.MVN ?? 'mvn';
const INSTALL_TIMEOUT_MS = 600_000;
const READY_TIMEOUT_MS = 180_000;
const TOOL_TIMEOUT_MS = 120_000;

export const KAFKA_SKIP: string | undefined = findMissingTools();

function findMissingTools(): string | undefined {
  if (spawnSync(JAVA, ['-version'], { timeout: 20_000 }).error) return `kafka tier skipped: ${JAVA} is not on PATH (install a JDK 17+ to run the Kafka tests against a real broker)`;
  if (existsSync(INSTALLED_STAMP)) return undefined;
  if (spawnSync(MVN, ['-v'], { timeout: 60_000 }).error) return `kafka tier skipped: ${MVN} is not on PATH (install Maven to fetch the Kafka broker from Maven Central)`;
  return undefined;
}

/** Copies the broker's jars into the cache unless they are there. */
export async function installKafka(): Promise<void> {
  if (existsSync(INSTALLED_STAMP)) return;
  if (KAFKA_SKIP) throw new Error(KAFKA_SKIP);
  mkdirSync(CACHE_DIR, { recursive: true });
  const deadline = Date.now() + INSTALL_TIMEOUT_MS;
  const what = 'kafka install';
  await onceUnderLock(LOCK_DIR, { done: () => existsSync(INSTALLED_STAMP), deadline, what }, async () => {
    rmSync(JARS_DIR, { recursive: true, force: true });
    await runCommand(MVN, ['-q', '-B', '-f', POM, 'dependency:copy-dependencies', '-DincludeScope=runtime', `-DoutputDirectory=${JARS_DIR}`], { deadline, what, hint: 'Maven Central must be reachable' });
    writeFileSync(INSTALLED_STAMP, `${KAFKA_VERSION}\n`);
  });
}

export interface KafkaBroker {
  /** PLAINTEXT listener, `127.0.0.1:<port>`. */
  bootstrap: string;
  /** SASL_PLAINTEXT listener (PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512). */
  saslBootstrap: string;
  /** SSL listener, with the self-signed certificate for 127.0.0.1 in KAFKA_TLS_CA. */
  tlsBootstrap: string;
  /** Produces `count` records to `topic` (created with `partitions` partitions on first use). */
  produce(topic: string, count: number): Promise<void>;
  /** Commits the group's offsets on `topic` with ConsumerGroupCommand, e.g. `--to-latest`, `--to-earliest`. */
  resetGroup(group: string, topic: string, ...how: string[]): Promise<void>;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export async function startKafka(options: { partitions?: number } = {}): Promise<KafkaBroker> {
  await installKafka();
  const [port, saslPort, tlsPort, controllerPort] = [await freePort(), await freePort(), await freePort(), await freePort()];
  // Java properties: a PEM value on one line, its line breaks escaped.
  const pem = (text: string) => text.trim().replace(/\n/g, '\\n');
  const dir = mkdtempSync(join(tmpdir(), 'kafka-broker-'));
  const properties = join(dir, 'server.properties');
  const jaas = (module: string, extra = '') => `${module} required${extra};`;
  writeFileSync(
    properties,
    [
      'process.roles=broker,controller',
      'node.id=1',
      `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
      `listeners=PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort},SSL://127.0.0.1:${tlsPort},CONTROLLER://127.0.0.1:${controllerPort}`,
      `advertised.listeners=PLAINTEXT://127.0.0.1:${port},SASL_PLAINTEXT://127.0.0.1:${saslPort},SSL://127.0.0.1:${tlsPort}`,
      'controller.listener.names=CONTROLLER',
      'inter.broker.listener.name=PLAINTEXT',
      'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL,CONTROLLER:PLAINTEXT',
      'listener.name.ssl.ssl.keystore.type=PEM',
      `listener.name.ssl.ssl.keystore.certificate.chain=${pem(KUBE_TEST_TLS_CERT)}`,
      `listener.name.ssl.ssl.keystore.key=${pem(KUBE_TEST_TLS_KEY)}`,
      'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=${jaas('org.apache.kafka.common.security.plain.PlainLoginModule', ` user_${KAFKA_USERS.plain.username}="${KAFKA_USERS.plain.password}"`)}`,
      `listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=${jaas('org.apache.kafka.common.security.scram.ScramLoginModule')}`,
      `listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=${jaas('org.apache.kafka.common.security.scram.ScramLoginModule')}`,
      `log.dirs=${join(dir, 'logs')}`,
      `num.partitions=${options.partitions ?? 3}`,
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=1',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'group.initial.rebalance.delay.ms=0',
      '',
    ].join('\n'),
  );
  const classpath = `${JARS_DIR}/*`;
  const jvm = ['-Xmx384m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', classpath];
  const deadline = Date.now() + READY_TIMEOUT_MS;
  const { username, password } = KAFKA_USERS.scram;
  await runCommand(
    JAVA,
    [...jvm, 'kafka.tools.StorageTool', 'format', '-t', randomClusterId(), '-c', properties, '--add-scram', `SCRAM-SHA-256=[name=${username},password=${password}]`, '--add-scram', `SCRAM-SHA-512=[name=${username},password=${password}]`],
    { deadline, what: 'kafka-storage format' },
  );
  let log = '';
  const child: ChildProcess = spawn(JAVA, [...jvm, 'kafka.Kafka', properties], { stdio: ['ignore', 'pipe', 'pipe'] });
  const keep = (chunk: Buffer) => (log = (log + chunk.toString()).slice(-8_000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill('SIGTERM');
      });
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(`127.0.0.1:${port}`, child, deadline, () => log);
  } catch (error) {
    await stop();
    throw error;
  }
  const bootstrap = `127.0.0.1:${port}`;
  const tool = (mainClass: string, args: string[]) =>
    runCommand(JAVA, ['-Xmx128m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-cp', classpath, mainClass, ...args], { deadline: Date.now() + TOOL_TIMEOUT_MS, what: mainClass });
  return {
    bootstrap,
    saslBootstrap: `127.0.0.1:${saslPort}`,
    tlsBootstrap: `127.0.0.1:${tlsPort}`,
    produce: (topic, count) =>
      tool('org.apache.kafka.tools.ProducerPerformance', ['--topic', topic, '--num-records', String(count), '--record-size', '16', '--throughput', '-1', '--producer-props', `bootstrap.servers=${bootstrap}`, 'acks=all', 'linger.ms=0']),
    resetGroup: (group, topic, ...how) => tool('org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', ['--bootstrap-server', bootstrap, '--group', group, '--topic', topic, '--reset-offsets', ...how, '--execute']),
    stop,
  };
}

/** Ready once a Metadata request on the PLAINTEXT listener names the broker. */
async function waitUntilReady(address: string, child: ChildProcess, deadline: number, log: () => string): Promise<void> {
  const [host, port] = address.split(':') as [string, string];
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`kafka broker exited before it was ready:\n${log()}`);
    try {
      const connection = await KafkaConnection.open({ host, port: Number(port), signal: AbortSignal.timeout(2_000) });
      try {
        const metadata = readMetadata(await connection.request(API.Metadata, VERSION.Metadata, metadataRequest([]), AbortSignal.timeout(2_000)));
        if (metadata.brokers.length > 0) return;
      } finally {
        connection.close();
      }
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`kafka broker not ready in ${READY_TIMEOUT_MS} ms:\n${log()}`);
}

/**
 * A cluster id as Kafka's `Uuid.randomUuid()` makes one: 16 random bytes in URL-safe base64, drawn
 * again when the text would start with "-", which the storage tool's argument parser would read as
 * an option (1 time in 64 the format failed: "argument --cluster-id/-t: expected one argument").
 */
function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url').slice(0, 22);
    if (!id.startsWith('-')) return id;
  }
}
