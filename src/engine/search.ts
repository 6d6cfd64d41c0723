/**
 * search: the memories most relevant to a query, best first. Candidates come from four sources
 * (the vector index, BM25 over memory texts, the period a query names, the entities it names),
 * each a stage below; one fused score ranks them (pipeline/rank.ts); a second hop follows entity
 * links from the top results; a question about the past also reaches superseded values.
 */
import { categorize, indexText } from '../pipeline/categorize';
import { cleanText } from '../pipeline/normalize';
import { dot } from '../pipeline/similarity';
import { entitiesOf } from '../pipeline/entities';
import { diversifyBySource, fusedScore, weightedScore, type Weighting } from '../pipeline/rank';
import { terms } from '../pipeline/text-index';
import { saidWithin, timeWindowOf } from '../pipeline/time-query';
import type { HistoryEntry, MemoryRecord } from '../core/types';
import { live, type EngineContext } from './context';
import { matchesFilter, type MemoryFilter } from './filters';

/** Words that ask about the past ("where did I live before", "used to", "previously"). */
export const ABOUT_THE_PAST = /\b(?:used to|previously|formerly|originally|before|earlier|at first|in the past|back then|no longer|anymore|did (?:i|we|you) (?:use|live|work|have)|where did|what was)\b/i;

/**
 * A memory naming an entity the query names (a person, place, project or pet) is a candidate
 * whatever its other scores, and gains this much per such entity (at most two); an entity named
 * by more than ENTITY_CANDIDATES memories is too common to draw any.
 */
export const ENTITY_BONUS = 0.3;
export const ENTITY_CANDIDATES = 50;
/** Entity links are followed from this many top results… */
export const ENTITY_HOP_FROM = 3;
/** …and a linked memory scores this share of the result that led to it. */
export const ENTITY_HOP_DISCOUNT = 0.55;
/**
 * A query anchored in time ("in July 2022", "last week") lifts what was said then by this much,
 * and draws in at most TIME_CANDIDATES such memories (the most recent first) besides the usual
 * candidates.
 */
export const TIME_BONUS = 1.0;
export const TIME_CANDIDATES = 200;
/** Query words a memory must share to pass the relevance gate on lexical evidence alone. */
export const LEXICAL_EVIDENCE = 2;

/** A question about the user themselves… */
const OWN = /\b(?:i|i'm|i've|my|me|we|our|us)\b/i;
/** …and about what has been: "what did I do in May" (not "plan my trip in May"). */
const PAST = /\b(?:did|was|were|had|went|said|told|mentioned|happened|ago|last|yesterday|been)\b/i;

/**
 * Which candidates count as relevant at all. `cosine`: semantic similarity at least this;
 * `lexical`: or sharing at least LEXICAL_EVIDENCE words with the query, or said in the period a
 * question about the user's own past names (the extension's recall gate). Without a gate every
 * candidate is ranked.
 */
export interface RelevanceGate {
  cosine: number;
  lexical: boolean;
}

export interface SearchRequest {
  filter: MemoryFilter;
  topK: number;
  gate?: RelevanceGate;
  /** Include memories past their expiration date. */
  showExpired?: boolean;
}

/** One result: the memory, its rank score, and the evidence behind it. */
export interface Hit {
  record: MemoryRecord;
  /** The text this result stands for: the memory's, or a past value of it. */
  text: string;
  /** The rank score (fused relevance, weighted by pins, ratings, use and age). */
  score: number;
  /** Cosine similarity of the query and the memory under the active model. */
  cosine: number;
  /** For a value the memory no longer holds (a question about the past): when it was replaced. */
  supersededAt?: number;
}

interface Candidates {
  cosine: Map<number, number>;
  bm25: Map<number, number>;
  matched: Map<number, number>;
  inWindow: Set<number>;
  asksOwnPast: boolean;
  entityHits: Map<number, number>;
  queryEntities: string[];
}

