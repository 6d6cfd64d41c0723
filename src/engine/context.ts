/**
 * What every verb of the engine works on: its parts (store, embedder, extractor, decider, vector
 * search), one write queue, and a cache of the store's memories that writes keep in step.
 *
 * The store (Dexie) is the source of truth; the cache and the vector index are derived from it
 * and rebuilt whenever the store's revision moved on without them.
 */
import { ruleBasedDecider } from '../pipeline/decide';
import { TextIndex } from '../pipeline/text-index';
import type { Decider } from '../ports/decider';
import type { Embedder } from '../ports/embedder';
import type { Extractor } from '../ports/extractor';
import type { MemoryStore, StoreWrite } from '../ports/memory-store';
import type { HistoryEntry, MemoryRecord } from '../core/types';
import { calibrate, type Calibration } from './calibration';
import { mark } from '../core/timings';
import { EntityLinks } from '../pipeline/entity-links';
import { RECALL } from './recall-settings';
import type { VectorSearch } from './vector-search';

export interface EngineParts {
  store: MemoryStore;
  embedder: Embedder;
  extractor: Extractor;
  vectors: VectorSearch;
  /** The update step; rule-based by default. */
  decider?: Decider;
  now?: () => number;
  newId?: () => string;
  /** Where a failed calibration is reported (the gate then uses the bundled model's threshold). */
  onError?: (error: unknown) => void;
  /** Told of every write once it landed (the extension: tell the chat pages what was forgotten). */
  onWrite?: (change: EngineWrite) => void;
}

/** A write as the verbs make it: the store's change plus the labels it removes from the index. */
export interface EngineWrite extends StoreWrite {
  removedLabels?: number[];
}

interface Cache {
  revision: number;
  byLabel: Map<number, MemoryRecord>;
  text: TextIndex | null;
  entities: EntityLinks | null;
}

export class EngineContext {
  readonly store: MemoryStore;
  readonly vectors: VectorSearch;
  readonly now: () => number;
  readonly newId: () => string;
  embedder: Embedder;
  extractor: Extractor;
  decider: Decider;
  readonly #onError: (error: unknown) => void;
  readonly #onWrite: (change: EngineWrite) => void;
  #queue: Promise<unknown> = Promise.resolve();
  #cache: Cache | null = null;
  #reading: { revision: number; done: Promise<Map<number, MemoryRecord>> } | null = null;
  /** The relevance gate per embedding model (cosine means something else under each). */
  readonly #gates = new Map<string, Promise<Calibration>>();

  constructor(parts: EngineParts) {
    this.store = parts.store;
    this.embedder = parts.embedder;
    this.extractor = parts.extractor;
    this.decider = parts.decider ?? ruleBasedDecider;
    this.vectors = parts.vectors;
    this.now = parts.now ?? Date.now;
    this.newId = parts.newId ?? (() => crypto.randomUUID());
    this.#onError = parts.onError ?? (() => undefined);
    this.#onWrite = parts.onWrite ?? (() => undefined);
  }

  /** Run writes one at a time, so concurrent adds never store a fact twice. */
  serial<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Every memory by label, as of the store's current revision. */
  async memories(): Promise<Map<number, MemoryRecord>> {
    const revision = await this.store.revision();
    if (this.#cache?.revision === revision) return this.#cache.byLabel;
    // Callers at the same moment (a warm-up and the first recall) share one read of the store.
    if (this.#reading?.revision !== revision) {
      const reading = { revision, done: this.#read(revision) };
      this.#reading = reading;
      void reading.done.finally(() => {
        if (this.#reading === reading) this.#reading = null;
      }).catch(() => undefined);
    }
    return this.#reading.done;
  }

  async #read(revision: number): Promise<Map<number, MemoryRecord>> {
    const all = await this.store.list();
    const byLabel = new Map(all.map((m) => [m.label, m]));
    this.#cache = { revision, byLabel, text: null, entities: null };
    mark('memories');
    return byLabel;
  }

  /** Which memories name which entity, built on first use and kept in step with writes. */
  async entityLinks(): Promise<EntityLinks> {
    const byLabel = await this.memories();
    const cache = this.#cache!;
    if (!cache.entities) {
      const links = new EntityLinks();
      for (const m of byLabel.values()) links.link(m);
      cache.entities = links;
      mark('entityLinks');
    }
    return cache.entities;
  }

  /** The BM25 index of memory texts, built on first use and kept in step with writes. */
  async textIndex(): Promise<TextIndex> {
    const byLabel = await this.memories();
    const cache = this.#cache!;
    if (!cache.text) {
      const text = new TextIndex();
      for (const [label, m] of byLabel) text.upsert(String(label), lexicalText(m));
      cache.text = text;
      mark('textIndex');
    }
    return cache.text;
  }

  /** Apply a change to the store, then to the cache and the active model's vector index. */
  async write(change: EngineWrite, model = this.embedder.modelId): Promise<void> {
    await this.memories(); // make sure the cache reflects the revision before this write
    const { removedLabels = [], ...storeChange } = change;
    await this.store.write(storeChange);
    this.#onWrite(change);
    const revision = await this.store.revision();
    const cache = this.#cache;
    if (cache && cache.revision === revision - 1) {
      for (const label of removedLabels) {
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
      await this.vectors.applied(
        model,
        { upserts: (change.vectors ?? []).filter((v) => v.model === model), removed: removedLabels },
        await this.store.vectorRevision(),
      );
    }
  }

  /** Forget the cache and the loaded index (after the store was cleared or the model changed). */
  invalidate(): void {
    this.#cache = null;
    this.vectors.invalidate();
  }

  /**
   * The relevance gate's calibration for the active model: once per model, on labelled pairs
   * (engine/calibration.ts). If calibration fails, the bundled model's stands in and calibration
   * is tried again next time.
   */
  calibration(): Promise<Calibration> {
    const active = this.embedder;
    let calibration = this.#gates.get(active.modelId);
    if (!calibration) {
      calibration = calibrate(active).finally(() => { mark('calibration'); }).catch((error: unknown) => {
        this.#onError(error);
        this.#gates.delete(active.modelId);
        return { threshold: RECALL.threshold, related: RECALL.related, unrelated: RECALL.unrelated, offTopic: RECALL.floor };
      });
      this.#gates.set(active.modelId, calibration);
    }
    return calibration;
  }

  /** The relevance gate for the active model: a cosine between related and unrelated pairs. */
  async gate(): Promise<number> {
    return (await this.calibration()).threshold;
  }
}

/** What BM25 searches for a memory: its text and the context it was said in. */
export function lexicalText(m: MemoryRecord): string {
  return m.context ? `${m.text}\n${m.context}` : m.text;
}

/** Not expired (a session memory past its end, or a memory past its expiration date). */
export const live = (m: MemoryRecord, now: number): boolean => m.expiresAt === null || m.expiresAt > now;

export function historyEntry(
  memoryId: string,
  event: HistoryEntry['event'],
  oldText: string | null,
  newText: string | null,
  at: number,
  reason: string,
): HistoryEntry {
  return { memoryId, event, oldText, newText, at, reason };
}

/** Delete memories as the user forgetting them would: their text leaves history too. */
export function forgetting(records: readonly MemoryRecord[], at: number, reason: string): EngineWrite {
  return {
    delete: records.map((r) => r.id),
    forget: records.map((r) => r.id),
    history: records.map((r) => historyEntry(r.id, 'DELETE', null, null, at, reason)),
    removedLabels: records.map((r) => r.label),
  };
}
