/**
 * Engram's memory engine with Mem0's TypeScript API (the OSS `Memory` of mem0ai 3.x): the same
 * method names, options, defaults, return shapes, validation and messages, so code written against
 * Mem0's SDK runs on Engram unchanged, on the device. Each verb lives in its own file (add.ts,
 * search.ts, recall.ts, update.ts, forget.ts, consolidate.ts, reembed.ts, profile.ts); this class
 * checks what callers pass and gives results Mem0's shapes (items.ts).
 *
 * Where Engram does more it says so in Mem0's shapes: add() also reports UPDATE and DELETE events
 * (with `metadata.previousMemory`), history keeps why a memory changed, items carry where and when
 * they were said, `space` scopes memories hierarchically, and `recall` is what goes into a prompt.
 *
 * @example
 * const memory = new Memory(); // bundled on-device model, in-memory store, rule-based extraction
 * await memory.add("I'm vegetarian and I live in Berlin", { userId: 'alice' });
 * const { results } = await memory.search('a restaurant near me', { filters: { user_id: 'alice' }, topK: 5 });
 */
import type { Decider } from '../ports/decider';
import type { Embedder } from '../ports/embedder';
import type { Extractor } from '../ports/extractor';
import type { JsonValue, MemoryRecord, VectorRecord } from '../core/types';
import { ruleBasedDecider } from '../pipeline/decide';
import { matchesFilter, normalizeSpace, validateFilter, type MemoryFilter } from './filters';
import { add, type Added } from './add';
import { addMany, relationsSettled, type SkippedItem } from './add-many';
import type { AddManyInput, AddManyOptions, AddManyProgress, AddMemoryOptions, SearchFilters } from './add-options';

export type { AddManyInput, AddManyItem, AddManyOptions, AddManyProgress, AddMemoryOptions, SearchFilters } from './add-options';
import { partsOf, type MemoryConfig } from './config';
import { consolidate } from './consolidate';
import { EngineContext, live } from './context';
import { deleteMatching, deleteMemory, forgetMany, forgetSecrets, reset, restoreMany, sweepExpired } from './forget';
import { historyRows, toItem, type HistoryRow, type MemoryItem } from './items';
import { graphOf, profileOf, type EntityGraph } from './profile';
import { recall, type Recalled } from './recall';
import type { RecallSettings } from './recall-settings';
import { reembed, type ReembedProgress } from './reembed';
import { retentionOf, type Retention } from './retention';
import { search, warmSearch } from './search';
import { inForeground } from './priority';
import { flushUses, noteUse, noteUseLater, setMetadata, setSpaces, updateMemory } from './update';
import {
  entityId,
  expiryOf,
  hasScope,
  memoryIdOf,
  metadataOf,
  rejectTopLevelEntityParams,
  requireScopeInFilters,
  scopeOfFilters,
  scopeOfOptions,
  timeOf,
  validateMessages,
  validateSearchParams,
  type Scope,
} from './validate';
import type { ChatMessage } from '../ports/extractor';

export type { MemoryConfig } from './config';
export type { HistoryRow, MemoryItem } from './items';
export type { Recalled, Injected } from './recall';
export type { EntityGraph } from './profile';
export type { ReembedProgress } from './reembed';
export type { SkippedItem } from './add-many';
export { addManyProgress } from './add-many';



/** One result of add(): Mem0's shape (`event` in `metadata`), the event also at the top level as Mem0's Python SDK has it. */
export interface AddedItem {
  id: string;
  memory: string;
  event: Exclude<Added['event'], 'NONE'>;
  metadata: { event: Exclude<Added['event'], 'NONE'>; previousMemory?: string };
}




/** What addMany() did: every stored change (as add() reports it) and the counts. */
export interface AddManyResult extends AddManyProgress {
  results: AddedItem[];
  /** The items skipped, with the error add() would have thrown for each. */
  skippedItems: SkippedItem[];
}

export interface SearchMemoryOptions {
  /** Default 20. */
  topK?: number;
  filters?: SearchFilters;
  /** Results need at least this cosine similarity to the query, 0–1. Default 0.1; 0 ranks every candidate. */
  threshold?: number;
  /** Include memories past their expiration date. */
  showExpired?: boolean;
  /** Accepted for Mem0 compatibility: Engram's ranking is already hybrid (vectors, BM25, time, entities). */
  rerank?: boolean;
  /**
   * Engram: `'recall'` uses the relevance gate a prompt's recall uses (calibrated for the model,
   * or enough shared words) instead of `threshold`: the popup finds what a prompt would.
   */
  gate?: 'recall';
}

