import Dexie from 'dexie';
import { SETTING, type EngramDatabase, type IndexSnapshot } from '../db/schema';
import type { HistoryEntry, JsonValue, MemoryRecord, VectorRecord } from '../core/types';
import type { MemoryStore, StoreWrite } from '../ports/memory-store';

/** Thrown when the browser refuses to store more (disk or quota full). Nothing was written. */
export class StorageFullError extends Error {
  constructor(cause: unknown) {
    super('Engram could not save: the browser says its storage is full. Nothing was lost; free some space and try again.', {
      cause,
    });
    this.name = 'StorageFullError';
  }
}

export interface DexieStoreOptions {
  /**
   * This store is the only writer of its database (the extension's service worker: every other
   * context asks it by message). Its revisions are then read from IndexedDB once and kept in
   * memory, updated by its own writes: a recall checks them several times, and each read is an
   * IndexedDB round trip that also waits behind any write in progress.
   */
  exclusive?: boolean;
}

/** The MemoryStore on Dexie (IndexedDB): the source of truth for every memory. */
export class DexieMemoryStore implements MemoryStore {
  readonly #exclusive: boolean;
  /** The revisions as last read or written (exclusive mode only). */
  #revisions: { revision: number; vectorRevision: number } | null = null;

  constructor(
    readonly db: EngramDatabase,
    options: DexieStoreOptions = {},
  ) {
    this.#exclusive = options.exclusive === true;
  }

  /** Writes started (each changes what a read may have seen). */
  #epoch = 0;
  /** Writes in progress. */
  #writing = 0;

  /** Both revisions, from memory in exclusive mode. */
  async #current(): Promise<{ revision: number; vectorRevision: number }> {
    if (this.#revisions) return this.#revisions;
    const epoch = this.#epoch;
    const [revision, vectorRevision] = await this.db.settings.bulkGet([SETTING.revision, SETTING.vectorRevision]);
    const read = { revision: Number(revision?.value ?? 0), vectorRevision: Number(vectorRevision?.value ?? 0) };
    // Kept only when no write began or ran while it was read: then it is what the database holds.
    if (this.#exclusive && this.#writing === 0 && epoch === this.#epoch) this.#revisions = read;
    return read;
  }

  /**
   * A write. The revisions it committed are kept when it gives them and no other write is in
   * flight (then they are the newest); otherwise they are read again on next use.
   */
  async #wrote(task: () => Promise<{ revision: number; vectorRevision: number } | null>): Promise<void> {
    this.#epoch++;
    this.#writing++;
    this.#revisions = null;
    let committed: { revision: number; vectorRevision: number } | null = null;
    try {
      committed = await task();
    } finally {
      this.#writing--;
      this.#epoch++;
      this.#revisions = this.#exclusive && this.#writing === 0 ? committed : null;
    }
  }

  get(id: string): Promise<MemoryRecord | undefined> {
    return this.db.memories.get(id);
  }

  async getMany(ids: readonly string[]): Promise<MemoryRecord[]> {
    return (await this.db.memories.bulkGet([...ids])).filter((m): m is MemoryRecord => m !== undefined);
  }

  listAfter(after: string | null, limit: number): Promise<MemoryRecord[]> {
    const inOrder = after === null ? this.db.memories.orderBy(':id') : this.db.memories.where(':id').above(after);
    return inOrder.limit(limit).toArray();
  }

  byLabels(labels: readonly number[]): Promise<MemoryRecord[]> {
    return this.db.memories.where('label').anyOf([...labels]).toArray();
  }

  async list(userId?: string): Promise<MemoryRecord[]> {
    const rows = userId === undefined ? await this.db.memories.toArray() : await this.db.memories.where('userId').equals(userId).toArray();
    return rows.sort((a, b) => b.createdAt - a.createdAt || b.label - a.label);
  }

  byHash(hash: string): Promise<MemoryRecord | undefined> {
    return this.db.memories.where('hash').equals(hash).first();
  }

  count(): Promise<number> {
    return this.db.memories.count();
  }

