/**
 * A backstop for work that must not hold a pass: every external call has its own timeout, but a
 * promise that never settles (a client without one, a bug) must still not stall the other objects
 * or carry the invocation past its deadline. The work is not cancelled, only no longer waited for.
 *
 * Uses the platform timer (not the injected Clock) because it bounds real waiting; tests drive it
 * with fake timers.
 */
export class BudgetExceededError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BudgetExceededError';
  }
}

/** Settles like `work`, or rejects with BudgetExceededError(`message()`) after `ms`. */
export function withinBudget<T>(work: Promise<T>, ms: number, message: () => string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new BudgetExceededError(message())), Math.max(0, ms));
    work.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