export async function search(ctx: EngineContext, query: string, request: SearchRequest): Promise<Hit[]> {
  const text = cleanText(query);
  if (!text || request.topK <= 0) return [];
  const byLabel = await ctx.memories();
  if (byLabel.size === 0) return [];
  const vector = await ctx.embedder.embedQuery(text);
  const now = ctx.now();
  const accept = (label: number): boolean => {
    const m = byLabel.get(label);
    return !!m && (request.showExpired === true || live(m, now)) && matchesFilter(m, request.filter);
  };
  const pool = Math.max(50, request.topK * 5);
  const found = await gatherCandidates(ctx, text, vector, pool, byLabel, accept, now);
  const ranked = rank(found, byLabel, request.gate, now);
  const hopped = await hop(ctx, ranked, byLabel, found.queryEntities, text, accept);
  const results = hopped
    .flatMap((c) => {
      const record = byLabel.get(c.label);
      return record ? [{ record, text: record.text, score: c.score, cosine: found.cosine.get(c.label) ?? 0, sourceTurnIds: record.sourceTurnIds }] : [];
    })
    .reduce<(Hit & { sourceTurnIds: string[] })[]>(diversifyBySource, []);
  // Current values answer questions about now; a question about the past also reaches the
  // values these memories held before (from history), each marked as superseded.
  const past = ABOUT_THE_PAST.test(text) ? await supersededValues(ctx, results.slice(0, request.topK), vector) : [];
  return [...results, ...past]
    .sort((a, b) => b.score - a.score)
    .slice(0, request.topK)
    .map(({ record, text: t, score, cosine, supersededAt }) => ({ record, text: t, score, cosine, ...(supersededAt === undefined ? {} : { supersededAt }) }));
}

/** Stage 1: candidates from the vector index, BM25, the period named and the entities named. */
async function gatherCandidates(
  ctx: EngineContext,
  text: string,
  vector: Float32Array,
  pool: number,
  byLabel: Map<number, MemoryRecord>,
  accept: (label: number) => boolean,
  now: number,
): Promise<Candidates> {
  const model = ctx.embedder.modelId;
  const semantic = await ctx.vectors.search(model, vector, pool, accept);
  const lexical = (await ctx.textIndex()).search(text, pool, (id) => accept(Number(id)));
  const cosine = new Map(semantic.map((h) => [h.label, h.score]));
  // Said in the period the query names: candidates too, and ranked up.
  const window = timeWindowOf(text, now);
  const inWindow = new Set<number>();
  // "What did I do last week?" wants what was said then, however unlike the question it is;
  // "the best laptops of 2026" and "plan my trip in May" do not: only a question about the
  // user's own past day, week or month passes the gate.
  const asksOwnPast = window !== null && window.unit !== 'year' && OWN.test(text) && PAST.test(text);
  if (window) {
    const said = [...byLabel.values()].filter((m) => saidWithin(window, m.saidAt) && accept(m.label));
    said.sort((x, y) => y.saidAt - x.saidAt);
    for (const m of said.slice(0, TIME_CANDIDATES)) inWindow.add(m.label);
  }
  // Naming the same person, place, project or pet as the query: candidates too, and ranked up.
  const links = await ctx.entityLinks();
  const entityHits = new Map<number, number>();
  const queryEntities = entitiesOf(text);
  for (const entity of queryEntities) {
    for (const label of links.labelsOf(entity, ENTITY_CANDIDATES)) {
      if (accept(label)) entityHits.set(label, (entityHits.get(label) ?? 0) + 1);
    }
  }
  // Every candidate gets its cosine, whichever source drew it.
  const missing = [...new Set([...lexical.map((h) => Number(h.id)), ...inWindow, ...entityHits.keys()])].filter((label) => !cosine.has(label));
  if (missing.length > 0) {
    const ids = missing.flatMap((label) => byLabel.get(label)?.id ?? []);
    for (const v of await ctx.store.vectors(model, ids)) cosine.set(v.label, dot(vector, v.vector));
  }
  return {
    cosine,
    bm25: new Map(lexical.map((h) => [Number(h.id), h.score])),
    matched: new Map(lexical.map((h) => [Number(h.id), h.matched.length])),
    inWindow,
    asksOwnPast,
    entityHits,
    queryEntities,
  };
}

