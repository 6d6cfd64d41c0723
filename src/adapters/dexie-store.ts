import type { EngramDatabase } from '../db/schema';
import type { MemoryRecord } from '../engine/types';
import type { MemoryStore } from '../ports/memory-store';

/** The MemoryStore on Dexie (IndexedDB): the source of truth for every memory. */
export class DexieMemoryStore implements MemoryStore {
  constructor(private readonly db: EngramDatabase) {}

  async put(records: readonly MemoryRecord[]): Promise<void> {
    try {
      await this.db.memories.bulkPut([...records]);
    } catch (error) {
      if (isQuotaError(error)) {
        throw new Error('Engram could not save: the browser says its storage is full.', { cause: error });
      }
      throw error;
    }
  }

  get(id: string): Promise<MemoryRecord | undefined> {
    return this.db.memories.get(id);
  }

  all(): Promise<MemoryRecord[]> {
    return this.db.memories.orderBy('createdAt').reverse().toArray();
  }

  async delete(id: string): Promise<boolean> {
    const found = (await this.db.memories.where('id').equals(id).count()) > 0;
    await this.db.memories.delete(id);
    return found;
  }

  count(): Promise<number> {
    return this.db.memories.count();
  }
}

function isQuotaError(error: unknown): boolean {
  const name = (error as { name?: string; inner?: { name?: string } } | null)?.name;
  const inner = (error as { inner?: { name?: string } } | null)?.inner?.name;
  return name === 'QuotaExceededError' || inner === 'QuotaExceededError';
}
