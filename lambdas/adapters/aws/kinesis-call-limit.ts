/**
 * Keeps the scaler's Kinesis `DescribeStreamSummary` calls under the account's quota (20 calls a
 * second per account and region, shared by everything in the account) at any fleet size.
 *
 * - One token bucket per account and region that refills at this invocation's share of the quota
 *   (the quota divided by the invocations that run at once: the shards of a tick) and holds one
 *   token, so the calls of all shards together, spaced at least 1/share apart each, never exceed
 *   the quota in any one second, without the shards talking to each other.
 * - A stream is read at most once a pass (the read plan merges equal reads). When its turn for a
 *   token is more than MAX_FRESH_WAIT_MS away, a stream read in the previous pass reuses that
 *   reading (at most one pass old, as KEDA's `useCachedMetrics` reuses the poll's reading for the
 *   HPA); a stream with no such reading waits for its token, and only its own triggers wait.
 * - Streams with no reusable reading get tokens first, so at 10,000 objects (500 streams, 50 per
 *   shard) every stream is read every other pass: 16.7 calls a second account-wide.
 *
 * The quota is per account: a trigger that assumes a role into another account spends that
 * account's tokens (the account is taken from the role ARN; the Lambda's own role is one account).
 */
import type { Clock } from '../../pod-scaler/tick-types';
import type { AwsSource, Reading } from '../../triggers/trigger-definition';
import { TokenBucket } from '../../util/token-bucket';

/** Kinesis `DescribeStreamSummary` quota: calls a second, per account and region. */
export const KINESIS_DESCRIBE_CALLS_PER_SECOND = 20;
/** A reading from a pass further back than this is not "the previous pass" (two HPA sync periods). */
const MAX_PASS_GAP_MS = 30_000;
/**
 * A stream that could reuse its previous reading still waits for a fresh one if its turn comes
 * this soon: within the pass (15 s between HPA syncs, less time to decide and patch). Waiting
 * spreads the calls over the pass instead of alternating a pass of all reads with a pass of none.
 */
export const MAX_FRESH_WAIT_MS = 12_000;

export interface KinesisRead {
  key: string;
  source: AwsSource;
}

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
  private sharers = 1;
  private previousPass = Number.NaN;
  private currentPass = Number.NaN;
  /** Successful readings by request key, with the pass they were read for. */
  private readonly readings = new Map<string, { pass: number; reading: Reading }>();

  constructor(
    private readonly clock: Pick<Clock, 'now' | 'sleep'>,
    private readonly accountLimitPerSecond: number = KINESIS_DESCRIBE_CALLS_PER_SECOND,
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

  /** Which of a pass's distinct stream reads go out now, reuse a reading, or wait. */
  decide(reads: readonly KinesisRead[], passNow: number): KinesisReadDecision {
    this.startPass(passNow);
    const decision: KinesisReadDecision = { readNow: [], reused: new Map(), waitForToken: [] };
    const reusable = (key: string) => {
      const known = this.readings.get(key);
      return known && known.pass === this.previousPass && passNow - known.pass <= MAX_PASS_GAP_MS ? known.reading : undefined;
    };
    // Streams without a reusable reading first: they cannot do without a call.
    const ordered = [...reads].sort((a, b) => Number(reusable(a.key) !== undefined) - Number(reusable(b.key) !== undefined));
    const queued = new Map<TokenBucket, number>();
    for (const read of ordered) {
      const bucket = this.bucketFor(read.source);
      const reading = reusable(read.key);
      if (bucket.tryTake(this.clock.now())) {
        decision.readNow.push(read.key);
        continue;
      }
      const ahead = queued.get(bucket) ?? 0;
      const turnInMs = bucket.msUntilToken(this.clock.now()) + (ahead * 1000) / this.ratePerSecond();
      if (reading && turnInMs > MAX_FRESH_WAIT_MS) {
        decision.reused.set(read.key, reading);
      } else {
        decision.waitForToken.push(read.key);
        queued.set(bucket, ahead + 1);
      }
    }
    return decision;
  }

  /** Resolves once a token of `source`'s account is taken. */
  async waitForToken(source: AwsSource): Promise<void> {
    const bucket = this.bucketFor(source);
    while (!bucket.tryTake(this.clock.now())) await this.clock.sleep(bucket.msUntilToken(this.clock.now()));
  }

  /** Keeps a successful reading for the next pass; failed reads are never reused. */
  record(key: string, passNow: number, reading: Reading): void {
    this.readings.set(key, { pass: passNow, reading });
  }

  private startPass(passNow: number): void {
    if (passNow === this.currentPass) return;
    this.previousPass = this.currentPass;
    this.currentPass = passNow;
    for (const [key, known] of this.readings) if (known.pass !== this.previousPass && known.pass !== this.currentPass) this.readings.delete(key);
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

/** The account a role ARN belongs to (`arn:aws:iam::<account>:role/...`); the scaler's own for no role. */
function accountOf(roleArn: string | undefined): string {
  if (!roleArn) return 'own';
  return /^arn:[^:]+:iam::(\d{12}):/.exec(roleArn)?.[1] ?? roleArn;
}
