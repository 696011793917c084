/**
 * At most `limit` tasks in flight; the others wait their turn in the order they came. For pipelines
 * whose stages each need their own bound (mapWithConcurrency bounds one task over a whole list).
 */
export function concurrencyLimit(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: (() => void)[] = [];
  const next = () => {
    running -= 1;
    queue.shift()?.();
  };
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= Math.max(1, limit)) await new Promise<void>((start) => queue.push(start));
    running += 1;
    try {
      return await task();
    } finally {
      next();
    }
  };
}
