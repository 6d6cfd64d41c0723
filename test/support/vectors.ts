/**
 * Deterministic synthetic embeddings for index tests and the index benchmark.
 *
 * Real sentence embeddings are not uniform on the sphere: they live near a low-dimensional subset
 * and form topical clusters. Uniform random 384-d vectors would be a needlessly pessimistic (and
 * unrealistic) workload for HNSW, so points here are drawn as: a cluster centre in a small latent
 * space (default 16-d) + latent spread, mapped into `dims` dimensions through a fixed random basis,
 * plus small isotropic noise, then normalised.
 */

import { mulberry32 } from '../../src/engine/random';

export { mulberry32 };

/** Standard normal samples (Box–Muller) from a uniform PRNG. */
export function gaussian(rand: () => number): () => number {
  let spare: number | null = null;
  return () => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = rand();
    const v = rand();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };
}

export function normalize(v: Float32Array): Float32Array {
  let s = 0;
  for (const x of v) s += x * x;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  return v;
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export interface VectorSpaceOptions {
  dims?: number;
  /** Intrinsic dimension: number of latent directions. */
  latent?: number;
  /** Number of topical clusters in the latent space. */
  clusters?: number;
  /** Spread of points around their cluster centre, relative to the centres' spread. */
  spread?: number;
  /** Isotropic noise added in the full space, per unit-norm vector. */
  noise?: number;
  seed?: number;
}

export interface VectorSpace {
  readonly dims: number;
  readonly description: string;
  /** `n` unit vectors (views into one contiguous buffer), deterministic for a given `seed`. */
  sample(n: number, seed: number): Float32Array[];
}

export function clusteredVectorSpace(options: VectorSpaceOptions = {}): VectorSpace {
  const dims = options.dims ?? 384;
  const latent = options.latent ?? 16;
  const clusters = options.clusters ?? 48;
  const spread = options.spread ?? 0.6;
  const noise = options.noise ?? 0.15;
  const seed = options.seed ?? 42;

  const g = gaussian(mulberry32(seed));
  const basis: Float32Array[] = [];
  for (let l = 0; l < latent; l++) {
    const b = new Float32Array(dims);
    for (let d = 0; d < dims; d++) b[d] = g();
    basis.push(normalize(b));
  }
  const centres: Float32Array[] = [];
  for (let c = 0; c < clusters; c++) {
    const z = new Float32Array(latent);
    for (let l = 0; l < latent; l++) z[l] = g();
    centres.push(z);
  }

  return {
    dims,
    description:
      `clustered synthetic unit vectors: ${dims}-d, ${clusters} clusters in a ${latent}-d latent subspace ` +
      `(spread ${spread}) + isotropic noise ${noise}, normalised; mulberry32 seeds (not real embeddings)`,
    sample(n, sampleSeed) {
      const rand = mulberry32(sampleSeed ^ 0x9e3779b9);
      const gs = gaussian(rand);
      const buffer = new Float32Array(n * dims);
      const out: Float32Array[] = [];
      const z = new Float32Array(latent);
      const noiseScale = noise / Math.sqrt(dims);
      for (let i = 0; i < n; i++) {
        const centre = centres[Math.floor(rand() * clusters)]!;
        for (let l = 0; l < latent; l++) z[l] = centre[l]! + spread * gs();
        const v = buffer.subarray(i * dims, (i + 1) * dims);
        let zn = 0;
        for (let l = 0; l < latent; l++) zn += z[l]! * z[l]!;
        const zInv = 1 / Math.sqrt(zn || 1);
        for (let l = 0; l < latent; l++) {
          const coef = z[l]! * zInv;
          const b = basis[l]!;
          for (let d = 0; d < dims; d++) v[d] = v[d]! + coef * b[d]!;
        }
        for (let d = 0; d < dims; d++) v[d] = v[d]! + noiseScale * gs();
        out.push(normalize(v));
      }
      return out;
    },
  };
}
