// @vitest-environment node
/**
 * memory.addMany: bulk adds (imports) store exactly what adding the items one by one would —
 * memories, vectors, history, provenance, labels — in one transaction per chunk, skip bad items,
 * report progress, stop between chunks on abort or a store failure, and let searches and other
 * writes run while they go on. On the real bundled model and real Dexie (on fake-indexeddb).
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { DexieMemoryStore, StorageFullError } from '../../src/adapters/dexie-store';
import { exactIndexFactory } from '../../src/adapters/exact-index';
import { hnswIndexFactory } from '../../src/adapters/hnsw-index';
import { RuleBasedExtractor } from '../../src/adapters/rule-based-extractor';
import type { EngramDatabase } from '../../src/db/schema';
import { HNSW_CROSSOVER } from '../../src/engine/config';
import { addManyProgress, Memory, type AddManyInput, type AddManyOptions, type AddManyProgress, type AddedItem } from '../../src/engine/memory';
import { VectorSearch } from '../../src/engine/vector-search';
import { mulberry32 } from '../../src/engine/random';
import type { ChatMessage } from '../../src/ports/extractor';
import { freshDb } from '../support/engine';
import { bundledEmbedder } from '../support/model';

const embedder = bundledEmbedder();
const T0 = Date.UTC(2026, 10, 23, 12);
const DAY = 86_400_000;
const ME = { user_id: 'me' };

beforeAll(async () => {
  await embedder.load();
});

/**
 * An engine whose ids, labels and clock are deterministic (the clock ticks at every reading), so
 * two engines given the same adds end with byte-identical stores.
 */
function engine({ hnsw = true, fixedClock = false }: { hnsw?: boolean; fixedClock?: boolean } = {}) {
  const db = freshDb();
  const store = new DexieMemoryStore(db);
  const vectors = new VectorSearch(store, { exact: exactIndexFactory, ...(hnsw ? { hnsw: hnswIndexFactory } : {}), crossover: HNSW_CROSSOVER, saveDelayMs: 10 });
  let clock = T0;
  let ids = 0;
  const memory = new Memory({
    engine: {
      store,
      embedder,
      extractor: new RuleBasedExtractor(),
      vectors,
      now: () => (fixedClock ? clock : clock++),
      newId: () => `m${String(++ids).padStart(5, '0')}`,
    },
  });
  return { memory, db, store, vectors };
}

/** Everything the store holds, in a comparable form (revision counters aside: fewer writes is the point). */
async function dump(db: EngramDatabase) {
  const byId = <T extends { memoryId?: string; id?: unknown }>(a: T, b: T): number => String(a.memoryId ?? a.id).localeCompare(String(b.memoryId ?? b.id));
  return {
    memories: (await db.memories.toArray()).sort(byId),
    vectors: (await db.vectors.toArray()).sort(byId).map((v) => ({ ...v, vector: Array.from(v.vector) })),
    history: await db.history.orderBy('id').toArray(),
    nextLabel: (await db.settings.get('nextLabel'))?.value,
  };
}

type ItemObject = Exclude<AddManyInput, string | readonly ChatMessage[]>;
const asObject = (item: AddManyInput): ItemObject => (typeof item === 'string' || Array.isArray(item) ? { messages: item as string | readonly ChatMessage[] } : (item as ItemObject));

/** The same items through add(), one call each, in order: what addMany must equal. */
async function oneByOne(memory: Memory, items: readonly AddManyInput[], options: AddManyOptions): Promise<{ results: AddedItem[]; skipped: number[] }> {
  const results: AddedItem[] = [];
  const skipped: number[] = [];
  for (const [i, item] of items.entries()) {
    const { messages, ...own } = asObject(item);
    try {
      const added = await memory.add(messages, { ...options, ...own, metadata: { ...options.metadata, ...own.metadata } });
      results.push(...added.results);
    } catch {
      skipped.push(i);
    }
  }
  return { results, skipped };
}

const user = (content: string, id?: string): ChatMessage => (id ? { role: 'user', content, id } : { role: 'user', content });

