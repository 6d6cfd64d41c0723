// @vitest-environment node
/**
 * Bulk forgetting with undo (issue 15), with the real engine (bundled model, Dexie on
 * fake-indexeddb): "all that match" a filter forgotten through the engine, then put back exactly
 * (record, vectors, history, the injection log's texts) and searched and recalled again; too late,
 * nothing comes back; nothing forgotten is kept on disk meanwhile; thousands at once in one write;
 * and the handlers as the popup calls them.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { InjectionLog } from '../../src/background/injection-log';
import { UndoShelf } from '../../src/background/manager/bulk-delete';
import { contentScriptSites, type SenderInfo } from '../../src/background/senders';
import { parseControl } from '../../src/core/control';
import { DEFAULT_USER, type MemoryRecord } from '../../src/core/types';
import type { EngramDatabase } from '../../src/db/schema';
import { UNDO_WINDOW_MS, type ProtocolMap } from '../../src/messaging/protocol';
import { testEngine } from '../support/engine';
import { bundledEmbedder } from '../support/model';
import { managerSetup } from '../support/manager';

type Listener = (message: { data: unknown; sender: SenderInfo }) => unknown;
const listeners = new Map<string, Listener>();

vi.mock('../../src/messaging/protocol', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../src/messaging/protocol')>();
  return {
    ...actual,
    onMessage: (type: string, listener: Listener) => {
      listeners.set(type, listener);
      return () => listeners.delete(type);
    },
  };
});

const embedder = bundledEmbedder();
beforeAll(async () => {
  await embedder.load();
});

const setup = () => managerSetup(embedder);

/** Every table the forgetting touches, as it is (sorted, so two reads compare). */
async function tables(db: EngramDatabase) {
  const byKey = <T>(key: (t: T) => string | number) => (a: T, b: T) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0);
  return {
    memories: (await db.memories.toArray()).sort(byKey((m) => m.id)),
    vectors: (await db.vectors.toArray()).sort(byKey((v) => `${v.model}|${v.memoryId}`)),
    history: (await db.history.toArray()).sort(byKey((h) => h.id ?? 0)),
    injections: (await db.injections.toArray()).sort(byKey((r) => r.id ?? 0)),
  };
}

/** Every row of every table, as text (typed arrays byte by byte). */
async function everything(db: EngramDatabase): Promise<string> {
  const parts: string[] = [];
  for (const table of db.tables) {
    for (const row of await table.toArray()) {
      parts.push(JSON.stringify(row, (_key, value: unknown) => (ArrayBuffer.isView(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('latin1') : value)));
    }
  }
  return parts.join('\n');
}

const ME = { user_id: DEFAULT_USER };

describe('deleteMemories, then undoDelete', () => {
  it('forgets all that match a filter, and puts every one back exactly: searched and recalled again', async () => {
    const s = setup();
    const berlin = await s.remember('I live in Berlin', { site: 'chatgpt', space: 'home', conversationId: 'c1' });
    const max = await s.remember('My dog is called Max', { site: 'chatgpt' });
    const vegetarian = await s.remember("I'm vegetarian", { site: 'claude' });
    await s.memory.update(max, 'My dog is called Maximilian');
    await s.memory.setMetadata(berlin, { pinned: true });
    await s.log.record({ at: s.now(), site: 'chatgpt', conversationId: 'c1', mode: 'automatic', memories: [{ id: berlin, text: 'I live in Berlin' }, { id: vegetarian, text: "I'm vegetarian" }] });
    // A memory merged into Berlin earlier: its history goes (textless) with Berlin, and comes back with it.
    await s.store.write({ history: [{ memoryId: 'merged-away', event: 'UPDATE', oldText: 'I live in Munich', newText: null, at: s.now(), mergedInto: berlin }] });
    const before = await tables(s.db);
    const listBefore = await s.manager.page({ filter: {}, offset: 0, limit: 10 });

    const { deleted, undo } = await s.manager.deleteMemories({ filter: { site: 'chatgpt' } });
    expect(deleted).toBe(2);
    expect(undo).toEqual(expect.any(String));
    expect((await s.manager.page({ filter: {}, offset: 0, limit: 10 })).items.map((m) => m.id)).toEqual([vegetarian]);
    // Forgotten as one delete forgets: nothing of what they said is on disk, not even for the undo.
    const disk = await everything(s.db);
    for (const word of ['Berlin', 'Maximilian', 'Max', 'Munich']) expect(disk).not.toContain(word);
    expect((await s.memory.search('Berlin', { filters: ME, threshold: 0 })).results.map((r) => r.id)).not.toContain(berlin);

    await expect(s.manager.undoDelete(undo)).resolves.toEqual({ restored: 2 });
    // Every field, vector, history entry and logged text as it was; the "forgotten" entries gone.
    expect(await tables(s.db)).toEqual(before);
    const listAfter = await s.manager.page({ filter: {}, offset: 0, limit: 10 });
    expect([listAfter.total, listAfter.items]).toEqual([listBefore.total, listBefore.items]);
    expect(listAfter.revision).toBeGreaterThan(listBefore.revision);
    expect((await s.memory.search('Berlin', { filters: ME, threshold: 0 })).results[0]?.id).toBe(berlin);
    const { memories } = await s.memory.recall('Where do I live?', { filters: ME, noteUse: false });
    expect(memories.map((m) => m.id)).toContain(berlin);
    expect((await s.manager.facets()).sites).toEqual([
      { site: 'chatgpt', count: 2 },
      { site: 'claude', count: 1 },
    ]);
    // Once only.
    await expect(s.manager.undoDelete(undo)).resolves.toEqual({ restored: 0 });
  });

  it('puts nothing back after the undo window, nor for an unknown token', async () => {
    const s = setup();
    const berlin = await s.remember('I live in Berlin', { site: 'chatgpt' });
    const { undo } = await s.manager.deleteMemories({ ids: [berlin, 'no-such-memory'] });
    s.advance(UNDO_WINDOW_MS + 1);
    await expect(s.manager.undoDelete(undo)).resolves.toEqual({ restored: 0 });
    await expect(s.manager.undoDelete('not-a-token')).resolves.toEqual({ restored: 0 });
    expect(await s.memory.get(berlin)).toBeNull();
    // A selection with nothing left to forget forgets nothing and offers no undo.
    await expect(s.manager.deleteMemories({ ids: [berlin] })).resolves.toEqual({ deleted: 0, undo: null });
  });

  it('forgets thousands in one write, and puts them back (a timing print)', async () => {
    const s = setup();
    const dims = (await embedder.embed('x')).length;
    const labels = await s.store.allocateLabels(1000);
    const records: MemoryRecord[] = labels.map((label, i) => ({
      id: `bulk-${i}`,
      label,
      text: `bulk fact number ${i}`,
      hash: `bulk-${i}`,
      userId: DEFAULT_USER,
      agentId: null,
      runId: null,
      space: i % 2 ? 'work' : null,
      site: 'chatgpt',
      conversationId: null,
      sourceTurnIds: [],
      saidAt: i,
      categories: [],
      metadata: {},
      createdAt: i,
      updatedAt: i,
      expiresAt: null,
    }));
    await s.store.write({
      put: records,
      vectors: records.map((m) => ({ memoryId: m.id, model: embedder.modelId, label: m.label, vector: new Float32Array(dims).fill(1 / Math.sqrt(dims)) })),
      history: records.map((m) => ({ memoryId: m.id, event: 'ADD' as const, oldText: null, newText: m.text, at: 1 })),
    });
    await s.remember('I live in Berlin');
    const before = await tables(s.db);
    let t = performance.now();
    const { deleted, undo } = await s.manager.deleteMemories({ filter: { site: 'chatgpt' } });
    const forget = performance.now() - t;
    expect(deleted).toBe(1000);
    expect(await s.db.memories.count()).toBe(1);
    t = performance.now();
    await expect(s.manager.undoDelete(undo)).resolves.toEqual({ restored: 1000 });
    const restore = performance.now() - t;
    console.log(`[manager] fake-indexeddb: forgot 1,000 memories in ${forget.toFixed(0)} ms, put them back in ${restore.toFixed(0)} ms`);
    expect(await tables(s.db)).toEqual(before);
    expect((await s.manager.page({ filter: { space: 'work' }, offset: 0, limit: 0 })).total).toBe(500);
  });
});

describe('UndoShelf', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('drops a copy when its window ends, even if nobody asks', () => {
    vi.useFakeTimers();
    const shelf = new UndoShelf(Date.now);
    const token = shelf.keep({ records: [], vectors: [], history: [], lastHistoryId: 0, injections: new Map() });
    expect(shelf.size).toBe(1);
    vi.advanceTimersByTime(UNDO_WINDOW_MS + 1);
    expect(shelf.size).toBe(0);
    expect(shelf.take(token)).toBeNull();
  });
});

