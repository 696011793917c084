/**
 * Keeps the scaler's Kinesis `DescribeStreamSummary` calls under the account's quota (20 calls a
 * second per account and region, shared by everything in the account) at any fleet size. Only
 * streams read through a role the trigger assumes make that call; the scaler's own role lists a
 * stream's open shards with `ListShards`, whose quota is per stream, and the read plan sends those
 * reads past this limit (aws-kinesis-stream.ts `kinesisReadUsesAccountQuota`).
 *
 * - One token bucket per account and region that refills at this invocation's share of the quota
 *   (the quota divided by the invocations that run at once: the shards of a tick) and holds one
 *   token, so the calls of all shards together, spaced at least 1/share apart each, never exceed
 *   the quota in any one second, without the shards talking to each other.
 * - A stream is read at most once a pass (the read plan merges equal reads). When its turn for a
 *   token is more than MAX_FRESH_WAIT_MS away, a stream read in the previous pass reuses that
 *   reading (at most one pass old, as KEDA's `useCachedMetrics` reuses the poll's reading for the
 *   HPA; kinesis-reuse-rule.ts); a stream with no such reading waits for its token, and only its
 *   own triggers wait.
 * - Streams with no reusable reading get tokens first, so at 10,000 objects (500 streams, 50 per
 *   shard) all read through assumed roles, every stream is read every other pass: 16.7 calls a
 *   second account-wide.
 * - A stream's turn counts every read still waiting for a token of its account, from every
 *   read-plan call of the pass (the tick reads in batches of about 100 objects), not only its own.
 * - With a store (the state table, adapters/state/kinesis-reading-store.ts), a container that has no
 *   reading of its own (a cold one: each shard invocation may land on any container) reuses the
 *   last reading any container stored, under the rule of kinesis-reuse-rule.ts. The store is used
 *   only by a constrained container (one whose streams would wait past MAX_FRESH_WAIT_MS): it loads
 *   the stored readings of its streams once, and writes a reading only when its count changed or the
 *   stored one is due for a refresh. A load or write that fails or hangs is reported and skipped for
 *   the rest of the pass: the streams then wait for their turn, as without a store.
 *
 * The quota is per account: a trigger that assumes a role into another account spends that
 * account's tokens (the account is taken from the role ARN; the Lambda's own role is one account).
 */
import type { Clock } from '../../pod-scaler/tick-types';
import type { AwsSource, Reading } from '../../triggers/trigger-definition';
import { mapWithConcurrency } from '../../util/map-with-concurrency';
import { TokenBucket } from '../../util/token-bucket';
import { withinBudget } from '../../util/within-budget';
import { MAX_STORED_READING_AGE_MS, reusableReading, shouldStore, type StoredKinesisReading, type StreamHistory } from './kinesis-reuse-rule';

export type { StoredKinesisReading } from './kinesis-reuse-rule';

/** Kinesis `DescribeStreamSummary` quota: calls a second, per account and region. */
export const KINESIS_DESCRIBE_CALLS_PER_SECOND = 20;
/**
 * A stream that could reuse its previous reading still waits for a fresh one if its turn comes
 * this soon after the pass began: within the pass (15 s between HPA syncs, less time to decide and
 * patch). Waiting spreads the calls over the pass instead of alternating a pass of all reads with a
 * pass of none.
 */
export const MAX_FRESH_WAIT_MS = 12_000;

export interface KinesisRead {
  key: string;
  source: AwsSource;
}

/** Where each stream's last reading is kept for other containers (the state table). Keys are read-plan request keys. */
export interface KinesisReadingStore {
  /** The stored readings of `keys`; a key never stored is absent. */
  load(keys: readonly string[]): Promise<Map<string, StoredKinesisReading>>;
  /** Writes `reading` unless the stored one was read at the same time or later (`'stale'`). */
  save(key: string, reading: StoredKinesisReading): Promise<'saved' | 'stale'>;
}

export interface StoredReadingsOptions {
  store: KinesisReadingStore;
  /** Longest a load, or one pass of writes, may hold a read-plan call, ms (default 1000). */
  budgetMs?: number;
  /** Told why the store could not be used (default: one WARN line in the log). */
  onProblem?: (problem: string) => void;
}

/** What the store did in this container: for the bench and the tests. */
export interface StoredReadingsCounts {
  loads: number;
  keysLoaded: number;
  writes: number;
  staleWrites: number;
  failures: number;
}

