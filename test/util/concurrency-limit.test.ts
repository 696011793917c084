/** concurrencyLimit: never more than the limit in flight, the rest in arrival order, a failure frees its slot. */
import { describe, expect, it } from 'vitest';
import { concurrencyLimit } from '../../lambdas/util/concurrency-limit';

describe('concurrencyLimit', () => {
  it('runs at most `limit` tasks at once, starts the others in the order they came, and frees the slot of a failed one', async () => {
    const limit = concurrencyLimit(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const task = (id: number, fail = false) => limit(async () => {
      started.push(id);
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      if (fail) throw new Error(`task ${id} failed`);
      return id;
    });
    const results = await Promise.allSettled([task(1), task(2, true), task(3), task(4), task(5)]);
    expect(most).toBe(2);
    expect(started).toEqual([1, 2, 3, 4, 5]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
  });
});
