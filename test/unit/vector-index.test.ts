import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { ExactIndex, exactIndexFactory } from '../../src/adapters/exact-index';
import { HnswIndex, hnswIndexFactory } from '../../src/adapters/hnsw-index';
import { loadHnswlib } from '../../src/adapters/hnswlib/load';
import { patchHnswlibGlue } from '../../scripts/hnswlib/patch-glue';
import type { VectorIndex, VectorIndexFactory } from '../../src/ports/vector-index';
import { clusteredVectorSpace, dot, mulberry32, normalize } from '../support/vectors';

const DIMS = 384;
const space = clusteredVectorSpace({ dims: DIMS, seed: 7 });

function recallAt(k: number, approx: { label: number }[], exact: { label: number }[]): number {
  const truth = new Set(exact.slice(0, k).map((h) => h.label));
  return approx.slice(0, k).filter((h) => truth.has(h.label)).length / Math.max(1, truth.size);
}

function flipByte(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at] = copy[at]! ^ 0x5a;
  return copy;
}

describe('hnswlib glue patch', () => {
  const require = createRequire(import.meta.url);
  const gluePath = require.resolve('hnswlib-wasm/dist/hnswlib-317962d7.js');

  it('removes every eval-style code path and exports FS', () => {
    const original = readFileSync(gluePath, 'utf8');
    const evalCall = /new Function\s*\(|newFunc\(\s*Function/;
    // (booleans, not toContain: a failure must not print the 877 KB glue)
    expect(evalCall.test(original)).toBe(true);
    const patched = patchHnswlibGlue(original);
    expect(evalCall.test(patched)).toBe(false);
    expect(patched.includes('not compiled for this environment')).toBe(false);
    expect(patched.includes("Module['FS'] = FS;")).toBe(true);
    expect(patchHnswlibGlue(patched) === patched).toBe(true);
  });

  it('fails loudly when the glue changes', () => {
    expect(() => patchHnswlibGlue('export default 1;')).toThrow(/expected snippet not found/);
  });

  it('loads in Node with the patched glue, and filter callbacks (emval method callers) work', async () => {
    const lib = await loadHnswlib();
    expect(typeof lib.FS.writeFile).toBe('function');
    const native = new lib.HierarchicalNSW('cosine', 4, '');
    native.initIndex(8, 16, 200, 100);
    native.addPoint(new Float32Array([1, 0, 0, 0]), 1, true);
    native.addPoint(new Float32Array([0, 1, 0, 0]), 2, true);
    const all = native.searchKnn(new Float32Array([1, 0.1, 0, 0]), 2, undefined);
    expect(all.neighbors).toEqual([1, 2]);
    // Cosine space: distance = 1 − cos.
    expect(all.distances[0]).toBeCloseTo(1 - 1 / Math.sqrt(1.01), 5);
    const filtered = native.searchKnn(new Float32Array([1, 0.1, 0, 0]), 2, (label) => label !== 1);
    expect(filtered.neighbors).toEqual([2]);
    native.delete();
  });
});

// A correctness check at a size that takes a second or two. Recall at scale (10,000 and 100,000 ×
// 384, with the same floors) is measured by `npm run bench` (bench/index-bench.ts), not here.
describe('HNSW recall against the exact index (2,500 × 384, clustered)', () => {
  const N = 2_500;
  const Q = 100;
  let hnsw: HnswIndex;
  let exact: ExactIndex;
  let queries: Float32Array[];

  beforeAll(async () => {
    const points = space.sample(N, 1);
    queries = space.sample(Q, 2);
    hnsw = await HnswIndex.create(DIMS, 1024); // grows by doubling, twice
    exact = new ExactIndex(DIMS, 1024);
    points.forEach((v, i) => {
      hnsw.upsert(i, v);
      exact.upsert(i, v);
    });
  });

  it(`recall@10 ≥ 0.95 over ${Q} queries`, () => {
    let recall = 0;
    for (const q of queries) recall += recallAt(10, hnsw.search(q, 10), exact.search(q, 10));
    recall /= Q;
    console.log(`HNSW recall@10 vs exact, n=${N}, d=${DIMS}, ${Q} queries: ${recall.toFixed(4)}`);
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(hnsw.size).toBe(N);
    expect(hnsw.capacity).toBeGreaterThanOrEqual(N);
  });

  it('scores are cosine similarities (score = 1 − hnswlib distance) within 1e-4', () => {
    const q = queries[0]!;
    for (const hit of hnsw.search(q, 10)) {
      const ref = exact.search(q, N).find((h) => h.label === hit.label)!;
      expect(Math.abs(hit.score - ref.score)).toBeLessThan(1e-4);
    }
  });

  it('accept: a selective filter (1 in 50) still returns k accepted hits, matching the exact filtered top-k', () => {
    const accept = (label: number) => label % 50 === 3;
    let recall = 0;
    for (const q of queries.slice(0, 20)) {
      const hits = hnsw.search(q, 10, accept);
      expect(hits).toHaveLength(10);
      expect(hits.every((h) => accept(h.label))).toBe(true);
      recall += recallAt(10, hits, exact.search(q, 10, accept));
    }
    expect(recall / 20).toBeGreaterThanOrEqual(0.95);
  });
});

function unitVector(rand: () => number, dims: number): Float32Array {
  const v = new Float32Array(dims);
  for (let i = 0; i < dims; i++) v[i] = rand() - 0.5;
  return normalize(v);
}

const factories: VectorIndexFactory[] = [exactIndexFactory, hnswIndexFactory];

describe.each(factories.map((f) => [f.kind, f] as const))('%s index', (_kind, factory) => {
  const D = 32;
  const make = async (n: number, capacity = 16): Promise<{ index: VectorIndex; vectors: Float32Array[] }> => {
    const rand = mulberry32(1234);
    const index = await factory.create(D, capacity);
    const vectors: Float32Array[] = [];
    for (let i = 0; i < n; i++) {
      const v = unitVector(rand, D);
      vectors.push(v);
      index.upsert(i, v);
    }
    return { index, vectors };
  };

  it('reports its kind and dimensions', async () => {
    const { index } = await make(0);
    expect(index.kind).toBe(factory.kind);
    expect(index.dimensions).toBe(D);
    expect(index.size).toBe(0);
    expect(index.search(new Float32Array(D).fill(1), 5)).toEqual([]);
  });

  it('grows past its initial capacity', async () => {
    const { index, vectors } = await make(300, 16);
    expect(index.size).toBe(300);
    for (const label of [0, 150, 299]) {
      expect(index.has(label)).toBe(true);
      expect(index.search(vectors[label]!, 1)[0]).toMatchObject({ label });
    }
  });

  it('scores match exact cosine within 1e-4, best first', async () => {
    const { index, vectors } = await make(200);
    const q = unitVector(mulberry32(99), D);
    const hits = index.search(q, 10);
    expect(hits).toHaveLength(10);
    for (const hit of hits) expect(Math.abs(hit.score - dot(q, vectors[hit.label]!))).toBeLessThan(1e-4);
    for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score);
    // Non-unit inputs are compared by cosine too.
    const scaled = q.map((x) => x * 3);
    expect(index.search(scaled, 1)[0]!.score).toBeCloseTo(hits[0]!.score, 4);
  });

  it('upsert replaces the vector of an existing label', async () => {
    const { index, vectors } = await make(100);
    const target = vectors[7]!;
    expect(index.search(target, 1)[0]).toMatchObject({ label: 7 });
    index.upsert(42, target); // label 42 now points where 7 is
    expect(index.size).toBe(100);
    const top2 = index.search(target, 2).map((h) => h.label).sort((a, b) => a - b);
    expect(top2).toEqual([7, 42]);
    // and 42's old position no longer finds 42 first
    expect(index.search(vectors[42]!, 1)[0]!.label).not.toBe(42);
  });

  it('remove hides a label; re-adding it and adding new labels after removals works', async () => {
    const { index, vectors } = await make(100);
    index.remove(5);
    index.remove(5); // idempotent
    index.remove(12345); // unknown: no-op
    expect(index.has(5)).toBe(false);
    expect(index.size).toBe(99);
    expect(index.search(vectors[5]!, 99).map((h) => h.label)).not.toContain(5);
    // New labels (may reuse the removed slot) and the removed label itself.
    for (const r of [10, 11, 12]) index.remove(r);
    index.upsert(500, vectors[10]!);
    index.upsert(501, vectors[11]!);
    index.upsert(5, vectors[5]!);
    expect(index.size).toBe(99);
    expect(index.search(vectors[10]!, 1)[0]).toMatchObject({ label: 500 });
    expect(index.search(vectors[11]!, 1)[0]).toMatchObject({ label: 501 });
    expect(index.search(vectors[5]!, 1)[0]).toMatchObject({ label: 5 });
    const all = index.search(vectors[0]!, 200).map((h) => h.label);
    expect(all).toHaveLength(99);
    expect(new Set(all).size).toBe(99);
    expect(all).not.toContain(10);
    expect(all).not.toContain(12);
    // Removing everything leaves an empty index.
    for (const label of all) index.remove(label);
    expect(index.size).toBe(0);
    expect(index.search(vectors[0]!, 5)).toEqual([]);
  });

  it('accept filters labels and still returns k hits when enough are accepted', async () => {
    const { index, vectors } = await make(400);
    const accept = (label: number) => label % 10 === 0;
    const hits = index.search(vectors[3]!, 10, accept);
    expect(hits).toHaveLength(10);
    expect(hits.every((h) => accept(h.label))).toBe(true);
    // Fewer accepted than k: all of them.
    expect(index.search(vectors[3]!, 10, (l) => l === 17 || l === 230)).toHaveLength(2);
    expect(index.search(vectors[3]!, 10, () => false)).toEqual([]);
  });

  it('serialize → restore gives identical results, and the restored index stays writable', async () => {
    const { index, vectors } = await make(300, 64);
    index.remove(3);
    index.upsert(1000, vectors[3]!);
    const snapshot = index.serialize();
    const restored = await factory.restore(snapshot, D);
    expect(restored.kind).toBe(factory.kind);
    expect(restored.size).toBe(index.size);
    expect(restored.has(3)).toBe(false);
    expect(restored.has(1000)).toBe(true);
    const rand = mulberry32(5);
    for (let i = 0; i < 20; i++) {
      const q = unitVector(rand, D);
      expect(restored.search(q, 10)).toEqual(index.search(q, 10));
    }
    restored.upsert(2000, vectors[4]!);
    restored.remove(4);
    expect(restored.search(vectors[4]!, 1)[0]).toMatchObject({ label: 2000 });
    expect(restored.size).toBe(index.size);
  });

  it('rejects corrupt, truncated or mismatched snapshots with a clear error', async () => {
    const { index } = await make(50);
    const snapshot = index.serialize();
    const corrupt = /corrupt or incompatible/;
    await expect(factory.restore(flipByte(snapshot, snapshot.length - 7), D)).rejects.toThrow(/checksum/);
    await expect(factory.restore(flipByte(snapshot, Math.floor(snapshot.length / 2)), D)).rejects.toThrow(corrupt);
    await expect(factory.restore(snapshot.subarray(0, snapshot.length - 100), D)).rejects.toThrow(corrupt);
    await expect(factory.restore(snapshot.subarray(0, 10), D)).rejects.toThrow(corrupt);
    await expect(factory.restore(flipByte(snapshot, 0), D)).rejects.toThrow(/magic/);
    await expect(factory.restore(snapshot, D + 1)).rejects.toThrow(/dimensions/);
    // The original snapshot is still fine (from an unaligned view too).
    const shifted = new Uint8Array(snapshot.length + 1);
    shifted.set(snapshot, 1);
    expect((await factory.restore(shifted.subarray(1), D)).size).toBe(50);
  });

  it('rejects vectors of the wrong dimension and invalid labels', async () => {
    const { index } = await make(1);
    expect(() => {
      index.upsert(2, new Float32Array(D + 1));
    }).toThrow(RangeError);
    expect(() => {
      index.upsert(-1, new Float32Array(D).fill(1));
    }).toThrow(RangeError);
    expect(() => {
      index.upsert(1.5, new Float32Array(D).fill(1));
    }).toThrow(RangeError);
    expect(() => index.search(new Float32Array(D - 1), 1)).toThrow(RangeError);
  });
});
