/**
 * search: the memories most relevant to a query, best first. Candidates come from four sources
 * (the vector index, BM25 over memory texts, the period a query names, the entities it names),
 * gathered here; the pure stages (the gate, one fused score, the second hop along entity links)
 * are in pipeline/candidates.ts; a question about the past also reaches superseded values.
 */
import { categoriesAsked, categorize, indexText } from '../pipeline/categorize';
import { cleanText } from '../pipeline/normalize';
import { dot } from '../pipeline/similarity';
import { entitiesOf } from '../pipeline/entities';
import { ENTITY_CANDIDATES, hop, rank, TIME_CANDIDATES, type Candidates, type RelevanceGate } from '../pipeline/candidates';
import { diversifyBySource } from '../pipeline/rank';
import { saidWithin, timeWindowOf } from '../pipeline/time-query';
import type { HistoryEntry, MemoryRecord } from '../core/types';
import { live, type EngineContext } from './context';
import { matchesFilter, type MemoryFilter } from './filters';

/** Words that ask about the past ("where did I live before", "used to", "previously"). */
export const ABOUT_THE_PAST = /\b(?:used to|previously|formerly|originally|before|earlier|at first|in the past|back then|no longer|anymore|did (?:i|we|you) (?:use|live|work|have)|where did|what was)\b/i;

/** A question about the user themselves… */
const OWN = /\b(?:i|i'm|i've|my|me|we|our|us)\b/i;
/** …and about what has been: "what did I do in May" (not "plan my trip in May"). */
const PAST = /\b(?:did|was|were|had|went|said|told|mentioned|happened|ago|last|yesterday|been)\b/i;

/** A question about what happened or was said in a period: "What did I do last week?", "Remind me what we said in May". */
const ASKS_ABOUT_A_PERIOD = /\b(?:what|when|where|who|which|how|remind me|tell me)\b[^.?!]*\b(?:did|was|were|had|happened|said|told|mentioned|went)\b|\b(?:did|was|were|had)\b[^.?!]*\?/i;

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
  /** The score before a second fact from the same message gave way to others (diversity). */
  relevance: number;
  /** Cosine similarity of the query and the memory under the active model. */
  cosine: number;
  /** For a value the memory no longer holds (a question about the past): when it was replaced. */
  supersededAt?: number;
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
  const hopped = hop(await ctx.entityLinks(), ranked, byLabel, found, text, accept, request.gate);
  const results = hopped
    .flatMap((c) => {
      const record = byLabel.get(c.label);
      return record
        ? [{ record, text: record.text, score: c.score, relevance: c.score, cosine: found.cosine.get(c.label) ?? 0, sourceTurnIds: record.sourceTurnIds }]
        : [];
    })
    .reduce<(Hit & { sourceTurnIds: string[] })[]>(diversifyBySource, []);
  // Current values answer questions about now; a question about the past also reaches the
  // values these memories held before (from history), each marked as superseded.
  const past = ABOUT_THE_PAST.test(text) ? await supersededValues(ctx, results.slice(0, request.topK), vector) : [];
  return [...results, ...past]
    .sort((a, b) => b.score - a.score)
    .slice(0, request.topK)
    .map(({ record, text: t, score, relevance, cosine, supersededAt }) => ({ record, text: t, score, relevance, cosine, ...(supersededAt === undefined ? {} : { supersededAt }) }));
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
  // "What did I do last week?" asks what was said then; "What should we do this weekend?" and
  // "had two headaches this week, any tips?" name a period without asking about it.
  if (window && ASKS_ABOUT_A_PERIOD.test(text)) {
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
  for (const [label, v] of await vectorsOf(ctx, model, missing, byLabel)) cosine.set(label, dot(vector, v));
  // Hubness: how close each candidate comes to any personal request at all.
  // Kept per record object: an update replaces the record, so its hubness is measured again.
  const hub = new Map<number, number>();
  const unmeasured: number[] = [];
  for (const label of cosine.keys()) {
    const m = byLabel.get(label);
    const known = m ? hubness.get(m) : undefined;
    if (known?.model === model) hub.set(label, known.value);
    else if (m) unmeasured.push(label);
  }
  if (unmeasured.length > 0) {
    const generic = await genericVectors(ctx);
    for (const [label, v] of await vectorsOf(ctx, model, unmeasured, byLabel)) {
      const value = generic.reduce((sum, g) => sum + dot(g, v), 0) / generic.length;
      hub.set(label, value);
      const m = byLabel.get(label);
      if (m) hubness.set(m, { model, value });
    }
  }
  return {
    hub,
    cosine,
    bm25: new Map(lexical.map((h) => [Number(h.id), h.score])),
    matched: new Map(lexical.map((h) => [Number(h.id), h.matched.length])),
    inWindow,
    asksOwnPast,
    entityHits,
    queryEntities,
    topics: categoriesAsked(text),
    present: !ABOUT_THE_PAST.test(text) && !(window !== null && PAST.test(text)),
  };
}