  async write(change: StoreWrite): Promise<void> {
    const { db } = this;
    try {
      await this.#wrote(() => db.transaction('rw', [db.memories, db.vectors, db.history, db.settings], async () => {
        if (change.delete?.length) {
          await db.memories.bulkDelete(change.delete);
          await db.vectors.where('memoryId').anyOf(change.delete).delete();
        }
        if (change.forget?.length) await forgetHistory(db, change.forget);
        if (change.put?.length) await db.memories.bulkPut(change.put);
        if (change.vectors?.length) await db.vectors.bulkPut(change.vectors);
        if (change.history?.length) await db.history.bulkAdd(change.history);
        const revision = await bump(db, SETTING.revision);
        const vectorRevision = change.vectors?.length || change.delete?.length ? await bump(db, SETTING.vectorRevision) : await current(db, SETTING.vectorRevision);
        return { revision, vectorRevision };
      }));
    } catch (error) {
      throw asStorageError(error);
    }
  }

  vectors(model: string, memoryIds?: readonly string[]): Promise<VectorRecord[]> {
    if (memoryIds) return this.db.vectors.where('[model+memoryId]').anyOf(memoryIds.map((id) => [model, id])).toArray();
    return this.db.vectors.where('model').equals(model).toArray();
  }

  vectorCount(model: string): Promise<number> {
    return this.db.vectors.where('model').equals(model).count();
  }

  async deleteVectors(model: string): Promise<void> {
    const { db } = this;
    await this.#wrote(() => db.transaction('rw', [db.vectors, db.settings], async () => {
      await db.vectors.where('model').equals(model).delete();
      await bump(db, SETTING.vectorRevision);
      return null;
    }));
  }

  history(memoryId: string): Promise<HistoryEntry[]> {
    return this.db.history.where('memoryId').equals(memoryId).sortBy('id');
  }

  allocateLabels(n: number): Promise<number[]> {
    const { db } = this;
    return db.transaction('rw', db.settings, async () => {
      const next = Number((await db.settings.get(SETTING.nextLabel))?.value ?? 1);
      await db.settings.put({ key: SETTING.nextLabel, value: next + n });
      return Array.from({ length: n }, (_, i) => next + i);
    });
  }

  async revision(): Promise<number> {
    if (!this.#exclusive) return Number((await this.db.settings.get(SETTING.revision))?.value ?? 0);
    return (await this.#current()).revision;
  }

  async vectorRevision(): Promise<number> {
    if (!this.#exclusive) return Number((await this.db.settings.get(SETTING.vectorRevision))?.value ?? 0);
    return (await this.#current()).vectorRevision;
  }

  async getSetting(key: string): Promise<JsonValue | undefined> {
    return (await this.db.settings.get(key))?.value;
  }

  async setSetting(key: string, value: JsonValue): Promise<void> {
    await this.db.settings.put({ key, value });
  }

  getSnapshot(key: string): Promise<IndexSnapshot | undefined> {
    return this.db.snapshots.get(key);
  }

  async putSnapshot(snapshot: IndexSnapshot): Promise<void> {
    try {
      await this.db.snapshots.put(snapshot);
    } catch (error) {
      throw asStorageError(error);
    }
  }

  async deleteSnapshot(key: string): Promise<void> {
    await this.db.snapshots.delete(key);
  }

  /**
   * Move the store's revision on without changing anything: every cache of what it holds (the
   * engine's memories and text index, the memory manager's rows) is stale and read again when next
   * used. Engram was locked: nothing read before may be served from memory until it is unlocked.
   */
  async invalidate(): Promise<void> {
    const { db } = this;
    await this.#wrote(() =>
      db.transaction('rw', db.settings, async () => ({ revision: await bump(db, SETTING.revision), vectorRevision: await current(db, SETTING.vectorRevision) })),
    );
  }

  async clear(): Promise<void> {
    const { db } = this;
    await this.#wrote(() => db.transaction('rw', [db.memories, db.vectors, db.history, db.snapshots, db.settings, db.jobs, db.injections], async () => {
      // The injection log goes too: it holds the memories' texts as they were sent.
      await Promise.all([db.memories.clear(), db.vectors.clear(), db.history.clear(), db.snapshots.clear(), db.jobs.clear(), db.injections.clear()]);
      return { revision: await bump(db, SETTING.revision), vectorRevision: await bump(db, SETTING.vectorRevision) };
    }));
  }
}

/**
 * The history of forgotten memories keeps its events and dates, never what they said: the
 * memories' own entries and those of memories merged into them (inside the caller's transaction).
 */
async function forgetHistory(db: EngramDatabase, memoryIds: readonly string[]): Promise<void> {
  const merged = await db.history.where('mergedInto').anyOf([...memoryIds]).toArray();
  const ids = [...new Set([...memoryIds, ...merged.map((h) => h.memoryId)])];
  await db.history.where('memoryId').anyOf(ids).modify(forgottenEntry);
}

/** A history entry with its text removed. */
export function forgottenEntry(entry: HistoryEntry): void {
  entry.oldText = null;
  entry.newText = null;
  entry.reason = 'forgotten';
  delete entry.mergedInto;
}

/** Increment a counter in settings (inside the caller's transaction); its new value. */
async function bump(db: EngramDatabase, key: string): Promise<number> {
  const value = (await current(db, key)) + 1;
  await db.settings.put({ key, value });
  return value;
}

async function current(db: EngramDatabase, key: string): Promise<number> {
  return Number((await db.settings.get(key))?.value ?? 0);
}

function asStorageError(error: unknown): unknown {
  const names = [error, (error as { inner?: unknown } | null)?.inner].map((e) => (e as { name?: string } | null)?.name);
  if (names.includes('QuotaExceededError') || error instanceof Dexie.QuotaExceededError) return new StorageFullError(error);
  return error;
}
