import { inSlices } from './slices';
import type { MemoryStore } from '../ports/memory-store';
import type { VectorHit, VectorIndex, VectorIndexFactory } from '../ports/vector-index';
import { mark, timed } from '../core/timings';
import { backgroundTurn } from './priority';

export interface VectorSearchOptions {
  exact: VectorIndexFactory;
  /** Approximate index for large stores; without it every search is an exact scan. */
  hnsw?: VectorIndexFactory;
  /** From this many vectors on, HNSW beats the exact scan (measured by `npm run bench`). */
  crossover: number;
  /** How long after the last change a persisted HNSW snapshot is written. */
  saveDelayMs?: number;
  onError?: (error: unknown) => void;
}

interface Loaded {
  model: string;
  index: VectorIndex;
  /** The store's vector revision the index reflects. */
  revision: number;
}

const snapshotKey = (model: string): string => `${model}:hnsw`;

/** A model's vectors as ExactIndex.serialize() writes them, at a vector revision (the recall image's). */
export interface QuickVectors {
  model: string;
  revision: number;
  dimensions: number;
  bytes: Uint8Array;
}

/** More removals than this in one write drop the loaded index (rebuilt on next use). */
export const BULK_REMOVALS = 64;

/**
 * After a cold start served from the recall image, HNSW is restored this long later (ms): the exact
 * scan answers meanwhile (about 5 ms at 10,000 vectors), and the first recalls keep the worker to
 * themselves.
 */
export const COLD_TAKEOVER_DELAY_MS = 2000;

/** A background HNSW build works this long before it lets the worker answer anything else (ms). */
export const BUILD_SLICE_MS = 8;

type VectorChange = { upserts: { label: number; vector: Float32Array }[]; removed: number[] };

/** An HNSW index being built in the background, and the changes made meanwhile (replayed on it). */
interface Build {
  model: string;
  changes: VectorChange[];
  cancelled: boolean;
  done: Promise<void>;
}

/**
 * Keeps one vector index per active model in step with the store. The index is a cache: loaded
 * from its snapshot when that reflects the store's current vector revision, rebuilt from the stored
 * vectors when it is missing, stale or corrupt. Small stores use an exact scan; from the measured
 * crossover on, HNSW.
 *
 * Search never fails for the index's sake: a snapshot that cannot be read is deleted and the index
 * rebuilt; an index that throws is dropped and rebuilt; and when HNSW cannot be built at all (its
 * WebAssembly module broken, out of memory) this instance scans exactly — slower on a big store,
 * never wrong — until `invalidate()`.
 *
 * Search never waits for a build either: when there is no current snapshot to load (none yet, one
 * older than the vectors, a corrupt one), searches scan the stored vectors exactly (about 5 ms at
 * 10,000) while the HNSW index is built in the background, in slices that let the worker answer
 * between them; writes made meanwhile are replayed on it before it takes over.
 */
export class VectorSearch {
  #loaded: Loaded | null = null;
  #loading: Promise<Loaded> | null = null;
  #saveTimer: ReturnType<typeof setTimeout> | null = null;
  /** HNSW failed to build or to search: exact scans until invalidate(). */
  #hnswFailed = false;
  #build: Build | null = null;
  /** How the current index was obtained, for diagnostics and tests. */
  lastLoad: 'snapshot' | 'rebuilt' | 'image' | 'none' = 'none';
  /** Where a cold start finds every vector at once (the recall image); asked once per load. */
  #quick: ((model: string) => Promise<QuickVectors | null>) | null = null;

  constructor(
    private readonly store: MemoryStore,
    private readonly options: VectorSearchOptions,
  ) {}

  /**
   * Where a cold start may find `model`'s vectors in one read (the recall image). When they
   * reflect the store's vector revision, searches scan them exactly at once, while the HNSW index
   * is restored from its snapshot (or built) in the background and takes over when ready.
   */
  useQuickStart(source: (model: string) => Promise<QuickVectors | null>): void {
    this.#quick = source;
  }

