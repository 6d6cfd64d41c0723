// @vitest-environment node
/**
 * The memory manager's list (issue 15), with the real engine (bundled model, Dexie on
 * fake-indexeddb): pages of the rows in order (pinned first, then newest first), every filter,
 * a search with filters, facets, one memory's detail, the rows kept in step with writes and saved
 * for the next worker, malformed payloads refused; and a timing print of the rows at 100,000.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { MemoryRows, ROWS_KEY, RowSet, toRow, listed, type Row } from '../../src/background/manager/memory-rows';
import { rowTest } from '../../src/background/manager/filter';
import { DEFAULT_USER, type MemoryFilter, type MemoryRecord, type MemoryView } from '../../src/core/types';
import { MAX_PAGE_SIZE } from '../../src/messaging/protocol';
import { InMemoryStore } from '../../src/adapters/in-memory-store';
import { freshDb, testEngine } from '../support/engine';
import { bundledEmbedder } from '../support/model';
import { managerSetup } from '../support/manager';

const embedder = bundledEmbedder();
beforeAll(async () => {
  await embedder.load();
});

const setup = () => managerSetup(embedder);

/** Six memories of the user's, one waiting for consent; "vegetarian" pinned. */
async function sixMemories(s: ReturnType<typeof setup>) {
  const berlin = await s.remember('I live in Berlin', { site: 'chatgpt', space: 'home', conversationId: 'abc-123' });
  const vegetarian = await s.remember("I'm vegetarian", { site: 'claude' });
  const max = await s.remember('My dog is called Max', { site: 'chatgpt', space: 'home/pets' });
  const atlas = await s.remember('I work at Atlas as a designer', { space: 'work/atlas' });
  const tennis = await s.remember('I play tennis on Sundays', { site: 'chatgpt', agentId: 'coach' });
  const priya = await s.remember('My sister Priya lives in Lisbon', { site: 'claude', runId: 'trip' });
  await s.remember('I collect stamps', { site: 'chatgpt', metadata: { pending: true } });
  await s.memory.setMetadata(vegetarian, { pinned: true });
  return { berlin, vegetarian, max, atlas, tennis, priya };
}

const ids = (items: readonly MemoryView[]): string[] => items.map((m) => m.id);