/**
 * The vectors of these memories: from the loaded index, else from the store (an IndexedDB read
 * waits behind any write in progress, so a recall avoids it).
 */
async function vectorsOf(ctx: EngineContext, model: string, labels: readonly number[], byLabel: Map<number, MemoryRecord>): Promise<Map<number, Float32Array>> {
  const out = ctx.vectors.loadedVectors(model, labels);
  const unread = labels.filter((label) => !out.has(label)).flatMap((label) => byLabel.get(label)?.id ?? []);
  if (unread.length > 0) for (const v of await ctx.store.vectors(model, unread)) out.set(v.label, v.vector);
  return out;
}

/**
 * Requests about one's life in general. A memory close to all of them (a hub: "I'm careful with
 * money", "my first time") matches every personal prompt a little; its mean cosine to these is
 * taken off its score (hubness reduction, as CSLS does for nearest neighbours).
 */
const GENERIC_REQUESTS = [
  'What should I do this weekend?', 'Any ideas for dinner tonight?', 'Help me plan my week', 'What would you recommend for me?',
  'Can you give me some advice?', 'Write a short message for me', 'What should I buy?', 'Any tips for me?',
  'How should I spend my evening?', 'Suggest something fun for us', 'What do you think I should do?', 'Help me decide',
];
const genericByModel = new Map<string, Promise<Float32Array[]>>();

/** Embed what every search needs besides the query (the generic requests), ahead of the first one. */
export async function warmSearch(ctx: EngineContext): Promise<void> {
  await genericVectors(ctx);
}
const hubness = new WeakMap<MemoryRecord, { model: string; value: number }>();
function genericVectors(ctx: EngineContext): Promise<Float32Array[]> {
  const model = ctx.embedder.modelId;
  let vectors = genericByModel.get(model);
  if (!vectors) {
    vectors = ctx.embedder.embedBatch([...GENERIC_REQUESTS]);
    vectors.catch(() => genericByModel.delete(model));
    genericByModel.set(model, vectors);
  }
  return vectors;
}

/** Stage 4: for a question about the past, the values these memories held before. */
async function supersededValues(ctx: EngineContext, current: readonly Hit[], query: Float32Array): Promise<Hit[]> {
  const olds: { hit: Hit; text: string; at: number }[] = [];
  // One round trip for all of them, not one after another.
  const histories = await Promise.all(current.map((hit) => ctx.store.history(hit.record.id)));
  for (const [i, hit] of current.entries()) {
    for (const h of histories[i]!) {
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
    const score = Math.max(o.hit.score - 0.05, cosine);
    return { record: o.hit.record, text: o.text, score, relevance: score, cosine, supersededAt: o.at };
  });
}

/** A user's edit of a memory (before `correction` was recorded, its reason said so). */
const isCorrection = (h: HistoryEntry): boolean => h.correction === true || h.reason === 'edited by the user';