const EXT = { id: 'engramid', origin: 'chrome-extension://engramid' };
const SITES = contentScriptSites({ content_scripts: [{ matches: ['https://chatgpt.com/*'], js: ['content-scripts/chatgpt.js'] }] });
const popup: SenderInfo = { id: EXT.id, url: 'chrome-extension://engramid/popup.html' };
const chatgptTab: SenderInfo = { id: EXT.id, url: 'https://chatgpt.com/c/123', tab: { id: 7 }, frameId: 0 };

describe('the background’s handlers', () => {
  it('answer the manager’s pages, refuse content scripts, and "Forget everything" drops every undo', async () => {
    listeners.clear();
    const engine = testEngine({ embedder });
    const log = new InjectionLog(engine.db);
    const { registerHandlers } = await import('../../src/background/register-handlers');
    registerHandlers({ ...engine, embedder, ready: Promise.resolve(), log, control: () => Promise.resolve(parseControl({})) } as never, { extension: EXT, sites: SITES });
    const call = <K extends keyof ProtocolMap>(type: K, sender: SenderInfo, data?: unknown) =>
      Promise.resolve().then(() => listeners.get(type)!({ data, sender })) as Promise<ReturnType<ProtocolMap[K]>>;
    for (const text of ['I live in Berlin', 'My dog is called Max']) await engine.memory.add(text, { userId: DEFAULT_USER, infer: false, site: 'chatgpt' });

    const page = await call('memoryPage', popup, { filter: { site: 'chatgpt' }, offset: 0, limit: 10 });
    expect(page.items.map((m) => m.text)).toEqual(['My dog is called Max', 'I live in Berlin']);
    await expect(call('memoryPage', chatgptTab, { filter: {}, offset: 0, limit: 10 })).rejects.toThrow(/not answered/);
    await expect(call('memoryPage', popup, { filter: { site: 'nowhere' }, offset: 0, limit: 10 })).rejects.toThrow(/refused/);
    expect((await call('memoryFacets', popup)).total).toBe(2);

    const { undo } = await call('deleteMemories', popup, { ids: [page.items[0]!.id] });
    await expect(call('undoDelete', popup, undo)).resolves.toEqual({ restored: 1 });
    const again = await call('deleteMemories', popup, { filter: { text: 'Max' } });
    expect(again.deleted).toBeGreaterThanOrEqual(1);
    await call('forgetEverything', popup);
    await expect(call('undoDelete', popup, again.undo)).resolves.toEqual({ restored: 0 });
    expect((await call('memoryPage', popup, { filter: {}, offset: 0, limit: 10 })).total).toBe(0);
  });
});