describe('memoryPage', () => {
  it('lists pinned first, then newest first, a window at a time, without memories waiting for consent', async () => {
    const s = setup();
    const m = await sixMemories(s);
    const first = await s.manager.page({ filter: {}, offset: 0, limit: 2 });
    expect(first.total).toBe(6);
    expect(ids(first.items)).toEqual([m.vegetarian, m.priya]);
    expect(ids((await s.manager.page({ filter: {}, offset: 2, limit: 3 })).items)).toEqual([m.tennis, m.atlas, m.max]);
    expect(ids((await s.manager.page({ filter: {}, offset: 5, limit: MAX_PAGE_SIZE })).items)).toEqual([m.berlin]);
    expect((await s.manager.page({ filter: {}, offset: 0, limit: 0 })).items).toEqual([]);
    // Each row says where it came from, where it is filed and whose it is.
    expect(first.items[0]).toMatchObject({ text: "I'm vegetarian", site: 'claude', pinned: true, space: null, scope: 'user', categories: ['diet'] });
    expect(first.items[1]).toMatchObject({ text: 'My sister Priya lives in Lisbon', scope: 'session', categories: ['location', 'family'] });
    const berlin = (await s.manager.page({ filter: {}, offset: 5, limit: 1 })).items[0];
    expect(berlin).toMatchObject({ space: 'home', conversationId: 'abc-123', site: 'chatgpt', expiresAt: null });
    expect(typeof berlin?.updatedAt).toBe('number');
  });

  it('filters by site, space (and those under it), scope, category, date and pinned, alone or together', async () => {
    const s = setup();
    const m = await sixMemories(s);
    const listed = async (filter: MemoryFilter): Promise<string[]> => ids((await s.manager.page({ filter, offset: 0, limit: 100 })).items);
    expect(await listed({ site: 'chatgpt' })).toEqual([m.tennis, m.max, m.berlin]);
    expect(await listed({ site: 'none' })).toEqual([m.atlas]);
    expect(await listed({ space: 'home' })).toEqual([m.max, m.berlin]);
    expect(await listed({ space: 'home/pets' })).toEqual([m.max]);
    expect(await listed({ space: 'work' })).toEqual([m.atlas]);
    expect(await listed({ space: '' })).toEqual([m.vegetarian, m.priya, m.tennis]);
    expect(await listed({ scope: 'agent' })).toEqual([m.tennis]);
    expect(await listed({ scope: 'session' })).toEqual([m.priya]);
    expect(await listed({ scope: 'user' })).toEqual([m.vegetarian, m.atlas, m.max, m.berlin]);
    expect(await listed({ category: 'location' })).toEqual([m.priya, m.berlin]);
    const created = async (id: string): Promise<number> => Date.parse((await s.memory.get(id))!.createdAt);
    expect(await listed({ from: await created(m.atlas), to: await created(m.priya) })).toEqual([m.tennis, m.atlas]);
    expect(await listed({ pinned: true })).toEqual([m.vegetarian]);
    expect(await listed({ pinned: false })).toEqual([m.priya, m.tennis, m.atlas, m.max, m.berlin]);
    expect(await listed({ site: 'chatgpt', scope: 'user', space: 'home' })).toEqual([m.max, m.berlin]);
    expect((await s.manager.page({ filter: { site: 'gemini' }, offset: 0, limit: 10 })).total).toBe(0);
  });

  it('a search ranks memories naming its words first (marked), then applies the other filters', async () => {
    const s = setup();
    const m = await sixMemories(s);
    const found = await s.manager.page({ filter: { text: 'Berlin' }, offset: 0, limit: 10 });
    expect(found.items[0]).toMatchObject({ id: m.berlin, matched: true });
    expect(found.total).toBe(found.items.length);
    // The same search on Claude only: Berlin was said on ChatGPT.
    const onClaude = await s.manager.page({ filter: { text: 'Berlin', site: 'claude' }, offset: 0, limit: 10 });
    expect(ids(onClaude.items)).not.toContain(m.berlin);
    expect(onClaude.items.every((v) => v.site === 'claude' && v.matched === false)).toBe(true);
    const max = await s.manager.page({ filter: { text: 'Max', space: 'home' }, offset: 0, limit: 10 });
    expect(max.items[0]).toMatchObject({ id: m.max, matched: true });
    expect(max.items.every((v) => v.space?.startsWith('home'))).toBe(true);
    // Paged like any list: the second window continues the first.
    const all = await s.manager.page({ filter: { text: 'Where do I live?' }, offset: 0, limit: 10 });
    const second = await s.manager.page({ filter: { text: 'Where do I live?' }, offset: 1, limit: 10 });
    expect(ids(second.items)).toEqual(ids(all.items).slice(1));
    // A blank search is no search.
    expect((await s.manager.page({ filter: { text: '   ' }, offset: 0, limit: 10 })).total).toBe(6);
  });

  it('keeps up with every write: a new memory, a pin, an edit and a forget, each with a later revision', async () => {
    const s = setup();
    const m = await sixMemories(s);
    const before = await s.manager.page({ filter: {}, offset: 0, limit: 10 });
    const sushi = await s.remember('I love sushi', { site: 'gemini' });
    const after = await s.manager.page({ filter: {}, offset: 0, limit: 10 });
    expect(after.revision).toBeGreaterThan(before.revision);
    expect(ids(after.items)).toEqual([m.vegetarian, sushi, m.priya, m.tennis, m.atlas, m.max, m.berlin]);
    await s.memory.setMetadata(m.berlin, { pinned: true });
    expect(ids((await s.manager.page({ filter: { pinned: true }, offset: 0, limit: 10 })).items)).toEqual([m.vegetarian, m.berlin]);
    await s.memory.update(m.max, 'My dog is called Rex');
    expect((await s.manager.page({ filter: { space: 'home/pets' }, offset: 0, limit: 1 })).items[0]).toMatchObject({ text: 'My dog is called Rex' });
    await s.memory.delete(m.tennis);
    const last = await s.manager.page({ filter: {}, offset: 0, limit: 10 });
    expect(ids(last.items)).not.toContain(m.tennis);
    expect(last.total).toBe(6);
    // Everything the rows know matches a read of the store.
    const fresh = await new MemoryRows(s.store, { saveDelayMs: null }).rows();
    expect((await s.rows.rows()).sorted).toEqual(fresh.sorted);
  });
});

