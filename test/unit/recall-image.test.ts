// @vitest-environment node
/**
 * The recall image (engine/recall-image.ts): a cold start answers from one stored record, with the
 * same answers as from the store itself; an image older than the store, of another version or
 * malformed is never used; a forgotten memory's text leaves it with the forget.
 */
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { testEngine } from '../support/engine';
import { bundledEmbedder } from '../support/model';
import { IMAGE_KEY, asImage, recordFromLine, recordLine } from '../../src/engine/recall-image';
import type { MemoryRecord } from '../../src/core/types';
import type { EngramDatabase } from '../../src/db/schema';

const embedder = bundledEmbedder();
beforeAll(async () => {
  await embedder.load();
});

const FACTS = [
  'I live in Munich',
  'My sister Anna lives in Lisbon',
  'I am vegetarian',
  'My dog is called Max',
  'I work on project Atlas with Priya',
  'I prefer answers in British English',
  'I am allergic to peanuts',
  'My favourite band is Radiohead',
];
const QUERIES = ['Can you suggest a restaurant near me?', 'Where does my sister live?', 'What should I feed my dog?', 'Write a status update for Atlas'];
const SEARCH = { filters: { user_id: 'me' }, topK: 5 };

async function filled(db?: EngramDatabase) {
  const engine = testEngine({ embedder, crossover: 4, ...(db ? { db } : {}) });
  await engine.memory.addMany(
    FACTS.map((f) => ({ messages: f })),
    { userId: 'me', infer: false },
  );
  await engine.memory.settled();
  return engine;
}

/** What a user would see: each query's memories, best first (with their scores, to the third decimal: exact and HNSW cosines differ in the last float bits). */
async function answers(engine: ReturnType<typeof testEngine>) {
  const out: string[][] = [];
  for (const q of QUERIES) out.push((await engine.memory.search(q, SEARCH)).results.map((m) => `${m.memory} ${Math.round((m.score ?? 0) * 500) / 500}`));
  return out;
}

/** A second engine on the same database: what a restarted service worker is. */
function restarted(db: EngramDatabase) {
  return testEngine({ embedder, crossover: 4, db });
}