/** Facts the rules store, repeat, UPDATE (home, job) and DELETE ("forget that …"), and items add() rejects. */
function mixedItems(): ItemObject[] {
  const said = (i: number): number => T0 - 30 * DAY + i * 3_600_000;
  const items: ItemObject[] = [
    { messages: [user('I live in Berlin', 't1')], site: 'chatgpt', conversationId: 'c1', metadata: { source: 'import' } },
    { messages: [user('i live in berlin.', 't2')] }, // NONE, with a new source turn
    { messages: "I'm vegetarian and I have a dog named Max" },
    { messages: '   ' }, // rejected by add(): blank
    { messages: [user('I moved to Lisbon', 't5')], site: 'claude', metadata: { batch: 2 } }, // UPDATE of item 1
    { messages: 'Forget that I have a dog named Max' }, // DELETE of a memory this batch added
    { messages: 'I work as a nurse' }, // UPDATE of a stored memory
    { messages: 'Forget that I have a sister named Anna' }, // DELETE of a stored memory
    { messages: 'My password is hunter2!' }, // a secret: nothing stored
    { messages: [{ role: 'assistant', content: 'What do you like to eat?' }, user('I love sushi', 't10')] },
    { messages: [user('I love sushi', 't11')] }, // NONE
    { messages: 'I moved to Porto', expirationDate: '2030-01-01' }, // UPDATE of an UPDATE
    { messages: 'I have a cat named Tom' },
    { messages: 42 as unknown as string }, // rejected by add(): not messages
    { messages: 'Forget that I love sushi' }, // DELETE of a memory this batch added and gave provenance
    { messages: 'I have a cat named Tom' }, // NONE
    { messages: 'I work as a teacher', timestamp: '2026-11-01T00:00:00Z' }, // UPDATE back (a job said again)
    { messages: 'Forget that I work as a teacher' },
    { messages: 'I have a dog named Max' }, // ADD again after its DELETE
  ];
  // Every item says when it was said, so the clock is read in the same order either way.
  return items.map((item, i) => (item.timestamp === undefined ? { ...item, saidAt: said(i) } : item));
}

/** Two engines with the same stored memories. */
async function seeded(options: Parameters<typeof engine>[0] = {}) {
  const a = engine(options);
  const b = engine(options);
  for (const e of [a, b]) {
    await e.memory.add('I work as a teacher', { userId: 'me', saidAt: T0 - 60 * DAY });
    await e.memory.add('I have a sister named Anna', { userId: 'me', saidAt: T0 - 60 * DAY });
  }
  return [a, b] as const;
}

