/**
 * callDeadline: a per-call timeout that aborts as AbortSignal.timeout does (a `TimeoutError`
 * DOMException as the reason, the name request-timeout.ts and read-plan.ts read), and whose timer is
 * gone once the call is over.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callDeadline } from '../../lambdas/util/call-deadline';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('callDeadline', () => {
  it('aborts at the timeout with the reason AbortSignal.timeout gives', async () => {
    const { signal } = callDeadline(5_000);
    await vi.advanceTimersByTimeAsync(4_999);
    expect(signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBeInstanceOf(DOMException);
    expect((signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('once cleared, never aborts and leaves no timer behind', async () => {
    const deadline = callDeadline(5_000);
    expect(vi.getTimerCount()).toBe(1);
    deadline.clear();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(deadline.signal.aborted).toBe(false);
  });
});
