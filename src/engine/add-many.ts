/**
 * addMany: many add() calls at once (an import of a chat history or of saved memories), with the
 * same outcome as adding the items one by one in order, at a fraction of the cost.
 *
 * Items are taken in chunks. Per chunk: each item's facts are extracted and the chunk's facts
 * embedded in one batch (outside the write queue: neither reads the store); then, as one task of
 * the write queue, every fact is decided in order against a view of the store as it would be had
 * the facts before it been written — the committed memories (by hash from memory, nearest from
 * the vector index) with this chunk's pending changes on top (an exact scan of its new vectors) —
 * labels are allocated once, and the whole chunk is ONE `ctx.write` (one transaction). Between
 * chunks the event loop runs: searches and recalls, which do not queue, and other writes, which
 * do, go ahead.
 */
import { relationsOf } from '../pipeline/relations';
import { factHash, type ScopeKey } from '../pipeline/normalize';
import type { Decision, Neighbour } from '../pipeline/decide';
import type { ChatMessage, ExtractedFact } from '../ports/extractor';
import type { Embedder } from '../ports/embedder';
import type { VectorIndex } from '../ports/vector-index';
import type { HistoryEntry, JsonValue, MemoryRecord } from '../core/types';
import {
  decideFact,
  embeddingText,
  factsOf,
  FORGOTTEN_REASON,
  newRecord,
  updatedRecord,
  withProvenance,
  type AddRequest,
  type Added,
} from './add';
import { historyEntry, type EngineContext, type EngineWrite } from './context';
import { backgroundTurn } from './priority';
import { normalizeSpace } from './filters';
import { expiryOf, metadataOf, scopeOfOptions, timeOf, validateMessages } from './validate';
import type { AddManyInput, AddManyItem, AddManyOptions, AddManyProgress } from './add-options';

export type { AddManyProgress } from './add-options';

/** Items per chunk unless the caller says otherwise: one transaction, one embedding batch each. */
export const DEFAULT_CHUNK_SIZE = 250;
/** The largest chunk accepted (the write queue is held for one chunk's decisions and write). */
export const MAX_CHUNK_SIZE = 2000;
/** How many nearest memories the update step sees (as add()). */
const NEIGHBOURS = 5;


/** An item addMany() skipped, and why (the error add() would have thrown for it). */
export interface SkippedItem {
  index: number;
  error: Error;
}

export interface BulkAdded extends AddManyProgress {
  /** Every fact's outcome in order, NONE included. */
  results: Added[];
  skippedItems: SkippedItem[];
}

const progressOfError = new WeakMap<object, AddManyProgress>();

/**
 * How far a failed or aborted addMany() got: the chunks counted in it were written and stay
 * written. Undefined for an error addMany() did not throw.
 */
export function addManyProgress(error: unknown): AddManyProgress | undefined {
  return typeof error === 'object' && error !== null ? progressOfError.get(error) : undefined;
}

/** What every item shares: the options, checked once. */
interface Base {
  scope: ScopeKey;
  runId: string | undefined;
  infer: boolean;
  metadata: Record<string, JsonValue>;
  saidAt: number | undefined;
  site: AddRequest['site'];
  conversationId: string | null;
  expirationDate: string | null | undefined;
  sessionTtlMs: number | undefined;
}