describe('addMany stores what adding one by one stores', () => {
  it.each([1, 4, 1000])('inferred facts, chunks of %i: same results, memories, vectors, history and labels', async (chunkSize) => {
    const [one, bulk] = await seeded();
    const items = mixedItems();
    const options: AddManyOptions = { userId: 'me', metadata: { importedFrom: 'test' } };
    const expected = await oneByOne(one.memory, items, options);
    const got = await bulk.memory.addMany(items, { ...options, chunkSize });

    expect(got.results).toEqual(expected.results);
    expect(got.skippedItems.map((s) => s.index)).toEqual(expected.skipped);
    await bulk.memory.settled(); // relations follow in the background
    expect(await dump(bulk.db)).toEqual(await dump(one.db));
    // The batch really exercised the update step.
    expect(expected.results.map((r) => r.event)).toEqual(expect.arrayContaining(['ADD', 'UPDATE', 'DELETE']));
    expect(got).toMatchObject({
      total: items.length,
      done: items.length,
      skipped: 2,
      added: got.results.filter((r) => r.event === 'ADD').length,
      updated: got.results.filter((r) => r.event === 'UPDATE').length,
      deleted: got.results.filter((r) => r.event === 'DELETE').length,
    });
    expect(got.unchanged).toBeGreaterThanOrEqual(3);
    // What the user asked to forget left history, this batch's entries too.
    const texts = (await bulk.db.history.toArray()).flatMap((h) => [h.oldText, h.newText]);
    expect(texts).not.toContain('I love sushi');
    expect(texts).not.toContain('I have a sister named Anna');
    const sushi = got.results.find((r) => r.memory === 'I love sushi')!;
    expect((await bulk.memory.history(sushi.id)).map((h) => [h.action, h.previous_value, h.new_value])).toEqual([
      ['DELETE', null, null],
      ['ADD', null, null],
    ]);
  });

  it.each([1, 3, 1000])('verbatim messages (infer: false), chunks of %i', async (chunkSize) => {
    const [one, bulk] = await seeded();
    const items: AddManyInput[] = [
      { messages: 'Remind me: the launch is on Friday', saidAt: T0 - 5 * DAY },
      {
        messages: [
          { role: 'system', content: 'You are a helpful assistant.' },
          user('I live in Berlin', 'v2'),
          { role: 'assistant', content: 'Noted, launch on Friday.' },
        ],
        saidAt: T0 - 4 * DAY,
        site: 'chatgpt',
      },
      { messages: 'remind me: the launch is on friday.', saidAt: T0 - 3 * DAY }, // NONE: the same text
      { messages: 'x'.repeat(2500), saidAt: T0 - 3 * DAY }, // rejected by add(): too long to store verbatim
      { messages: 'I moved to Lisbon', saidAt: T0 - 2 * DAY }, // verbatim: stored beside Berlin
      { messages: 'Forget that I live in Berlin', saidAt: T0 - 2 * DAY }, // verbatim: stored as said
      { messages: 'My API key is sk-proj-abcdefghijklmnopqrstuvwxyz123456', saidAt: T0 - DAY }, // a secret: nothing
      { messages: [user('I work as a teacher', 'v8')], saidAt: T0 - DAY }, // NONE: already stored, new provenance
    ];
    const options: AddManyOptions = { userId: 'me', infer: false, metadata: { source: 'import' } };
    const expected = await oneByOne(one.memory, items, options);
    const got = await bulk.memory.addMany(items, { ...options, chunkSize });

    expect(got.results).toEqual(expected.results);
    expect(got.results.map((r) => r.event)).toEqual(['ADD', 'ADD', 'ADD', 'ADD', 'ADD']);
    expect(got.skippedItems.map((s) => s.index)).toEqual([3]);
    expect(got.skippedItems[0]!.error.message).toMatch(/at most 2000 characters/);
    await bulk.memory.settled(); // relations follow in the background
    expect(await dump(bulk.db)).toEqual(await dump(one.db));
  });

  it('a long random mix (repeats, moves, jobs, pets, forgets) in chunks of 7: the same store', async () => {
    // Exact index both ways (past HNSW's crossover an approximate search may differ by insertion history).
    const one = engine({ hnsw: false });
    const bulk = engine({ hnsw: false });
    const rand = mulberry32(7);
    const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
    const cities = ['Berlin', 'Lisbon', 'Porto', 'Oslo', 'Lyon', 'Kyoto'];
    const pets = ['a dog named Max', 'a cat named Tom', 'a parrot named Kiwi', 'a rabbit named Bun'];
    const jobs = ['teacher', 'nurse', 'engineer', 'designer'];
    const foods = ['sushi', 'pizza', 'ramen', 'tacos', 'curry'];
    const said = [
      () => `I live in ${pick(cities)}`,
      () => `I moved to ${pick(cities)}`,
      () => `I have ${pick(pets)}`,
      () => `Forget that I have ${pick(pets)}`,
      () => `I work as a ${pick(jobs)}`,
      () => `I love ${pick(foods)}`,
      () => `I don't like ${pick(foods)} anymore`,
      () => `Forget that I love ${pick(foods)}`,
      () => `My sister ${pick(['Anna', 'Lena', 'Mia'])} lives in ${pick(cities)}`,
      () => `I ran ${Math.floor(rand() * 12)} km on ${pick(['Monday', 'Friday'])}`,
    ];
    const items: AddManyInput[] = Array.from({ length: 160 }, (_, i) => ({
      messages: [user(pick(said)(), `r${i}`)],
      saidAt: T0 - DAY + i * 60_000,
    }));
    const expected = await oneByOne(one.memory, items, { userId: 'me' });
    const got = await bulk.memory.addMany(items, { userId: 'me', chunkSize: 7 });
    expect(got.results).toEqual(expected.results);
    expect(new Set(expected.results.map((r) => r.event))).toEqual(new Set(['ADD', 'UPDATE', 'DELETE']));
    await bulk.memory.settled(); // relations follow in the background
    expect(await dump(bulk.db)).toEqual(await dump(one.db));
  });

  it('takes strings and message arrays as items, the options giving what items do not say', async () => {
    const one = engine({ fixedClock: true });
    const bulk = engine({ fixedClock: true });
    const items: AddManyInput[] = ['I live in Berlin', [user("I'm vegetarian", 'a2')], { messages: 'I have a cat named Tom', site: 'claude', metadata: { pinned: true } }];
    const options: AddManyOptions = { userId: 'me', agentId: 'helper', site: 'chatgpt', conversationId: 'c9', space: 'home/family', metadata: { source: 'import' } };
    const expected = await oneByOne(one.memory, items, options);
    const got = await bulk.memory.addMany(items, options);
    expect(got.results).toEqual(expected.results);
    await bulk.memory.settled(); // relations follow in the background
    expect(await dump(bulk.db)).toEqual(await dump(one.db));
    const tom = await bulk.memory.get(got.results[2]!.id);
    expect(tom).toMatchObject({ site: 'claude', conversationId: 'c9', agent_id: 'helper', metadata: { source: 'import', pinned: true } });
  });
});

