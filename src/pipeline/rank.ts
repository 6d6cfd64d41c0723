/**
 * Hybrid ranking: semantic similarity (cosine of embeddings) fused with lexical evidence (BM25).
 * A static embedding model is weak on its own and a plain rank fusion drags BM25 down with it, so
 * the lexical score is added as a bounded bonus on top of the cosine: an exact, rare-word match
 * lifts a memory decisively, while no match leaves the semantic order (which finds "I live in
 * Berlin" for "a restaurant near me") untouched. Weights are tuned by `npm run eval` on LoCoMo.
 */
export interface RankWeights {
  /** How much a perfect lexical match adds to the cosine. */
  lexical: number;
  /** BM25 score at which half of the lexical bonus is reached (squashes BM25 into 0..1). */
  bm25Half: number;
}

export const DEFAULT_WEIGHTS: RankWeights = { lexical: 1.5, bm25Half: 6 };

export interface Candidate {
  label: number;
  cosine: number;
  bm25: number;
}

/** The fused relevance of a candidate. */
export function fusedScore(c: Candidate, w: RankWeights = DEFAULT_WEIGHTS): number {
  return c.cosine + (w.lexical * c.bm25) / (c.bm25 + w.bm25Half);
}

/** How much a result loses for each better-ranked result from the same source turn. */
export const SAME_SOURCE_PENALTY = 0.5;

/**
 * Diversity (MMR-like), as a reducer over results sorted best first: facts split from one message
 * all match the same query, so each one after the first loses a little, and the results cover
 * more of what was said.
 *
 * @example
 * results.reduce(diversifyBySource, []);
 */
export function diversifyBySource<T extends { score: number; sourceTurnIds: string[] }>(chosen: T[], next: T): T[] {
  const shared = chosen.filter((c) => c.sourceTurnIds.some((id) => next.sourceTurnIds.includes(id))).length;
  const adjusted = shared > 0 ? { ...next, score: next.score - SAME_SOURCE_PENALTY * shared } : next;
  const at = chosen.findIndex((c) => c.score < adjusted.score);
  if (at < 0) chosen.push(adjusted);
  else chosen.splice(at, 0, adjusted);
  return chosen;
}

/** What, besides relevance, weighs on a memory's rank. */
export interface Weighting {
  /** When it was said. */
  saidAt: number;
  /** The user pinned it (metadata.pinned). */
  pinned?: boolean;
  /** The user's rating, 1–5 (metadata.importance). */
  importance?: number;
  /** How often it was injected into a prompt and kept (metadata.uses). */
  uses?: number;
}

export const WEIGHTS = {
  /** A pinned memory's bonus: it stays findable however old. */
  pinned: 0.2,
  /** Per point of the user's 1–5 rating. */
  importancePerPoint: 0.03,
  /** Bonus for a memory said just now, halving every `recencyHalfLifeDays`. */
  recency: 0.05,
  recencyHalfLifeDays: 180,
  /** Per doubling of the times it was used, at most `useCap`. */
  usePerDoubling: 0.02,
  useCap: 0.1,
} as const;

/**
 * Relevance weighed against importance, use and recency: a pinned, highly rated or often used
 * memory keeps its place as it ages, and between two equally relevant memories the more recent
 * wins (current values beat stale ones). The bonuses are small next to relevance, so they
 * reorder near-ties.
 */
export function weightedScore(relevance: number, w: Weighting, now: number): number {
  const ageDays = Math.max(0, now - w.saidAt) / 86_400_000;
  const recency = WEIGHTS.recency * 2 ** (-ageDays / WEIGHTS.recencyHalfLifeDays);
  const importance = Math.min(5, Math.max(0, w.importance ?? 0)) * WEIGHTS.importancePerPoint;
  const use = Math.min(WEIGHTS.useCap, WEIGHTS.usePerDoubling * Math.log2(1 + Math.max(0, w.uses ?? 0)));
  return relevance + recency + importance + use + (w.pinned ? WEIGHTS.pinned : 0);
}
