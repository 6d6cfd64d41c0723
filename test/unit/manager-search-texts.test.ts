// @vitest-environment node
/**
 * The manager's search over the texts it holds (manager/texts.ts): once read, which memories name
 * the words of a search is found among the rows, not by the engine's getAll over every memory. The
 * list is the same either way (order, marks, filters), the texts follow every write (an edit, a
 * forget, a memory added while they were being read), and "forget everything" drops them.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DexieMemoryStore } from '../../src/adapters/dexie-store';
import { RANKED_RESULTS } from '../../src/background/manager/page';
import { engineFilters } from '../../src/background/manager/filter';
import { searchListed, searchMemories } from '../../src/background/manager/search';
import type { MemoryFilter, MemoryPage } from '../../src/core/types';
import { bundledEmbedder } from '../support/model';
import { managerSetup } from '../support/manager';

const embedder = bundledEmbedder();
beforeAll(async () => {
  await embedder.load();
});

const CITIES = ['Berlin', 'Lisbon', 'Porto', 'Oslo', 'Kyoto'];
const NAMES = ['Priya', 'Tom', 'Ana', 'Max'];

async function store(s: ReturnType<typeof managerSetup>): Promise<void> {
  for (let i = 0; i < 40; i++) {
    const city = CITIES[i % CITIES.length]!;
    const name = NAMES[i % NAMES.length]!;
    const text = i % 3 === 0 ? `My friend ${name} lives in ${city}` : i % 3 === 1 ? `I went to ${city} with ${name} in spring ${2000 + i}` : `${name} cooks ramen in ${city} on Sundays ${i}`;
    await s.remember(text, { ...(i % 2 === 0 ? { site: 'chatgpt' as const } : { site: 'claude' as const }), ...(i % 5 === 0 ? { space: 'home' } : {}) });
  }
}

/** Every page of a search, as the popup reads it: ids with their marks. */
async function listing(s: ReturnType<typeof managerSetup>, filter: MemoryFilter): Promise<{ total: number; items: [string, boolean | undefined][] }> {
  const page: MemoryPage = await s.manager.page({ filter, offset: 0, limit: 200 });
  return { total: page.total, items: page.items.map((m) => [m.id, m.matched]) };
}

/** The texts, read now (as a popup's first page starts it), as of the rows' revision. */
async function readTexts(s: ReturnType<typeof managerSetup>): Promise<ReadonlyMap<string, string>> {
  const rows = await s.rows.rows();
  await s.rows.texts.read(rows.revision);
  const texts = s.rows.texts.at(rows.revision);
  if (!texts) throw new Error('the texts were not read');
  return texts;
}

const SEARCHES: MemoryFilter[] = [
  { text: 'Berlin' },
  { text: 'Priya Lisbon' },
  { text: 'ramen', site: 'claude' },
  { text: 'Where does Tom live?' },
  { text: 'Kyoto', space: 'home' },
  { text: 'nothing like this' },
];

