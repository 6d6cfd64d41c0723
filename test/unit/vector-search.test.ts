// @vitest-environment node
/**
 * The engine's vector index as a cache of Dexie: HNSW above the crossover, persisted, reloaded
 * from its snapshot, rebuilt when the snapshot is missing, stale or corrupt; and re-embedding
 * every memory when the model changes, resumable and losing nothing.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { TransformersEmbedder } from '../../src/adapters/transformers-embedder';
import { hnswIndexFactory } from '../../src/adapters/hnsw-index';
import { createEngine } from '../../src/engine/create-engine';
import type { VectorIndexFactory } from '../../src/ports/vector-index';
import type { Embedder } from '../../src/ports/embedder';
import { freshDb } from '../support/engine';
import { bundledEmbedder, ROOT } from '../support/model';

const embedder = bundledEmbedder();
const CITIES = ['Berlin', 'Paris', 'Rome', 'Madrid', 'Vienna', 'Prague', 'Lisbon', 'Dublin', 'Oslo', 'Athens'];
const HOBBIES = ['chess', 'tennis', 'painting', 'cooking', 'hiking', 'guitar', 'swimming', 'photography', 'gardening', 'yoga'];
/** 300 distinct facts, stored verbatim. */
const FACTS = Array.from({ length: 300 }, (_, i) => `Note ${i}: my friend ${i % 7} from ${CITIES[i % 10]} loves ${HOBBIES[Math.floor(i / 10) % 10]}`);

async function seeded(crossover = 100) {
  const db = freshDb();
  const engine = createEngine({ db, embedder, crossover, saveDelayMs: 60_000 });
  for (let i = 0; i < FACTS.length; i += 50) {
    await engine.memory.add(
      FACTS.slice(i, i + 50).map((content) => ({ role: 'user' as const, content })),
      { userId: 'me', infer: false },
    );
  }
  return { db, ...engine };
}

/** The user's memories, every candidate (no relevance gate). */
const UNGATED = { filters: { user_id: 'me' }, threshold: 0 };
const top = async (engine: ReturnType<typeof createEngine>, q: string): Promise<string[]> =>
  (await engine.memory.search(q, { ...UNGATED, topK: 5 })).results.map((r) => r.memory);

beforeAll(async () => {
  await embedder.load();
});

describe('index lifecycle', () => {
  it('switches to HNSW past the crossover and finds what the exact scan finds', async () => {
    const engine = await seeded();
    await engine.vectors.built(embedder.modelId); // built in the background; searches scan exactly meanwhile
    expect((await engine.vectors.index(embedder.modelId)).kind).toBe('hnsw');
    const exact = createEngine({ db: engine.db, embedder, hnsw: null });
    expect((await exact.vectors.index(embedder.modelId)).kind).toBe('exact');
    const scores = async (e: ReturnType<typeof createEngine>, q: string): Promise<number[]> =>
      (await e.memory.search(q, { ...UNGATED, topK: 5 })).results.map((r) => Math.round(r.score! * 1e4) / 1e4);
    // Same similarities (the texts tie often, so the order among equals may differ).
    for (const q of ['Who loves chess in Paris?', 'tennis friends from Rome', 'a friend who likes yoga']) {
      expect(await scores(engine, q)).toEqual(await scores(exact, q));
    }
    engine.vectors.dispose();
  });

  it('reloads a saved snapshot, and rebuilds when it is deleted, stale or corrupt', async () => {
    const engine = await seeded();
    const expected = await top(engine, 'Who loves chess in Paris?');
    expect(await engine.vectors.save(embedder.modelId)).toBe(true);
    engine.vectors.dispose();

    const reopened = createEngine({ db: engine.db, embedder, crossover: 100 });
    expect(await top(reopened, 'Who loves chess in Paris?')).toEqual(expected);
    expect(reopened.vectors.lastLoad).toBe('snapshot');

    // Deleted ("its IndexedDB file is gone"): rebuilt from Dexie, same answers.
    await engine.db.snapshots.clear();
    const rebuilt = createEngine({ db: engine.db, embedder, crossover: 100 });
    expect(await top(rebuilt, 'Who loves chess in Paris?')).toEqual(expected);
    expect(rebuilt.vectors.lastLoad).toBe('rebuilt');
    await rebuilt.vectors.save(embedder.modelId);
    rebuilt.vectors.dispose();

    // Stale: another writer added a memory after the snapshot was taken.
    const writer = createEngine({ db: engine.db, embedder, crossover: 100, saveDelayMs: 60_000 });
    await writer.memory.add('I collect vintage typewriters', { userId: 'me', infer: false });
    writer.vectors.dispose();
    const fresh = createEngine({ db: engine.db, embedder, crossover: 100 });
    expect((await top(fresh, 'vintage typewriters'))[0]).toBe('I collect vintage typewriters');
    expect(fresh.vectors.lastLoad).toBe('rebuilt');
    await fresh.vectors.save(embedder.modelId);
    fresh.vectors.dispose();

    // Corrupt: a flipped byte in the snapshot is detected, reported and rebuilt around.
    const snapshot = (await engine.db.snapshots.toArray())[0]!;
    const bytes = snapshot.bytes.slice();
    bytes[bytes.length >> 1] = (bytes[bytes.length >> 1]! + 1) % 256;
    await engine.db.snapshots.put({ ...snapshot, bytes });
    const onError = vi.fn();
    const healed = createEngine({ db: engine.db, embedder, crossover: 100, onError });
    expect((await top(healed, 'vintage typewriters'))[0]).toBe('I collect vintage typewriters');
    expect(healed.vectors.lastLoad).toBe('rebuilt');
    expect(onError).toHaveBeenCalled();
    healed.vectors.dispose();
  });

  it('keeps a saved snapshot fresh across writes that change no vector (uses, provenance)', async () => {
    const engine = await seeded();
    const { results } = await engine.memory.search('Who loves chess in Paris?', { ...UNGATED, topK: 2 });
    expect(await engine.vectors.save(embedder.modelId)).toBe(true);
    await engine.memory.noteUse(results.map((r) => r.id));
    engine.vectors.dispose();
    const reopened = createEngine({ db: engine.db, embedder, crossover: 100 });
    await top(reopened, 'Who loves chess in Paris?');
    expect(reopened.vectors.lastLoad).toBe('snapshot');
    reopened.vectors.dispose();
  });

  it('keeps the index in step with updates and deletes', async () => {
    const engine = await seeded();
    const { results } = await engine.memory.search('Note 42', { ...UNGATED, topK: 1 });
    const id = results[0]!.id;
    await engine.memory.update(id, 'I restore antique clocks');
    expect((await top(engine, 'antique clocks'))[0]).toBe('I restore antique clocks');
    await engine.memory.delete(id);
    expect(await top(engine, 'antique clocks')).not.toContain('I restore antique clocks');
    engine.vectors.dispose();
  });
});

