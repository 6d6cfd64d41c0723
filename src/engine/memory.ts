import { categorize, indexText } from '../pipeline/categorize';
import { ruleBasedDecider, SAME_FACT, SAME_WORDS, wordOverlap, type Neighbour } from '../pipeline/decide';
import type { Decider } from '../ports/decider';
import { cleanText, factHash, hasWords, type ScopeKey } from '../pipeline/normalize';
import { dot } from '../pipeline/similarity';
import { entitiesOf } from '../pipeline/entities';
import { diversifyBySource, fusedScore, weightedScore, type Weighting } from '../pipeline/rank';
import { slotOf } from '../pipeline/slots';
import { terms, TextIndex } from '../pipeline/text-index';
import { saidWithin, timeWindowOf } from '../pipeline/time-query';
import { relationsOf, type Relation } from '../pipeline/relations';
import { assertNoSecret, containsSecret, withoutSecrets } from '../pipeline/secrets';
import type { Embedder } from '../ports/embedder';
import type { ChatMessage, ExtractedFact, Extractor } from '../ports/extractor';
import type { MemoryStore } from '../ports/memory-store';
import { matchesFilter, normalizeSpace, type MemoryFilter } from './filters';
import {
  DEFAULT_USER,
  type HistoryEntry,
  type JsonValue,
  type MemoryEvent,
  type MemoryRecord,
  type SiteId,
  type VectorRecord,
} from '../core/types';
import type { VectorSearch } from './vector-search';

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
/** A question about the user themselves… */
const OWN = /\b(?:i|i'm|i've|my|me|we|our|us)\b/i;
/** …and about what has been: "what did I do in May" (not "plan my trip in May"). */
const PAST = /\b(?:did|was|were|had|went|said|told|mentioned|happened|ago|last|yesterday|been)\b/i;

/** Query words a memory must share to pass the threshold on lexical evidence alone. */
export const LEXICAL_EVIDENCE = 2;

/** The longest memory Engram stores verbatim; longer text must go through extraction. */
export const MAX_MEMORY_CHARS = 2000;

export interface ScopeOptions {
  /** User memory; defaults to the browser's user. */
  userId?: string;
  /** Agent memory: facts for one assistant (site). */
  agentId?: string;
  /** Session memory: facts for one conversation. */
  runId?: string;
  /** Hierarchical space such as `work/atlas`. */
  space?: string;
}

export interface AddOptions extends ScopeOptions {
  metadata?: Record<string, JsonValue>;
  /** true (default): extract facts and decide ADD/UPDATE/DELETE/NONE; false: store each message verbatim. */
  infer?: boolean;
  site?: SiteId;
  conversationId?: string;
  /** When it was said (ms since epoch); defaults to now. */
  saidAt?: number;
  /** Session memories (with a runId) expire this long after they were said. */
  sessionTtlMs?: number;
}

export interface AddResult {
  id: string;
  memory: string;
  event: MemoryEvent;
  /** For UPDATE: the text it replaced. */
  previousMemory?: string;
}

export interface SearchOptions extends ScopeOptions {
  filters?: MemoryFilter;
  /** At most this many results (default 10). */
  topK?: number;
  /** Only results at least this similar (cosine); default: no threshold. */
  threshold?: number;
}

/** A memory as the API returns it (Mem0's shape: the text is `memory`). */
export type MemoryItem = Omit<MemoryRecord, 'text' | 'hash' | 'label'> & { memory: string };

export interface SearchResult extends MemoryItem {
  score: number;
  /** For a value the memory no longer holds (a question about the past): when it was replaced. */
  supersededAt?: number;
}

export interface MemoryDeps {
  store: MemoryStore;
  embedder: Embedder;
  extractor: Extractor;
  vectors: VectorSearch;
  /** The update step; rule-based by default. */
  decider?: Decider;
  now?: () => number;
  newId?: () => string;
}

/** What Memory.graph() returns. */
export interface EntityGraph {
  entities: { name: string; memories: number }[];
  relations: (Relation & { memoryId: string; saidAt: number })[];
}

export interface ReembedProgress {
  done: number;
  total: number;
}

/**
 * Engram's memory engine, with Mem0's API: `add`, `search`, `get`, `getAll`, `update`, `delete`,
 * `deleteAll`, `history`, `reset`. Dexie is the source of truth; the vector index is a cache of
 * it. Writes are applied one at a time, so concurrent adds never store a fact twice.
 *
 * @example
 * await memory.add("I'm vegetarian and I live in Berlin", { userId: 'me' });
 * const { results } = await memory.search('a restaurant near me', { userId: 'me', topK: 5 });
 */