export interface GetAllMemoryOptions {
  /** Default 20. */
  topK?: number;
  filters?: SearchFilters;
  showExpired?: boolean;
}

export interface UpdateMemoryOptions {
  text?: string;
  /** Deprecated in Mem0: use `text`. */
  data?: string;
  metadata?: Record<string, JsonValue>;
  /** YYYY-MM-DD, or null to keep the memory for good. */
  expirationDate?: string | null;
}

export interface DeleteAllMemoryOptions {
  userId?: string | number;
  agentId?: string | number;
  runId?: string | number;
  /** Engram: only memories also passing these filters (a space, a site, metadata…). */
  filters?: SearchFilters;
}

export interface RecallOptions {
  /** Whose memories (scope ids as in search's filters). */
  filters?: SearchFilters;
  /** Several scopes searched and merged (e.g. two speakers); instead of `filters`. */
  scopes?: SearchFilters[];
  /** Override the calibrated relevance gate (cosine, 0–1). */
  threshold?: number;
  settings?: Partial<RecallSettings>;
  /** Count the injected memories as used (default true; an evaluation passes false). */
  noteUse?: boolean;
  locale?: string;
  /**
   * Read the prompt first and give nothing to a statement, a task or a world question (default
   * true); false when the user asked for memories themselves.
   */
  readPrompt?: boolean;
}

const DEFAULT_TOP_K = 20;
const DEFAULT_THRESHOLD = 0.1;

/** A rank score (fused relevance, ≥ 0, unbounded) as Mem0's 0–1 score; order is kept. */
const unitScore = (score: number): number => Math.tanh(Math.max(score, 0));

export class Memory {
  readonly #ctx: EngineContext;
  readonly #historyDisabled: boolean;

  constructor(config: MemoryConfig = {}) {
    if (!isObject(config)) throw new TypeError('config must be an object (see MemoryConfig)');
    this.#ctx = new EngineContext(partsOf(config));
    this.#historyDisabled = config.disableHistory === true;
  }

  static fromConfig(config: MemoryConfig): Memory {
    return new Memory(config);
  }

  get embedder(): Embedder {
    return this.#ctx.embedder;
  }

  /**
   * Save the recall image now (engine/recall-image.ts: what a cold start reads in one go). The
   * engine saves it by itself a moment after writes; tests and benchmarks call this to be sure.
   */
  saveRecallImage(): Promise<boolean> {
    return this.#ctx.saveImage();
  }

  get extractorName(): string {
    return this.#ctx.extractor.name;
  }

  /** Swap the fact extractor and update decider (e.g. WebLLM once its model is loaded). */
  useExtraction(extractor: Extractor, decider?: Decider): void {
    this.#ctx.extractor = extractor;
    this.#ctx.decider = decider ?? ruleBasedDecider;
  }

