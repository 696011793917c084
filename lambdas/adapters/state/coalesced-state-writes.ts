/**
 * One invocation's view of the state table that writes an object's evaluations once, at the end,
 * and only when they changed something the next evaluation depends on (issue 13, goal 3).
 *
 * Why: an object synced every 15 s was written four times a minute, 2 WRU each, although the next
 * invocation only needs the last of those states. The passes of one invocation now see the state
 * the previous pass would have written (kept here, in memory), and `flush` writes it once.
 *
 * What stays immediate: every write through `save` (the claim before a patch, the revert after a
 * failed patch). Those are the at-most-once guarantee and are never deferred; a claim carries the
 * evaluations deferred before it, since it is built from the state they produced.
 *
 * Read once per invocation: an item is read from the table by the first pass that needs it; later
 * passes get the state this invocation last loaded, deferred or wrote, since every write the
 * invocation makes is conditional on the version it knows. Reads were a BatchGetItem per 100
 * objects every pass (4,000 read units a minute at 1,000 objects); now once a minute.
 *
 * Overlapping invocations: a deferred state remembers the stored version it was computed from.
 * Another writer (an alarm's invocation, an overrun one) is found by the first conditional write
 * that meets its newer version: a claim that conflicts (the decision is not applied: the lost race
 * of apply-decision.ts) or the end-of-invocation flush (the deferred state is dropped, as a write
 * of it would have lost). Either way the object is read again by the next pass that needs it, and
 * `flush` never overwrites a newer state. What a pass between the other write and that conflict
 * evaluated from the older state is not written: a decision from it cannot be applied, since its
 * claim would conflict.
 *
 * DynamoDB's BatchWriteItem takes no condition, so "batching" here means coalescing an
 * invocation's writes into one conditional PutItem per object, not a batch request.
 */
import type { LoadedStates, SaveResult, StateStore, StoredObjectState } from './state-store';
import { changesNextEvaluation } from './meaningful-change';
import { carryForward, type ScheduledTimes } from './carried-forward';
import { mapWithConcurrency } from '../../util/map-with-concurrency';
import { clonePlainData } from '../../util/plain-data';

/** PutItems in flight at once when flushing (the SDK's socket pool is 50). */
const FLUSH_CONCURRENCY = 32;
/** Time the flush is given whatever its size (a slow first connection, one SDK retry). */
const FLUSH_RESERVE_BASE_MS = 1_000;
/** Per round of FLUSH_CONCURRENCY PutItems: a PutItem takes 5-20 ms in-region; this leaves room for a slow one. */
const FLUSH_RESERVE_PER_ROUND_MS = 50;

/**
 * How long before the invocation's deadline the passes must stop so the flush of up to
 * `objects` deferred states can finish (1.05 s for one object, 2.6 s for 1,000). Without it, a late
 * pass could run to the deadline and every deferred evaluation of the minute would be lost.
 */
export function flushReserveMs(objects: number): number {
  return FLUSH_RESERVE_BASE_MS + Math.ceil(objects / FLUSH_CONCURRENCY) * FLUSH_RESERVE_PER_ROUND_MS;
}

export interface FlushReport {
  /** Conditional PutItems made. */
  written: number;
  /** Deferred states that changed nothing the next evaluation reads, so were not written. */
  unchanged: number;
  /** Keys whose write lost to a newer writer (its state stands). */
  conflicts: string[];
  /** Keys whose write failed, with why (the next invocation starts from the older stored state). */
  failures: Array<{ key: string; reason: string }>;
}

export interface CoalescedStateWritesOptions {
  /**
   * Whether `polledAt` decides the object's next poll (pollingInterval over the invocation's
   * window); otherwise every invocation polls it at its start and a new `polledAt` alone is not
   * worth a write.
   */
  pollScheduleUsesPolledAt(key: string): boolean;
  /**
   * The last scheduled evaluation and poll of the object in the previous window (what a load
   * carries a stored steady state forward to) and in this one (what the flush checks the
   * evaluations reached); absent where evaluations are not on a fixed schedule (carried-forward.ts).
   */
  schedule?(key: string): { previous?: ScheduledTimes; current?: ScheduledTimes };
}

export class CoalescedStateWrites {
  /** The last state known to be stored, per key (the comparison base for `flush`); absent when none or undecodable. */
  private readonly stored = new Map<string, StoredObjectState>();
  /** The stored version per key (also an undecodable item's, which is overwritten conditionally on it). */
  private readonly versions = new Map<string, number>();
  /** Evaluations not yet written, per key; `version` is the stored version they were computed from. */
  private readonly pending = new Map<string, StoredObjectState>();
  /**
   * Keys whose stored state this invocation knows (read, or written by it, and no conflict since),
   * which later passes are not read again for. An undecodable item is read again.
   */
  private readonly known = new Set<string>();

