import type { MemoryRecord } from '../engine/types';

/** Durable storage of memories. Dexie in the extension; an in-memory double in tests. */
export interface MemoryStore {
  put(records: readonly MemoryRecord[]): Promise<void>;
  get(id: string): Promise<MemoryRecord | undefined>;
  /** Every memory, newest first. */
  all(): Promise<MemoryRecord[]>;
  delete(id: string): Promise<boolean>;
  count(): Promise<number>;
}
