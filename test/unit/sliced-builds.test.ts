// @vitest-environment node
/**
 * The engine's BM25 index and entity links are built in slices on first use (engine/context.ts):
 * after an import of 100,000 memories the BM25 build held the worker a second in one go, and a
 * popup opened meanwhile waited for it. Writes that land while a build is under way are kept:
 * searches afterwards find what a build from scratch finds.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildInSlices } from '../../src/engine/context';
import { slice as buildSlice } from '../../src/engine/slices';
import { IMAGE_KEY } from '../../src/engine/recall-image';
import type { MemoryRecord } from '../../src/core/types';
import type { EngramDatabase } from '../../src/db/schema';
import { testEngine } from '../support/engine';
import { bundledEmbedder } from '../support/model';

const embedder = bundledEmbedder();
beforeAll(async () => {
  await embedder.load();
});

const record = (label: number, text: string): MemoryRecord => ({ label, text, id: `m${label}` }) as unknown as MemoryRecord;

describe('a build in slices', () => {
  it('lets other tasks run between slices, and skips what a write replaced or removed meanwhile (that write did it)', async () => {
    const byLabel = new Map(Array.from({ length: 50 }, (_, i) => [i, record(i, `memory ${i}`)] as const));
    const added: string[] = [];
    let ticks = 0;
    const ticking = setInterval(() => {
      ticks++;
    }, 0);
    const building = buildInSlices(
      byLabel,
      (m) => {
        added.push(m.text);
        // Writes from elsewhere, between slices: one replaced, one removed, one added.
        if (m.label === 10) {
          byLabel.set(40, record(40, 'memory 40, corrected'));
          byLabel.delete(41);
          byLabel.set(99, record(99, 'memory 99'));
        }
      },
      0,
    );
    await building;
    clearInterval(ticking);
    expect(ticks).toBeGreaterThan(0);
    expect(added).toHaveLength(48); // 50, less the one replaced and the one removed
    expect(added).not.toContain('memory 40');
    expect(added).not.toContain('memory 41');
    expect(added).not.toContain('memory 99'); // added by its write, not by the build
  });
});

const PEOPLE = ['Priya', 'Tom', 'Ana', 'Omar', 'Mei', 'Lukas'];
const PLACES = ['Lisbon', 'Porto', 'Oslo', 'Kyoto', 'Ghent', 'Bergen'];
const textOf = (i: number): string => `${PEOPLE[i % 6]!} told me about pottery class ${i} in ${PLACES[(i * 5) % 6]!}, code zq${i}`;
const QUERIES = ['pottery in Kyoto', 'zq7', 'zq1200', 'What did Priya say about Oslo?', 'Omar', 'zq99999', 'Lukas Bergen pottery'];

async function answers(db: EngramDatabase): Promise<string[][]> {
  // A restarted worker with no recall image: its indexes are built from the store.
  await db.snapshots.delete(IMAGE_KEY);
  const engine = testEngine({ embedder, db });
  const out: string[][] = [];
  for (const q of QUERIES) out.push((await engine.memory.search(q, { filters: { user_id: 'me' }, topK: 8, threshold: 0 })).results.map((m) => m.memory));
  return out;
}

/** The slice length the worker uses: put back after each test that sets a pause after every item. */
const usual = buildSlice.ms;
afterEach(() => {
  buildSlice.ms = usual;
});

/** A store of `n` memories (their indexes and image built), then no recall image: a new worker builds them. */
async function filledWithoutImage(n: number): Promise<ReturnType<typeof testEngine>> {
  const engine = testEngine({ embedder });
  await engine.memory.addMany(
    Array.from({ length: n }, (_, i) => ({ messages: textOf(i) })),
    { userId: 'me', infer: false },
  );
  await engine.memory.settled();
  await engine.db.snapshots.delete(IMAGE_KEY);
  return engine;
}

