/**
 * Parking a scheduled window between its passes instead of sleeping through them (issue 13).
 *
 * A scheduled invocation covers a minute: passes at 0, 15, 30 and 45 s, with the minute's state in
 * memory (loaded once, evaluations deferred and written once at the end: coalesced-state-writes.ts).
 * Sleeping between the passes keeps that memory but Lambda bills the sleep: about $13 a month per
 * deployment, most of the bill below 100 ScaledObjects. Parking keeps the memory without the bill:
 * before a wait, the window sends a hand-over message that comes back when its next pass is due, and
 * the invocation returns with the tick suspended in this container. Lambda freezes the container
 * (nothing is billed) and the hand-over's invocation, which runs in the warm container the window
 * left, resumes the same tick where it stopped.
 *
 * Where the hand-over lands in another container (Lambda picks any idle one: after an alarm's
 * invocation warmed a second), that container runs the rest of the window from the stored state, and
 * the suspended window in the first is dropped once its pass is overdue: its deferred evaluations are
 * lost as when an invocation crashes (HPA recommendations of at most 45 s; a decision is written when
 * it is claimed, before its patch, so none is lost or applied twice). A send that fails or hangs falls
 * back to sleeping, as before. Duplicated and late messages are recognised and dropped.
 */
import { randomUUID } from 'node:crypto';
import { withinBudget } from '../util/within-budget';
import { describeError } from './describe-error';
import { HANDOVER_EVENT_SOURCE, MAX_HANDOVER_DELAY_SECONDS, type HandoverMessage, type PassHandover } from './pass-handover';
import type { Clock, TickSummary } from './tick-types';

/** A wait shorter than this is slept: the hand-over's own latency (send, queue, invoke) would eat it. */
export const MIN_PARK_MS = 5_000;
/**
 * The message is due this long before the pass; the resumed window sleeps what is left. SQS delays
 * in whole seconds and the event source mapping adds its poll, so a pass started by the message
 * itself would run late, and a window whose last pass runs over a second late is written rather
 * than carried forward (carried-forward.ts).
 */
export const EARLY_WAKE_MS = 2_000;
/** Longest the send may hold the window; past it the window sleeps instead. */
export const HANDOVER_SEND_BUDGET_MS = 3_000;
/** A parked window whose pass is this overdue was resumed elsewhere or lost its message: dropped. */
export const ORPHAN_AFTER_MS = 10_000;
/** A hand-over this late is dropped: the window's next pass, or the next minute, covers its objects. */
export const STALE_AFTER_MS = 10_000;
/** Hand-overs remembered after resuming, to recognise SQS's rare duplicate deliveries. */
const REMEMBERED_HANDOVERS = 64;

export type WaitForPass = (passStart: number) => Promise<void>;

export interface HandoverReport {
  /** Times the window parked so far. */
  parks: number;
  /** Hand-overs that could not be sent (the window slept instead), with why. */
  failures: string[];
}

export type WindowOutcome =
  | { kind: 'done'; window: string; summary: TickSummary; handover: HandoverReport }
  | { kind: 'parked'; window: string; nextPassAt: number; handover: HandoverReport };

export type Received =
  | { kind: 'resumed'; outcome: Promise<WindowOutcome> }
  /** This container already resumed that pass (SQS delivered the message twice). */
  | { kind: 'duplicate' }
  /** The pass is long past: its objects get the next pass or minute. */
  | { kind: 'stale' }
  /** The window is not parked here: run the rest of it from the stored state. */
  | { kind: 'elsewhere' };

/** The windows parked in this container; one per runtime (a container serves one at a time). */
export class WindowParking {
  private readonly parked = new Map<string, ParkedWindow>();
  private readonly resumed: string[] = [];

  constructor(
    private readonly handover: PassHandover,
    private readonly clock: Clock,
  ) {}

  /**
   * Runs a window's tick until it finishes or parks before a pass, under a fresh window id: the
   * start and a random part (two containers may start a window in the same ms).
   */
  start(windowStart: number, tick: (waitForPass: WaitForPass) => Promise<TickSummary>): Promise<WindowOutcome> {
    const window = `${windowStart}-${randomUUID().slice(0, 8)}`;
    return new ParkedWindow(window, windowStart, this.handover, this.clock, this.parked).begin(tick);
  }

  /** What a hand-over that reached this container means, resuming its window when it is parked here. */
  receive(message: HandoverMessage): Received {
    const key = `${message.window}@${message.offsetMs}`;
    const window = this.parked.get(message.window);
    if (window?.waitsFor(message.offsetMs)) {
      this.remember(key);
      return { kind: 'resumed', outcome: window.resume() };
    }
    if (window || this.resumed.includes(key)) return { kind: 'duplicate' };
    if (this.clock.now() > message.windowStart + message.offsetMs + STALE_AFTER_MS) return { kind: 'stale' };
    return { kind: 'elsewhere' };
  }

