// @vitest-environment node
/**
 * The memory manager's rows kept in step with big writes (issue 15): an import's chunks merged
 * into the order in one pass give the order a full sort gives, whatever they put, replace or
 * delete; and a write into a small store with no saved rows makes the rows held from then on, so
 * that the manager never reads every memory after an import; and the head of the list saved with
 * the rows, which answers a new worker's first page.
 */
import { describe, expect, it } from 'vitest';
import { HEAD_KEY, MemoryRows, RowSet, rowOrder, toRow } from '../../src/background/manager/memory-rows';
import { createMemoryManager } from '../../src/background/manager/manager';
import { bundledEmbedder } from '../support/model';
import { managerSetup } from '../support/manager';
import { InMemoryStore } from '../../src/adapters/in-memory-store';
import { DEFAULT_USER, type MemoryRecord } from '../../src/core/types';

function record(i: number, extra: Partial<MemoryRecord> = {}): MemoryRecord {
  return {
    id: `m${i}`,
    label: i,
    text: `fact number ${i}`,
    hash: `h${i}`,
    userId: DEFAULT_USER,
    agentId: null,
    runId: null,
    space: null,
    site: 'chatgpt',
    conversationId: null,
    sourceTurnIds: [],
    // Said in no particular order (an import's old chats), some at the same moment.
    saidAt: 1_700_000_000_000 + ((i * 7919) % 1000) * 1000,
    categories: [],
    metadata: i % 97 === 0 ? { pinned: true } : {},
    createdAt: 1_700_000_000_000 + i,
    updatedAt: 1_700_000_000_000 + i,
    expiresAt: null,
    ...extra,
  };
}

const labels = (set: RowSet): number[] => set.sorted.map((r) => r.label);

describe('RowSet.apply', () => {
  it('merges a big write into the order: the same rows, in the order a full sort gives', () => {
    const set = new RowSet(Array.from({ length: 3000 }, (_, i) => toRow(record(i + 1))), 1);
    // New memories, a few existing ones changed (pinned, said again, now waiting for consent), some forgotten.
    const puts = [
      ...Array.from({ length: 500 }, (_, i) => record(5000 + i)),
      record(10, { metadata: { pinned: true } }),
      record(20, { saidAt: 1_800_000_000_000 }),
      record(30, { metadata: { pending: true } }),
      record(5001, { saidAt: 1 }), // the same memory twice in one write: its last version
    ];
    const deletes = ['m40', 'm41', 'm5002'];
    set.apply({ delete: deletes, put: puts });

    const expected = new Map<string, MemoryRecord>();
    for (let i = 1; i <= 3000; i++) expected.set(`m${i}`, record(i));
    for (const id of deletes) expected.delete(id);
    for (const m of puts) {
      if (m.metadata.pending === true) expected.delete(m.id);
      else expected.set(m.id, m);
    }
    const sorted = [...expected.values()].map(toRow).sort(rowOrder);
    expect(labels(set)).toEqual(sorted.map((r) => r.label));
    expect(set.byId.size).toBe(sorted.length);
    expect(set.byId.get('m5001')?.saidAt).toBe(1);
    expect(set.byId.has('m30')).toBe(false);
    expect(set.sorted.at(-1)?.id).toBe('m5001');

    // A backfill's write: 200 memories changed in what does not move them (their space), one forgotten.
    const moved = Array.from({ length: 200 }, (_, i) => expected.get(`m${i + 100}`)!).map((m) => ({ ...m, space: 'work' }));
    set.apply({ delete: ['m500'], put: moved });
    expected.delete('m500');
    for (const m of moved) expected.set(m.id, m);
    expect(labels(set)).toEqual([...expected.values()].map(toRow).sort(rowOrder).map((r) => r.label));
    expect(set.byId.get('m150')?.space).toBe('work');
    expect(set.sorted.find((r) => r.id === 'm150')?.space).toBe('work');
  });

  it('a small write moves each row in place, the same order', () => {
    const set = new RowSet(Array.from({ length: 50 }, (_, i) => toRow(record(i + 1))), 1);
    set.apply({ delete: ['m3'], put: [record(60), record(4, { metadata: { pinned: true } })] });
    const again = new RowSet([...set.byId.values()], 2);
    expect(labels(set)).toEqual(labels(again));
  });
});

describe('MemoryRows', () => {
  it('after a write into a small store with no saved rows, holds the rows and keeps them current', async () => {
    const store = new InMemoryStore();
    const rows = new MemoryRows(store, { saveDelayMs: null });
    const write = async (put: MemoryRecord[]): Promise<void> => {
      await store.write({ put });
      rows.observe({ put });
    };
    await write([record(1), record(2)]);
    await expect.poll(() => rows.peek()?.sorted.length ?? null).toBe(2);
    // An import's chunks, applied as they land: never read again.
    const list = store.list.bind(store);
    let reads = 0;
    store.list = (...args) => {
      reads++;
      return list(...args);
    };
    for (let c = 0; c < 5; c++) await write(Array.from({ length: 200 }, (_, i) => record(100 + c * 200 + i)));
    const held = await rows.rows();
    expect(held.sorted.length).toBe(1002);
    expect(reads).toBe(0);
    expect(held.revision).toBe(await store.revision());
  });
});

describe('the saved head of the list', () => {
  it('answers a new worker’s first page as its rows would, and stands aside once stale (a write, an expiry)', async () => {
    const embedder = bundledEmbedder();
    await embedder.load();
    const s = managerSetup(embedder);
    for (let i = 0; i < 12; i++) await s.remember(`My friend number ${i} lives in town ${i}`);
    const session = await s.remember('Today we plan the offsite', { runId: 'chat', sessionTtlMs: 3_600_000 });
    await s.rows.rows();
    expect(await s.rows.save()).toBe(true);
    expect(await s.store.getSetting(HEAD_KEY)).toMatchObject({ total: 13, ids: expect.any(Array) as unknown });
    const before = await s.manager.page({ filter: {}, offset: 0, limit: 5 });

    // A new worker: its rows not read yet.
    const fresh = () => {
      const rows = new MemoryRows(s.store, { saveDelayMs: null });
      return { rows, manager: createMemoryManager({ ...s, rows, ready: Promise.resolve(), now: s.now }) };
    };
    const next = fresh();
    expect(await next.rows.head(s.now())).not.toBeNull();
    expect(await next.manager.page({ filter: {}, offset: 0, limit: 5 })).toEqual(before);

    // Past the session memory's end, the head is stale: the rows answer, without it.
    s.advance(2 * 3_600_000);
    const later = fresh();
    expect(await later.rows.head(s.now())).toBeNull();
    const page = await later.manager.page({ filter: {}, offset: 0, limit: 20 });
    expect(page.total).toBe(12);
    expect(page.items.map((m) => m.id)).not.toContain(session);

    // After a write, the head is stale too.
    await s.remember('I live in Berlin');
    expect(await fresh().rows.head(s.now())).toBeNull();
  });
});
