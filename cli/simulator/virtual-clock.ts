/**
 * The tick's Clock on simulated time. `sleep` does not wait: it moves time forward at once and lets
 * the world catch up (arrivals, consumption, pods starting, nodes joining) before it resolves, so
 * the tick's pollingInterval passes see the world as it would be after a real wait.
 *
 * The simulator evaluates one ScaledObject per world, so the tick's sleeps never overlap; should
 * two overlap, time only moves forward (to the later of their wake-up times).
 */
import type { Clock } from '../../lambdas/pod-scaler/tick-types';

/** Called with the interval the clock is about to cover, so the world can advance through it. */
export type AdvanceListener = (fromMs: number, toMs: number) => void;

export class VirtualClock implements Clock {
  private current: number;

  constructor(
    startMs: number,
    private readonly onAdvance: AdvanceListener = () => {},
  ) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  async sleep(ms: number): Promise<void> {
    this.advanceTo(this.current + Math.max(0, ms));
  }

  /** Moves time forward to `targetMs` (never backwards), advancing the world on the way. */
  advanceTo(targetMs: number): void {
    if (targetMs <= this.current) return;
    const from = this.current;
    this.onAdvance(from, targetMs);
    this.current = targetMs;
  }
}