describe('the engine’s indexes built in slices', () => {
  it('keep the writes made while they are built: a search then finds what a build from scratch finds', async () => {
    const first = await filledWithoutImage(1500);
    // A new worker: the first search builds the indexes (a pause after every memory); writes land while it does.
    buildSlice.ms = 0;
    const engine = testEngine({ embedder, db: first.db });
    const { results } = await engine.memory.getAll({ filters: { user_id: 'me' }, topK: 2000 });
    const byText = new Map(results.map((m) => [m.memory, m.id]));
    const searching = engine.memory.search('pottery in Kyoto', { filters: { user_id: 'me' }, topK: 8 });
    const writes = Promise.all([
      engine.memory.update(byText.get(textOf(7))!, 'Priya moved her pottery class to Kyoto, code zq7'),
      engine.memory.delete(byText.get(textOf(1200))!),
      engine.memory.add('Omar and Lukas went hiking near Bergen, code zq99999', { userId: 'me', infer: false }),
    ]);
    await Promise.all([searching, writes]);
    await engine.memory.settled();
    buildSlice.ms = usual;
    const after: string[][] = [];
    for (const q of QUERIES) after.push((await engine.memory.search(q, { filters: { user_id: 'me' }, topK: 8, threshold: 0 })).results.map((m) => m.memory));
    expect(after).toEqual(await answers(first.db));
    expect(after[1]).toContain('Priya moved her pottery class to Kyoto, code zq7');
    expect(after[2]!.some((t) => t.includes('zq1200'))).toBe(false);
    expect(after[5]![0]).toBe('Omar and Lukas went hiking near Bergen, code zq99999');
  });
});

describe('the recall image written in slices', () => {
  it('lets the worker answer while it is written, and a restarted worker answers from it as from the store', async () => {
    const engine = await filledWithoutImage(400);
    buildSlice.ms = 0;
    let ticks = 0;
    const ticking = setInterval(() => {
      ticks++;
    }, 0);
    const saving = engine.memory.saveRecallImage();
    // A search meanwhile is answered (reads do not wait for the image).
    const { results } = await engine.memory.search('zq42', { filters: { user_id: 'me' }, topK: 3, threshold: 0 });
    expect(results[0]?.memory).toBe(textOf(42));
    expect(await saving).toBe(true);
    clearInterval(ticking);
    expect(ticks).toBeGreaterThan(0);
    buildSlice.ms = usual;
    expect(await engine.db.snapshots.get(IMAGE_KEY)).toBeDefined();
    // A restarted worker reads the image: each code finds its memory first, as from the store.
    const CODES = ['zq0', 'zq7', 'zq42', 'zq250', 'zq399', 'pottery zq123 Kyoto'];
    const first = async (e: ReturnType<typeof testEngine>): Promise<(string | undefined)[]> => {
      const out: (string | undefined)[] = [];
      for (const q of CODES) out.push((await e.memory.search(q, { filters: { user_id: 'me' }, topK: 1, threshold: 0 })).results[0]?.memory);
      return out;
    };
    const fromImage = await first(testEngine({ embedder, db: engine.db }));
    expect(fromImage).toEqual([textOf(0), textOf(7), textOf(42), textOf(250), textOf(399), textOf(123)]);
    await engine.db.snapshots.delete(IMAGE_KEY);
    expect(await first(testEngine({ embedder, db: engine.db }))).toEqual(fromImage);
  });
});

describe('maintenance’s sweeps over every memory', () => {
  it('never read the whole store in one go: the secret sweep a page at a time, the minute sweeps from the engine’s copy', async () => {
    const engine = await filledWithoutImage(2300);
    const pages: number[] = [];
    let wholeReads = 0;
    const { store } = engine;
    const listAfter = store.listAfter.bind(store);
    const list = store.list.bind(store);
    store.listAfter = async (after, limit) => {
      const page = await listAfter(after, limit);
      pages.push(page.length);
      return page;
    };
    store.list = (userId) => {
      wholeReads++;
      return list(userId);
    };
    // One memory holding a secret, written behind the engine (as an older version could have).
    const [first] = (await engine.memory.getAll({ filters: { user_id: 'me' }, topK: 1 })).results;
    const record = (await engine.db.memories.get(first!.id))!;
    await engine.db.memories.put({ ...record, id: 'zzz-old', label: 99_999, hash: 'old', text: 'my password is hunter2' });
    expect(await engine.memory.forgetSecrets()).toBe(1);
    expect(pages).toEqual([1000, 1000, 301]);
    expect(await engine.memory.retention().forgetUnused(365)).toBe(0);
    expect(await engine.memory.sweepExpired()).toBe(0);
    expect(wholeReads).toBe(0);
    expect((await engine.db.memories.get('zzz-old'))).toBeUndefined();
  });
});