const DEFAULT_STORE_BUDGET_MS = 1_000;
/** Writes in flight at once. */
const STORE_WRITE_CONCURRENCY = 8;

export interface KinesisReadDecision {
  /** Read now: a token was taken. */
  readNow: string[];
  /** Reuse the previous pass's reading: no token was left. */
  reused: Map<string, Reading>;
  /** No token and nothing to reuse: read after `waitForToken`. */
  waitForToken: string[];
}

export class KinesisCallLimit {
  private readonly buckets = new Map<string, TokenBucket>();
  /** Reads told to wait for a token and not yet given one, per bucket (all read-plan calls of the pass). */
  private readonly waiting = new Map<TokenBucket, number>();
  private sharers = 1;
  private previousPass = Number.NaN;
  private currentPass = Number.NaN;
  /** What this container knows of each stream, by request key. */
  private readonly history = new Map<string, StreamHistory>();
  /** When each stream was last asked for, and its source: the streams a load fetches, and those a pass expects. */
  private readonly lastAsked = new Map<string, { at: number; source: AwsSource }>();
  /** The pass each stream was last decided in. */
  private readonly decidedInPass = new Map<string, number>();
  /** Stored readings being loaded, by key: a key is looked up at most once per container. */
  private readonly lookups = new Map<string, Promise<void>>();
  private readonly saving = new Set<string>();
  /** Some stream of this container would have waited past MAX_FRESH_WAIT_MS: the store is worth its calls. */
  private constrained = false;
  /** The pass in which the store last failed: not used again until the next pass. */
  private storeFailedInPass = Number.NaN;
  readonly storeCounts: StoredReadingsCounts = { loads: 0, keysLoaded: 0, writes: 0, staleWrites: 0, failures: 0 };

  constructor(
    private readonly clock: Pick<Clock, 'now' | 'sleep'>,
    private readonly accountLimitPerSecond: number = KINESIS_DESCRIBE_CALLS_PER_SECOND,
    private readonly stored?: StoredReadingsOptions,
  ) {}

  /** This invocation runs beside `invocations - 1` others (the shards of one tick): its share of the quota. */
  shareAmong(invocations: number): void {
    this.sharers = Math.max(1, Math.floor(invocations));
    for (const bucket of this.buckets.values()) bucket.reshape(this.ratePerSecond(), this.capacity(), this.clock.now());
  }

  /** Calls a second this invocation may make per account. */
  ratePerSecond(): number {
    return this.accountLimitPerSecond / this.sharers;
  }

  /**
   * Before `decide`: when some of these streams would wait past MAX_FRESH_WAIT_MS, loads the stored
   * readings of every stream this container has not looked up yet. Never rejects.
   */
  async prepare(reads: readonly KinesisRead[], passNow: number): Promise<void> {
    if (!this.stored) return;
    this.startPass(passNow);
    this.ask(reads);
    if (!this.constrained && !this.wouldWaitPastFreshLimit(passNow)) return;
    this.constrained = true;
    // Every stream this container reads, not only these: what the table holds decides what to write.
    const keys = [...this.lastAsked.keys()];
    const pending = keys.map((key) => this.lookups.get(key)).filter((lookup): lookup is Promise<void> => lookup !== undefined);
    const unknown = keys.filter((key) => !this.lookups.has(key));
    if (unknown.length > 0 && !this.storeFailedIn(passNow)) {
      // A failed load is tried again in a later pass.
      const lookup: Promise<void> = this.load(unknown, passNow).then((loaded) => {
        if (!loaded) for (const key of unknown) if (this.lookups.get(key) === lookup) this.lookups.delete(key);
      });
      for (const key of unknown) this.lookups.set(key, lookup);
      pending.push(lookup);
    }
    await Promise.all(pending);
  }

