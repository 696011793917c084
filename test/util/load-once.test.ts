import { describe, expect, it } from 'vitest';
import { loadOnce } from '../../lambdas/util/load-once';

describe('loadOnce', () => {
  it('loads at the first call, not before, and gives every caller the same result', async () => {
    let loads = 0;
    const part = loadOnce(async () => ({ loaded: (loads += 1) }));
    expect(loads).toBe(0);
    const [first, second] = await Promise.all([part(), part()]);
    expect(await part()).toBe(first);
    expect(second).toBe(first);
    expect(loads).toBe(1);
  });

  it('forgets a failed load, so the next call tries again instead of failing for the container’s life', async () => {
    const outcomes = [new Error('chunk missing'), { loaded: true }];
    let loads = 0;
    const part = loadOnce(async () => {
      const outcome = outcomes[loads++];
      if (outcome instanceof Error) throw outcome;
      return outcome;
    });
    await expect(part()).rejects.toThrow('chunk missing');
    await expect(part()).resolves.toEqual({ loaded: true });
    await expect(part()).resolves.toEqual({ loaded: true });
    expect(loads).toBe(2);
  });

  it('hands callers waiting on a failed load that failure, and the retry only to later callers', async () => {
    let reject: (error: Error) => void = () => undefined;
    let loads = 0;
    const part = loadOnce(() => {
      loads += 1;
      return loads === 1 ? new Promise<string>((_, fail) => (reject = fail)) : Promise.resolve('second');
    });
    const waiting = [part(), part()];
    reject(new Error('import failed'));
    for (const caller of waiting) await expect(caller).rejects.toThrow('import failed');
    await expect(part()).resolves.toBe('second');
  });
});