export class Memory {
  readonly #store: MemoryStore;
  #embedder: Embedder;
  #extractor: Extractor;
  #decider: Decider;
  readonly #vectors: VectorSearch;
  readonly #now: () => number;
  readonly #newId: () => string;
  #queue: Promise<unknown> = Promise.resolve();
  /** All memories by label, valid for one store revision. */
  #cache: {
    revision: number;
    byLabel: Map<number, MemoryRecord>;
    text: TextIndex | null;
    entities: EntityLinks | null;
  } | null = null;

  constructor(deps: MemoryDeps) {
    this.#store = deps.store;
    this.#embedder = deps.embedder;
    this.#extractor = deps.extractor;
    this.#decider = deps.decider ?? ruleBasedDecider;
    this.#vectors = deps.vectors;
    this.#now = deps.now ?? Date.now;
    this.#newId = deps.newId ?? (() => crypto.randomUUID());
  }

  get embedder(): Embedder {
    return this.#embedder;
  }

  /** Swap the fact extractor and update decider (e.g. WebLLM once its model is loaded). */
  useExtraction(extractor: Extractor, decider: Decider = ruleBasedDecider): void {
    this.#extractor = extractor;
    this.#decider = decider;
  }

  get extractorName(): string {
    return this.#extractor.name;
  }

  /** Store what `messages` say. A string is one user message. */
  add(messages: string | readonly ChatMessage[], options: AddOptions = {}): Promise<{ results: AddResult[] }> {
    return this.#serial(() => this.#add(normalizeMessages(messages), options));
  }

  async #add(messages: ChatMessage[], options: AddOptions): Promise<{ results: AddResult[] }> {
    const scope = scopeOf(options);
    const saidAt = options.saidAt ?? this.#now();
    // Whatever the extractor (rules, a local LLM) or a verbatim message: no secret becomes a
    // memory, and neither does text without words or with control characters (a model's garbage).
    const extracted = options.infer === false ? verbatimFacts(messages) : await this.#extractor.extract(messages, { now: saidAt });
    const facts = withoutSecrets(extracted.map((f) => ({ ...f, text: cleanText(f.text) })).filter((f) => f.text.length <= MAX_MEMORY_CHARS && hasWords(f.text)));
    if (facts.length === 0) return { results: [] };
    const vectors = await this.#embedder.embedBatch(facts.map((f) => indexText(f.text, f.categories)));
    const results: AddResult[] = [];
    for (const [i, fact] of facts.entries()) {
      const vector = vectors[i];
      if (!vector) continue;
      const result = await this.#apply(fact, vector, scope, saidAt, options);
      if (result) results.push(result);
    }
    return { results };
  }

  async #apply(
    fact: ExtractedFact,
    vector: Float32Array,
    scope: ScopeKey,
    saidAt: number,
    options: AddOptions,
  ): Promise<AddResult | null> {
    const model = this.#embedder.modelId;
    const hash = factHash(fact.text, scope);
    const existing = await this.#store.byHash(hash);
    // Verbatim messages (infer: false) are stored as given; only an identical one is skipped.
    const decision =
      options.infer === false
        ? existing
          ? { event: 'NONE' as const, target: existing, reason: 'already stored' }
          : { event: 'ADD' as const, reason: 'verbatim' }
        : await this.#decider.decide(fact, existing ? [{ memory: existing, score: 1 }] : await this.#neighbours(vector, scope));
    const now = this.#now();

    if (decision.event === 'NONE') {
      const known = decision.target;
      if (!known) return null;
      // Said again: nothing changes but the provenance, which gains the new source turns.
      const fresh = fact.sourceTurnIds.filter((id) => !known.sourceTurnIds.includes(id));
      if (fresh.length > 0) {
        await this.#write(model, { put: [{ ...known, sourceTurnIds: [...known.sourceTurnIds, ...fresh] }] });
      }
      return { id: known.id, memory: known.text, event: 'NONE' };
    }
    if (decision.event === 'DELETE' && decision.target) {
      // The user asked to forget it: what it said goes from history too.
      await this.#write(model, {
        delete: [decision.target.id],
        forget: [decision.target.id],
        history: [history(decision.target.id, 'DELETE', null, null, now, 'forgotten at the user’s request')],
        removedLabels: [decision.target.label],
      });
      return { id: decision.target.id, memory: decision.target.text, event: 'DELETE' };
    }
    if (decision.event === 'UPDATE' && decision.target) {
      const old = decision.target;
      const updated: MemoryRecord = {
        ...old,
        text: fact.text,
        hash,
        categories: fact.categories,
        relations: relationsOf(fact.text),
        sourceTurnIds: [...old.sourceTurnIds, ...fact.sourceTurnIds],
        context: fact.context ?? old.context ?? null,
        site: options.site ?? old.site,
        conversationId: options.conversationId ?? old.conversationId,
        metadata: { ...old.metadata, ...options.metadata },
        saidAt,
        updatedAt: now,
      };
      await this.#write(model, {
        put: [updated],
        vectors: [{ memoryId: old.id, model, label: old.label, vector }],
        history: [history(old.id, 'UPDATE', old.text, fact.text, now, decision.reason)],
      });
      return { id: old.id, memory: fact.text, event: 'UPDATE', previousMemory: old.text };
    }
    const [label] = await this.#store.allocateLabels(1);
    if (label === undefined) throw new Error('Engram: no label allocated');
    const record: MemoryRecord = {
      id: this.#newId(),
      label,
      text: fact.text,
      hash,
      relations: relationsOf(fact.text),
      ...scope,
      site: options.site ?? null,
      conversationId: options.conversationId ?? null,
      sourceTurnIds: fact.sourceTurnIds,
      context: fact.context ?? null,
      saidAt,
      categories: fact.categories,
      metadata: { ...options.metadata },
      createdAt: now,
      updatedAt: now,
      expiresAt: scope.runId && options.sessionTtlMs ? saidAt + options.sessionTtlMs : null,
    };
    await this.#write(model, {
      put: [record],
      vectors: [{ memoryId: record.id, model, label, vector }],
      history: [history(record.id, 'ADD', null, fact.text, now, decision.reason)],
    });
    return { id: record.id, memory: record.text, event: 'ADD' };
  }

  /** The nearest memories in exactly this scope, best first. */
  async #neighbours(vector: Float32Array, scope: ScopeKey): Promise<Neighbour[]> {
    const byLabel = await this.#memories();
    const sameScope = (label: number): boolean => {
      const m = byLabel.get(label);
      return !!m && m.userId === scope.userId && m.agentId === scope.agentId && m.runId === scope.runId && m.space === scope.space;
    };
    const hits = await this.#vectors.search(this.#embedder.modelId, vector, 5, sameScope);
    return hits.flatMap((h) => {
      const memory = byLabel.get(h.label);
      return memory ? [{ memory, score: h.score }] : [];
    });
  }

  async #write(
    model: string,
    change: {
      put?: MemoryRecord[];
      delete?: string[];
      vectors?: VectorRecord[];
      history?: HistoryEntry[];
      forget?: string[];
      removedLabels?: number[];
    },
  ): Promise<void> {
    await this.#memories(); // make sure the cache reflects the revision before this write
    await this.#store.write(change);
    const revision = await this.#store.revision();
    const cache = this.#cache;
    if (cache && cache.revision === revision - 1) {
      for (const label of change.removedLabels ?? []) {
        const old = cache.byLabel.get(label);
        if (old) cache.entities?.unlink(old);
        cache.byLabel.delete(label);
        cache.text?.remove(String(label));
      }
      for (const m of change.put ?? []) {
        const old = cache.byLabel.get(m.label);
        if (old) cache.entities?.unlink(old);
        cache.entities?.link(m);
        cache.byLabel.set(m.label, m);
        cache.text?.upsert(String(m.label), lexicalText(m));
      }
      cache.revision = revision;
    } else {
      this.#cache = null;
    }
    // Metadata-only writes leave the vector index (and its saved snapshot) as they are.
    if (change.vectors?.length || change.delete?.length) {
      await this.#vectors.applied(
        model,
        { upserts: (change.vectors ?? []).filter((v) => v.model === model), removed: change.removedLabels ?? [] },
        await this.#store.vectorRevision(),
      );
    }
  }

  async #memories(): Promise<Map<number, MemoryRecord>> {
    const revision = await this.#store.revision();
    if (this.#cache?.revision === revision) return this.#cache.byLabel;
    const all = await this.#store.list();
    const byLabel = new Map(all.map((m) => [m.label, m]));
    this.#cache = { revision, byLabel, text: null, entities: null };
    return byLabel;
  }

  /** Which memories name which entity, built on first use and kept in step with writes. */
  async #entityLinks(): Promise<EntityLinks> {
    const byLabel = await this.#memories();
    const cache = this.#cache!;
    if (!cache.entities) {
      const links = new EntityLinks();
      for (const m of byLabel.values()) links.link(m);
      cache.entities = links;
    }
    return cache.entities;
  }

  /** The BM25 index of memory texts, built on first use and kept in step with writes. */
  async #textIndex(): Promise<TextIndex> {
    const byLabel = await this.#memories();
    const cache = this.#cache!;
    if (!cache.text) {
      const text = new TextIndex();
      for (const [label, m] of byLabel) text.upsert(String(label), lexicalText(m));
      cache.text = text;
    }
    return cache.text;
  }

  /** The memories most relevant to `query`, best first. */
  async search(query: string, options: SearchOptions = {}): Promise<{ results: SearchResult[] }> {
    const text = cleanText(query);
    const topK = options.topK ?? 10;
    if (!text || topK <= 0) return { results: [] };
    const filter = this.#filterOf(options);
    const byLabel = await this.#memories();
    if (byLabel.size === 0) return { results: [] };
    const vector = await this.#embedder.embedQuery(text);
    const now = this.#now();
    const accept = (label: number): boolean => {
      const m = byLabel.get(label);
      return !!m && live(m, now) && matchesFilter(m, filter);
    };
    // Candidates from both signals, then one fused score (see pipeline/rank.ts).
    const pool = Math.max(50, topK * 5);
    const model = this.#embedder.modelId;
    const semantic = await this.#vectors.search(model, vector, pool, accept);
    const lexical = (await this.#textIndex()).search(text, pool, (id) => accept(Number(id)));
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
    const links = await this.#entityLinks();
    const entityHits = new Map<number, number>();
    const queryEntities = entitiesOf(text);
    for (const entity of queryEntities) {
      for (const label of links.labelsOf(entity, ENTITY_CANDIDATES)) {
        if (accept(label)) entityHits.set(label, (entityHits.get(label) ?? 0) + 1);
      }
    }
    const missing = [...new Set([...lexical.map((h) => Number(h.id)), ...inWindow, ...entityHits.keys()])].filter((label) => !cosine.has(label));
    if (missing.length > 0) {
      const ids = missing.flatMap((label) => byLabel.get(label)?.id ?? []);
      for (const v of await this.#store.vectors(model, ids)) cosine.set(v.label, dot(vector, v.vector));
    }
    const bm25 = new Map(lexical.map((h) => [Number(h.id), h.score]));
    const matched = new Map(lexical.map((h) => [Number(h.id), h.matched.length]));
    const threshold = options.threshold ?? -Infinity;
    const ranked = [...new Set([...cosine.keys(), ...bm25.keys()])]
      // Relevant enough to return: semantically close, sharing several words with the query
      // (one shared word, like "works" in a question about photosynthesis, is not enough), or
      // said in the period the query asks about.
      .filter(
        (label) =>
          (cosine.get(label) ?? -1) >= threshold || (matched.get(label) ?? 0) >= LEXICAL_EVIDENCE || (asksOwnPast && inWindow.has(label)),
      )
      .map((label) => {
        const relevance =
          fusedScore({ label, cosine: cosine.get(label) ?? 0, bm25: bm25.get(label) ?? 0 }) +
          (inWindow.has(label) ? TIME_BONUS : 0) +
          ENTITY_BONUS * Math.min(entityHits.get(label) ?? 0, 2);
        const m = byLabel.get(label);
        return { label, score: m ? weightedScore(relevance, weightingOf(m), now) : relevance };
      })
      .sort((a, b) => b.score - a.score);
    // Second hop: memories naming an entity that a top result names ("Atlas is managed by
    // Priya" draws "Priya lives in Lisbon"), a little below the memory that led to them.
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
    ranked.splice(0, ranked.length, ...[...byRank.values()].sort((a, b) => b.score - a.score));
    const results = ranked
      .flatMap((c) => {
        const m = byLabel.get(c.label);
        return m ? [{ ...toItem(m), score: c.score }] : [];
      })
      .reduce<SearchResult[]>(diversifyBySource, []);
    // Current values answer questions about now; a question about the past also reaches the
    // values these memories held before (from history), each marked as superseded.
    const past = ABOUT_THE_PAST.test(text) ? await this.#supersededValues(results.slice(0, topK), vector) : [];
    return { results: [...results, ...past].sort((a, b) => b.score - a.score).slice(0, topK) };
  }

  async #supersededValues(current: SearchResult[], query: Float32Array): Promise<SearchResult[]> {
    const olds: { memory: SearchResult; text: string; at: number }[] = [];
    for (const memory of current) {
      for (const h of await this.#store.history(memory.id)) {
        if (h.event === 'UPDATE' && !isCorrection(h) && h.oldText && h.oldText !== memory.memory) {
          olds.push({ memory, text: h.oldText, at: h.at });
        }
      }
    }
    if (olds.length === 0) return [];
    const vectors = await this.#embedder.embedBatch(olds.map((o) => indexText(o.text, categorize(o.text))));
    return olds.map((o, i) => ({
      ...o.memory,
      memory: o.text,
      // As relevant as its current value, a little below it, and above it when closer to the query.
      score: Math.max(o.memory.score - 0.05, dot(query, vectors[i]!)),
      supersededAt: o.at,
    }));
  }

  #filterOf(options: ScopeOptions & { filters?: MemoryFilter }): MemoryFilter {
    const parts: MemoryFilter[] = [];
    if (options.userId !== undefined) parts.push({ userId: options.userId });
    if (options.agentId !== undefined) parts.push({ agentId: options.agentId });
    if (options.runId !== undefined) parts.push({ runId: options.runId });
    if (options.space !== undefined) parts.push({ space: options.space });
    if (options.filters) parts.push(options.filters);
    return { AND: parts };
  }

  async get(id: string): Promise<MemoryItem | null> {
    const m = await this.#store.get(id);
    return m ? toItem(m) : null;
  }

  /** Every memory passing the filters and scope, newest first. */
  async getAll(options: ScopeOptions & { filters?: MemoryFilter; limit?: number } = {}): Promise<{ results: MemoryItem[] }> {
    const filter = this.#filterOf(options);
    const all = await this.#store.list(options.userId);
    const now = this.#now();
    const results = all.filter((m) => live(m, now) && matchesFilter(m, filter)).map(toItem);
    return { results: options.limit ? results.slice(0, options.limit) : results };
  }

  /** Replace a memory's text (re-embedded; the old text stays in history). */
  update(id: string, text: string): Promise<{ message: string }> {
    return this.#serial(async () => {
      const old = await this.#store.get(id);
      if (!old) throw new Error(`Engram: no memory with id ${id}`);
      const clean = checkText(text);
      assertNoSecret(clean);
      const categories = categorize(clean);
      const [vector] = await this.#embedder.embedBatch([indexText(clean, categories)]);
      if (!vector) throw new Error('Engram: the embedding model returned nothing');
      const model = this.#embedder.modelId;
      const now = this.#now();
      const updated: MemoryRecord = { ...old, text: clean, categories, relations: relationsOf(clean), hash: factHash(clean, old), updatedAt: now };
      await this.#write(model, {
        put: [updated],
        vectors: [{ memoryId: id, model, label: old.label, vector }],
        // A correction of what Engram wrote, not a change in the user's life: never a past value.
        history: [{ ...history(id, 'UPDATE', old.text, clean, now, 'corrected by the user'), correction: true }],
      });
      return { message: 'Memory updated' };
    });
  }

  /**
   * Merge `patch` into a memory's metadata (a null value removes the key): the user pinning
   * (`pinned: true`) or rating (`importance: 1–5`) a memory. The text and its vector are
   * unchanged, so nothing is re-embedded and history is not touched.
   */
  setMetadata(id: string, patch: Record<string, JsonValue>): Promise<MemoryItem> {
    return this.#serial(async () => {
      const old = await this.#store.get(id);
      if (!old) throw new Error(`Engram: no memory with id ${id}`);
      const merged = { ...old.metadata, ...patch };
      const metadata = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== null));
      const updated: MemoryRecord = { ...old, metadata, updatedAt: this.#now() };
      await this.#write(this.#embedder.modelId, { put: [updated] });
      return toItem(updated);
    });
  }

  delete(id: string): Promise<{ message: string; deleted: boolean }> {
    return this.#serial(async () => {
      const old = await this.#store.get(id);
      if (!old) return { message: 'No such memory', deleted: false };
      // Forget means gone: the text leaves history too; only that it was forgotten, and when, stays.
      await this.#write(this.#embedder.modelId, {
        delete: [id],
        forget: [id],
        history: [history(id, 'DELETE', null, null, this.#now(), 'deleted by the user')],
        removedLabels: [old.label],
      });
      return { message: 'Memory deleted', deleted: true };
    });
  }

  /** Delete every memory that matches. At least one scope or filter is required (see `reset`). */
  deleteAll(options: ScopeOptions & { filters?: MemoryFilter }): Promise<{ message: string; deleted: number }> {
    const { userId, agentId, runId, space, filters } = options;
    if ([userId, agentId, runId, space, filters].every((v) => v === undefined)) {
      return Promise.reject(new Error('Engram: deleteAll needs a scope or filters; use reset() to forget everything'));
    }
    return this.#serial(async () => {
      const { results } = await this.getAll(options);
      const records = await this.#store.getMany(results.map((r) => r.id));
      const now = this.#now();
      await this.#write(this.#embedder.modelId, {
        delete: records.map((r) => r.id),
        forget: records.map((r) => r.id),
        history: records.map((r) => history(r.id, 'DELETE', null, null, now, 'deleteAll')),
        removedLabels: records.map((r) => r.label),
      });
      return { message: `${records.length} memories deleted`, deleted: records.length };
    });
  }

  /**
   * Every change of a memory, oldest first. Kept after the memory is deleted, without its text:
   * the entries then say only that it changed and was forgotten, and when.
   */
  async history(id: string): Promise<HistoryEntry[]> {
    return this.#store.history(id);
  }

  /** Forget everything: memories, vectors, history, index snapshots and queued turns. */
  reset(): Promise<void> {
    return this.#serial(async () => {
      await this.#store.clear();
      this.#cache = null;
      this.#vectors.invalidate();
    });
  }

  /**
   * Consolidation (run in the background): near-duplicate memories of one scope, the same fact
   * in other words, are merged into the most recent one, which gains the other's provenance;
   * both changes are kept in history. Returns how many memories were merged away.
   */
  consolidate(): Promise<number> {
    return this.#serial(async () => {
      const byLabel = await this.#memories();
      const model = this.#embedder.modelId;
      const now = this.#now();
      const vectors = new Map((await this.#store.vectors(model)).map((v) => [v.memoryId, v.vector]));
      const groups = new Map<string, MemoryRecord[]>();
      for (const m of byLabel.values()) {
        const key = [m.userId, m.agentId, m.runId, m.space].join('\u0000');
        groups.set(key, [...(groups.get(key) ?? []), m]);
      }
      const merged: MemoryRecord[] = [];
      const removed: MemoryRecord[] = [];
      const history: HistoryEntry[] = [];
      for (const group of groups.values()) {
        const kept: MemoryRecord[] = [];
        for (const m of group.sort((a, b) => b.saidAt - a.saidAt || b.updatedAt - a.updatedAt)) {
          const v = vectors.get(m.id);
          const twin = v
            ? kept.find((k) => {
                const w = vectors.get(k.id);
                return !!w && dot(v, w) >= SAME_FACT && wordOverlap(k.text, m.text) >= SAME_WORDS;
              })
            : undefined;
          if (!twin) {
            kept.push({ ...m }); // a copy: the cache changes only once the write has landed
            continue;
          }
          twin.sourceTurnIds = [...new Set([...twin.sourceTurnIds, ...m.sourceTurnIds])];
          twin.updatedAt = now;
          if (!merged.includes(twin)) merged.push(twin);
          removed.push(m);
          history.push(
            { memoryId: m.id, event: 'DELETE', oldText: m.text, newText: null, at: now, reason: `merged into: ${twin.text}`, mergedInto: twin.id },
            { memoryId: twin.id, event: 'UPDATE', oldText: twin.text, newText: twin.text, at: now, reason: `merged: ${m.text}` },
          );
        }
      }
      if (removed.length === 0) return 0;
      await this.#write(model, {
        put: merged,
        delete: removed.map((m) => m.id),
        removedLabels: removed.map((m) => m.label),
        history,
      });
      return removed.length;
    });
  }

  /**
   * The entities the user's memories name (people, projects, places, pets), most mentioned
   * first, and the relations the memories state between the user and them, each with the memory
   * that states it: user –work on→ atlas, atlas –managed by→ priya, priya –lives in→ lisbon.
   */
  async graph(options: ScopeOptions = {}): Promise<EntityGraph> {
    const { results } = await this.getAll(options);
    const mentions = new Map<string, number>();
    const relations: EntityGraph['relations'] = [];
    for (const m of results) {
      for (const e of entitiesOf(m.memory)) mentions.set(e, (mentions.get(e) ?? 0) + 1);
      // Memories stored before relations were kept get theirs from the text.
      for (const r of m.relations ?? relationsOf(m.memory)) relations.push({ ...r, memoryId: m.id, saidAt: m.saidAt });
    }
    const entities = [...mentions.entries()]
      .map(([name, memories]) => ({ name, memories }))
      .sort((a, b) => b.memories - a.memories || a.name.localeCompare(b.name));
    return { entities, relations };
  }

  /**
   * A short profile of the user: the current value of each single-valued attribute (name, home,
   * job, diet, age, favourites…), then pinned and highly rated memories, most recent first.
   */
  async profile(options: { userId?: string; limit?: number } = {}): Promise<MemoryItem[]> {
    const { results } = await this.getAll({ userId: options.userId ?? DEFAULT_USER });
    const bySlot = new Map<string, MemoryItem>();
    for (const m of [...results].sort((a, b) => b.saidAt - a.saidAt)) {
      const slot = slotOf(m.memory);
      if (slot && !bySlot.has(slot)) bySlot.set(slot, m);
    }
    const important = results.filter((m) => m.metadata.pinned === true || (typeof m.metadata.importance === 'number' && m.metadata.importance >= 4));
    const profile = [...new Set([...bySlot.values(), ...important])];
    return profile.slice(0, options.limit ?? 12);
  }

  /**
   * Record that these memories went into a prompt (and so were kept by the user): used memories
   * keep their weight in ranking. Not recorded in history (nothing about the fact changed).
   */
  noteUse(ids: readonly string[]): Promise<void> {
    return this.#serial(async () => {
      const records = await this.#store.getMany(ids);
      if (records.length === 0) return;
      const now = this.#now();
      const put = records.map((m) => ({
        ...m,
        metadata: { ...m.metadata, uses: (typeof m.metadata.uses === 'number' ? m.metadata.uses : 0) + 1, lastUsedAt: now },
      }));
      await this.#write(this.#embedder.modelId, { put });
    });
  }

  /**
   * Forget every stored memory that holds a secret (a password, key, card number…), as the user
   * forgetting it would: for memories stored before Engram recognised that kind of secret.
   * Returns how many.
   */
  forgetSecrets(): Promise<number> {
    return this.#serial(async () => {
      const leaked = (await this.#store.list()).filter((m) => containsSecret(m.text) || (m.context && containsSecret(m.context)));
      if (leaked.length === 0) return 0;
      await this.#write(this.#embedder.modelId, {
        delete: leaked.map((m) => m.id),
        forget: leaked.map((m) => m.id),
        history: leaked.map((m) => history(m.id, 'DELETE', null, null, this.#now(), 'held a secret')),
        removedLabels: leaked.map((m) => m.label),
      });
      return leaked.length;
    });
  }

  /** Remove expired session memories (history kept). Returns how many. */
  sweepExpired(): Promise<number> {
    return this.#serial(async () => {
      const now = this.#now();
      const expired = (await this.#store.list()).filter((m) => m.expiresAt !== null && m.expiresAt <= now);
      if (expired.length === 0) return 0;
      await this.#write(this.#embedder.modelId, {
        delete: expired.map((m) => m.id),
        forget: expired.map((m) => m.id),
        history: expired.map((m) => history(m.id, 'DELETE', null, null, now, 'session expired')),
        removedLabels: expired.map((m) => m.label),
      });
      return expired.length;
    });
  }

  /**
   * Switch to another embedding model: every memory is re-embedded in batches (resuming where an
   * interrupted run stopped), and only once all have new vectors does search switch over and the
   * old vectors go. Memories are never touched, so none is lost.
   */
  reembed(next: Embedder, onProgress?: (p: ReembedProgress) => void, batchSize = 64): Promise<ReembedProgress> {
    return this.#serial(async () => {
      const previous = this.#embedder.modelId;
      const all = await this.#store.list();
      const done = new Set((await this.#store.vectors(next.modelId)).map((v) => v.memoryId));
      const todo = all.filter((m) => !done.has(m.id));
      const total = all.length;
      let count = total - todo.length;
      onProgress?.({ done: count, total });
      for (let i = 0; i < todo.length; i += batchSize) {
        const batch = todo.slice(i, i + batchSize);
        const vectors = await next.embedBatch(batch.map((m) => indexText(m.text, m.categories)));
        await this.#store.write({
          vectors: batch.map((m, j) => ({ memoryId: m.id, model: next.modelId, label: m.label, vector: vectors[j]! })),
        });
        count += batch.length;
        onProgress?.({ done: count, total });
      }
      this.#embedder = next;
      this.#vectors.invalidate();
      if (previous !== next.modelId) {
        await this.#store.deleteVectors(previous);
        await this.#store.deleteSnapshot(`${previous}:hnsw`);
      }
      return { done: count, total };
    });
  }

  #serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
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