describe('memoryFacets', () => {
  it('counts the sites, spaces (with those under them), categories and scopes in use', async () => {
    const s = setup();
    await sixMemories(s);
    const facets = await s.manager.facets();
    expect(facets.total).toBe(6);
    expect(facets.sites).toEqual([
      { site: 'chatgpt', count: 3 },
      { site: 'claude', count: 2 },
      { site: 'none', count: 1 },
    ]);
    expect(facets.spaces).toEqual([
      { space: '', count: 3 },
      { space: 'home', count: 2 },
      { space: 'home/pets', count: 1 },
      { space: 'work', count: 1 },
      { space: 'work/atlas', count: 1 },
    ]);
    expect(facets.categories).toEqual([
      { category: 'location', count: 2 },
      { category: 'activity', count: 1 },
      { category: 'diet', count: 1 },
      { category: 'family', count: 1 },
      { category: 'pets', count: 1 },
      { category: 'work', count: 1 },
    ]);
    expect(facets.scopes).toEqual([
      { scope: 'user', count: 4 },
      { scope: 'agent', count: 1 },
      { scope: 'session', count: 1 },
    ]);
  });
});

describe('memoryDetail', () => {
  it('shows an edited memory’s history oldest first, where it was injected, and a link to its conversation', async () => {
    const s = setup();
    const m = await sixMemories(s);
    await s.memory.update(m.berlin, 'I live in Berlin, Kreuzberg');
    await s.log.record({ at: s.now(), site: 'chatgpt', conversationId: 'abc-123', mode: 'review', memories: [{ id: m.berlin, text: 'I live in Berlin, Kreuzberg' }] });
    const detail = await s.manager.detail(m.berlin);
    expect(detail.memory).toMatchObject({ id: m.berlin, text: 'I live in Berlin, Kreuzberg', space: 'home' });
    expect(detail.history.map((h) => [h.event, h.oldText, h.newText])).toEqual([
      ['ADD', null, 'I live in Berlin'],
      ['UPDATE', 'I live in Berlin', 'I live in Berlin, Kreuzberg'],
    ]);
    expect(detail.injections).toHaveLength(1);
    expect(detail.injections[0]).toMatchObject({ site: 'chatgpt', mode: 'review', memories: [{ id: m.berlin, text: 'I live in Berlin, Kreuzberg' }] });
    expect(detail.conversationUrl).toBe('https://chatgpt.com/c/abc-123');
    // No conversation, no link.
    expect((await s.manager.detail(m.atlas)).conversationUrl).toBeNull();
    await s.memory.delete(m.atlas);
    await expect(s.manager.detail(m.atlas)).rejects.toThrow(/no such memory/);
  });
});

describe('malformed payloads', () => {
  it('are refused, saying what is wrong', async () => {
    const s = setup();
    await sixMemories(s);
    const page = (request: unknown) => s.manager.page(request);
    await expect(page(null)).rejects.toThrow(/malformed memoryPage was refused/);
    await expect(page({ filter: {}, offset: -1, limit: 10 })).rejects.toThrow(/offset/);
    await expect(page({ filter: {}, offset: 0, limit: MAX_PAGE_SIZE + 1 })).rejects.toThrow(/limit/);
    await expect(page({ filter: {}, offset: 0.5, limit: 10 })).rejects.toThrow(/offset/);
    await expect(page({ filter: { site: 'myspace' }, offset: 0, limit: 10 })).rejects.toThrow(/filter\.site/);
    await expect(page({ filter: { colour: 'red' }, offset: 0, limit: 10 })).rejects.toThrow(/filter\.colour is no filter/);
    await expect(page({ filter: { space: 'home//pets' }, offset: 0, limit: 10 })).rejects.toThrow(/filter\.space/);
    await expect(page({ filter: { from: 'yesterday' }, offset: 0, limit: 10 })).rejects.toThrow(/filter\.from/);
    await expect(page({ filter: { pinned: 'yes' }, offset: 0, limit: 10 })).rejects.toThrow(/filter\.pinned/);
    await expect(page({ filter: { scope: 'team' }, offset: 0, limit: 10 })).rejects.toThrow(/filter\.scope/);
    await expect(page({ filter: { text: 42 }, offset: 0, limit: 10 })).rejects.toThrow(/filter\.text/);
    await expect(s.manager.detail(42)).rejects.toThrow(/malformed memoryDetail/);
    await expect(s.manager.deleteMemories({ ids: 'all' })).rejects.toThrow(/malformed deleteMemories.*ids/);
    await expect(s.manager.deleteMemories({ ids: [], filter: {} })).rejects.toThrow(/not both/);
    await expect(s.manager.deleteMemories({ filter: { site: 'x' } })).rejects.toThrow(/filter\.site/);
    await expect(s.manager.undoDelete(5)).rejects.toThrow(/malformed undoDelete/);
    await expect(s.manager.moveMemories({ selection: { ids: [] }, space: 'work/' })).rejects.toThrow(/malformed moveMemories.*space/);
    await expect(s.manager.moveMemories({ space: 'work' })).rejects.toThrow(/malformed moveMemories.*selection/);
    await expect(s.manager.createSpace('')).rejects.toThrow(/malformed createSpace/);
    await expect(s.manager.createSpace('a/b/c/d/e/f')).rejects.toThrow(/at most 5 levels/);
    await expect(s.manager.createSpace('x'.repeat(61))).rejects.toThrow(/malformed createSpace/);
    await expect(s.manager.renameSpace({ from: 'home', to: '/' })).rejects.toThrow(/malformed renameSpace/);
    await expect(s.manager.renameSpace({ from: 'nowhere', to: 'somewhere' })).rejects.toThrow(/no space “nowhere”/);
    await expect(s.manager.deleteSpace(['home'])).rejects.toThrow(/malformed deleteSpace/);
    // Nothing changed.
    expect((await s.manager.page({ filter: {}, offset: 0, limit: 0 })).total).toBe(6);
  });
});

