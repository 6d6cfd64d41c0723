// @vitest-environment node
/**
 * A corrupt or forged HNSW snapshot never leaves search unavailable (issue 9, finding 12): the
 * checksum covers the whole snapshot, header included; every field is checked against bounds and
 * against the others, and the hnswlib file inside link by link, before anything is allocated; a
 * snapshot that cannot be read is rebuilt around from the vectors in Dexie, on a fresh WebAssembly
 * module when the old one trapped; and when even that fails, an exact scan answers.
 */
import { describe, expect, it, vi } from 'vitest';
import { ExactIndex, snapshotChecksum } from '../../src/adapters/exact-index';
import { HnswIndex, hnswIndexFactory } from '../../src/adapters/hnsw-index';
import { loadHnswlib, type HierarchicalNSW } from '../../src/adapters/hnswlib/load';
import { createEngine, type Engine } from '../../src/engine/create-engine';
import { mulberry32 } from '../../src/engine/random';
import type { VectorIndex, VectorIndexFactory } from '../../src/ports/vector-index';
import { freshDb } from '../support/engine';
import { HashingEmbedder } from '../support/fake-embedder';

const D = 32;
const CORRUPT = /corrupt or incompatible/;

function unitVector(rand: () => number): Float32Array {
  const v = new Float32Array(D).map(() => rand() - 0.5);
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

async function built(n = 60): Promise<{ index: HnswIndex; vectors: Float32Array[]; snapshot: Uint8Array }> {
  const rand = mulberry32(42);
  const index = await HnswIndex.create(D, 16);
  const vectors = Array.from({ length: n }, () => unitVector(rand));
  vectors.forEach((v, label) => {
    index.upsert(label, v);
  });
  index.remove(7); // a deleted element too
  return { index, vectors, snapshot: index.serialize() };
}

function setU32(bytes: Uint8Array, at: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(at, value >>> 0, true);
  return copy;
}

/** What version 1 checked: FNV-1a over the payload only (the header left out). */
function oldChecksum(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 28; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}
/** A forger who knows a checksum format writes a matching one. */
const withOldChecksum = (bytes: Uint8Array): Uint8Array => setU32(bytes, 24, oldChecksum(bytes));
const withNewChecksum = (bytes: Uint8Array): Uint8Array => setU32(bytes, 24, snapshotChecksum(bytes, 24));

/** The index answers: each vector's nearest neighbour is itself. */
function expectWorking(index: VectorIndex, vectors: Float32Array[], skip = new Set([7])): void {
  vectors.forEach((v, label) => {
    if (!skip.has(label)) expect(index.search(v, 1)[0]?.label).toBe(label);
  });
}

describe('HNSW snapshot', () => {
  it('covers the header with its checksum: any changed header byte is rejected, even with the old checksum fixed up', async () => {
    const { snapshot } = await built();
    for (let at = 0; at < 28; at++) {
      const flipped = snapshot.slice();
      flipped[at] = flipped[at]! ^ 0x01;
      await expect(HnswIndex.restore(flipped, D), `byte ${at}`).rejects.toThrow(CORRUPT);
      if (at < 24) await expect(HnswIndex.restore(withOldChecksum(flipped), D), `byte ${at}, old checksum`).rejects.toThrow(CORRUPT);
    }
    expect((await HnswIndex.restore(snapshot, D)).size).toBe(59);
  });

  it('checks capacity, count and dimensions against bounds and each other before allocating, whatever the checksum', async () => {
    const { snapshot, vectors } = await built();
    const forged = (at: number, value: number): Uint8Array => withNewChecksum(setU32(snapshot, at, value));
    await expect(HnswIndex.restore(withOldChecksum(setU32(snapshot, 12, 0x40000000)), D)).rejects.toThrow(/checksum/);
    await expect(HnswIndex.restore(forged(12, 0x40000000), D)).rejects.toThrow(/capacity/);
    for (const capacity of [0, 15, 59, 127, 0xffffffff]) await expect(HnswIndex.restore(forged(12, capacity), D)).rejects.toThrow(CORRUPT);
    for (const live of [0, 58, 60, 0x40000000]) await expect(HnswIndex.restore(forged(16, live), D)).rejects.toThrow(CORRUPT);
    await expect(HnswIndex.restore(forged(20, 0x40000000), D)).rejects.toThrow(CORRUPT);
    await expect(HnswIndex.restore(forged(8, 0x40000000), 0x40000000)).rejects.toThrow(/dimensions/);
    // The index file inside must agree too: its own capacity, element count, entry point, M.
    for (const [at, value] of [
      [28 + 4, 0x40000000],
      [28 + 8, 0x40000000],
      [28 + 8, 61],
      [28 + 12, 0x7fffffff],
      [28 + 24, 1000],
      [28 + 28, 0x40000000],
      [28 + 40, 0x10000],
    ] as const) {
      await expect(HnswIndex.restore(forged(at, value), D), `file offset ${at - 28}`).rejects.toThrow(/hnswlib index file/);
    }
    // Nothing above reached the WebAssembly module, which still works.
    const again = await HnswIndex.restore(snapshot, D);
    expectWorking(again, vectors);
  });

  it('an exact index snapshot, too, has its header under the checksum', () => {
    const exact = new ExactIndex(D);
    const rand = mulberry32(9);
    for (let label = 0; label < 20; label++) exact.upsert(label, unitVector(rand));
    const snapshot = exact.serialize();
    for (let at = 0; at < 20; at++) {
      const flipped = snapshot.slice();
      flipped[at] = flipped[at]! ^ 0x01;
      expect(() => ExactIndex.restore(flipped, D), `byte ${at}`).toThrow(CORRUPT);
    }
    expect(ExactIndex.restore(snapshot, D).size).toBe(20);
  });

  it('rejects a version-1 snapshot (header outside the checksum), so it is rebuilt rather than read', async () => {
    const { snapshot } = await built();
    await expect(HnswIndex.restore(withOldChecksum(setU32(snapshot, 4, 1)), D)).rejects.toThrow(/unsupported version 1/);
  });

  it('rejects random bytes, and a random index file behind a valid header and checksum', async () => {
    const { snapshot, vectors } = await built();
    for (let seed = 1; seed <= 20; seed++) {
      const rand = mulberry32(seed);
      const noise = snapshot.map(() => Math.floor(rand() * 256));
      await expect(HnswIndex.restore(noise, D)).rejects.toThrow(CORRUPT);
      const forged = snapshot.slice();
      forged.set(noise.subarray(28), 28);
      await expect(HnswIndex.restore(withNewChecksum(forged), D)).rejects.toThrow(CORRUPT);
    }
    expectWorking(await HnswIndex.restore(snapshot, D), vectors);
  });

  it('survives any one changed byte in the index file, even with a valid checksum: rejected, or read and searchable', async () => {
    const { snapshot, vectors } = await built();
    let read = 0;
    for (let at = 28; at < snapshot.length; at += at < 28 + 56 ? 1 : 7) {
      const forged = snapshot.slice();
      forged[at] = forged[at]! ^ 0xa5;
      let index: HnswIndex | null = null;
      try {
        index = await HnswIndex.restore(withNewChecksum(forged), D);
      } catch (error) {
        expect(String(error), `byte ${at}`).toMatch(CORRUPT);
      }
      if (index) {
        read++;
        for (const v of vectors.slice(0, 5)) expect(index.search(v, 10).length).toBeLessThanOrEqual(10);
        index.dispose();
      }
    }
    expect(read).toBeGreaterThan(0); // vector components and unused link slots may change
    expectWorking(await HnswIndex.restore(snapshot, D), vectors);
  });

  it('after a WebAssembly trap in readIndex, builds the next index on a fresh module', async () => {
    const { snapshot, vectors } = await built();
    const lib = await loadHnswlib();
    const proto = lib.HierarchicalNSW.prototype as HierarchicalNSW;
    const readIndex = Object.getOwnPropertyDescriptor(proto, 'readIndex')?.value as HierarchicalNSW['readIndex'];
    // What a forged capacity did to version 1: readIndex asked for 2^30 elements and trapped.
    const spy = vi.spyOn(proto, 'readIndex').mockImplementation(function (this: HierarchicalNSW, name: string) {
      readIndex.call(this, name, 0x40000000);
    });
    await expect(HnswIndex.restore(snapshot, D)).rejects.toThrow(/readIndex failed/);
    spy.mockRestore();
    expect(await loadHnswlib()).not.toBe(lib);
    const fresh = await HnswIndex.create(D, 16);
    vectors.forEach((v, label) => {
      fresh.upsert(label, v);
    });
    expectWorking(fresh, vectors, new Set());
    expectWorking(await HnswIndex.restore(snapshot, D), vectors);
  });
});

const FACTS = Array.from({ length: 60 }, (_, i) => `Note ${i}: friend${i} from city${i % 9} plays game${i % 7} with pet${i}`);
const MODEL = 'hashing-64';

async function seeded(options: { hnsw?: VectorIndexFactory; onError?: (error: unknown) => void } = {}): Promise<Engine & { db: ReturnType<typeof freshDb> }> {
  const db = freshDb();
  const engine = createEngine({ db, embedder: new HashingEmbedder(), crossover: 20, saveDelayMs: 60_000, ...options });
  await engine.memory.add(
    FACTS.map((content) => ({ role: 'user' as const, content })),
    { userId: 'me', infer: false },
  );
  return { ...engine, db };
}

const top = async (engine: Engine, query: string): Promise<string | undefined> => (await engine.memory.search(query, { filters: { user_id: 'me' }, topK: 3, threshold: 0 })).results[0]?.memory;

/** Replace the saved snapshot's bytes with `corrupt(bytes)`. */
async function corruptSnapshot(db: ReturnType<typeof freshDb>, corrupt: (bytes: Uint8Array) => Uint8Array): Promise<void> {
  const [snapshot] = await db.snapshots.toArray();
  expect(snapshot).toBeDefined();
  await db.snapshots.put({ ...snapshot!, bytes: corrupt(snapshot!.bytes) });
}

describe('search over a corrupt snapshot', () => {
  it.each([
    ['capacity 0x40000000, old checksum fixed up', (b: Uint8Array) => withOldChecksum(setU32(b, 12, 0x40000000))],
    ['capacity 0x40000000, new checksum', (b: Uint8Array) => withNewChecksum(setU32(b, 12, 0x40000000))],
    ['random bytes', (b: Uint8Array) => b.map((_, i) => Math.floor(mulberry32(i)() * 256))],
    ['a random index file behind a valid header', (b: Uint8Array) => withNewChecksum(b.map((x, i) => (i < 28 ? x : Math.floor(mulberry32(i)() * 256))))],
  ])('rebuilds around %s: search answers, and later adds are found', async (_, corrupt) => {
    const engine = await seeded();
    expect(await top(engine, FACTS[12]!)).toBe(FACTS[12]);
    expect(await engine.vectors.save(MODEL)).toBe(true);
    engine.vectors.dispose();
    await corruptSnapshot(engine.db, corrupt);

    const onError = vi.fn();
    const healed = createEngine({ db: engine.db, embedder: new HashingEmbedder(), crossover: 20, saveDelayMs: 60_000, onError });
    expect(await top(healed, FACTS[12]!)).toBe(FACTS[12]);
    expect(await top(healed, FACTS[47]!)).toBe(FACTS[47]);
    expect(healed.vectors.lastLoad).toBe('rebuilt');
    expect(onError).toHaveBeenCalled();
    await healed.vectors.built(MODEL);
    expect((await healed.vectors.index(MODEL)).kind).toBe('hnsw');
    await healed.memory.add('I collect vintage typewriters', { userId: 'me', infer: false });
    expect(await top(healed, 'I collect vintage typewriters')).toBe('I collect vintage typewriters');
    // The rebuilt index is saved again and reads back.
    expect(await healed.vectors.save(MODEL)).toBe(true);
    healed.vectors.dispose();
    const reopened = createEngine({ db: engine.db, embedder: new HashingEmbedder(), crossover: 20 });
    expect(await top(reopened, FACTS[30]!)).toBe(FACTS[30]);
    expect(reopened.vectors.lastLoad).toBe('snapshot');
    reopened.vectors.dispose();
  });

  it('answers from an exact scan when HNSW cannot be built at all, and keeps answering after adds', async () => {
    const broken: VectorIndexFactory = {
      kind: 'hnsw',
      create: () => Promise.reject(new Error('hnswlib: initIndex failed: memory access out of bounds')),
      restore: () => Promise.reject(new Error('hnswlib: readIndex failed')),
    };
    const onError = vi.fn();
    const engine = await seeded({ hnsw: broken, onError });
    expect(await top(engine, FACTS[5]!)).toBe(FACTS[5]);
    await engine.vectors.built(MODEL); // the background build failed
    expect((await engine.vectors.index(MODEL)).kind).toBe('exact');
    expect(onError).toHaveBeenCalled();
    await engine.memory.add('I collect vintage typewriters', { userId: 'me', infer: false });
    expect(await top(engine, 'I collect vintage typewriters')).toBe('I collect vintage typewriters');
    expect(await top(engine, FACTS[59]!)).toBe(FACTS[59]);
  });

  it('answers from an exact scan when the HNSW index throws on search', async () => {
    const throwing: VectorIndexFactory = {
      kind: 'hnsw',
      create: async (dimensions, capacity) => {
        const index = await hnswIndexFactory.create(dimensions, capacity);
        index.search = () => {
          throw new Error('hnswlib: searchKnn failed: memory access out of bounds');
        };
        return index;
      },
      restore: (snapshot, dimensions) => hnswIndexFactory.restore(snapshot, dimensions),
    };
    const onError = vi.fn();
    const engine = await seeded({ hnsw: throwing, onError });
    await engine.vectors.built(MODEL); // HNSW has taken over from the exact scan
    expect((await engine.vectors.index(MODEL)).kind).toBe('hnsw');
    expect(await top(engine, FACTS[33]!)).toBe(FACTS[33]);
    expect(onError).toHaveBeenCalled();
    await engine.memory.add('I collect vintage typewriters', { userId: 'me', infer: false });
    expect(await top(engine, 'I collect vintage typewriters')).toBe('I collect vintage typewriters');
    engine.vectors.dispose();
  });
});