describe('the recall image', () => {
  it('serves a cold start from one record, with the same answers as the store', async () => {
    const warm = await filled();
    expect(await warm.memory.saveRecallImage()).toBe(true);
    const expected = await answers(warm);
    expect(expected.flat().length).toBeGreaterThan(0);

    const cold = restarted(warm.db);
    const list = vi.spyOn(cold.store, 'list');
    const vectors = vi.spyOn(cold.store, 'vectors');
    expect(await answers(cold)).toEqual(expected);
    expect(cold.vectors.lastLoad).toBe('image');
    expect(list).not.toHaveBeenCalled(); // no memory read one by one
    // HNSW takes over later, restored from its snapshot or built; the answers stay the same.
    await cold.vectors.built();
    expect(cold.vectors.lastLoad).not.toBe('image');
    expect(await answers(cold)).toEqual(expected);
    expect(vectors.mock.calls.length).toBeLessThanOrEqual(1);
  });

  it('is not used once the store moved on: the memory added after it is found', async () => {
    const warm = await filled();
    await warm.memory.saveRecallImage();
    await warm.memory.add('My brother Tom lives in Oslo', { userId: 'me', infer: false });
    const cold = restarted(warm.db);
    const found = (await cold.memory.search('Where does my brother live?', SEARCH)).results.map((m) => m.memory);
    expect(found).toContain('My brother Tom lives in Oslo');
    expect(cold.vectors.lastLoad).not.toBe('image');
  });

  it('is ignored and deleted when malformed or of another version, and the answers stay right', async () => {
    for (const spoil of [
      (image: Record<string, unknown>) => ({ ...image, content: '{"records": [{"id": 1}]' }),
      (image: Record<string, unknown>) => ({ ...image, content: '{"records": "nope", "text": {}, "entities": []}' }),
      (image: Record<string, unknown>) => ({ ...image, version: 999 }),
      (image: Record<string, unknown>) => ({ ...image, bytes: new Uint8Array([1, 2, 3]) }),
    ]) {
      const warm = await filled();
      await warm.memory.saveRecallImage();
      const expected = await answers(warm);
      const stored = await warm.db.snapshots.get(IMAGE_KEY);
      await warm.db.snapshots.put(spoil(stored as unknown as Record<string, unknown>) as never);
      const errors: unknown[] = [];
      const cold = testEngine({ embedder, crossover: 4, db: warm.db, onError: (e) => errors.push(e) });
      expect(await answers(cold)).toEqual(expected);
      await cold.vectors.built();
      const left = asImage(await warm.db.snapshots.get(IMAGE_KEY));
      // Deleted (or, once the engine saved a new one, a good one in its place).
      if (left) expect(left.storeRevision).toBe(await cold.store.revision());
    }
  });

  it('keeps every record whole: texts with line breaks, line and paragraph separators, quotes and emoji', async () => {
    const warm = await filled();
    const odd = ['My address is 4 Elm Row\nFlat 2', 'My motto: \u2028"carpe diem"\u2029 \\ 🐕', 'I said "line\r\nbreak" once'];
    for (const text of odd) await warm.memory.add(text, { userId: 'me', infer: false });
    expect(await warm.memory.saveRecallImage()).toBe(true);
    const image = asImage(await warm.db.snapshots.get(IMAGE_KEY));
    expect(image?.labels.length).toBe(FACTS.length + odd.length);
    // As stored (the store tidies whitespace; the separators and the rest stay), then as read back cold.
    const all = async (engine: ReturnType<typeof testEngine>) => (await engine.memory.getAll({ filters: { user_id: 'me' } })).results;
    const stored = await all(warm);
    expect(stored.map((m) => m.memory)).toContain('My motto: \u2028"carpe diem"\u2029 \\ 🐕'.replace(/\s+/gu, ' '));
    const cold = restarted(warm.db);
    expect(await all(cold)).toEqual(stored);
    expect(await answers(cold)).toEqual(await answers(warm));
  });

  it('reads only the memories a recall looks at, and stops trusting an image with a broken one', async () => {
    const warm = await filled();
    await warm.memory.saveRecallImage();
    const expected = await answers(warm);
    const stored = (await warm.db.snapshots.get(IMAGE_KEY)) as unknown as { records: string };
    const records = stored.records.split('\n');
    // The dog's memory no longer parses.
    const dog = records.findIndex((r) => r.includes('My dog is called Max'));
    records[dog] = records[dog]!.slice(0, 20);
    await warm.db.snapshots.put({ ...(stored as object), records: records.join('\n') } as never);
    const errors: unknown[] = [];
    const cold = testEngine({ embedder, crossover: 4, db: warm.db, onError: (e) => errors.push(e) });
    await answers(cold); // the one recall that met it may miss it…
    expect(errors.map(String).join()).toMatch(/malformed/);
    expect(await answers(cold)).toEqual(expected); // …the next ones read the store
    expect(asImage(await warm.db.snapshots.get(IMAGE_KEY))?.records ?? '').not.toContain('"My dog is c');
  });

  it('loses a forgotten memory with the forget itself, not at its next save', async () => {
    const warm = await filled();
    const secret = 'My locker code is Quokkazilla';
    const { results } = await warm.memory.add(secret, { userId: 'me', infer: false });
    await warm.memory.saveRecallImage();
    expect((await warm.db.snapshots.get(IMAGE_KEY)) && JSON.stringify(await warm.db.snapshots.get(IMAGE_KEY))).toContain('Quokkazilla');
    await warm.memory.delete(results[0]!.id);
    const image = await warm.db.snapshots.get(IMAGE_KEY);
    expect(image ? JSON.stringify(image) : '').not.toContain('Quokkazilla');
    // And the next image saved does not bring it back.
    await warm.memory.saveRecallImage();
    expect(JSON.stringify(await warm.db.snapshots.get(IMAGE_KEY))).not.toContain('Quokkazilla');
  });

  it('writes a record as a line of values and reads back the same record: absent, null and zero kept apart', () => {
    const base: MemoryRecord = {
      id: 'm1', label: 0, text: 'I live in Munich', hash: 'h', userId: 'me', agentId: null, runId: null, space: 'work/atlas',
      site: 'chatgpt', conversationId: 'c1', sourceTurnIds: ['t1'], saidAt: 0, categories: ['location'], metadata: { n: 0, pinned: true },
      createdAt: 1, updatedAt: 2, expiresAt: null,
    };
    const withAll: MemoryRecord = { ...base, context: null, relations: [{ subject: 'user', predicate: 'lives in', object: 'munich' }] };
    // A field this version does not know (a later one's) survives too; one named __proto__ is never a prototype.
    const later = { ...withAll, mood: 'calm' } as MemoryRecord;
    for (const record of [base, withAll, later]) {
      const back = recordFromLine(recordLine(record)) as Record<string, unknown>;
      expect(back).toStrictEqual(record);
      expect(Object.keys(back).sort()).toEqual(Object.keys(record).sort());
    }
    const hostile = JSON.parse(recordLine(base)) as unknown[];
    hostile.push(JSON.parse('{"__proto__": {"polluted": true}}'));
    const read = recordFromLine(JSON.stringify(hostile)) as Record<string, unknown>;
    expect(Object.getPrototypeOf(read)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(recordFromLine('{"id":"m1"}')).toBeNull();
    expect(() => recordFromLine('[1,2')).toThrow();
  });

  it('reads ahead once; a read refused while locked is not an error, and is made again after the unlock', async () => {
    const warm = await filled();
    expect(await warm.memory.saveRecallImage()).toBe(true);
    const expected = await answers(warm);
    const errors: unknown[] = [];
    const cold = testEngine({ embedder, crossover: 4, db: warm.db, onError: (e) => errors.push(e) });
    const getSnapshot = cold.store.getSnapshot.bind(cold.store);
    let locked = true;
    let reads = 0;
    cold.store.getSnapshot = (key) => {
      reads++;
      if (!locked) return getSnapshot(key);
      const error = new Error('Engram is locked');
      error.name = 'LockedError';
      return Promise.reject(error);
    };
    cold.memory.readAhead();
    await vi.waitFor(() => {
      expect(reads).toBe(1);
    });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(errors).toEqual([]);
    locked = false;
    cold.memory.readAhead();
    cold.memory.readAhead(); // one read, however many ask
    expect(await answers(cold)).toEqual(expected);
    expect(reads).toBe(2);
  });
});