  /** The index for `model`, loading or rebuilding it when needed. */
  async index(model: string): Promise<VectorIndex> {
    const current = await this.store.vectorRevision();
    const loaded = this.#loaded;
    if (loaded?.model === model && loaded.revision === current) return loaded.index;
    this.#loading ??= timed('vectorIndex', () => this.#load(model, current)).finally(() => {
      this.#loading = null;
    });
    const fresh = await this.#loading;
    this.#loaded = fresh;
    return fresh.index;
  }

  async #load(model: string, revision: number): Promise<Loaded> {
    const { exact, crossover } = this.options;
    const hnsw = this.#hnswFailed ? undefined : this.options.hnsw;
    const quick = await this.#quickVectors(model, revision);
    if (quick) {
      this.lastLoad = 'image';
      // The exact scan answers now (a few ms at 10,000); HNSW takes over once restored or built.
      if (hnsw && quick.size >= crossover) this.#buildInBackground(model, revision);
      return { model, index: quick, revision };
    }
    const count = await this.store.vectorCount(model);
    mark('vectorCount');
    if (hnsw && count >= crossover) {
      const snapshot = await this.store.getSnapshot(snapshotKey(model));
      mark('snapshotRead');
      if (snapshot?.revision === revision) {
        try {
          const index = await hnsw.restore(snapshot.bytes, snapshot.dimensions);
          this.lastLoad = 'snapshot';
          return { model, index, revision };
        } catch (error) {
          this.options.onError?.(error); // corrupt, or unreadable: fall through to a rebuild
          await this.#dropSnapshot(model);
        }
      }
    }
    const vectors = await this.store.vectors(model);
    const dims = vectors[0]?.vector.length ?? 0;
    this.lastLoad = 'rebuilt';
    if (dims === 0) return { model, index: emptyIndex(), revision };
    const loaded = { model, index: await build(exact, dims, vectors), revision };
    // Searches scan exactly until the HNSW index, built in the background, takes over.
    if (hnsw && vectors.length >= crossover) this.#buildInBackground(model);
    return loaded;
  }

  async #quickVectors(model: string, revision: number): Promise<VectorIndex | null> {
    const source = this.#quick;
    if (!source) return null;
    try {
      const quick = await source(model);
      if (quick?.model !== model || quick.revision !== revision || quick.dimensions === 0) return null;
      return await this.options.exact.restore(quick.bytes, quick.dimensions, { checksum: false }); // the image checked its own
    } catch (error) {
      this.options.onError?.(error); // the stored vectors are read instead
      return null;
    }
  }

  /**
   * The loaded index's vectors of `labels` as ExactIndex.serialize() writes them, when the loaded
   * index is `model`'s at `revision` (for the recall image); null otherwise.
   */
  async exactBytes(model: string, revision: number, labels: Iterable<number>): Promise<{ bytes: Uint8Array; dimensions: number } | null> {
    const loaded = this.#loaded;
    if (loaded?.model !== model || loaded.revision !== revision || loaded.index.dimensions === 0) return null;
    const { index } = loaded;
    if (index.kind === 'exact') return { bytes: index.serialize(), dimensions: index.dimensions };
    const copy = await this.options.exact.create(index.dimensions, Math.max(16, index.size));
    const all = [...labels];
    // In slices (0.35 s in one go at 100,000). A build that finished meanwhile swapped in its
    // index (the same vectors): copied again from that one.
    await inSlices(all, (label) => {
      const v = index.vectorOf(label);
      if (v) copy.upsert(label, v);
    });
    if (this.#loaded !== loaded) return this.exactBytes(model, revision, all);
    return { bytes: copy.serialize(), dimensions: index.dimensions };
  }

  /** Resolves once `model`'s index is loaded (when given) and no HNSW build is running (tests, `save`, diagnostics). */
  async built(model?: string): Promise<void> {
    if (model !== undefined) await this.index(model);
    while (this.#build) await this.#build.done;
  }

  /**
   * Build `model`'s HNSW index in the background; with `from`, the vector revision of the index
   * now loaded, a current HNSW snapshot is restored instead of building.
   */
  #buildInBackground(model: string, from?: number): void {
    const hnsw = this.options.hnsw;
    if (!hnsw || this.#hnswFailed || this.#build?.model === model) return;
    if (this.#build) this.#build.cancelled = true;
    let finish = (): void => undefined;
    const state: Build = { model, changes: [], cancelled: false, done: new Promise<void>((resolve) => (finish = resolve)) };
    this.#build = state;
    // Read afresh at each step: any write may cancel the build while it waits.
    const stopped = (): boolean => state.cancelled;
    const run = async (): Promise<void> => {
      if (from !== undefined) await new Promise((resolve) => setTimeout(resolve, COLD_TAKEOVER_DELAY_MS));
      await pause(); // the search that started it is answered first
      // Changes from here on are recorded and replayed: upserts and removals are idempotent, so
      // one that the vectors read below already holds does no harm.
      const restored = from === undefined ? null : await this.#restoreSnapshot(model, from);
      if (stopped()) return;
      let index: VectorIndex;
      let dims: number;
      let slice = performance.now();
      if (restored) {
        index = restored;
        dims = restored.dimensions;
      } else {
        const vectors = await this.store.vectors(model);
        dims = vectors[0]?.vector.length ?? 0;
        if (dims === 0 || stopped()) return;
        index = await hnsw.create(dims, Math.max(16, vectors.length * 2));
        slice = performance.now();
        for (const v of vectors) {
          if (stopped()) return;
          if (v.vector.length === dims) index.upsert(v.label, v.vector);
          if (performance.now() - slice > BUILD_SLICE_MS) {
            await pause();
            slice = performance.now();
          }
        }
      }
      // Replay what was written meanwhile, in slices too (an import may have written thousands),
      // until nothing is left; then take over at once, before anything else can be written.
      for (let c = 0; c < state.changes.length; c++) {
        const change = state.changes[c]!;
        for (const label of change.removed) index.remove(label);
        for (const u of change.upserts) {
          if (u.vector.length === dims) index.upsert(u.label, u.vector);
          if (performance.now() - slice > BUILD_SLICE_MS) {
            await pause();
            slice = performance.now();
            if (stopped()) return;
          }
        }
      }
      const loaded = this.#loaded;
      if (stopped() || loaded?.model !== model || loaded.index.kind !== 'exact') return;
      this.#loaded = { model, index, revision: loaded.revision };
      this.lastLoad = restored ? 'snapshot' : 'rebuilt';
      if (!restored || state.changes.length > 0) this.#scheduleSave(model);
    };
    void run()
      .catch((error: unknown) => {
        this.options.onError?.(error);
        this.#hnswFailed = true; // the exact scan goes on answering
      })
      .finally(() => {
        if (this.#build === state) this.#build = null;
        finish();
      });
  }

  /** `model`'s HNSW snapshot, restored, when it reflects vector revision `revision`; else null (a corrupt one is dropped). */
  async #restoreSnapshot(model: string, revision: number): Promise<VectorIndex | null> {
    const hnsw = this.options.hnsw;
    if (!hnsw) return null;
    const snapshot = await this.store.getSnapshot(snapshotKey(model));
    if (snapshot?.revision !== revision) return null;
    try {
      return await hnsw.restore(snapshot.bytes, snapshot.dimensions);
    } catch (error) {
      this.options.onError?.(error);
      await this.#dropSnapshot(model);
      return null;
    }
  }

  /** A model no longer used: its vectors and its index snapshot leave the store. */
  async dropModel(model: string): Promise<void> {
    if (this.#loaded?.model === model) this.invalidate();
    await this.store.deleteVectors(model);
    await this.store.deleteSnapshot(snapshotKey(model));
  }

  async #dropSnapshot(model: string): Promise<void> {
    try {
      await this.store.deleteSnapshot(snapshotKey(model));
    } catch (error) {
      this.options.onError?.(error);
    }
  }

  /**
   * Apply a vector change the store has just committed (at vector revision `revision`) to the loaded index, so the next
   * search needs no reload. Vectors of other models are ignored.
   */
  async applied(
    model: string,
    change: { upserts: { label: number; vector: Float32Array }[]; removed: number[] },
    revision: number,
  ): Promise<void> {
    const loaded = this.#loaded;
    if (this.#build?.model === model) this.#build.changes.push(change);
    // Vectors of another model (a re-embed in progress): the loaded index is as it was.
    if (loaded && loaded.model !== model) {
      if (loaded.revision === revision - 1 && change.removed.length === 0) loaded.revision = revision;
      else this.#loaded = null;
      return;
    }
    // Many removals at once (deleteAll, forget everything of a site): rebuilding is cheaper than
    // scrubbing each forgotten vector out of the HNSW graph.
    if (loaded?.model !== model || loaded.revision !== revision - 1 || change.removed.length > BULK_REMOVALS) {
      this.#loaded = null; // someone else wrote in between: rebuild on next use
      if (this.#build) this.#build.cancelled = true;
      // A saved snapshot still holds the removed vectors: it goes now, not at the next save.
      if (change.removed.length > 0) await this.#dropSnapshot(model);
      return;
    }
    const { index } = loaded;
    if (index.dimensions === 0 && change.upserts[0]) {
      this.#loaded = null; // first vector of an empty index: dimensions known only now
      return;
    }
    try {
      for (const label of change.removed) index.remove(label);
      for (const u of change.upserts) index.upsert(u.label, u.vector);
    } catch (error) {
      this.options.onError?.(error);
      this.#loaded = null; // rebuilt from the store on next use
      if (change.removed.length > 0) await this.#dropSnapshot(model);
      return;
    }
    loaded.revision = revision;
    // The saved snapshot still holds what was removed: drop it now; the next save writes a clean one.
    if (change.removed.length > 0 && index.kind === 'hnsw') await this.#dropSnapshot(model);
    if (index.kind === 'exact' && this.options.hnsw && !this.#hnswFailed && index.size >= this.options.crossover) {
      this.#buildInBackground(model); // grew past the crossover: HNSW takes over once built
      return;
    }
    if (index.kind === 'hnsw') this.#scheduleSave(model);
  }

  /**
   * The vectors of these labels as the loaded index holds them (unit length), for those it has:
   * a recall scores its other candidates without reading IndexedDB (which waits behind any write).
   */
  loadedVectors(model: string, labels: readonly number[]): Map<number, Float32Array> {
    const out = new Map<number, Float32Array>();
    const loaded = this.#loaded;
    if (loaded?.model !== model) return out;
    for (const label of labels) {
      try {
        const v = loaded.index.vectorOf(label);
        if (v) out.set(label, v);
      } catch {
        return out; // a broken index: the rest are read from the store
      }
    }
    return out;
  }

  async search(model: string, query: Float32Array, k: number, accept?: (label: number) => boolean): Promise<VectorHit[]> {
    const index = await this.index(model);
    if (index.size === 0 || index.dimensions !== query.length) return [];
    try {
      return index.search(query, k, accept);
    } catch (error) {
      if (index.kind !== 'hnsw') throw error;
      // A broken HNSW index (a snapshot that read wrong, a trap): answer from an exact scan.
      this.options.onError?.(error);
      this.#hnswFailed = true;
      if (this.#loaded?.index === index) this.#loaded = null;
      await this.#dropSnapshot(model);
      const exact = await this.index(model);
      if (exact.size === 0 || exact.dimensions !== query.length) return [];
      return exact.search(query, k, accept);
    }
  }

  /** Forget the loaded index (after a reset or a model change); HNSW is tried again. */
  invalidate(): void {
    this.#loaded = null;
    this.#hnswFailed = false;
    if (this.#build) this.#build.cancelled = true;
  }

  #scheduleSave(model: string): void {
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      // Serialising a large index holds the worker a moment: background work, after whatever waits.
      void pause()
        .then(() => this.save(model))
        .catch((error: unknown) => this.options.onError?.(error));
    }, this.options.saveDelayMs ?? 2000);
  }

  /** Persist the loaded HNSW index now (also done automatically after changes). */
  async save(model: string): Promise<boolean> {
    await this.built();
    if (this.#saveTimer) {
      clearTimeout(this.#saveTimer);
      this.#saveTimer = null;
    }
    const loaded = this.#loaded;
    if (loaded?.model !== model || loaded.index.kind !== 'hnsw') return false;
    const bytes = loaded.index.serialize();
    await this.store.putSnapshot({
      key: snapshotKey(model),
      model,
      kind: 'hnsw',
      revision: loaded.revision,
      dimensions: loaded.index.dimensions,
      bytes,
      savedAt: Date.now(),
    });
    return true;
  }

  /** Stop timers and any build (tests, shutdown). */
  dispose(): void {
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = null;
    if (this.#build) this.#build.cancelled = true;
  }
}

/** A build's pause: foreground recalls first (engine/priority.ts). */
const pause = backgroundTurn;

/** An index of `factory`'s kind holding `vectors` (those of another length than the first are left out). */
async function build(factory: VectorIndexFactory, dims: number, vectors: readonly { label: number; vector: Float32Array }[]): Promise<VectorIndex> {
  const index = await factory.create(dims, Math.max(16, vectors.length * 2));
  for (const v of vectors) if (v.vector.length === dims) index.upsert(v.label, v.vector);
  return index;
}

/** The index of a model with no vectors yet; replaced as soon as the first vector arrives. */
function emptyIndex(): VectorIndex {
  return {
    kind: 'exact',
    dimensions: 0,
    size: 0,
    upsert() {
      throw new Error('Engram: the empty index takes no vectors');
    },
    remove() {
      /* nothing to remove */
    },
    has: () => false,
    vectorOf: () => undefined,
    search: () => [],
    serialize: () => new Uint8Array(0),
  };
}