describe('changing the embedding model', () => {
  let second: Embedder;

  beforeAll(() => {
    // A second, different model built by the same script: the 10k most frequent words only. Built
    // once into node_modules/.cache (~10 s, longer on a busy machine: the config's hookTimeout allows
    // for it); later runs find it up to date (build-info.json) and skip the build.
    const dir = path.join(ROOT, 'node_modules', '.cache', 'engram-test-models');
    mkdirSync(dir, { recursive: true });
    const out = path.join(dir, 'engram-glove-10k');
    const r = spawnSync(process.execPath, ['scripts/build-model.mjs', '--out', out, '--vocab', '10000'], { cwd: ROOT, encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`model build failed:\n${r.stdout}\n${r.stderr}`);
    second = new TransformersEmbedder({ modelId: 'engram-glove-10k', localModelPath: dir + path.sep });
  });

  it('re-embeds every memory with progress, then searches with the new model and drops the old vectors', async () => {
    const engine = await seeded(1000);
    const progress: number[] = [];
    const done = await engine.memory.reembed(second, (p) => progress.push(p.done), 64);
    expect(done).toEqual({ done: 300, total: 300 });
    expect(progress).toEqual([0, 64, 128, 192, 256, 300]);
    expect(await engine.db.vectors.where('model').equals('engram-glove-10k').count()).toBe(300);
    expect(await engine.db.vectors.where('model').equals(embedder.modelId).count()).toBe(0);
    expect(await engine.db.memories.count()).toBe(300);
    expect((await top(engine, 'Who loves chess in Paris?')).some((t) => t.includes('Paris') && t.includes('chess'))).toBe(true);
  });

  it('answers searches with the old model while re-embedding, without reloading its index', async () => {
    const engine = await seeded(100);
    await engine.vectors.built(embedder.modelId);
    const index = await engine.vectors.index(embedder.modelId);
    let batches = 0;
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const counting: Embedder = {
      modelId: second.modelId,
      embed: (t) => second.embed(t),
      embedQuery: (t) => second.embedQuery(t),
      // The fourth batch waits until the test has searched: mid-way, whatever the machine's speed.
      embedBatch: async (texts) => {
        if (++batches === 4) await held;
        return second.embedBatch(texts);
      },
    };
    const reembedding = engine.memory.reembed(counting, undefined, 16);
    await vi.waitFor(() => {
      expect(batches).toBe(4);
    });
    // Mid-way: the old model answers, from the very index it had (no reload, no rebuild).
    expect((await top(engine, 'Who loves chess in Paris?')).some((t) => t.includes('Paris') && t.includes('chess'))).toBe(true);
    expect(await engine.vectors.index(embedder.modelId)).toBe(index);
    release();
    await reembedding;
    expect(engine.memory.embedder.modelId).toBe(second.modelId);
  });

  it('survives an interruption: nothing lost, old model still searches, the next run resumes', async () => {
    const engine = await seeded(1000);
    let calls = 0;
    const flaky: Embedder = {
      modelId: second.modelId,
      embed: (t) => second.embed(t),
      embedQuery: (t) => second.embedQuery(t),
      embedBatch: (texts) => (++calls === 3 ? Promise.reject(new Error('service worker stopped')) : second.embedBatch(texts)),
    };
    await expect(engine.memory.reembed(flaky, undefined, 64)).rejects.toThrow(/stopped/);
    expect(engine.memory.embedder.modelId).toBe(embedder.modelId);
    expect(await top(engine, 'Who loves chess in Paris?')).toHaveLength(5);
    const progress: number[] = [];
    await engine.memory.reembed(second, (p) => progress.push(p.done), 64);
    expect(progress[0]).toBe(128); // two batches were kept from the first run
    expect(await engine.db.vectors.where('model').equals('engram-glove-10k').count()).toBe(300);
    expect(await engine.db.memories.count()).toBe(300);
  });
});

describe('never waiting for an index build', () => {
  it('answers from an exact scan while HNSW is built in the background, replaying writes made meanwhile', async () => {
    const engine = await seeded();
    await engine.vectors.save(embedder.modelId);
    engine.vectors.dispose();
    // A writer adds after the snapshot (the worker was stopped before it saved again): it is stale.
    const writer = createEngine({ db: engine.db, embedder, crossover: 100, saveDelayMs: 60_000 });
    await writer.memory.add('I collect vintage typewriters', { userId: 'me', infer: false });
    writer.vectors.dispose();

    const fresh = createEngine({ db: engine.db, embedder, crossover: 100 });
    // The first search does not wait for HNSW: it is answered by an exact scan, and finds the new memory.
    expect((await top(fresh, 'vintage typewriters'))[0]).toBe('I collect vintage typewriters');
    // Written while the build runs: replayed on the new index before it takes over.
    await fresh.memory.add('I restore old sailing boats', { userId: 'me', infer: false });
    const forgotten = (await fresh.memory.search('vintage typewriters', { ...UNGATED, topK: 1 })).results[0]!;
    await fresh.memory.delete(forgotten.id);
    await fresh.vectors.built(embedder.modelId);
    expect((await fresh.vectors.index(embedder.modelId)).kind).toBe('hnsw');
    expect((await top(fresh, 'sailing boats'))[0]).toBe('I restore old sailing boats');
    expect(await top(fresh, 'vintage typewriters')).not.toContain('I collect vintage typewriters');
    // And it is saved for the next start.
    expect(await fresh.vectors.save(embedder.modelId)).toBe(true);
    fresh.vectors.dispose();
    const reopened = createEngine({ db: engine.db, embedder, crossover: 100 });
    expect((await top(reopened, 'sailing boats'))[0]).toBe('I restore old sailing boats');
    expect(reopened.vectors.lastLoad).toBe('snapshot');
    reopened.vectors.dispose();
  });

  it('serves searches from an exact scan for as long as the HNSW build takes', async () => {
    const engine = await seeded();
    let release = (): void => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    // An HNSW build that does not finish until released (a slow machine, a large store).
    const slow: VectorIndexFactory = {
      kind: 'hnsw',
      create: async (dimensions, capacity) => {
        await held;
        return hnswIndexFactory.create(dimensions, capacity);
      },
      restore: (snapshot, dimensions) => hnswIndexFactory.restore(snapshot, dimensions),
    };
    const waiting = createEngine({ db: engine.db, embedder, crossover: 100, hnsw: slow, saveDelayMs: 60_000 });
    expect(await top(waiting, 'Who loves chess in Paris?')).toEqual(await top(createEngine({ db: engine.db, embedder, hnsw: null }), 'Who loves chess in Paris?'));
    expect((await waiting.vectors.index(embedder.modelId)).kind).toBe('exact');
    release();
    await waiting.vectors.built(embedder.modelId);
    expect((await waiting.vectors.index(embedder.modelId)).kind).toBe('hnsw');
    waiting.vectors.dispose();
    engine.vectors.dispose();
  });
});