  constructor(
    private readonly store: StateStore,
    private readonly options: CoalescedStateWritesOptions,
  ) {}

  /**
   * The keys' states: read from the table for keys this invocation does not know yet (a key with
   * a deferred state computed from the loaded version gets that state instead); from memory for
   * the others, as the table would answer if no other writer came first.
   */
  async loadMany(keys: string[]): Promise<LoadedStates> {
    const unknown = keys.filter((key) => !this.known.has(key));
    const loaded: LoadedStates = unknown.length > 0 ? await this.store.loadMany(unknown) : { states: new Map(), undecodable: new Map() };
    for (const key of keys) {
      if (this.known.has(key)) {
        const state = this.current(key);
        if (state) loaded.states.set(key, state);
        continue;
      }
      const fromTable = loaded.states.get(key);
      const version = fromTable?.version ?? loaded.undecodable.get(key)?.version ?? 0;
      const deferred = this.pending.get(key);
      this.versions.set(key, version);
      if (!loaded.undecodable.has(key)) this.known.add(key);
      if (fromTable) this.stored.set(key, fromTable);
      else this.stored.delete(key);
      if (deferred && deferred.version === version) {
        loaded.states.set(key, clonePlainData(deferred));
        loaded.undecodable.delete(key); // our fresh state replaces it, written by flush
        continue;
      }
      if (deferred) this.pending.delete(key); // another invocation wrote since: its state wins
      // A steady state left unwritten by the windows since it was stored comes back as they left it.
      if (fromTable) loaded.states.set(key, carryForward(fromTable, this.options.schedule?.(key).previous));
    }
    return loaded;
  }

  /** A known key's state as the table holds it for this invocation, with its deferred evaluation on top. */
  private current(key: string): StoredObjectState | undefined {
    const deferred = this.pending.get(key);
    if (deferred) return clonePlainData(deferred);
    const stored = this.stored.get(key);
    return stored ? carryForward(clonePlainData(stored), this.options.schedule?.(key).previous) : undefined;
  }

  /** Writes now (claims and reverts): conditional on `expectedVersion`, as the store's `save`. */
  async save(item: StoredObjectState, expectedVersion: number): Promise<SaveResult> {
    const result = await this.store.save(item, expectedVersion);
    this.pending.delete(item.key);
    if (result === 'saved') this.remember(item, expectedVersion + 1);
    else this.known.delete(item.key); // another writer came first: read its state next pass
    return result;
  }

  /**
   * Records an evaluation that applied nothing, to be written by `flush`. It conflicts at once
   * when it was computed from a version other than the one this invocation last saw.
   */
  async defer(item: StoredObjectState, expectedVersion: number): Promise<SaveResult> {
    if ((this.versions.get(item.key) ?? 0) !== expectedVersion) {
      this.known.delete(item.key);
      return 'conflict';
    }
    this.pending.set(item.key, { ...clonePlainData(item), version: expectedVersion });
    return 'saved';
  }

  /** Writes every deferred state that changes what the next evaluation reads; drops the others. */
  async flush(): Promise<FlushReport> {
    const report: FlushReport = { written: 0, unchanged: 0, conflicts: [], failures: [] };
    const pending = [...this.pending.values()];
    this.pending.clear();
    await mapWithConcurrency(pending, FLUSH_CONCURRENCY, async (item) => {
        const before = this.stored.get(item.key);
        const schedule = this.options.schedule?.(item.key).current;
        const options = { polledAtMatters: this.options.pollScheduleUsesPolledAt(item.key), ...(schedule ? { schedule } : {}) };
        if (before && !changesNextEvaluation(before, item, options)) {
          report.unchanged += 1;
          return;
        }
        try {
          const result = await this.store.save(item, item.version);
          report.written += 1;
          if (result === 'conflict') report.conflicts.push(item.key);
          else this.remember(item, item.version + 1);
        } catch (error) {
          report.failures.push({ key: item.key, reason: error instanceof Error ? error.message : String(error) });
        }
    });
    return report;
  }

  private remember(item: StoredObjectState, version: number): void {
    this.stored.set(item.key, { ...clonePlainData(item), version });
    this.versions.set(item.key, version);
  }
}