export async function addMany(ctx: EngineContext, items: readonly AddManyInput[], options: AddManyOptions): Promise<BulkAdded> {
  const base = baseOf(options);
  const chunkSize = chunkSizeOf(options.chunkSize);
  const { signal, onProgress } = options;
  const progress: AddManyProgress = { done: 0, total: items.length, added: 0, updated: 0, deleted: 0, unchanged: 0, skipped: 0 };
  const results: Added[] = [];
  const skippedItems: SkippedItem[] = [];
  const hashes = new HashIndex();
  // The next chunk is extracted and embedded while this one is decided and written.
  const prepare = (start: number): Promise<Chunk> => {
    const chunk = prepareChunk(ctx, items.slice(start, start + chunkSize), start, base, signal);
    chunk.catch(() => undefined); // awaited in turn; an abort must not leave it unhandled meanwhile
    return chunk;
  };
  try {
    signal?.throwIfAborted();
    let next = items.length > 0 ? prepare(0) : null;
    for (let start = 0; next; start += chunkSize) {
      const chunk = await next;
      next = start + chunkSize < items.length ? prepare(start + chunkSize) : null;
      const outcome = await ctx.serial(async () => {
        signal?.throwIfAborted();
        const { facts, embedder } = chunk;
        // The model changed while this chunk was embedded (a re-embed): embed again with the one in use.
        const vectors = ctx.embedder === embedder ? chunk.vectors : await ctx.embedder.embedBatch(facts.map((f) => embeddingText(f.fact)));
        return commitChunk(ctx, hashes, facts, vectors);
      });
      for (const r of outcome) {
        results.push(r);
        if (r.event === 'ADD') progress.added++;
        else if (r.event === 'UPDATE') progress.updated++;
        else if (r.event === 'DELETE') progress.deleted++;
        else progress.unchanged++;
      }
      skippedItems.push(...chunk.skipped);
      progress.skipped += chunk.skipped.length;
      progress.done += chunk.size;
      onProgress?.({ ...progress });
      if (next) {
        await backgroundTurn(); // searches, recalls and other writes run between chunks, recalls first
        signal?.throwIfAborted();
      }
    }
  } catch (error) {
    if (typeof error === 'object' && error !== null) progressOfError.set(error, { ...progress });
    throw error;
  } finally {
    // What was stored is found at once; its relations (for the graph) follow in the background.
    if (progress.added + progress.updated > 0) void backfillRelations(ctx);
  }
  return { ...progress, results, skippedItems };
}

/** The relations backfill running per engine (one at a time). */
const backfills = new WeakMap<EngineContext, Promise<void>>();
/** Memories whose relations one backfill write fills. */
const BACKFILL_BATCH = 64;

/**
 * Fill in the relations of memories stored without them (bulk adds skip them: parsing each fact
 * with the part-of-speech tagger was more than half of an import's time). In slices of a few
 * milliseconds, each batch one short write, so recalls and writes run in between; a memory
 * changed meanwhile is left for the next pass. `graph()` computes any still missing when read.
 */
export function backfillRelations(ctx: EngineContext): Promise<void> {
  const running = backfills.get(ctx);
  if (running) return running;
  const run = (async () => {
    for (;;) {
      const todo = [...(await ctx.memories()).values()].filter((m) => m.relations === undefined);
      if (todo.length === 0) return;
      let filled = 0;
      for (let i = 0; i < todo.length; i += BACKFILL_BATCH) {
        const batch = todo.slice(i, i + BACKFILL_BATCH);
        const computed = new Map<string, MemoryRecord['relations']>();
        let slice = performance.now();
        for (const m of batch) {
          computed.set(m.id, relationsOf(m.text));
          if (performance.now() - slice > BACKFILL_SLICE_MS) {
            await pause();
            slice = performance.now();
          }
        }
        filled += await ctx.serial(async () => {
          const now = await ctx.memories();
          // Only memories whose text is still the one parsed, and that still lack relations.
          const put = batch.flatMap((m) => {
            const current = now.get(m.label);
            return current?.id === m.id && current.text === m.text && current.relations === undefined ? [{ ...current, relations: computed.get(m.id) ?? [] }] : [];
          });
          if (put.length > 0) await ctx.write({ put });
          return put.length;
        });
        await pause();
      }
      if (filled === 0) return; // what is left changed under us: the next bulk add tries again
    }
  })()
    .catch(() => undefined) // relations are derived: graph() computes any that are missing
    .finally(() => {
      backfills.delete(ctx);
    });
  backfills.set(ctx, run);
  return run;
}

/** Resolves once no relations backfill runs for this engine. */
export async function relationsSettled(ctx: EngineContext): Promise<void> {
  await backfills.get(ctx);
}

const BACKFILL_SLICE_MS = 8;
const pause = backgroundTurn;

