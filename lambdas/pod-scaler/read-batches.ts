/**
 * Gathers the trigger reads of a cluster pass's objects into read-plan calls without a phase
 * barrier: an object that is prepared waits only until no other object of the pipeline is still
 * preparing (everything about to be ready joins its batch), until its batch holds `maxObjects`
 * objects, or at most `maxWaitMs` (so one slow or hung preparation delays the others' reads by that
 * much, not by its budget); then the batch is read, and each object goes on to its decision as soon
 * as that batch answers. So the first patch of a pass no longer waits for every object's preparation and every
 * read, while reads of one batch are still merged and batched (one call per queue or stream, up to
 * 500 CloudWatch queries a call) by the read plan, which also shares reads across batches of a pass.
 *
 * The wait is on the platform timer, as the tick's budgets are: it bounds real waiting, whatever the
 * tick's clock; in the usual case no timer fires, since the batch goes out when preparing ends.
 */
import type { ReadPlanOutcome, TriggerReadItem } from './tick-types';

interface Waiting {
  items: TriggerReadItem[];
  settle(outcome: ReadPlanOutcome): void;
}

export class ReadBatches {
  private preparing = 0;
  private waiting: Waiting[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param read reads one batch; it must answer every item (with a TriggerError if need be), never reject.
   * @param maxObjects a batch goes out once this many objects wait, even while others still prepare.
   * @param maxWaitMs nor does its first object wait longer than this for others to join.
   */
  constructor(
    private readonly read: (items: TriggerReadItem[]) => Promise<ReadPlanOutcome>,
    private readonly maxObjects: number,
    private readonly maxWaitMs: number,
  ) {}

  /**
   * Prepares one object, then reads the items it needs in the next batch. The outcome holds this
   * object's readings; the calls a batch made are reported with the first object of the batch.
   */
  async prepareThenRead<P>(prepare: () => Promise<P>, itemsOf: (prepared: P) => TriggerReadItem[]): Promise<{ prepared: P; outcome: ReadPlanOutcome }> {
    this.preparing += 1;
    let prepared: P;
    let items: TriggerReadItem[];
    try {
      prepared = await prepare();
      items = itemsOf(prepared);
    } catch (error) {
      this.preparing -= 1;
      this.flushIfReady();
      throw error;
    }
    this.preparing -= 1;
    const outcome = items.length === 0 ? undefined : new Promise<ReadPlanOutcome>((settle) => this.waiting.push({ items, settle }));
    this.flushIfReady();
    return { prepared, outcome: outcome ? await outcome : { readings: new Map(), calls: {} } };
  }

  private flushIfReady(): void {
    if (this.waiting.length === 0) return;
    if (this.preparing > 0 && this.waiting.length < this.maxObjects) {
      this.timer ??= setTimeout(() => this.flush(), this.maxWaitMs);
      return;
    }
    this.flush();
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.waiting;
    this.waiting = [];
    if (batch.length === 0) return;
    void this.read(batch.flatMap((waiting) => waiting.items)).then((outcome) => {
      batch.forEach((waiting, index) => {
        const readings = new Map(waiting.items.map((item) => [item.id, outcome.readings.get(item.id)] as const));
        waiting.settle({ readings, calls: index === 0 ? outcome.calls : {} });
      });
    });
  }
}
