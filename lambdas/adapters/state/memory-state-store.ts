/**
 * A StateStore in memory with the same conditional-write semantics as the DynamoDB one, for the
 * simulator and tests. Items are deep-copied in and out so callers cannot mutate stored state.
 */
import type { LoadedStates, SaveResult, StateStore, StoredObjectState } from './state-store';

export class MemoryStateStore implements StateStore {
  private readonly items = new Map<string, StoredObjectState>();

  async loadMany(keys: string[]): Promise<LoadedStates> {
    const states = new Map<string, StoredObjectState>();
    for (const key of keys) {
      const item = this.items.get(key);
      if (item) states.set(key, structuredClone(item));
    }
    return { states, undecodable: new Map() };
  }

  async save(item: StoredObjectState, expectedVersion: number): Promise<SaveResult> {
    const storedVersion = this.items.get(item.key)?.version ?? 0;
    if (storedVersion !== expectedVersion) return 'conflict';
    this.items.set(item.key, { ...structuredClone(item), version: expectedVersion + 1 });
    return 'saved';
  }

  async listAll(): Promise<StoredObjectState[]> {
    return [...this.items.values()].map((item) => structuredClone(item));
  }
}