/** A chunk of items, extracted and embedded: nothing here reads the store. */
interface Chunk {
  size: number;
  facts: { fact: ExtractedFact; request: AddRequest }[];
  vectors: (Float32Array | undefined)[];
  /** The embedder the vectors are from. */
  embedder: Embedder;
  skipped: SkippedItem[];
}

async function prepareChunk(ctx: EngineContext, items: readonly AddManyInput[], start: number, base: Base, signal: AbortSignal | undefined): Promise<Chunk> {
  const facts: Chunk['facts'] = [];
  const skipped: SkippedItem[] = [];
  for (const [i, item] of items.entries()) {
    signal?.throwIfAborted();
    try {
      const { messages, request } = parseItem(ctx, item, base);
      for (const fact of await factsOf(ctx, messages, request)) facts.push({ fact, request });
    } catch (error) {
      skipped.push({ index: start + i, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
  const embedder = ctx.embedder;
  const vectors = facts.length > 0 ? await embedder.embedBatch(facts.map((f) => embeddingText(f.fact))) : [];
  return { size: items.length, facts, vectors, embedder, skipped };
}

/** The options every item shares, checked as add() checks them: a bad option fails the whole call. */
function baseOf(options: AddManyOptions): Base {
  const scope = scopeOfOptions(options);
  if (options.expirationDate !== undefined && options.expirationDate !== null) expiryOf(options.expirationDate);
  return {
    scope: { userId: scope.userId ?? null, agentId: scope.agentId ?? null, runId: scope.runId ?? null, space: normalizeSpace(options.space) },
    runId: scope.runId,
    infer: options.infer !== false,
    metadata: metadataOf(options.metadata),
    saidAt: timeOf(options.timestamp, 'timestamp') ?? timeOf(options.saidAt, 'saidAt'),
    site: options.site ?? null,
    conversationId: options.conversationId ?? null,
    expirationDate: options.expirationDate,
    sessionTtlMs: options.sessionTtlMs,
  };
}

function chunkSizeOf(size: unknown): number {
  if (size === undefined) return DEFAULT_CHUNK_SIZE;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_CHUNK_SIZE) {
    throw new RangeError(`chunkSize must be an integer from 1 to ${MAX_CHUNK_SIZE}`);
  }
  return size;
}

/**
 * One item as the add() call it stands for: its messages, and the options with the item's own
 * time, place, expiry and metadata (merged over the options' metadata) in place of theirs.
 */
function parseItem(ctx: EngineContext, item: AddManyInput, base: Base): { messages: ChatMessage[]; request: AddRequest } {
  const given = typeof item === 'string' || Array.isArray(item) ? { messages: item } : (item as unknown);
  if (typeof given !== 'object' || given === null || !('messages' in given)) {
    throw new TypeError('an item must be a string, an array of messages or an object with messages');
  }
  const entry = given as AddManyItem;
  const messages = validateMessages(entry.messages);
  const metadata = entry.metadata === undefined ? base.metadata : { ...base.metadata, ...metadataOf(entry.metadata) };
  const saidAt = timeOf(entry.timestamp, 'timestamp') ?? timeOf(entry.saidAt, 'saidAt') ?? base.saidAt ?? ctx.now();
  const expirationDate = entry.expirationDate === undefined ? base.expirationDate : entry.expirationDate;
  const expiresAt =
    expirationDate !== undefined && expirationDate !== null
      ? expiryOf(expirationDate)
      : base.runId && base.sessionTtlMs
        ? saidAt + base.sessionTtlMs
        : null;
  return {
    messages,
    request: {
      scope: base.scope,
      metadata,
      infer: base.infer,
      site: entry.site ?? base.site,
      conversationId: entry.conversationId ?? base.conversationId,
      saidAt,
      expiresAt,
    },
  };
}

/**
 * Decide every fact of a chunk in order, as add() would one after the other, and write the
 * chunk's changes in one transaction. Runs as a task of the write queue.
 */
async function commitChunk(
  ctx: EngineContext,
  hashes: HashIndex,
  facts: readonly { fact: ExtractedFact; request: AddRequest }[],
  vectors: readonly (Float32Array | undefined)[],
): Promise<Added[]> {
  if (facts.length === 0) return [];
  const model = ctx.embedder.modelId;
  const byLabel = await ctx.memories();
  await hashes.sync(ctx, byLabel);
  const view = new ChunkView(ctx, model, byLabel, hashes);
  const results: Added[] = [];
  for (const [i, { fact, request }] of facts.entries()) {
    const vector = vectors[i];
    if (!vector) continue;
    const result = await view.apply(fact, vector, request);
    if (result) results.push(result);
  }
  const change = await view.change();
  if (change) {
    await ctx.write(change, model);
    hashes.written(change, await ctx.store.revision());
  }
  return results;
}

/** A memory this chunk changed or added. */
interface Pending {
  record: MemoryRecord;
  /** In the store before this chunk. */
  committed: boolean;
  deleted: boolean;
  /** Its vector, when this chunk added or changed it, and that vector at unit length. */
  vector: Float32Array | null;
  unit: Float32Array | null;
  /** Ties between equal scores go as the exact index breaks them: by label, new memories last in order. */
  order: number;
}

/** Where new memories sort among equal scores: after every stored label, in the order added. */
const NEW_ORDER = 2 ** 52;

type Candidate = Neighbour & { order: number };

/** Insert `c` into `best` (best first, at most NEIGHBOURS long) if it is among the best. */
function keepBest(best: Candidate[], c: Candidate): void {
  const better = (a: Candidate, b: Candidate): boolean => a.score > b.score || (a.score === b.score && a.order < b.order);
  let i = best.length;
  while (i > 0 && better(c, best[i - 1]!)) i--;
  if (i >= NEIGHBOURS) return;
  best.splice(i, 0, c);
  if (best.length > NEIGHBOURS) best.pop();
}

/**
 * The store as add() would see it after this chunk's facts so far: the committed memories with
 * the pending changes on top.
 */
class ChunkView {
  readonly #pending = new Map<string, Pending>();
  /** Pending memories (not deleted) by hash. */
  readonly #pendingByHash = new Map<string, Set<string>>();
  readonly #added: Pending[] = [];
  readonly #history: HistoryEntry[] = [];
  #index: VectorIndex | null = null;

  constructor(
    private readonly ctx: EngineContext,
    private readonly model: string,
    private readonly byLabel: Map<number, MemoryRecord>,
    private readonly hashes: HashIndex,
  ) {}

  /** The fact's effect, as add()'s apply() has it, on the view. */
  async apply(fact: ExtractedFact, vector: Float32Array, request: AddRequest): Promise<Added | null> {
    const hash = factHash(fact.text, request.scope);
    const existing = this.#byHash(hash);
    const decision: Decision = await decideFact(this.ctx, fact, request.infer, existing, () => this.#neighbours(vector, request.scope));
    const now = this.ctx.now();

    if (decision.event === 'NONE') {
      const known = decision.target;
      if (!known) return null;
      const said = withProvenance(known, fact);
      if (said) this.#set(this.#touch(known), said);
      return { id: known.id, memory: known.text, event: 'NONE' };
    }
    if (decision.event === 'DELETE' && decision.target) {
      const target = decision.target;
      const entry = this.#touch(target);
      this.#unfile(entry);
      entry.deleted = true;
      // What it said leaves history, this chunk's entries too (the store's `forget` only reaches those already written).
      for (const h of this.#history) if (h.memoryId === target.id) forgottenEntry(h);
      this.#history.push(historyEntry(target.id, 'DELETE', null, null, now, FORGOTTEN_REASON));
      return { id: target.id, memory: target.text, event: 'DELETE' };
    }
    if (decision.event === 'UPDATE' && decision.target) {
      const old = decision.target;
      const entry = this.#touch(old);
      this.#set(entry, updatedRecord(old, fact, hash, request, now, false), vector);
      this.#history.push(historyEntry(old.id, 'UPDATE', old.text, fact.text, now, decision.reason));
      return { id: old.id, memory: fact.text, event: 'UPDATE', previousMemory: old.text };
    }
    // The label comes when the chunk is written (one allocation for all its new memories).
    const record = newRecord(this.ctx.newId(), -1, fact, hash, request, now, false);
    const entry: Pending = { record, committed: false, deleted: false, vector: null, unit: null, order: NEW_ORDER + this.#added.length };
    this.#pending.set(record.id, entry);
    this.#added.push(entry);
    this.#set(entry, record, vector);
    this.#history.push(historyEntry(record.id, 'ADD', null, fact.text, now, decision.reason));
    return { id: record.id, memory: record.text, event: 'ADD' };
  }

  /** The chunk's write (its new memories labelled), or null when nothing changed. */
  async change(): Promise<EngineWrite | null> {
    const labels = this.#added.length > 0 ? await this.ctx.store.allocateLabels(this.#added.length) : [];
    for (const [i, entry] of this.#added.entries()) {
      const label = labels[i];
      if (label === undefined) throw new Error('Engram: no label allocated');
      entry.record = { ...entry.record, label };
    }
    const live = [...this.#pending.values()].filter((p) => !p.deleted);
    const gone = [...this.#pending.values()].filter((p) => p.deleted && p.committed).map((p) => p.record);
    if (live.length === 0 && gone.length === 0 && this.#history.length === 0) return null;
    return {
      put: live.map((p) => p.record),
      vectors: live.flatMap((p) => (p.vector ? [{ memoryId: p.record.id, model: this.model, label: p.record.label, vector: p.vector }] : [])),
      history: this.#history,
      ...(gone.length > 0 ? { delete: gone.map((r) => r.id), forget: gone.map((r) => r.id), removedLabels: gone.map((r) => r.label) } : {}),
    };
  }

  /** The memory with this hash, as the store's hash index gives it (the lowest id when several share it). */
  #byHash(hash: string): MemoryRecord | undefined {
    let best: MemoryRecord | undefined;
    const consider = (m: MemoryRecord): void => {
      if (!best || m.id < best.id) best = m;
    };
    for (const m of this.hashes.get(hash)) if (!this.#pending.has(m.id)) consider(m);
    for (const id of this.#pendingByHash.get(hash) ?? []) {
      const entry = this.#pending.get(id);
      if (entry) consider(entry.record);
    }
    return best;
  }

  /** The nearest memories in exactly this scope, best first: from the index, and among this chunk's vectors. */
  async #neighbours(vector: Float32Array, scope: ScopeKey): Promise<Neighbour[]> {
    const inScope = (m: MemoryRecord): boolean => m.userId === scope.userId && m.agentId === scope.agentId && m.runId === scope.runId && m.space === scope.space;
    const accept = (label: number): boolean => {
      const m = this.byLabel.get(label);
      if (!m || !inScope(m)) return false;
      const entry = this.#pending.get(m.id);
      return !entry || (!entry.deleted && !entry.vector); // a vector changed in this chunk is scanned below
    };
    const best: Candidate[] = [];
    for (const h of await this.#searchIndex(vector, accept)) {
      const m = this.byLabel.get(h.label);
      if (m) keepBest(best, { memory: this.#pending.get(m.id)?.record ?? m, score: h.score, order: h.label });
    }
    const query = unitVector(vector);
    for (const entry of this.#pending.values()) {
      if (entry.deleted || !entry.unit || entry.unit.length !== query.length || !inScope(entry.record)) continue;
      keepBest(best, { memory: entry.record, score: dot(query, entry.unit), order: entry.order });
    }
    return best.map(({ memory, score }) => ({ memory, score }));
  }

  /** The index searched directly: loaded once per chunk (no write lands while the chunk decides). */
  async #searchIndex(vector: Float32Array, accept: (label: number) => boolean): Promise<{ label: number; score: number }[]> {
    const index = (this.#index ??= await this.ctx.vectors.index(this.model));
    if (index.size === 0 || index.dimensions !== vector.length) return [];
    try {
      return index.search(vector, NEIGHBOURS, accept);
    } catch {
      // A broken index: VectorSearch drops it and answers from an exact scan; fetch it anew next time.
      this.#index = null;
      return this.ctx.vectors.search(this.model, vector, NEIGHBOURS, accept);
    }
  }

  /** The pending entry of a memory, made from its current version on first change. */
  #touch(memory: MemoryRecord): Pending {
    let entry = this.#pending.get(memory.id);
    if (!entry) {
      entry = { record: memory, committed: true, deleted: false, vector: null, unit: null, order: memory.label };
      this.#pending.set(memory.id, entry);
      this.#file(entry);
    }
    return entry;
  }

  #set(entry: Pending, record: MemoryRecord, vector?: Float32Array): void {
    this.#unfile(entry);
    entry.record = record;
    if (vector) {
      entry.vector = vector;
      entry.unit = unitVector(vector);
    }
    this.#file(entry);
  }

  #file(entry: Pending): void {
    const ids = this.#pendingByHash.get(entry.record.hash) ?? new Set<string>();
    ids.add(entry.record.id);
    this.#pendingByHash.set(entry.record.hash, ids);
  }

  #unfile(entry: Pending): void {
    this.#pendingByHash.get(entry.record.hash)?.delete(entry.record.id);
  }
}

/**
 * The stored memories by hash, kept across chunks: rebuilt when the store moved on by another
 * write than this addMany's own.
 */
class HashIndex {
  readonly #byHash = new Map<string, MemoryRecord[]>();
  /** The hash each stored memory is filed under. */
  readonly #hashOf = new Map<string, string>();
  #source: Map<number, MemoryRecord> | null = null;
  #revision = -1;

  async sync(ctx: EngineContext, byLabel: Map<number, MemoryRecord>): Promise<void> {
    const revision = await ctx.store.revision();
    if (this.#source === byLabel && this.#revision === revision) return;
    this.#byHash.clear();
    this.#hashOf.clear();
    for (const m of byLabel.values()) this.#add(m);
    this.#source = byLabel;
    this.#revision = revision;
  }

  get(hash: string): readonly MemoryRecord[] {
    return this.#byHash.get(hash) ?? [];
  }

  /** This addMany's chunk was written, and the store is now at `revision`. */
  written(change: EngineWrite, revision: number): void {
    for (const id of [...(change.delete ?? []), ...(change.put ?? []).map((m) => m.id)]) this.#remove(id);
    for (const m of change.put ?? []) this.#add(m);
    this.#revision = revision;
  }

  #add(m: MemoryRecord): void {
    this.#remove(m.id);
    this.#hashOf.set(m.id, m.hash);
    const records = this.#byHash.get(m.hash);
    if (records) records.push(m);
    else this.#byHash.set(m.hash, [m]);
  }

  #remove(id: string): void {
    const hash = this.#hashOf.get(id);
    if (hash === undefined) return;
    this.#hashOf.delete(id);
    const kept = (this.#byHash.get(hash) ?? []).filter((m) => m.id !== id);
    if (kept.length > 0) this.#byHash.set(hash, kept);
    else this.#byHash.delete(hash);
  }
}

/** A history entry with its text removed (as the store does to a forgotten memory's). */
function forgottenEntry(entry: HistoryEntry): void {
  entry.oldText = null;
  entry.newText = null;
  entry.reason = 'forgotten';
  delete entry.mergedInto;
}

/** `v` at unit length, in float32 as the exact index keeps it (zero stays zero). */
function unitVector(v: Float32Array): Float32Array {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! * inv;
  return out;
}

/** The dot product summed as the exact index sums it, so equal vectors score equal. */
function dot(q: Float32Array, x: Float32Array): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  const d = q.length;
  for (; i + 3 < d; i += 4) {
    s0 += q[i]! * x[i]!;
    s1 += q[i + 1]! * x[i + 1]!;
    s2 += q[i + 2]! * x[i + 2]!;
    s3 += q[i + 3]! * x[i + 3]!;
  }
  for (; i < d; i++) s0 += q[i]! * x[i]!;
  return s0 + s1 + (s2 + s3);
}