  /** Which of a pass's distinct stream reads go out now, reuse a reading, or wait. */
  decide(reads: readonly KinesisRead[], passNow: number): KinesisReadDecision {
    this.startPass(passNow);
    const now = this.clock.now();
    const decision: KinesisReadDecision = { readNow: [], reused: new Map(), waitForToken: [] };
    const reusable = (key: string) => reusableReading(this.history.get(key) ?? {}, passNow, this.previousPass, now);
    const reserved = this.turnsStillNeeded(reads, passNow, reusable);
    this.ask(reads);
    // Streams without a reusable reading first: they cannot do without a call.
    const ordered = [...reads].sort((a, b) => Number(reusable(a.key) !== undefined) - Number(reusable(b.key) !== undefined));
    for (const read of ordered) {
      const bucket = this.bucketFor(read.source);
      const reading = reusable(read.key);
      if (bucket.tryTake(now)) {
        decision.readNow.push(read.key);
        continue;
      }
      // A stream that could reuse leaves room for the streams later calls of the pass must read.
      // Counted from the pass's start: a batch decided late in the pass has less of it left.
      const lateTurn = now - passNow + this.turnInMs(bucket, now) + (reading ? ((reserved.get(bucket) ?? 0) * 1000) / this.ratePerSecond() : 0) > MAX_FRESH_WAIT_MS;
      // A turn this late is what the store is for: from now on this container loads and writes.
      if (lateTurn) this.constrained = true;
      if (reading && lateTurn) {
        decision.reused.set(read.key, reading);
        this.historyOf(read.key).reusedInPass = passNow;
      } else {
        decision.waitForToken.push(read.key);
        this.waiting.set(bucket, (this.waiting.get(bucket) ?? 0) + 1);
      }
    }
    for (const read of reads) this.decidedInPass.set(read.key, passNow);
    return decision;
  }

  /** Resolves once a token of `source`'s account is taken. */
  async waitForToken(source: AwsSource): Promise<void> {
    const bucket = this.bucketFor(source);
    while (!bucket.tryTake(this.clock.now())) await this.clock.sleep(bucket.msUntilToken(this.clock.now()));
    this.waiting.set(bucket, Math.max(0, (this.waiting.get(bucket) ?? 0) - 1));
  }

  /** Keeps a successful reading for the passes after; failed reads are never reused. */
  record(key: string, passNow: number, reading: Reading): void {
    if (reading.service !== 'kinesis') return;
    this.historyOf(key).own = { pass: passNow, readAt: this.clock.now(), reading };
  }

  /**
   * After a read-plan call's reads: writes the readings whose count the table does not have yet or
   * whose stored copy is due for a refresh (constrained containers only). Never rejects.
   */
  async persist(passNow: number): Promise<void> {
    if (!this.stored || !this.constrained || this.storeFailedIn(passNow)) return;
    const due: [string, StoredKinesisReading][] = [];
    for (const [key, known] of this.history) {
      if (!known.own || this.saving.has(key)) continue;
      const reading = { openShardCount: known.own.reading.openShardCount, readAt: known.own.readAt };
      if (shouldStore(reading, known.stored)) due.push([key, reading]);
    }
    if (due.length === 0) return;
    for (const [key] of due) this.saving.add(key);
    const { store, budgetMs = DEFAULT_STORE_BUDGET_MS } = this.stored;
    const failures: string[] = [];
    const writes = mapWithConcurrency(due, STORE_WRITE_CONCURRENCY, async ([key, reading]) => {
      try {
        const outcome = await store.save(key, reading);
        // Either way the table now holds this reading or a later one: no need to write it again.
        this.historyOf(key).stored = reading;
        if (outcome === 'saved') this.storeCounts.writes += 1;
        else this.storeCounts.staleWrites += 1;
      } catch (error) {
        failures.push(describe(error));
      } finally {
        this.saving.delete(key);
      }
    });
    try {
      await withinBudget(writes, budgetMs, () => `did not finish within ${budgetMs} ms`);
    } catch (error) {
      failures.push(describe(error));
    }
    if (failures.length > 0) this.storeFailed(passNow, `${failures.length} of ${due.length} stored Kinesis reading(s) not written (${failures[0]})`);
  }

  /** False when the store could not answer. */
  private async load(keys: string[], passNow: number): Promise<boolean> {
    const { store, budgetMs = DEFAULT_STORE_BUDGET_MS } = this.stored!;
    this.storeCounts.loads += 1;
    try {
      const found = await withinBudget(store.load(keys), budgetMs, () => `did not answer within ${budgetMs} ms`);
      this.storeCounts.keysLoaded += found.size;
      for (const [key, reading] of found) {
        const known = this.historyOf(key);
        if (!known.stored || reading.readAt > known.stored.readAt) known.stored = reading;
      }
      return true;
    } catch (error) {
      this.storeFailed(passNow, `stored Kinesis readings of ${keys.length} stream(s) not loaded (${describe(error)})`);
      return false;
    }
  }

  private storeFailed(passNow: number, what: string): void {
    this.storeCounts.failures += 1;
    this.storeFailedInPass = passNow;
    const problem = `${what}: streams without a reading of their own wait for their turn this pass, as without the store`;
    (this.stored?.onProblem ?? warn)(problem);
  }

