/**
 * When a Kinesis stream may go without a fresh DescribeStreamSummary in a pass, and when its last
 * reading is worth storing for other containers. Pure: the caller passes the time.
 *
 * A container never reuses a stream's reading in two passes in a row: the pass after a reuse reads
 * it. (A fresh container does not know what the container before it did, so its first pass may
 * follow a reuse there: at most two passes in a row then.) What it reuses:
 * - warm: this container's reading of the previous pass (at most MAX_PASS_GAP_MS before this one);
 * - cold: otherwise the freshest reading known, this container's own from an older pass or the one
 *   stored in the state table by any container, if it was read at most MAX_STORED_READING_AGE_MS ago.
 *
 * Why five minutes for a cold reuse, when KEDA's `useCachedMetrics` serves the HPA a reading up to
 * one `pollingInterval` old (30 s by default): the reading is an open shard count, which changes
 * only on a reshard, and every container that reads a changed count stores it at once
 * (`shouldStore`), so while the scaler runs a stored count is behind the stream by no more than a
 * warm reuse is (a stream is read at least every other pass). The age only bounds how long since
 * anyone confirmed the count: after the scaler stopped, or when no constrained container read the
 * stream.
 */
import type { Reading } from '../../triggers/trigger-definition';

/** A reading from a pass further back than this is not "the previous pass" (two HPA sync periods). */
export const MAX_PASS_GAP_MS = 30_000;
/** The oldest reading a cold reuse may take (see above). */
export const MAX_STORED_READING_AGE_MS = 5 * 60_000;
/**
 * A stored reading whose count is still right is written again once it is this old, so that a cold
 * container finds one under MAX_STORED_READING_AGE_MS: between two fresh reads of a stream there
 * are at most about 60 s (read, reused, the next tick's first pass reuses again after its 15 s gap,
 * read in its second pass up to 12 s into it), which leaves a minute to spare.
 */
export const STORED_READING_REFRESH_MS = 3 * 60_000;

/** A stream's open shard count and when it was read (epoch ms), as the state table keeps it. */
export interface StoredKinesisReading {
  openShardCount: number;
  readAt: number;
}

/** What one container knows of one stream. */
export interface StreamHistory {
  /** This container's last successful reading: the pass it was read for, and when it came. */
  own?: { pass: number; readAt: number; reading: Extract<Reading, { service: 'kinesis' }> };
  /** What the state table holds, as last loaded or written by this container. */
  stored?: StoredKinesisReading;
  /** The last pass in which this container reused a reading instead of reading the stream. */
  reusedInPass?: number;
}

/** The reading a stream may reuse in the pass `passNow` at time `now`, or undefined: it must be read. */
export function reusableReading(history: StreamHistory, passNow: number, previousPass: number, now: number): Reading | undefined {
  if (history.reusedInPass !== undefined && history.reusedInPass === previousPass) return undefined;
  const { own, stored } = history;
  if (own && own.pass === previousPass && passNow - own.pass <= MAX_PASS_GAP_MS) return own.reading;
  const freshest = own && (!stored || own.readAt >= stored.readAt) ? { readAt: own.readAt, openShardCount: own.reading.openShardCount } : stored;
  if (!freshest || now - freshest.readAt > MAX_STORED_READING_AGE_MS) return undefined;
  return { service: 'kinesis', openShardCount: freshest.openShardCount };
}

/**
 * Whether this container's reading should be written over what the table holds: when the table
 * has none, when the count changed, or when the stored one is due for a refresh. Never an older
 * reading over a newer one.
 */
export function shouldStore(own: StoredKinesisReading, stored: StoredKinesisReading | undefined): boolean {
  if (!stored) return true;
  if (own.readAt <= stored.readAt) return false;
  return own.openShardCount !== stored.openShardCount || own.readAt - stored.readAt >= STORED_READING_REFRESH_MS;
}
