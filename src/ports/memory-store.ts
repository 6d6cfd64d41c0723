import type { HistoryEntry, IndexSnapshot, JsonValue, MemoryRecord, VectorRecord } from '../core/types';

/** One atomic change to the store: all of it lands, or none of it. */
export interface StoreWrite {
  put?: MemoryRecord[];
  delete?: string[];
  vectors?: VectorRecord[];
  history?: HistoryEntry[];
  /**
   * Memories the user forgot: every history entry of theirs (and of memories merged into them)
   * loses its text, keeping only that the memory changed or was forgotten, and when. Applied
   * before `history` is added.
   */
  forget?: string[];
}

/**
 * Durable storage of memories, their vectors and history. Dexie in the extension and in Node
 * (on fake-indexeddb); an in-memory double in tests.
 */
export interface MemoryStore {
  get(id: string): Promise<MemoryRecord | undefined>;
  getMany(ids: readonly string[]): Promise<MemoryRecord[]>;
  byLabels(labels: readonly number[]): Promise<MemoryRecord[]>;
  /** Memories of a user (all users when omitted), newest first. */
  list(userId?: string): Promise<MemoryRecord[]>;
  /**
   * At most `limit` memories in id order, after the id `after` (from the first when null): the
   * whole store read in slices, one range read each (not one read per memory, as getMany).
   */
  listAfter(after: string | null, limit: number): Promise<MemoryRecord[]>;
  byHash(hash: string): Promise<MemoryRecord | undefined>;
  count(): Promise<number>;
  /** Apply a change atomically and bump the store revision. */
  write(change: StoreWrite): Promise<void>;
  /** Every vector of a model (for index rebuilds), or those of some memories. */
  vectors(model: string, memoryIds?: readonly string[]): Promise<VectorRecord[]>;
  /** How many memories have a vector under `model`. */
  vectorCount(model: string): Promise<number>;
  deleteVectors(model: string): Promise<void>;
  history(memoryId: string): Promise<HistoryEntry[]>;
  /** Reserve `n` fresh labels. */
  allocateLabels(n: number): Promise<number[]>;
  /** Increases with every write (memories, vectors, history). */
  revision(): Promise<number>;
  /**
   * Increases only when vectors are written or memories deleted: a persisted vector index of
   * another vector revision is stale. Metadata-only writes (a use counted, provenance added)
   * leave it, so they never force an index save or rebuild.
   */
  vectorRevision(): Promise<number>;
  getSetting(key: string): Promise<JsonValue | undefined>;
  setSetting(key: string, value: JsonValue): Promise<void>;
  getSnapshot(key: string): Promise<IndexSnapshot | undefined>;
  putSnapshot(snapshot: IndexSnapshot): Promise<void>;
  deleteSnapshot(key: string): Promise<void>;
  /** Forget everything (memories, vectors, history, snapshots, queued turns); settings other than counters stay. */
  clear(): Promise<void>;
}