describe('addMany within a chunk', () => {
  it('stores a fact two items say once, with both source turns', async () => {
    const { memory, db } = engine();
    const { results, unchanged } = await memory.addMany([{ messages: [user('I live in Berlin', 'a')] }, { messages: [user('I live in Berlin!', 'b')] }], { userId: 'me' });
    expect(results.map((r) => [r.event, r.memory])).toEqual([['ADD', 'I live in Berlin']]);
    expect(unchanged).toBe(1);
    expect((await db.memories.toArray()).map((m) => [m.text, m.sourceTurnIds])).toEqual([['I live in Berlin', ['a', 'b']]]);
    expect((await db.history.toArray()).map((h) => h.event)).toEqual(['ADD']);
  });

  it('lets a later item update what an earlier one added', async () => {
    const { memory } = engine();
    const { results } = await memory.addMany(['I live in Berlin', 'I moved to Lisbon'], { userId: 'me' });
    expect(results.map((r) => [r.event, r.memory, r.metadata.previousMemory])).toEqual([
      ['ADD', 'I live in Berlin', undefined],
      ['UPDATE', 'I moved to Lisbon', 'I live in Berlin'],
    ]);
    expect(results[1]!.id).toBe(results[0]!.id);
    expect((await memory.getAll({ filters: ME })).results.map((r) => r.memory)).toEqual(['I moved to Lisbon']);
    expect((await memory.history(results[0]!.id)).map((h) => h.action)).toEqual(['UPDATE', 'ADD']);
    expect((await memory.search('Which city do I live in?', { filters: ME, topK: 1 })).results[0]?.memory).toBe('I moved to Lisbon');
  });

  it('reads the store once: no hash lookup per fact, one label allocation and one write per chunk', async () => {
    const { memory, store } = engine();
    const byHash = vi.spyOn(store, 'byHash');
    const allocate = vi.spyOn(store, 'allocateLabels');
    const write = vi.spyOn(store, 'write');
    const items = Array.from({ length: 25 }, (_, i) => `I visited museum number ${i + 1} in Rome`);
    const { added } = await memory.addMany(items, { userId: 'me', infer: false, chunkSize: 10 });
    expect(added).toBe(25);
    expect(byHash).not.toHaveBeenCalled();
    expect(allocate.mock.calls).toEqual([[10], [10], [5]]);
    expect(write).toHaveBeenCalledTimes(3);
  });
});

describe('addMany relations', () => {
  it('stores memories searchable at once, and their relations follow in the background', async () => {
    const { memory, db } = engine();
    await memory.addMany(['My sister Priya lives in Lisbon', 'I work on project Atlas with Tom'], { userId: 'me', infer: false });
    expect((await memory.search('Where does Priya live?', { filters: { user_id: 'me' }, topK: 1 })).results[0]?.memory).toBe('My sister Priya lives in Lisbon');
    await memory.settled();
    const stored = await db.memories.toArray();
    expect(stored.every((m) => Array.isArray(m.relations))).toBe(true);
    const { relations } = await memory.graph({ filters: { user_id: 'me' } });
    expect(relations.map((r) => `${r.subject} ${r.predicate} ${r.object}`)).toEqual(expect.arrayContaining(['priya lives in lisbon']));
  });
});

