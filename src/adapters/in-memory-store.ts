import type { HistoryEntry, IndexSnapshot, JsonValue, MemoryRecord, VectorRecord } from '../core/types';
import type { MemoryStore, StoreWrite } from '../ports/memory-store';

/** A MemoryStore in memory, with the Dexie store's contract (atomic writes, revisions). */
export class InMemoryStore implements MemoryStore {
  readonly memories = new Map<string, MemoryRecord>();
  readonly vectorRows = new Map<string, VectorRecord>();
  readonly historyRows: HistoryEntry[] = [];
  readonly settings = new Map<string, JsonValue>();
  readonly snapshots = new Map<string, IndexSnapshot>();
  #rev = 0;
  #vectorRev = 0;
  #nextLabel = 1;

  get(id: string) {
    return Promise.resolve(this.memories.get(id));
  }
  getMany(ids: readonly string[]) {
    return Promise.resolve(ids.map((id) => this.memories.get(id)).filter((m): m is MemoryRecord => !!m));
  }
  byLabels(labels: readonly number[]) {
    const set = new Set(labels);
    return Promise.resolve([...this.memories.values()].filter((m) => set.has(m.label)));
  }
  list(userId?: string) {
    return Promise.resolve(
      [...this.memories.values()]
        .filter((m) => userId === undefined || m.userId === userId)
        .sort((a, b) => b.createdAt - a.createdAt || b.label - a.label),
    );
  }
  listAfter(after: string | null, limit: number) {
    const ids = [...this.memories.keys()].filter((id) => after === null || id > after).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    return Promise.resolve(ids.slice(0, limit).map((id) => this.memories.get(id)!));
  }
  byHash(hash: string) {
    return Promise.resolve([...this.memories.values()].find((m) => m.hash === hash));
  }
  count() {
    return Promise.resolve(this.memories.size);
  }
  write(change: StoreWrite) {
    for (const id of change.delete ?? []) {
      this.memories.delete(id);
      for (const [k, v] of this.vectorRows) if (v.memoryId === id) this.vectorRows.delete(k);
    }
    if (change.forget?.length) {
      const forgotten = new Set(change.forget);
      for (const h of this.historyRows) if (h.mergedInto && forgotten.has(h.mergedInto)) forgotten.add(h.memoryId);
      for (const h of this.historyRows) {
        if (!forgotten.has(h.memoryId)) continue;
        h.oldText = null;
        h.newText = null;
        h.reason = 'forgotten';
        delete h.mergedInto;
      }
    }
    for (const m of change.put ?? []) this.memories.set(m.id, structuredClone(m));
    for (const v of change.vectors ?? []) this.vectorRows.set(`${v.model}|${v.memoryId}`, v);
    for (const h of change.history ?? []) this.historyRows.push({ ...h, id: this.historyRows.length + 1 });
    this.#rev++;
    if (change.vectors?.length || change.delete?.length) this.#vectorRev++;
    return Promise.resolve();
  }
  vectors(model: string, memoryIds?: readonly string[]) {
    const ids = memoryIds ? new Set(memoryIds) : null;
    return Promise.resolve([...this.vectorRows.values()].filter((v) => v.model === model && (!ids || ids.has(v.memoryId))));
  }
  vectorCount(model: string) {
    return Promise.resolve([...this.vectorRows.values()].filter((v) => v.model === model).length);
  }
  deleteVectors(model: string) {
    for (const [k, v] of this.vectorRows) if (v.model === model) this.vectorRows.delete(k);
    this.#vectorRev++;
    return Promise.resolve();
  }
  history(memoryId: string) {
    return Promise.resolve(this.historyRows.filter((h) => h.memoryId === memoryId));
  }
  allocateLabels(n: number) {
    const start = this.#nextLabel;
    this.#nextLabel += n;
    return Promise.resolve(Array.from({ length: n }, (_, i) => start + i));
  }
  revision() {
    return Promise.resolve(this.#rev);
  }
  vectorRevision() {
    return Promise.resolve(this.#vectorRev);
  }
  getSetting(key: string) {
    return Promise.resolve(this.settings.get(key));
  }
  setSetting(key: string, value: JsonValue) {
    this.settings.set(key, value);
    return Promise.resolve();
  }
  getSnapshot(key: string) {
    return Promise.resolve(this.snapshots.get(key));
  }
  putSnapshot(snapshot: IndexSnapshot) {
    this.snapshots.set(snapshot.key, snapshot);
    return Promise.resolve();
  }
  deleteSnapshot(key: string) {
    this.snapshots.delete(key);
    return Promise.resolve();
  }
  clear() {
    this.memories.clear();
    this.vectorRows.clear();
    this.historyRows.length = 0;
    this.snapshots.clear();
    this.#rev++;
    this.#vectorRev++;
    return Promise.resolve();
  }
}
