import { exactIndexFactory } from '../adapters/exact-index';
import { hnswIndexFactory } from '../adapters/hnsw-index';
import type { Engine } from '../engine/create-engine';
import { mulberry32 } from '../engine/random';
import type { SiteIssue } from '../messaging/protocol';
import { siteIssues } from './site-health';

export interface Diagnostics {
  memories: number;
  model: string;
  dimensions: number;
  index: { kind: 'exact' | 'hnsw'; size: number };
  hnsw: { vectors: number; recallAt10: number; restoredIdentical: boolean; ms: number };
  /** Sites whose pages no longer match their adapters (see site-health.ts), newest first. */
  siteIssues: SiteIssue[];
}


function unitVector(random: () => number, dims: number): Float32Array {
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    v[i] = random() * 2 - 1;
    norm += v[i]! * v[i]!;
  }
  norm = Math.sqrt(norm);
  for (let i = 0; i < dims; i++) v[i]! /= norm;
  return v;
}

/**
 * Checks the engine where it runs (the service worker): the store, the active model and index,
 * and that HNSW (hnswlib-wasm, patched for the extension's CSP) builds, searches and restores a
 * snapshot with the recall the benchmark promises.
 */
export async function runDiagnostics(engine: Engine, vectors = 2000, dims = 64): Promise<Diagnostics> {
  const started = performance.now();
  const random = mulberry32(42); // the same self-check everywhere
  const hnsw = await hnswIndexFactory.create(dims, vectors);
  const exact = await exactIndexFactory.create(dims, vectors);
  for (let label = 1; label <= vectors; label++) {
    const v = unitVector(random, dims);
    hnsw.upsert(label, v);
    exact.upsert(label, v);
  }
  let hits = 0;
  const queries = 50;
  const restored = await hnswIndexFactory.restore(hnsw.serialize(), dims);
  let identical = true;
  for (let q = 0; q < queries; q++) {
    const query = unitVector(random, dims);
    const truth = new Set(exact.search(query, 10).map((h) => h.label));
    const found = hnsw.search(query, 10).map((h) => h.label);
    hits += found.filter((l) => truth.has(l)).length;
    identical &&= JSON.stringify(restored.search(query, 10).map((h) => h.label)) === JSON.stringify(found);
  }
  const model = engine.memory.embedder.modelId;
  const index = await engine.vectors.index(model);
  return {
    memories: await engine.store.count(),
    model,
    dimensions: index.dimensions,
    index: { kind: index.kind, size: index.size },
    hnsw: { vectors, recallAt10: hits / (queries * 10), restoredIdentical: identical, ms: Math.round(performance.now() - started) },
    siteIssues: await siteIssues(),
  };
}