describe('addMany progress, abort and failures', () => {
  const statements = (n: number, from = 0): string[] => Array.from({ length: n }, (_, i) => `I planted tree number ${from + i + 1} in my garden`);

  it('reports progress after every chunk', async () => {
    const { memory } = engine();
    const seen: AddManyProgress[] = [];
    const items = [...statements(5), '', ...statements(1, 50)];
    const result = await memory.addMany(items, { userId: 'me', infer: false, chunkSize: 3, onProgress: (p) => seen.push(p) });
    expect(seen.map((p) => [p.done, p.total, p.added, p.skipped])).toEqual([
      [3, 7, 3, 0],
      [6, 7, 5, 1],
      [7, 7, 6, 1],
    ]);
    expect(result).toMatchObject({ done: 7, total: 7, added: 6, updated: 0, deleted: 0, unchanged: 0, skipped: 1 });
    expect(result.skippedItems.map((s) => [s.index, s.error.message])).toEqual([[5, 'messages string cannot be empty. Provide non-empty content.']]);
  });

  it('stops between chunks when aborted: what was written stays', async () => {
    const { memory, db } = engine();
    const controller = new AbortController();
    const run = memory.addMany(statements(10), {
      userId: 'me',
      infer: false,
      chunkSize: 4,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.done === 4) controller.abort();
      },
    });
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe('AbortError');
    expect(addManyProgress(error)).toMatchObject({ done: 4, added: 4 });
    expect(await db.memories.count()).toBe(4);

    const aborted = AbortSignal.abort();
    await expect(memory.addMany(statements(3, 100), { userId: 'me', signal: aborted })).rejects.toBe(aborted.reason);
    expect(await db.memories.count()).toBe(4);
  });

  it('rejects with the store’s error when a write fails; earlier chunks stay written, the queue goes on', async () => {
    const { memory, db, store } = engine();
    const write = store.write.bind(store);
    let writes = 0;
    vi.spyOn(store, 'write').mockImplementation((change) => {
      if (++writes === 2) return Promise.reject(new StorageFullError(new DOMException('quota', 'QuotaExceededError')));
      return write(change);
    });
    const seen: number[] = [];
    const error = await memory.addMany(statements(9), { userId: 'me', infer: false, chunkSize: 3, onProgress: (p) => seen.push(p.done) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StorageFullError);
    expect(addManyProgress(error)).toMatchObject({ done: 3, added: 3, total: 9 });
    expect(seen).toEqual([3]);
    expect((await db.memories.toArray()).map((m) => m.text).sort()).toEqual(statements(3).sort());
    // Nothing half-written, and the next add goes through.
    expect(await db.history.count()).toBe(3);
    expect((await memory.add('I live in Berlin', { userId: 'me' })).results).toHaveLength(1);
  });

  it('fails as add() does on bad options, before storing anything', async () => {
    const { memory, db } = engine();
    await expect(memory.addMany(['I live in Berlin'], {})).rejects.toThrow('One of the filters: userId, agentId or runId is required!');
    await expect(memory.addMany('I live in Berlin' as unknown as string[], { userId: 'me' })).rejects.toThrow(TypeError);
    await expect(memory.addMany(['I live in Berlin'], { userId: 'me', chunkSize: 0 })).rejects.toThrow(RangeError);
    await expect(memory.addMany(['I live in Berlin'], { userId: 'me', expirationDate: 'soon' })).rejects.toThrow('YYYY-MM-DD');
    expect(await db.memories.count()).toBe(0);
    expect(await memory.addMany([], { userId: 'me' })).toMatchObject({ results: [], done: 0, total: 0 });
  });
});

describe('addMany never blocks recall for long', () => {
  it('lets a search and an add run while a large import goes on', async () => {
    const { memory, vectors } = engine();
    await memory.add('I live in Berlin', { userId: 'me' });
    const items = Array.from({ length: 3000 }, (_, i) => `I read book number ${i + 1} of the series on holiday`);
    let finished = false;
    let chunkWritten!: () => void;
    const firstChunk = new Promise<void>((resolve) => (chunkWritten = resolve));
    const onProgress = (): void => {
      chunkWritten();
    };
    const bulk = memory
      .addMany(items, { userId: 'me', infer: false, chunkSize: 100, onProgress })
      .then((r) => {
        finished = true;
        return r;
      });
    await firstChunk;
    const { results } = await memory.search('Which city do I live in?', { filters: ME, topK: 1 });
    expect(results[0]?.memory).toBe('I live in Berlin');
    expect(finished).toBe(false);
    const added = await memory.add('I have a cat named Tom', { userId: 'me' });
    expect(added.results).toHaveLength(1);
    expect(finished).toBe(false);
    expect((await bulk).added).toBe(3000);
    expect((await memory.getAll({ filters: ME, topK: 5000 })).results).toHaveLength(3002);
    vectors.dispose();
  }, 60_000);
});
