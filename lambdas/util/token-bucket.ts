/**
 * A token bucket on an injected clock: `ratePerSecond` tokens flow in, at most `capacity` are kept,
 * and each call takes one. Over any window of T seconds it lets through at most
 * capacity + ratePerSecond × T calls. Pure: no timers, no I/O; the caller passes the time and
 * decides whether to wait (`msUntilToken`) or do without.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  /** Starts full, unless `initialTokens` says otherwise. */
  constructor(
    private ratePerSecond: number,
    private capacity: number,
    nowMs: number,
    initialTokens: number = capacity,
  ) {
    assertPositive(ratePerSecond, capacity);
    this.tokens = Math.min(capacity, Math.max(0, initialTokens));
    this.updatedAt = nowMs;
  }

  /** Takes a token if one is there at `nowMs`. */
  tryTake(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** How long until a token is there, ms (0 when one is there now). */
  msUntilToken(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }

  /** Changes the rate and capacity from `nowMs` on; tokens already there above the new capacity are dropped. */
  reshape(ratePerSecond: number, capacity: number, nowMs: number): void {
    assertPositive(ratePerSecond, capacity);
    this.refill(nowMs);
    this.ratePerSecond = ratePerSecond;
    this.capacity = capacity;
    this.tokens = Math.min(this.tokens, capacity);
  }

  private refill(nowMs: number): void {
    // A clock that steps back (never on Lambda's, possible on a test's) adds nothing.
    const elapsedMs = Math.max(0, nowMs - this.updatedAt);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsedMs / 1000) * this.ratePerSecond);
    this.updatedAt = Math.max(this.updatedAt, nowMs);
  }
}

function assertPositive(ratePerSecond: number, capacity: number): void {
  if (!(ratePerSecond > 0) || !(capacity >= 1)) {
    throw new RangeError(`a token bucket needs a rate above 0 and room for at least 1 token (got rate ${ratePerSecond}, capacity ${capacity})`);
  }
}
