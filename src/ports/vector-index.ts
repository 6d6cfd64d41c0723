/**
 * A nearest-neighbour index over unit vectors, keyed by integer labels (each memory has one).
 * Two adapters: an exact scan (small stores, and the reference) and HNSW via hnswlib-wasm.
 * An index is a cache of Dexie: it can always be rebuilt from the stored vectors.
 */
export interface VectorHit {
  label: number;
  /** Cosine similarity to the query, in [-1, 1]. */
  score: number;
}

export interface VectorIndex {
  readonly kind: 'exact' | 'hnsw';
  readonly dimensions: number;
  /** Number of live (not deleted) vectors. */
  readonly size: number;
  /** Insert or replace the vector of `label`. */
  upsert(label: number, vector: Float32Array): void;
  remove(label: number): void;
  has(label: number): boolean;
  /** The stored (unit-length) vector of a live label, or undefined: a recall reads it here, not from IndexedDB. */
  vectorOf(label: number): Float32Array | undefined;
  /**
   * The `k` nearest live vectors, best first. `accept` filters labels (scope, space, …); the
   * index widens its search until it has `k` accepted hits or has seen everything.
   */
  search(query: Float32Array, k: number, accept?: (label: number) => boolean): VectorHit[];
  /** A snapshot of the whole index, to persist. */
  serialize(): Uint8Array;
}

/** Builds indexes of one kind: empty, or restored from a snapshot. */
export interface VectorIndexFactory {
  readonly kind: VectorIndex['kind'];
  create(dimensions: number, capacity: number): Promise<VectorIndex>;
  /**
   * Throws when the snapshot is corrupt or of another shape. `checksum: false` skips the embedded
   * checksum when the caller verified the bytes itself (the recall image); the structure is still checked.
   */
  restore(snapshot: Uint8Array, dimensions: number, options?: { checksum?: boolean }): Promise<VectorIndex>;
}
