import { describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../../../lambdas/adapters/state/memory-state-store';
import { storedState } from './state-fixtures';

describe('MemoryStateStore', () => {
  it('applies the same version conditions as DynamoDB', async () => {
    const store = new MemoryStateStore();
    expect(await store.save(storedState('c/n/a'), 1)).toBe('conflict');
    expect(await store.save(storedState('c/n/a'), 0)).toBe('saved');
    expect(await store.save(storedState('c/n/a'), 0)).toBe('conflict');
    expect(await store.save(storedState('c/n/a'), 1)).toBe('saved');
    expect((await store.loadMany(['c/n/a'])).states.get('c/n/a')?.version).toBe(2);
  });

  it('hands out copies, so callers cannot change stored state by mutation', async () => {
    const store = new MemoryStateStore();
    const item = storedState('c/n/a');
    await store.save(item, 0);
    item.scaling.health['s0'] = { numberOfFailures: 9, status: 'Failing' };
    const loaded = (await store.loadMany(['c/n/a'])).states.get('c/n/a')!;
    expect(loaded.scaling.health['s0']).toBeUndefined();
    loaded.currentReplicas = 99;
    expect((await store.listAll())[0]?.currentReplicas).toBe(3);
  });
});