  /**
   * Drops the windows whose pass is long overdue: their hand-over ran in another container, which
   * took over the rest of the window, or never came. Returns how many were dropped.
   */
  dropOrphans(): number {
    let dropped = 0;
    for (const [id, window] of this.parked) {
      if (window.overdueAt(this.clock.now(), ORPHAN_AFTER_MS)) {
        this.parked.delete(id);
        dropped += 1;
      }
    }
    return dropped;
  }

  /** Windows parked here now (for the summary and tests). */
  get size(): number {
    return this.parked.size;
  }

  private remember(key: string): void {
    this.resumed.push(key);
    if (this.resumed.length > REMEMBERED_HANDOVERS) this.resumed.shift();
  }
}

class ParkedWindow {
  private parkedAt = deferred<number>();
  /** The tick's end, derived once: every wait races the same promise, so a late failure is never unhandled. */
  private done: Promise<WindowOutcome> | undefined;
  private resumeTick: (() => void) | undefined;
  private waiting: { offsetMs: number; passStart: number } | undefined;
  private readonly report: HandoverReport = { parks: 0, failures: [] };

  constructor(
    private readonly id: string,
    private readonly windowStart: number,
    private readonly handover: PassHandover,
    private readonly clock: Clock,
    private readonly registry: Map<string, ParkedWindow>,
  ) {}

  begin(tick: (waitForPass: WaitForPass) => Promise<TickSummary>): Promise<WindowOutcome> {
    this.done = tick((passStart) => this.waitForPass(passStart)).then((summary): WindowOutcome => ({ kind: 'done', window: this.id, summary, handover: this.snapshot() }));
    return this.untilParkedOrDone();
  }

  waitsFor(offsetMs: number): boolean {
    return this.waiting?.offsetMs === offsetMs;
  }

  overdueAt(now: number, graceMs: number): boolean {
    return this.waiting !== undefined && now > this.waiting.passStart + graceMs;
  }

  resume(): Promise<WindowOutcome> {
    this.registry.delete(this.id);
    // A new signal before the tick moves on: it may park again before this function returns.
    this.parkedAt = deferred<number>();
    const resumeTick = this.resumeTick!;
    this.resumeTick = undefined;
    this.waiting = undefined;
    resumeTick();
    return this.untilParkedOrDone();
  }

  private untilParkedOrDone(): Promise<WindowOutcome> {
    const parked = this.parkedAt.promise.then((nextPassAt): WindowOutcome => ({ kind: 'parked', window: this.id, nextPassAt, handover: this.snapshot() }));
    return Promise.race([this.done!, parked]);
  }

  private snapshot(): HandoverReport {
    return { parks: this.report.parks, failures: [...this.report.failures] };
  }

  private async waitForPass(passStart: number): Promise<void> {
    const waitMs = passStart - this.clock.now();
    if (waitMs <= 0) return;
    if (waitMs < MIN_PARK_MS) return this.clock.sleep(waitMs);
    const offsetMs = passStart - this.windowStart;
    const message: HandoverMessage = { source: HANDOVER_EVENT_SOURCE, window: this.id, windowStart: this.windowStart, offsetMs };
    const delaySeconds = Math.min(MAX_HANDOVER_DELAY_SECONDS, Math.max(0, Math.floor((waitMs - EARLY_WAKE_MS) / 1000)));
    try {
      await withinBudget(this.handover.send(message, delaySeconds), HANDOVER_SEND_BUDGET_MS, () => `the hand-over queue did not answer within ${HANDOVER_SEND_BUDGET_MS / 1000} s`);
    } catch (error) {
      this.report.failures.push(
        `the pass at +${offsetMs / 1000} s could not be handed over (${describeError(error)}); the invocation slept until it instead, billed as before: ` +
          'check the pod scaler role\'s sqs:SendMessage on the hand-over queue and that the Lambda reaches SQS (a VPC endpoint or a NAT)',
      );
      const rest = passStart - this.clock.now();
      if (rest > 0) await this.clock.sleep(rest);
      return;
    }
    await new Promise<void>((resolve) => {
      this.resumeTick = resolve;
      this.waiting = { offsetMs, passStart };
      this.registry.set(this.id, this);
      this.report.parks += 1;
      this.parkedAt.resolve(passStart);
    });
    // Woken early on purpose (EARLY_WAKE_MS): the rest is a short, billed sleep.
    const rest = passStart - this.clock.now();
    if (rest > 0) await this.clock.sleep(rest);
  }
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((settle) => {
    resolve = settle;
  });
  return { promise, resolve };
}