describe('the manager’s search over the texts it holds', () => {
  it('lists what the engine’s getAll would: the same memories, order and marks, for every search and filter', async () => {
    const s = managerSetup(embedder);
    await store(s);
    const viaEngine = [];
    for (const filter of SEARCHES) viaEngine.push(await listing(s, filter));
    await readTexts(s);
    s.advance(61_000); // past the listings kept for this revision
    for (const [i, filter] of SEARCHES.entries()) expect(await listing(s, filter), JSON.stringify(filter)).toEqual(viaEngine[i]);
    // And searchListed itself, over every memory, as searchMemories (the popup's search box) finds them.
    const rows = await s.rows.rows();
    expect(s.rows.texts.at(rows.revision)).not.toBeNull();
    const filters = engineFilters({});
    const naming = (words: readonly string[]): string[] => s.rows.texts.naming(words);
    expect(await searchListed(s.memory, 'Lisbon with Ana', filters, RANKED_RESULTS, { byId: rows.byId, test: () => true, naming })).toEqual(
      (await searchMemories(s.memory, 'Lisbon with Ana', filters, RANKED_RESULTS)).map(({ item, matched }) => ({ id: item.id, matched })),
    );
  });

  it('follows every write: an edit, a forget, a memory added while the texts were being read', async () => {
    const s = managerSetup(embedder);
    await store(s);
    const rows = await s.rows.rows();
    const firstId = rows.sorted[0]!.id;
    const reading = s.rows.texts.read(rows.revision);
    // Written while they are read: added, and one corrected (its old text must not come back).
    const added = await s.remember('I moved to Reykjavik last winter', { site: 'chatgpt' });
    await s.memory.update(firstId, 'I live in Reykjavik now');
    await reading;
    const now = await s.rows.rows();
    const texts = s.rows.texts.at(now.revision);
    expect(texts).not.toBeNull();
    expect(texts!.get(added)).toBe('i moved to reykjavik last winter');
    expect(texts!.get(firstId)).toBe('i live in reykjavik now');
    const found = await listing(s, { text: 'Reykjavik' });
    expect(found.items.filter(([, matched]) => matched).map(([id]) => id).sort()).toEqual([added, firstId].sort());

    await s.memory.delete(added);
    const after = await s.rows.rows();
    expect(s.rows.texts.at(after.revision)?.has(added)).toBe(false);
    expect((await listing(s, { text: 'Reykjavik' })).items.filter(([, matched]) => matched).map(([id]) => id)).toEqual([firstId]);
  });

  it('are dropped by "forget everything", and by a store that changed without a write the rows saw', async () => {
    const s = managerSetup(embedder);
    await store(s);
    await readTexts(s);
    const { revision } = await s.rows.rows();
    // A change no write reported (the store locked and unlocked): the texts are of another revision.
    if (!(s.store instanceof DexieMemoryStore)) throw new Error('a Dexie store was expected');
    await s.store.invalidate();
    expect(s.rows.texts.at(revision + 1)).toBeNull();
    await readTexts(s);
    await s.manager.forgetAll();
    expect(s.rows.texts.at((await s.rows.rows()).revision)).toBeNull();
  });

  it('at thousands of memories are read a slice at a time in id order: every listed one, none of another user or waiting, and the writes made meanwhile', async () => {
    const s = managerSetup(embedder);
    const n = 2300;
    await s.memory.addMany(
      Array.from({ length: n }, (_, i) => ({ messages: `Note ${i}: I keep a plant called Fern${i} on shelf ${i % 17}` })),
      { userId: 'me', infer: false },
    );
    await s.memory.add('Someone else lives in Quito', { userId: 'someone-else', infer: false });
    await s.memory.add('I might be moving to Quito', { userId: 'me', infer: false, metadata: { pending: true } });
    const slices: number[] = [];
    const listAfter = s.store.listAfter.bind(s.store);
    let wrote: Promise<unknown> | null = null;
    let added = '';
    const rows = await s.rows.rows();
    const last = [...rows.sorted].sort((a, b) => (a.id < b.id ? -1 : 1)).at(-1)!.id;
    s.store.listAfter = async (after, limit) => {
      const slice = await listAfter(after, limit);
      slices.push(slice.length);
      // Between the first slice and the next: one memory of a later slice forgotten, one added.
      wrote ??= (async () => {
        await s.memory.delete(last);
        added = (await s.remember('I adopted a cat called Miso')) ;
      })();
      await wrote;
      return slice;
    };
    await s.rows.texts.read(rows.revision);
    expect(slices.length).toBe(3);
    expect(slices.slice(0, 2)).toEqual([1000, 1000]);
    const now = await s.rows.rows();
    const texts = s.rows.texts.at(now.revision);
    expect(texts).not.toBeNull();
    // Exactly the rows the manager lists, each with its text.
    expect([...texts!.keys()].sort()).toEqual(now.sorted.map((r) => r.id).sort());
    expect(texts!.size).toBe(n);
    expect(texts!.has(last)).toBe(false);
    expect(texts!.get(added)).toBe('i adopted a cat called miso');
    expect([...texts!.values()].some((t) => t.includes('quito'))).toBe(false);
    const records = await s.store.getMany([...texts!.keys()].slice(0, 50));
    for (const m of records) expect(texts!.get(m.id)).toBe(m.text.toLowerCase());
  });
});
