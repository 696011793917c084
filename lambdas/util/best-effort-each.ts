/**
 * Courtesy writes (a status, an Event) for many objects: `concurrency` at a time, for at most
 * `budgetMs` in all, each failure dropped. The decisions they describe are already made and stored,
 * so a write that fails or comes too late is lost, never thrown, and never holds the invocation.
 */
import { mapWithConcurrency } from './map-with-concurrency';
import { withinBudget } from './within-budget';

export async function bestEffortEach<T>(items: readonly T[], concurrency: number, budgetMs: number, write: (item: T) => Promise<unknown> | undefined): Promise<void> {
  const work = mapWithConcurrency(items, concurrency, async (item) => {
    await write(item)?.catch(() => undefined);
  });
  await withinBudget(work, budgetMs, () => '').catch(() => undefined);
}