  /** Store what `messages` say. A string is one user message. */
  async add(messages: string | readonly ChatMessage[], options: AddMemoryOptions): Promise<{ results: AddedItem[] }> {
    const parsed = validateMessages(messages);
    if (!isObject(options)) throw new TypeError('add() needs options with a userId, agentId or runId');
    const metadata = metadataOf(options.metadata);
    // Options first, then ids in filters (snake_case), as Mem0 does: an option wins.
    const scope = scopeOfOptions(options);
    const saidAt = timeOf(options.timestamp, 'timestamp') ?? timeOf(options.saidAt, 'saidAt') ?? this.#ctx.now();
    const expiresAt =
      options.expirationDate !== undefined && options.expirationDate !== null
        ? expiryOf(options.expirationDate)
        : scope.runId && options.sessionTtlMs
          ? saidAt + options.sessionTtlMs
          : null;
    const added = await this.#ctx.serial(() =>
      add(this.#ctx, parsed, {
        scope: { userId: scope.userId ?? null, agentId: scope.agentId ?? null, runId: scope.runId ?? null, space: normalizeSpace(options.space) },
        metadata,
        infer: options.infer !== false,
        site: options.site ?? null,
        conversationId: options.conversationId ?? null,
        saidAt,
        expiresAt,
      }),
    );
    return {
      results: added.flatMap((r): AddedItem[] =>
        r.event === 'NONE'
          ? []
          : [{ id: r.id, memory: r.memory, event: r.event, metadata: { event: r.event, ...(r.previousMemory === undefined ? {} : { previousMemory: r.previousMemory }) } }],
      ),
    };
  }

  /**
   * Many add() calls in one: the memories stored are those adding `items` one by one in order
   * would store, at a fraction of the cost (per chunk of items: one embedding batch, one
   * transaction). An item add() would reject (no words, too long) is skipped and reported, never
   * failing the batch. Searches and other writes run between chunks. When the store fails
   * (e.g. StorageFullError) or `signal` aborts, the call rejects with that error; the chunks
   * before it stay written, and `addManyProgress(error)` says how far it got.
   *
   * @example
   * const { added } = await memory.addMany(importedTurns.map((t) => ({ messages: t.text, saidAt: t.at })), { userId: 'me' });
   */
  async addMany(items: readonly AddManyInput[], options: AddManyOptions): Promise<AddManyResult> {
    if (!Array.isArray(items)) throw new TypeError('addMany() needs an array of items');
    if (!isObject(options)) throw new TypeError('addMany() needs options with a userId, agentId or runId');
    const { results, ...counts } = await addMany(this.#ctx, items, options);
    return { ...counts, results: addedItems(results) };
  }

  /**
   * Resolves once background work started by earlier calls is done: the relations of memories a
   * bulk add stored (they are searchable at once; their relations follow), and an HNSW index
   * being built (searches scan exactly meanwhile).
   */
  async settled(): Promise<void> {
    await relationsSettled(this.#ctx);
    await this.#ctx.vectors.built();
  }

  /** One memory, or null. Returns it even past its expiration date (as Mem0 does). */
  async get(memoryId: string): Promise<MemoryItem | null> {
    const m = await this.#ctx.store.get(memoryIdOf(memoryId));
    return m ? toItem(m) : null;
  }

  /** The memories in a scope (oldest first, as Mem0 lists them), at most `topK` (default 20). */
  async getAll(options: GetAllMemoryOptions = {}): Promise<{ results: MemoryItem[] }> {
    rejectTopLevelEntityParams(options, 'getAll');
    validateSearchParams(undefined, options.topK);
    const filter = this.#filterOf(options.filters);
    const now = this.#ctx.now();
    const all = [...(await this.#ctx.memories()).values()]
      .filter((m) => (options.showExpired === true || live(m, now)) && filterMatches(filter, m))
      .sort((a, b) => a.createdAt - b.createdAt || a.label - b.label);
    return { results: all.slice(0, options.topK ?? DEFAULT_TOP_K).map((m) => toItem(m)) };
  }

  /** The memories most relevant to `query`, best first, each with a 0–1 score. */
  async search(query: string, options: SearchMemoryOptions = {}): Promise<{ results: MemoryItem[] }> {
    if (typeof query !== 'string') throw new TypeError('query must be a string');
    rejectTopLevelEntityParams(options, 'search');
    validateSearchParams(options.threshold, options.topK);
    const filter = this.#filterOf(options.filters);
    const threshold = options.threshold ?? DEFAULT_THRESHOLD;
    // Threshold 0 bounds nothing: every candidate is ranked, those drawn by the period or the
    // entities a query names too, however unlike the question their words are.
    const gate =
      options.gate === 'recall' ? { cosine: await this.#ctx.gate(), lexical: true } : threshold > 0 ? { cosine: threshold, lexical: false } : undefined;
    // Someone waits for it (the popup's search box): background work goes after it.
    const hits = await inForeground(() =>
      search(this.#ctx, query, {
        filter,
        topK: options.topK ?? DEFAULT_TOP_K,
        ...(gate ? { gate } : {}),
        ...(options.showExpired ? { showExpired: true } : {}),
      }),
    );
    return {
      results: hits.map((h) =>
        toItem(h.record, { score: unitScore(h.score), text: h.text, ...(h.supersededAt === undefined ? {} : { supersededAt: h.supersededAt }) }),
      ),
    };
  }

  /**
   * What goes into a prompt for `query`: the memories past the relevance gate calibrated for the
   * model, without near-duplicates, within the token budget, each as the line the block shows.
   */
  async recall(query: string, options: RecallOptions): Promise<Recalled> {
    if (typeof query !== 'string') throw new TypeError('query must be a string');
    if (options.threshold !== undefined) validateSearchParams(options.threshold, undefined);
    const scopes = (options.scopes ?? [options.filters ?? {}]).map((f) => this.#filterOf(f));
    return recall(this.#ctx, query, {
      scopes,
      ...(options.threshold === undefined ? {} : { threshold: options.threshold }),
      ...(options.settings ? { settings: options.settings } : {}),
      ...(options.noteUse === undefined ? {} : { noteUse: options.noteUse }),
      ...(options.locale ? { locale: options.locale } : {}),
      ...(options.readPrompt === undefined ? {} : { readPrompt: options.readPrompt }),
    });
  }

  /** Change a memory's text (a correction: re-embedded, the old text kept in history), metadata or expiry. */
  async update(memoryId: string, data: string | UpdateMemoryOptions): Promise<{ message: string }> {
    const id = memoryIdOf(memoryId);
    const given: unknown = data;
    const options = (typeof given === 'string' ? { text: given } : isObject(given) ? given : {}) as Partial<Record<keyof UpdateMemoryOptions, unknown>>;
    const text: unknown = options.text ?? options.data;
    if (text !== undefined && text !== null && typeof text !== 'string') throw new TypeError('text must be a string');
    if ((text === undefined || text === null) && (options.metadata === undefined || options.metadata === null) && options.expirationDate === undefined) {
      throw new Error('At least one of text, metadata, or expirationDate must be provided.');
    }
    await updateMemory(this.#ctx, id, {
      ...(typeof text === 'string' ? { text } : {}),
      ...(options.metadata ? { metadata: metadataOf(options.metadata) } : {}),
      ...(options.expirationDate === undefined ? {} : { expiresAt: options.expirationDate === null ? null : expiryOf(options.expirationDate) }),
    });
    return { message: 'Memory updated successfully!' };
  }

  /** Forget one memory: its text leaves history too. */
  async delete(memoryId: string): Promise<{ message: string }> {
    const id = memoryIdOf(memoryId);
    if (!(await deleteMemory(this.#ctx, id))) throw new Error(`Memory with ID ${id} not found`);
    return { message: 'Memory deleted successfully!' };
  }

  /** Forget every memory of a scope (and, with Engram's `filters`, only those passing them). */
  async deleteAll(options: DeleteAllMemoryOptions): Promise<{ message: string; deleted: number }> {
    if (!isObject(options)) throw new TypeError('deleteAll() needs options with a userId, agentId or runId');
    const scope: Scope = {};
    for (const name of ['userId', 'agentId', 'runId'] as const) {
      const id = entityId(options[name], name);
      if (id !== undefined) scope[name] = id;
    }
    if (!hasScope(scope)) {
      throw new Error('At least one filter is required to delete all memories. If you want to delete all memories, use the `reset()` method.');
    }
    const filter: MemoryFilter = { AND: [scopeFilter(scope), validateFilter(options.filters ?? {}) ?? {}] };
    const deleted = await deleteMatching(this.#ctx, filter);
    return { message: 'Memories deleted successfully!', deleted };
  }

  /**
   * Every change of a memory, newest first, in Mem0's row shape. Kept after the memory is
   * forgotten, without its text: the rows then say only that it changed and was forgotten, and when.
   */
  async history(memoryId: string): Promise<HistoryRow[]> {
    const id = memoryIdOf(memoryId);
    return this.#historyDisabled ? [] : historyRows(await this.#ctx.store.history(id));
  }

  /** Forget everything: memories, vectors, history, index snapshots and queued turns. */
  reset(): Promise<void> {
    return reset(this.#ctx);
  }

  // Engram's own verbs.

  /**
   * Begin reading what the first recall needs from storage (the recall image), without waiting:
   * the worker calls it when a recall wakes it, so that the read overlaps its start-up.
   */
  readAhead(): void {
    this.#ctx.prefetchImage();
  }

  /** Get ready for the first recall: calibrate the relevance gate for the active model (which loads it). */
  /**
   * Load everything the first recall needs, all at once: the model and the relevance gate, the
   * memories, their BM25 index and entity links, and the vector index (from its snapshot). The
   * reads of IndexedDB, the model files and WebAssembly compiles overlap instead of queueing.
   */
  async warmUp(): Promise<void> {
    const ctx = this.#ctx;
    await Promise.all([
      ctx.gate(),
      warmSearch(ctx),
      ctx.vectors.index(ctx.embedder.modelId),
      ctx.memories().then(() => Promise.all([ctx.textIndex(), ctx.entityLinks()])),
    ]);
  }

  /**
   * Forget many memories in one write (as many delete() calls would, in a fraction of the time).
   * `keep` sees the records just before they go (a copy for an undo). Returns how many were forgotten.
   */
  async forgetMany(memoryIds: readonly string[], options: { reason?: string; keep?: (records: readonly MemoryRecord[]) => Promise<void> } = {}): Promise<number> {
    const ids = memoryIds.map((id) => memoryIdOf(id));
    return (await forgetMany(this.#ctx, ids, options.reason, options.keep)).length;
  }

  /**
   * Put back memories forgotten a moment ago, exactly as they were, with their vectors (as
   * `forgetMany`'s `keep` saw them): searched and recalled again. Returns the ids restored.
   */
  async restore(records: readonly MemoryRecord[], vectors: readonly VectorRecord[]): Promise<string[]> {
    return (await restoreMany(this.#ctx, records, vectors)).map((m) => m.id);
  }

  /** File memories in spaces (id → a path such as `work/atlas`, or null for none); returns how many moved. */
  async setSpaces(spaces: ReadonlyMap<string, string | null>): Promise<number> {
    const checked = new Map([...spaces].map(([id, space]) => [memoryIdOf(id), normalizeSpace(space)] as const));
    return (await setSpaces(this.#ctx, checked)).length;
  }

  /** Merge `patch` into a memory's metadata (null removes a key): pinning, rating. No history. */
  async setMetadata(memoryId: string, patch: Record<string, JsonValue>): Promise<MemoryItem> {
    return toItem(await setMetadata(this.#ctx, memoryIdOf(memoryId), patch));
  }

  /** Record that these memories went into a prompt. */
  /** Count these memories as used later, in one batch with others (a recall's bookkeeping). */
  noteUseLater(ids: readonly string[]): void {
    noteUseLater(this.#ctx, ids);
  }

  /** Write the uses still waiting in the batch (the background's alarm does, so none is lost for long). */
  flushUses(): Promise<void> {
    return flushUses(this.#ctx);
  }

  noteUse(ids: readonly string[]): Promise<void> {
    return noteUse(this.#ctx, ids);
  }

  /** A short profile: the current value of each single-valued attribute, then pinned and rated memories. */
  async profile(options: { filters?: SearchFilters; limit?: number }): Promise<MemoryItem[]> {
    return profileOf(await this.#live(options.filters), options.limit).map((m) => toItem(m));
  }

  /** The entities the memories name, most mentioned first, and the relations they state. */
  async graph(options: { filters?: SearchFilters }): Promise<EntityGraph> {
    return graphOf(await this.#live(options.filters));
  }

  /** Merge near-duplicate memories of one scope; returns how many were merged away. */
  consolidate(): Promise<number> {
    return consolidate(this.#ctx);
  }

  /** Switch to another embedding model, re-embedding every memory (resumable). */
  reembed(next: Embedder, onProgress?: (p: ReembedProgress) => void, batchSize?: number): Promise<ReembedProgress> {
    return reembed(this.#ctx, next, onProgress, batchSize);
  }

  /** Forget memories past their expiration date; returns how many. */
  sweepExpired(): Promise<number> {
    return sweepExpired(this.#ctx);
  }

  /** Forget stored memories that hold a secret; returns how many. */
  forgetSecrets(): Promise<number> {
    return forgetSecrets(this.#ctx);
  }

  /** How long memories stay: a memory's expiry, the end of its conversation, "forget what goes unused" (retention.ts). */
  retention(): Retention {
    return retentionOf(this.#ctx);
  }

  async #live(filters: SearchFilters | undefined): Promise<MemoryRecord[]> {
    const filter = this.#filterOf(filters);
    const now = this.#ctx.now();
    return [...(await this.#ctx.memories()).values()].filter((m) => live(m, now) && filterMatches(filter, m));
  }

  /** Mem0's filters as Engram's: scope ids required and trimmed, the rest checked once. */
  #filterOf(filters: SearchFilters | undefined): MemoryFilter {
    if (filters !== undefined && (!isObject(filters) || Array.isArray(filters))) {
      throw new TypeError('filters must be an object, e.g. { user_id: "alice" }');
    }
    const { scope, rest } = scopeOfFilters(filters);
    requireScopeInFilters(scope);
    return { AND: [scopeFilter(scope), validateFilter(rest) ?? {}] };
  }
}

/** Callers from JavaScript or JSON may pass anything: checked at run time. */
const isObject = (value: unknown): value is object => typeof value === 'object' && value !== null;

/** Exactly this scope's ids (a scope id not given is not constrained). */
function scopeFilter(scope: Scope): MemoryFilter {
  const filter: MemoryFilter = {};
  if (scope.userId !== undefined) filter.userId = scope.userId;
  if (scope.agentId !== undefined) filter.agentId = scope.agentId;
  if (scope.runId !== undefined) filter.runId = scope.runId;
  return filter;
}

const filterMatches = (filter: MemoryFilter, m: MemoryRecord): boolean => matchesFilter(m, filter);

/** add()'s outcomes in Mem0's shape: every stored change (a fact already known is no change). */
function addedItems(added: readonly Added[]): AddedItem[] {
  return added.flatMap((r): AddedItem[] =>
    r.event === 'NONE'
      ? []
      : [{ id: r.id, memory: r.memory, event: r.event, metadata: { event: r.event, ...(r.previousMemory === undefined ? {} : { previousMemory: r.previousMemory }) } }],
  );
}