/** Stage 2: the gate, then one fused score per candidate, best first. */
function rank(c: Candidates, byLabel: Map<number, MemoryRecord>, gate: RelevanceGate | undefined, now: number): { label: number; score: number }[] {
  const passes = (label: number): boolean =>
    !gate ||
    (c.cosine.get(label) ?? -1) >= gate.cosine ||
    // Sharing several words with the query (one shared word, like "works" in a question about
    // photosynthesis, is not enough), or said in the period the query asks about.
    (gate.lexical && ((c.matched.get(label) ?? 0) >= LEXICAL_EVIDENCE || (c.asksOwnPast && c.inWindow.has(label))));
  return [...new Set([...c.cosine.keys(), ...c.bm25.keys()])]
    .filter(passes)
    .map((label) => {
      const relevance =
        fusedScore({ label, cosine: c.cosine.get(label) ?? 0, bm25: c.bm25.get(label) ?? 0 }) +
        (c.inWindow.has(label) ? TIME_BONUS : 0) +
        ENTITY_BONUS * Math.min(c.entityHits.get(label) ?? 0, 2);
      const m = byLabel.get(label);
      return { label, score: m ? weightedScore(relevance, weightingOf(m), now) : relevance };
    })
    .sort((a, b) => b.score - a.score);
}

/**
 * Stage 3, the second hop: memories naming an entity that a top result names ("Atlas is managed
 * by Priya" draws "Priya lives in Lisbon"), a little below the memory that led to them.
 */
async function hop(
  ctx: EngineContext,
  ranked: { label: number; score: number }[],
  byLabel: Map<number, MemoryRecord>,
  queryEntities: string[],
  text: string,
  accept: (label: number) => boolean,
): Promise<{ label: number; score: number }[]> {
  const links = await ctx.entityLinks();
  const byRank = new Map(ranked.map((r) => [r.label, r]));
  // Hop through bridge entities only: what the query names is already searched for directly.
  const named = new Set(queryEntities.concat(terms(text)));
  for (const parent of ranked.slice(0, ENTITY_HOP_FROM)) {
    const memory = byLabel.get(parent.label);
    if (!memory) continue;
    // The bridge entity counts as named too: it is what the question asks about, one hop on.
    const score = parent.score * ENTITY_HOP_DISCOUNT + ENTITY_BONUS;
    for (const label of links.linked(memory, named)) {
      const known = byRank.get(label);
      if (known) known.score = Math.max(known.score, score);
      else if (accept(label)) byRank.set(label, { label, score });
    }
  }
  return [...byRank.values()].sort((a, b) => b.score - a.score);
}

/** Stage 4: for a question about the past, the values these memories held before. */
async function supersededValues(ctx: EngineContext, current: readonly Hit[], query: Float32Array): Promise<Hit[]> {
  const olds: { hit: Hit; text: string; at: number }[] = [];
  for (const hit of current) {
    for (const h of await ctx.store.history(hit.record.id)) {
      if (h.event === 'UPDATE' && !isCorrection(h) && h.oldText && h.oldText !== hit.record.text) {
        olds.push({ hit, text: h.oldText, at: h.at });
      }
    }
  }
  if (olds.length === 0) return [];
  const vectors = await ctx.embedder.embedBatch(olds.map((o) => indexText(o.text, categorize(o.text))));
  return olds.map((o, i) => {
    const cosine = dot(query, vectors[i]!);
    // As relevant as its current value, a little below it, and above it when closer to the query.
    return { record: o.hit.record, text: o.text, score: Math.max(o.hit.score - 0.05, cosine), cosine, supersededAt: o.at };
  });
}

/** A user's edit of a memory (before `correction` was recorded, its reason said so). */
const isCorrection = (h: HistoryEntry): boolean => h.correction === true || h.reason === 'edited by the user';

/** What the user said about a memory's weight: `metadata.pinned`, `metadata.importance` (1–5). */
function weightingOf(m: MemoryRecord): Weighting {
  const { pinned, importance, uses } = m.metadata;
  return {
    saidAt: m.saidAt,
    pinned: pinned === true,
    ...(typeof importance === 'number' ? { importance } : {}),
    ...(typeof uses === 'number' ? { uses } : {}),
  };
}