describe('the rows', () => {
  it('are saved for the next worker, which starts from them without reading every memory', async () => {
    const s = setup();
    const m = await sixMemories(s);
    const now = (await s.rows.rows()).sorted;
    expect(await s.rows.save()).toBe(true);
    // A new worker: nothing written since, so the saved rows are the store's.
    const readAll = vi.fn(() => s.store.list());
    const next = new MemoryRows(s.store, { readAll, saveDelayMs: null });
    expect((await next.rows()).sorted).toEqual(now);
    expect(readAll).not.toHaveBeenCalled();

    // Another worker sees a write before anyone asks: the saved rows, with that write replayed.
    const seeing = new MemoryRows(s.store, { readAll, saveDelayMs: 60_000 });
    s.observers.push((change) => {
      seeing.observe(change);
    });
    const sushi = await s.remember('I love sushi');
    await s.memory.delete(m.tennis);
    const seen = await seeing.rows();
    expect(readAll).not.toHaveBeenCalled();
    expect(seen.sorted.map((r) => r.id)).toEqual([m.vegetarian, sushi, m.priya, m.atlas, m.max, m.berlin]);

    // A worker that did not see those writes: the saved rows are stale, so it reads the store.
    const late = new MemoryRows(s.store, { readAll, saveDelayMs: null });
    expect((await late.rows()).sorted).toEqual(seen.sorted);
    expect(readAll).toHaveBeenCalledTimes(1);

    // "Forget everything": the saved rows go too.
    await s.rows.drop();
    expect(await s.store.getSetting(ROWS_KEY)).toBeNull();
  });

  it('hold no text', async () => {
    const s = setup();
    await sixMemories(s);
    await s.rows.rows();
    await s.rows.save();
    const saved = JSON.stringify(await s.store.getSetting(ROWS_KEY));
    for (const word of ['Berlin', 'vegetarian', 'Max', 'Atlas', 'tennis', 'Priya', 'stamps']) expect(saved).not.toContain(word);
  });

  it('apply a write in place, and re-sort after a big one', () => {
    const record = (i: number, extra: Partial<MemoryRecord> = {}): MemoryRecord => syntheticRecord(i, extra);
    const set = new RowSet([1, 2, 3, 4].map((i) => toRow(record(i))), 1);
    expect(set.sorted.map((r) => r.label)).toEqual([4, 3, 2, 1]);
    set.apply({ put: [record(2, { metadata: { pinned: true } })], delete: ['m3'] });
    expect(set.sorted.map((r) => r.label)).toEqual([2, 4, 1]);
    set.apply({ put: [record(5), record(1, { metadata: { pending: true } })] });
    expect(set.sorted.map((r) => r.label)).toEqual([2, 5, 4]);
    set.apply({ put: Array.from({ length: 400 }, (_, i) => record(10 + i)) });
    expect(set.sorted.length).toBe(403);
    expect(set.sorted[0]!.label).toBe(2);
    expect(set.sorted[1]!.label).toBe(409);
  });
});

