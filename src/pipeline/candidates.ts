/**
 * The pure stages of search: which candidates pass the relevance gate, their fused score, and the
 * second hop along entity links. engine/search.ts gathers the candidates (from the vector index,
 * BM25, the period and the entities a query names) and runs these stages over them.
 */
import type { MemoryRecord } from '../core/types';
import { categorize } from './categorize';
import type { EntityLinks } from './entity-links';
import { fusedScore, weightedScore, type Weighting } from './rank';
import { terms } from './text-index';

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
/** …and never above it: at least this much below. */
export const HOP_BELOW = 0.01;
/**
 * A query anchored in time ("in July 2022", "last week") lifts what was said then by this much,
 * and draws in at most TIME_CANDIDATES such memories (the most recent first) besides the usual
 * candidates.
 */
export const TIME_BONUS = 1.0;
export const TIME_CANDIDATES = 200;
/** Query words a memory must share to pass the relevance gate on lexical evidence alone. */
export const LEXICAL_EVIDENCE = 2;

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

/** What gathering found, per candidate label. */
export interface Candidates {
  /** Each candidate's mean cosine to generic personal requests (its hubness), when measured. */
  hub?: Map<number, number>;
  cosine: Map<number, number>;
  bm25: Map<number, number>;
  matched: Map<number, number>;
  inWindow: Set<number>;
  asksOwnPast: boolean;
  entityHits: Map<number, number>;
  queryEntities: string[];
  /** The kinds of fact the query asks about (pipeline/categorize.ts). */
  topics: string[];
  /** The query asks how things are now ("these days", "currently", or nothing about the past). */
  present: boolean;
}

/**
 * A candidate loses this times its hubness: its mean cosine to generic requests about one's life
 * (engine/search.ts). On the dev chat set, ranking turn recall@10 0.93 → 0.96; on the gate's
 * tuning sets, needed share of what is injected 0.30 → 0.36 at the same relative floor.
 */
export const HUB_PENALTY = 1;

/** A memory of a kind the query asks about gains this much… */
export const TOPIC_BONUS = 0.1;
/**
 * …and, in a question about now, the newest of them up to this much more, halving for every
 * TOPIC_RECENCY_HALF_LIFE_DAYS it is older than the newest: a fact that changed answers with its
 * latest value ("Which city am I living in these days?").
 */
export const TOPIC_RECENCY = 0.15;
export const TOPIC_RECENCY_HALF_LIFE_DAYS = 60;
/** How much of the message a memory was said in counts for its topic. */
export const TOPIC_CONTEXT_CHARS = 300;

/** Whether a candidate passes the relevance gate (every candidate does without one). */
export function passesGate(c: Candidates, label: number, gate: RelevanceGate | undefined): boolean {
  return (
    !gate ||
    (c.cosine.get(label) ?? -1) >= gate.cosine ||
    // Sharing several words with the query (one shared word, like "works" in a question about
    // photosynthesis, is not enough), or said in the period the query asks about.
    (gate.lexical && ((c.matched.get(label) ?? 0) >= LEXICAL_EVIDENCE || (c.asksOwnPast && c.inWindow.has(label))))
  );
}

/** Stage 2: the gate, then one fused score per candidate, best first. */
export function rank(c: Candidates, byLabel: Map<number, MemoryRecord>, gate: RelevanceGate | undefined, now: number): { label: number; score: number }[] {
  const labels = [...new Set([...c.cosine.keys(), ...c.bm25.keys()])].filter((label) => passesGate(c, label, gate));
  const onTopic = new Set(
    c.topics.length === 0 ? [] : labels.filter((label) => {
      const m = byLabel.get(label);
      // What the memory is about, or the message it was said in ("we bought an MG4 in the end!
      // Charging at home is so cheap" is about getting around).
      return !!m && categorize(`${m.text} ${m.context?.slice(0, TOPIC_CONTEXT_CHARS) ?? ''}`).some((t) => c.topics.includes(t));
    }),
  );
  const newest = Math.max(0, ...[...onTopic].map((label) => byLabel.get(label)?.saidAt ?? 0));
  const topical = (label: number): number => {
    if (!onTopic.has(label)) return 0;
    const days = (newest - (byLabel.get(label)?.saidAt ?? 0)) / 86_400_000;
    return TOPIC_BONUS + (c.present ? TOPIC_RECENCY * 2 ** (-days / TOPIC_RECENCY_HALF_LIFE_DAYS) : 0);
  };
  return labels
    .map((label) => {
      const relevance =
        fusedScore({ label, cosine: c.cosine.get(label) ?? 0, bm25: c.bm25.get(label) ?? 0 }) +
        (c.inWindow.has(label) ? TIME_BONUS : 0) +
        ENTITY_BONUS * Math.min(c.entityHits.get(label) ?? 0, 2) +
        topical(label) -
        HUB_PENALTY * (c.hub?.get(label) ?? 0);
      const m = byLabel.get(label);
      return { label, score: m ? weightedScore(relevance, weightingOf(m), now) : relevance };
    })
    .sort((a, b) => b.score - a.score);
}

/**
 * Stage 3, the second hop: memories naming an entity that a top result names ("Atlas is managed
 * by Priya" draws "Priya lives in Lisbon"), below the memory that led to them. Under a gate, a
 * linked memory must pass it too: a link is a reason to look, not evidence of relevance.
 */
export function hop(
  links: EntityLinks,
  ranked: { label: number; score: number }[],
  byLabel: Map<number, MemoryRecord>,
  c: Candidates,
  text: string,
  accept: (label: number) => boolean,
  gate?: RelevanceGate,
): { label: number; score: number }[] {
  const byRank = new Map(ranked.map((r) => [r.label, r]));
  // Hop through bridge entities only: what the query names is already searched for directly.
  const named = new Set(c.queryEntities.concat(terms(text)));
  for (const parent of ranked.slice(0, ENTITY_HOP_FROM)) {
    const memory = byLabel.get(parent.label);
    if (!memory) continue;
    // The bridge entity counts as named too: it is what the question asks about, one hop on;
    // a linked memory still ranks below the one that drew it in.
    const score = Math.min(parent.score * ENTITY_HOP_DISCOUNT + ENTITY_BONUS, parent.score - HOP_BELOW);
    for (const label of links.linked(memory, named)) {
      const known = byRank.get(label);
      if (known) known.score = Math.max(known.score, score);
      else if (accept(label) && passesGate(c, label, gate)) byRank.set(label, { label, score });
    }
  }
  return [...byRank.values()].sort((a, b) => b.score - a.score);
}

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
