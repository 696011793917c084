/**
 * A timeout for one call whose timer is cleared when the call ends.
 *
 * `AbortSignal.timeout` cannot be cleared: its timer fires `timeoutMs` after every call, answered or
 * not, and builds a `DOMException` with a stack each time. A busy pass makes some 1,200 such calls,
 * most of them answered in milliseconds. Their timers fire later in the pass, or when Lambda thaws the
 * container for the next one: about 45 µs of CPU a call, 4–5% of a busy pass (docs/performance.md §30).
 *
 * The signal aborts as `AbortSignal.timeout`'s does, with a `TimeoutError` DOMException, so code that
 * tells a timeout from another abort by the reason's name reads both alike.
 */
export interface CallDeadline {
  readonly signal: AbortSignal;
  /** Stops the timer: call it once the call has settled, however it settled. */
  clear(): void;
}

export function callDeadline(timeoutMs: number): CallDeadline {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), timeoutMs);
  // As AbortSignal.timeout's timer: a pending deadline alone does not keep the process alive.
  (timer as { unref?: () => void }).unref?.();
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
