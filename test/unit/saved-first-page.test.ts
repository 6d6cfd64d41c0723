// @vitest-environment node
/**
 * The memory manager's first page read by the popup straight from IndexedDB (issue 15: a stopped
 * worker took ~100 ms to start before it could answer). The read must give exactly the page the
 * worker gives, and stand aside (null: the worker answers) whenever it cannot be sure: a write
 * since the head was saved, an expiry passed, no database, encryption on.
 */
import { IDBFactory, IDBKeyRange } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import type { MemoryPage, MemoryPageRequest } from '../../src/core/types';
import { EngramDatabase } from '../../src/db/schema';
import { readSavedFirstPage } from '../../src/db/saved-first-page';
import { HEAD_ROWS } from '../../src/db/saved-head';
import { withFirstPage, type MemoryBackend } from '../../src/ui/memory-list-store';
import { managerSetup } from '../support/manager';
import { bundledEmbedder } from '../support/model';

const embedder = bundledEmbedder();

async function profile() {
  await embedder.load();
  const factory = new IDBFactory();
  const name = 'engram';
  const s = managerSetup(embedder, { db: new EngramDatabase(name, { indexedDB: factory, IDBKeyRange }) });
  const read = (limit = HEAD_ROWS) => readSavedFirstPage({ indexedDB: factory, name, limit, now: s.now() });
  return { ...s, factory, name, read };
}

describe('the first page read by the popup itself', () => {
  it('is the page the worker gives, while the saved head is the store’s state', async () => {
    const p = await profile();
    for (let i = 0; i < 14; i++) await p.remember(`My friend number ${i} lives in town ${i}`);
    const pinned = await p.remember('My sister lives in Porto');
    await p.memory.setMetadata(pinned, { pinned: true });
    await p.remember('Today we plan the offsite', { runId: 'chat', sessionTtlMs: 3_600_000 });
    await p.rows.rows();
    expect(await p.rows.save()).toBe(true);

    const worker = await p.manager.page({ filter: {}, offset: 0, limit: HEAD_ROWS });
    expect(worker.total).toBe(16);
    const own = await p.read();
    expect(own).toEqual(worker);
    expect(own?.items[0]?.text).toBe('My sister lives in Porto'); // pinned first
    expect(await p.read(5)).toEqual(await p.manager.page({ filter: {}, offset: 0, limit: 5 }));

    // A write the head does not reflect yet: the worker answers.
    await p.remember('I live in Berlin');
    expect(await p.read()).toBeNull();
    expect(await p.rows.save()).toBe(true);
    const after = await p.read();
    expect(after?.total).toBe(17);
    expect(after).toEqual(await p.manager.page({ filter: {}, offset: 0, limit: HEAD_ROWS }));

    // A forgotten memory: never shown from a head saved before it was forgotten.
    await p.memory.delete(pinned);
    expect(await p.read()).toBeNull();
    await p.rows.save();
    expect((await p.read())?.items.map((m) => m.id)).not.toContain(pinned);

    // Past the session memory's end the head is stale: the worker answers (without it).
    p.advance(2 * 3_600_000);
    expect(await p.read()).toBeNull();
  });

  it('creates no database, and never holds up an upgrade', async () => {
    const factory = new IDBFactory();
    expect(await readSavedFirstPage({ indexedDB: factory, name: 'engram', limit: 10 })).toBeNull();
    expect(await factory.databases()).toEqual([]);

    const p = await profile();
    await p.remember('My dog is called Max');
    await p.rows.rows();
    await p.rows.save();
    expect((await p.read())?.items).toHaveLength(1);
    p.db.close();
    // The next version of the extension upgrades the database: not blocked by the popup's read.
    const next = await new Promise<string>((resolve) => {
      const request = p.factory.open(p.name, 1000);
      request.onblocked = () => { resolve('blocked'); };
      request.onsuccess = () => {
        request.result.close();
        resolve('opened');
      };
      request.onerror = () => { resolve('failed'); };
    });
    expect(next).toBe('opened');
  });
});

describe('withFirstPage', () => {
  const page = (n: number, total = n): MemoryPage => ({ total, revision: 7, items: Array.from({ length: n }, (_, i) => ({ id: `m${i}`, text: `fact ${i}`, site: null, createdAt: i })) });
  function backend() {
    const asked: MemoryPageRequest[] = [];
    const b: MemoryBackend = {
      list: () => Promise.resolve([]),
      remove: () => Promise.resolve(),
      page: (request) => {
        asked.push(request);
        return Promise.resolve(page(3));
      },
    };
    return { b, asked };
  }

  it('answers the first unfiltered page from the saved read, then asks the worker for everything else', async () => {
    const { b, asked } = backend();
    const wrapped = withFirstPage(b, Promise.resolve(page(100, 500)));
    const first = await wrapped.page!({ filter: {}, offset: 0, limit: 40 });
    expect(first.items).toHaveLength(40);
    expect(first.total).toBe(500);
    expect(asked).toEqual([]);
    await wrapped.page!({ filter: {}, offset: 0, limit: 40 });
    expect(asked).toHaveLength(1);
  });

  it('asks the worker when the read has nothing, fails, is too short, or the list is filtered', async () => {
    for (const [saved, request] of [
      [Promise.resolve(null), { filter: {}, offset: 0, limit: 10 }],
      [Promise.reject(new Error('IndexedDB gone')), { filter: {}, offset: 0, limit: 10 }],
      [Promise.resolve(page(5, 50)), { filter: {}, offset: 0, limit: 10 }],
      [Promise.resolve(page(100, 500)), { filter: { site: 'claude' }, offset: 0, limit: 10 }],
      [Promise.resolve(page(100, 500)), { filter: {}, offset: 100, limit: 10 }],
    ] as const) {
      const { b, asked } = backend();
      const answer = await withFirstPage(b, saved).page!(request);
      expect(answer.items).toHaveLength(3);
      expect(asked).toEqual([request]);
    }
    // A short list read whole is the whole answer.
    const { b, asked } = backend();
    expect((await withFirstPage(b, Promise.resolve(page(4))).page!({ filter: {}, offset: 0, limit: 10 })).items).toHaveLength(4);
    expect(asked).toEqual([]);
  });
});
