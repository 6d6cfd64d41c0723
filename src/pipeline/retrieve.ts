import type { MemoryRecord, RecalledMemory } from '../engine/types';

export interface RecallOptions {
  /** At most this many memories. */
  topK: number;
  /** Cosine similarity a memory must reach to be recalled. */
  threshold: number;
}

/** Cosine similarity of two unit vectors. */
export function cosine(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i]! * b[i]!;
  return dot;
}

/**
 * Exact nearest-neighbour scan: the memories most similar to `query`, above the threshold, best
 * first. Vectors from another model than the query's are skipped.
 */
export function rankBySimilarity(
  query: Float32Array,
  memories: readonly MemoryRecord[],
  model: string,
  { topK, threshold }: RecallOptions,
): RecalledMemory[] {
  return memories
    .filter((m) => m.model === model)
    .map((m) => ({ id: m.id, text: m.text, score: cosine(query, m.embedding) }))
    .filter((m) => m.score >= threshold)
    .sort((a, b) => b.score - a.score)
    .slice(0, topK);
}