/** entity → labels of the memories naming it. Very common entities link nothing (no signal). */
class EntityLinks {
  static readonly MAX_LINKED = 8;
  readonly #byEntity = new Map<string, Set<number>>();

  link(m: MemoryRecord): void {
    for (const e of entitiesOf(m.text)) {
      let set = this.#byEntity.get(e);
      if (!set) this.#byEntity.set(e, (set = new Set()));
      set.add(m.label);
    }
  }

  /** Labels of the memories naming `entity`, none if more than `max` do. */
  labelsOf(entity: string, max: number): number[] {
    const set = this.#byEntity.get(entity);
    return set && set.size <= max ? [...set] : [];
  }

  unlink(m: MemoryRecord): void {
    for (const e of entitiesOf(m.text)) this.#byEntity.get(e)?.delete(m.label);
  }

  /** Labels of other memories that name an entity `m` names (other than those in `except`). */
  linked(m: MemoryRecord, except: ReadonlySet<string> = new Set()): number[] {
    const out = new Set<number>();
    for (const e of entitiesOf(m.text)) {
      if (except.has(e)) continue;
      const set = this.#byEntity.get(e);
      if (!set || set.size > EntityLinks.MAX_LINKED) continue;
      for (const label of set) if (label !== m.label) out.add(label);
    }
    return [...out];
  }
}