const SITES = ['chatgpt', 'claude', 'gemini', null] as const;
const CATEGORIES = [['location'], ['diet'], ['work'], ['family', 'location'], []];

function syntheticRecord(i: number, extra: Partial<MemoryRecord> = {}): MemoryRecord {
  return {
    id: `m${i}`,
    label: i,
    text: `fact number ${i}`,
    hash: `h${i}`,
    userId: DEFAULT_USER,
    agentId: i % 17 === 0 ? 'coach' : null,
    runId: null,
    space: i % 3 === 0 ? `work/p${i % 10}` : null,
    site: SITES[i % SITES.length]!,
    conversationId: `c${i % 500}`,
    sourceTurnIds: [],
    saidAt: 1_700_000_000_000 + i * 1000,
    categories: CATEGORIES[i % CATEGORIES.length]!,
    metadata: i % 1000 === 0 ? { pinned: true } : {},
    createdAt: 1_700_000_000_000 + i * 1000,
    updatedAt: 1_700_000_000_000 + i * 1000,
    expiresAt: null,
    ...extra,
  };
}

describe('at 100,000 memories (a timing print, not an assertion)', () => {
  it('builds the rows, filters them and pages them', () => {
    const records = Array.from({ length: 100_000 }, (_, i) => syntheticRecord(i + 1));
    let t = performance.now();
    const set = new RowSet(records.filter(listed).map(toRow), 1);
    const build = performance.now() - t;
    const now = Date.now();
    t = performance.now();
    const test = rowTest({ site: 'chatgpt', category: 'location', space: 'work' }, now);
    const matching: Row[] = set.sorted.filter(test);
    const window = matching.slice(100, 150);
    const filter = performance.now() - t;
    t = performance.now();
    set.apply({ delete: [matching[3]!.id] });
    const forgetOne = performance.now() - t;
    t = performance.now();
    set.apply({ put: [syntheticRecord(200_001)] });
    const addOne = performance.now() - t;
    console.log(
      `[manager] 100k rows: build ${build.toFixed(0)} ms; filter+page ${filter.toFixed(1)} ms (${matching.length} match, ${window.length} shown); ` +
        `forget one ${forgetOne.toFixed(2)} ms; add one ${addOne.toFixed(2)} ms`,
    );
    expect(set.sorted.length).toBe(100_000);
  });

  it('saves the rows and starts a new worker from them', async () => {
    const records = Array.from({ length: 100_000 }, (_, i) => syntheticRecord(i + 1));
    const store = new InMemoryStore();
    const rows = new MemoryRows(store, { readAll: () => Promise.resolve(records), saveDelayMs: null });
    await rows.rows();
    let t = performance.now();
    await rows.save();
    const save = performance.now() - t;
    t = performance.now();
    const copy = structuredClone(await store.getSetting(ROWS_KEY)); // what IndexedDB does to it, both ways
    const clone = performance.now() - t;
    store.settings.set(ROWS_KEY, copy!);
    t = performance.now();
    const next = await new MemoryRows(store, { readAll: () => Promise.reject(new Error('not read')), saveDelayMs: null }).rows();
    const load = performance.now() - t;
    console.log(`[manager] 100k rows saved: encode ${save.toFixed(0)} ms, structured clone ${clone.toFixed(0)} ms, decode ${load.toFixed(0)} ms; ${(JSON.stringify(copy).length / 1e6).toFixed(1)} MB as JSON`);
    expect(next.sorted).toEqual((await rows.rows()).sorted);
  });

  it('reads 10,000 memories from fake-indexeddb, or their saved rows', async () => {
    const db = freshDb();
    const { store } = testEngine({ db, embedder });
    await store.write({ put: Array.from({ length: 10_000 }, (_, i) => syntheticRecord(i + 1, { context: 'some words around the fact '.repeat(8) })) });
    const rows = new MemoryRows(store, { readAll: () => import('../../src/background/manager/memory-rows').then((m) => m.readMemories(db)), saveDelayMs: null });
    let t = performance.now();
    await rows.rows();
    const read = performance.now() - t;
    await rows.save();
    t = performance.now();
    const next = await new MemoryRows(store, { readAll: () => Promise.reject(new Error('not read')), saveDelayMs: null }).rows();
    const saved = performance.now() - t;
    console.log(`[manager] fake-indexeddb, 10k memories: every record ${read.toFixed(0)} ms; saved rows ${saved.toFixed(0)} ms`);
    expect(next.sorted.length).toBe(10_000);
  });
});