  private storeFailedIn(passNow: number): boolean {
    return this.storeFailedInPass === passNow;
  }

  /**
   * Whether the streams asked for so far in this pass (by every read-plan call: batches may be
   * prepared before any is decided) that have no reading of their own to reuse outnumber the turns
   * of MAX_FRESH_WAIT_MS.
   */
  private wouldWaitPastFreshLimit(passNow: number): boolean {
    const now = this.clock.now();
    const needing = new Map<TokenBucket, number>();
    for (const [key, { at, source }] of this.lastAsked) {
      if (at < passNow || reusableReading(this.history.get(key) ?? {}, passNow, this.previousPass, now)) continue;
      const bucket = this.bucketFor(source);
      needing.set(bucket, (needing.get(bucket) ?? 0) + 1);
    }
    for (const [bucket, count] of needing) {
      if (now - passNow + bucket.msUntilToken(now) + ((count - 1) * 1000) / this.ratePerSecond() > MAX_FRESH_WAIT_MS) return true;
    }
    return false;
  }

  /** When a read told to wait now would get its token: after every read already waiting on the bucket. */
  private turnInMs(bucket: TokenBucket, now: number): number {
    return bucket.msUntilToken(now) + ((this.waiting.get(bucket) ?? 0) * 1000) / this.ratePerSecond();
  }

  private ask(reads: readonly KinesisRead[]): void {
    const now = this.clock.now();
    for (const read of reads) this.lastAsked.set(read.key, { at: now, source: read.source });
  }

  /**
   * Per bucket, the streams asked for in the previous pass or this one and not decided yet in this
   * one (the tick reads in batches: they are still to come), that will have nothing to reuse: turns
   * to keep for them.
   */
  private turnsStillNeeded(reads: readonly KinesisRead[], passNow: number, reusable: (key: string) => Reading | undefined): Map<TokenBucket, number> {
    const inThisCall = new Set(reads.map((read) => read.key));
    const needed = new Map<TokenBucket, number>();
    for (const [key, { at, source }] of this.lastAsked) {
      const askedLately = at >= passNow || at >= this.previousPass;
      if (!askedLately || inThisCall.has(key) || this.decidedInPass.get(key) === passNow || reusable(key)) continue;
      const bucket = this.bucketFor(source);
      needed.set(bucket, (needed.get(bucket) ?? 0) + 1);
    }
    return needed;
  }

  private historyOf(key: string): StreamHistory {
    let known = this.history.get(key);
    if (!known) this.history.set(key, (known = {}));
    return known;
  }

  private startPass(passNow: number): void {
    if (passNow === this.currentPass) return;
    this.previousPass = this.currentPass;
    this.currentPass = passNow;
    // The waits of a pass end with it; a count left over (a read given up on) must not hold the next.
    this.waiting.clear();
    // A stream neither asked for nor read for longer than any reading may be reused is forgotten.
    const oldest = this.clock.now() - MAX_STORED_READING_AGE_MS;
    for (const key of new Set([...this.lastAsked.keys(), ...this.history.keys()])) {
      const known = this.history.get(key);
      const newest = Math.max(this.lastAsked.get(key)?.at ?? -Infinity, known?.own?.readAt ?? -Infinity, known?.stored?.readAt ?? -Infinity);
      if (newest < oldest && !this.saving.has(key)) {
        this.lastAsked.delete(key);
        this.decidedInPass.delete(key);
        this.history.delete(key);
        this.lookups.delete(key);
      }
    }
  }

  private bucketFor(source: AwsSource): TokenBucket {
    const account = `${source.region}|${accountOf(source.roleArn)}|${source.endpoint ?? ''}`;
    let bucket = this.buckets.get(account);
    // Empty at first: shards of one tick start together, and a token each at once would be a burst.
    if (!bucket) this.buckets.set(account, (bucket = new TokenBucket(this.ratePerSecond(), this.capacity(), this.clock.now(), 0)));
    return bucket;
  }

  /** One token: a burst above the share in one shard would add to the others' in the same second. */
  private capacity(): number {
    return 1;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function warn(problem: string): void {
  console.warn(JSON.stringify({ level: 'WARN', message: 'stored Kinesis readings not used', problem }));
}

/** The account a role ARN belongs to (`arn:aws:iam::<account>:role/...`); the scaler's own for no role. */
function accountOf(roleArn: string | undefined): string {
  if (!roleArn) return 'own';
  return /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1] ?? roleArn;
}
