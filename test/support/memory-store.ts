import type { MemoryRecord } from '../../src/engine/types';
import type { MemoryStore } from '../../src/ports/memory-store';

/** An in-memory MemoryStore double, with the same ordering contract as the Dexie store. */
export class InMemoryStore implements MemoryStore {
  readonly records = new Map<string, MemoryRecord>();

  put(records: readonly MemoryRecord[]): Promise<void> {
    for (const r of records) this.records.set(r.id, r);
    return Promise.resolve();
  }
  get(id: string): Promise<MemoryRecord | undefined> {
    return Promise.resolve(this.records.get(id));
  }
  all(): Promise<MemoryRecord[]> {
    return Promise.resolve([...this.records.values()].sort((a, b) => b.createdAt - a.createdAt));
  }
  delete(id: string): Promise<boolean> {
    return Promise.resolve(this.records.delete(id));
  }
  count(): Promise<number> {
    return Promise.resolve(this.records.size);
  }
}
