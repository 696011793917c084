/**
 * A progress bar on stderr, drawn only on a terminal: CI logs and pipes get just the final line.
 */
import type { OutputStream } from '../io';

const WIDTH = 28;
/** Redraw at most this often, so a fast simulation spends its time simulating. */
const REDRAW_EVERY_MS = 80;

export class ProgressBar {
  private lastDrawAt = 0;
  private drawn = false;

  constructor(
    private readonly stream: OutputStream,
    private readonly total: number,
    private readonly now: () => number = Date.now,
  ) {}

  update(done: number, label: string): void {
    if (!this.stream.isTTY) return;
    const at = this.now();
    if (at - this.lastDrawAt < REDRAW_EVERY_MS && done < this.total) return;
    this.lastDrawAt = at;
    const fraction = this.total > 0 ? Math.min(1, done / this.total) : 1;
    const filled = Math.round(fraction * WIDTH);
    this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}%  ${label}\x1b[K`);
    this.drawn = true;
  }

  /** Replaces the bar with a final line (printed whether or not a bar was drawn). */
  finish(line: string): void {
    this.stream.write(`${this.drawn ? '\r\x1b[K' : ''}${line}\n`);
  }
}
