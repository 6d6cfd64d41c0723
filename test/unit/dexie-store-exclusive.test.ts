// @vitest-environment node
/**
 * The worker's store is the only writer of its database: it keeps its revisions in memory, exact
 * after each of its own writes, so a recall reads none from IndexedDB (where a read waits behind
 * any write in progress).
 */
import { describe, expect, it, vi } from 'vitest';
import { DexieMemoryStore } from '../../src/adapters/dexie-store';
import { memoryRecord } from '../support/records';
import { freshDb } from '../support/engine';

describe('DexieMemoryStore, exclusive', () => {
  it('knows its revisions after its own writes without reading them back', async () => {
    const db = freshDb();
    const store = new DexieMemoryStore(db, { exclusive: true });
    const truth = new DexieMemoryStore(db); // reads IndexedDB every time
    expect(await store.revision()).toBe(0);
    const record = memoryRecord('I live in Berlin');
    await store.write({ put: [record], vectors: [{ memoryId: record.id, model: 'm', label: record.label, vector: new Float32Array([1, 0]) }] });
    await store.write({ put: [{ ...record, metadata: { uses: 1 } }] });
    const reads = vi.spyOn(db.settings, 'bulkGet');
    const gets = vi.spyOn(db.settings, 'get');
    expect(await store.revision()).toBe(await truth.revision());
    expect(await store.vectorRevision()).toBe(await truth.vectorRevision());
    expect(await store.revision()).toBe(2);
    expect(await store.vectorRevision()).toBe(1);
    // Only `truth` read them.
    expect(reads).not.toHaveBeenCalled();
    expect(gets).toHaveBeenCalledTimes(2);
    await store.clear();
    expect([await store.revision(), await store.vectorRevision()]).toEqual([await truth.revision(), await truth.vectorRevision()]);
    await store.deleteVectors('m');
    expect(await store.vectorRevision()).toBe(await truth.vectorRevision());
  });

  it('is right whatever order concurrent writes and reads take', async () => {
    const db = freshDb();
    const store = new DexieMemoryStore(db, { exclusive: true });
    const truth = new DexieMemoryStore(db);
    const writes = Array.from({ length: 6 }, (_, i) => {
      const r = memoryRecord(`Fact ${i}`);
      return store.write({ put: [r], ...(i % 2 ? { vectors: [{ memoryId: r.id, model: 'm', label: r.label, vector: new Float32Array([1, 0]) }] } : {}) });
    });
    const reads = Array.from({ length: 6 }, () => store.revision());
    await Promise.all([...writes, ...reads]);
    expect(await store.revision()).toBe(await truth.revision());
    expect(await store.vectorRevision()).toBe(await truth.vectorRevision());
  });
});
