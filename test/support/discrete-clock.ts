/**
 * A Clock for code whose concurrent tasks sleep (token buckets, backoffs): sleepers wake in time
 * order, and time jumps to the earliest wake-up only when nothing else can run, so concurrent
 * sleeps overlap as they would in real time, without taking any. (The simulator's VirtualClock
 * moves time at each sleep, which suits one sleeper at a time.)
 */
import type { Clock } from '../../lambdas/pod-scaler/tick-types';

export class DiscreteClock implements Clock {
  private readonly sleepers: { at: number; order: number; wake: () => void }[] = [];
  private order = 0;

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((wake) => this.sleepers.push({ at: this.current + Math.max(0, ms), order: this.order++, wake }));
  }

  /** Moves time forward (never back), e.g. to the next pass. */
  advanceTo(ms: number): void {
    this.current = Math.max(this.current, ms);
  }

  /** Settles `work`, waking its sleepers in time order whenever nothing else is left to run. */
  async run<T>(work: Promise<T>): Promise<T> {
    let settled = false;
    const watched = work.finally(() => (settled = true));
    for (;;) {
      await new Promise((turn) => setImmediate(turn));
      if (settled) return watched;
      this.sleepers.sort((a, b) => a.at - b.at || a.order - b.order);
      const next = this.sleepers.shift();
      if (!next) continue; // waiting on real I/O
      this.current = Math.max(this.current, next.at);
      next.wake();
    }
  }
}