/** What BM25 searches for a memory: its text and the context it was said in. */
function lexicalText(m: MemoryRecord): string {
  return m.context ? `${m.text}\n${m.context}` : m.text;
}

/** Not an expired session memory. */
const live = (m: MemoryRecord, now: number): boolean => m.expiresAt === null || m.expiresAt > now;

/** Validates what callers pass at run time (messages come from other contexts and from JSON). */
function normalizeMessages(messages: unknown): ChatMessage[] {
  if (typeof messages === 'string') return [{ role: 'user', content: messages }];
  if (!Array.isArray(messages)) throw new TypeError('Engram: add() takes a string or an array of messages');
  return messages.map((m: unknown, i) => {
    const message = m as Partial<ChatMessage> | null;
    if (typeof message?.content !== 'string') throw new TypeError(`Engram: message ${i} has no text content`);
    const role = message.role === 'assistant' || message.role === 'system' ? message.role : 'user';
    return message.id ? { role, content: message.content, id: message.id } : { role, content: message.content };
  });
}

function checkText(text: string): string {
  const clean = cleanText(text);
  if (!hasWords(clean)) throw new Error('Engram: a memory cannot be empty or without words');
  if (clean.length > MAX_MEMORY_CHARS) {
    throw new Error(`Engram: a memory is at most ${MAX_MEMORY_CHARS} characters (this one has ${clean.length}); store facts, not documents`);
  }
  return clean;
}

function verbatimFacts(messages: readonly ChatMessage[]): ExtractedFact[] {
  return messages.flatMap((m) => {
    if (!hasWords(cleanText(m.content))) return []; // blank, symbols only, or binary data
    const text = checkText(m.content);
    return [{ text, slot: slotOf(text), categories: categorize(text), forget: false, sourceTurnIds: m.id ? [m.id] : [] }];
  });
}

function scopeOf(options: ScopeOptions): ScopeKey {
  return {
    userId: options.userId ?? DEFAULT_USER,
    agentId: options.agentId ?? null,
    runId: options.runId ?? null,
    space: normalizeSpace(options.space),
  };
}

function history(
  memoryId: string,
  event: HistoryEntry['event'],
  oldText: string | null,
  newText: string | null,
  at: number,
  reason: string,
): HistoryEntry {
  return { memoryId, event, oldText, newText, at, reason };
}

function toItem(m: MemoryRecord): MemoryItem {
  const { text, hash: _hash, label: _label, ...rest } = m;
  return { ...rest, memory: text };
}
