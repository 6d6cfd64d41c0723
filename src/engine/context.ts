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
import { asCalibration, calibrate, calibrationFingerprint, type Calibration } from './calibration';
import { mark } from '../core/timings';
import { EntityLinks } from '../pipeline/entity-links';
import { RECALL } from './recall-settings';
import type { VectorSearch } from './vector-search';
import { LazyRecords } from './lazy-records';
import { asImage, IMAGE_KEY, IMAGE_SAVE_DELAY_MS, IMAGE_VERSION, imageContent, imageParts, recordFromLine, wordChecksum, type RecallImage } from './recall-image';
import { inSlices, slice } from './slices';
import { backgroundTurn } from './priority';

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
  /** While the text index or the entity links are being built (in slices): done when built. */
  building?: Partial<Record<'text' | 'entities', Promise<void>>>;
}

/**
 * `add` each memory of `byLabel` as it is now, in slices (slices.ts), into an index that is
 * already the cache's (so every write from now on keeps it in step). A memory a write replaced or
 * removed meanwhile is skipped: that write has already put it in, or taken it out.
 */
export async function buildInSlices(byLabel: Map<number, MemoryRecord>, add: (m: MemoryRecord) => void, sliceMs = slice.ms): Promise<void> {
  await inSlices(
    [...byLabel.values()],
    (m) => {
      if (byLabel.get(m.label) === m) add(m);
    },
    sliceMs,
  );
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
  /** The recall image, read once (the first thing a cold start needs); null once used or unusable. */
  #image: Promise<RecallImage | null> | null = null;
  #imageTimer: ReturnType<typeof setTimeout> | null = null;
  /** The relevance gate per embedding model (cosine means something else under each). */
  readonly #gates = new Map<string, Promise<Calibration>>();
  /** Calibrations that succeeded (a failed one's stand-in is never stored in the image). */
  readonly #calibrated = new Map<string, Calibration>();

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
    this.vectors.useQuickStart(async (model) => {
      const image = await this.#readImage();
      return image?.model === model ? image : null;
    });
  }

  /**
   * Start reading the recall image now, without waiting for it: a recall that wakes the worker
   * asks for it before its own checks (the lock, the site's mode), so that the one large read is
   * the first thing the database does once open. Refused while locked: read again after the unlock.
   */
  prefetchImage(): void {
    void this.#readImage();
  }

  /** The stored recall image, read at most once per start (later reads would be stale anyway). */
  #readImage(): Promise<RecallImage | null> {
    mark('image:start');
    const reading: Promise<RecallImage | null> = (this.#image ??= this.store.getSnapshot(IMAGE_KEY).then(
      async (snapshot) => {
        mark('image:read');
        const image = asImage(snapshot);
        if (snapshot && !image) await this.store.deleteSnapshot(IMAGE_KEY); // an older version's, or malformed
        return image;
      },
      (error: unknown) => {
        // Locked (encryption at rest) is no error: the image is read after the unlock.
        if (!(error instanceof Error && error.name === 'LockedError')) this.#onError(error);
        // Not kept: a read refused while locked is tried again after the unlock.
        if (this.#image === reading) this.#image = null;
        return null;
      },
    ));
    return reading;
  }

  /** The cache as the image holds it, when the image reflects `revision`; null otherwise. */
  async #fromImage(revision: number): Promise<Cache | null> {
    const image = await this.#readImage();
    if (image?.storeRevision !== revision) return null;
    try {
      const content = imageContent(image);
      const byLabel = new LazyRecords(content.labels, content.records, (error) => {
        this.#onError(error);
        if (this.#cache?.byLabel === byLabel) this.#cache = null; // the next look reads the store
        this.#image = Promise.resolve(null);
        void this.store.deleteSnapshot(IMAGE_KEY).catch(() => undefined);
      }, recordFromLine);
      // The texts are read (every record parsed) only if the index is ever written to.
      const text = TextIndex.fromData(image.lexical, byLabel.size, () => [...byLabel].map(([label, m]): [string, string] => [String(label), lexicalText(m)]));
      if (!text.holdsOnly((id) => byLabel.has(Number(id)))) throw new Error('recall image: the text index and the memories disagree');
      const entities = EntityLinks.fromData(content.entities);
      return { revision, byLabel, text, entities };
    } catch (error) {
      this.#onError(error);
      await this.store.deleteSnapshot(IMAGE_KEY).catch(() => undefined);
      return null;
    }
  }

  /** Save the recall image a moment after the last write (or now, when `delayMs` is 0). */
  scheduleImage(delayMs = IMAGE_SAVE_DELAY_MS): void {
    if (this.#imageTimer) clearTimeout(this.#imageTimer);
    this.#imageTimer = setTimeout(() => {
      this.#imageTimer = null;
      void this.saveImage().catch((error: unknown) => {
        this.#onError(error);
      });
    }, delayMs);
  }

  /**
   * Write the recall image of the store as it is now (between writes: it waits its turn in the
   * write queue, after any recall in flight). False when there is nothing consistent to write.
   */
  async saveImage(): Promise<boolean> {
    await backgroundTurn();
    return this.serial(async () => {
      const model = this.embedder.modelId;
      await this.vectors.index(model);
      const byLabel = await this.memories();
      const text = await this.textIndex();
      const entities = await this.entityLinks();
      const [revision, vectorRevision] = await Promise.all([this.store.revision(), this.store.vectorRevision()]);
      if (this.#cache?.revision !== revision || this.#cache.byLabel !== byLabel) return false;
      const vectors = await this.vectors.exactBytes(model, vectorRevision, byLabel.keys());
      if (!vectors) return false;
      const calibration = this.#calibrated.get(model);
      const image: RecallImage = {
        key: IMAGE_KEY,
        kind: 'image',
        version: IMAGE_VERSION,
        model,
        revision: vectorRevision,
        storeRevision: revision,
        dimensions: vectors.dimensions,
        bytes: vectors.bytes,
        checksum: wordChecksum(vectors.bytes),
        ...(await imageParts(byLabel.values(), entities.toData())),
        lexical: text.toData(),
        ...(calibration ? { calibration: { fingerprint: calibrationFingerprint(), value: calibration } } : {}),
        savedAt: this.now(),
      };
      // Built in slices, so others ran meanwhile: only writes could make it wrong, and they wait
      // in this queue. Checked all the same; a write that got in is followed by a save of its own.
      const [after, vectorsAfter] = await Promise.all([this.store.revision(), this.store.vectorRevision()]);
      if (after !== revision || vectorsAfter !== vectorRevision || !this.#holds(byLabel)) return false;
      await this.store.putSnapshot(image);
      return true;
    });
  }

  /** Whether `byLabel` is still the engine's memories (no read of the store replaced them). */
  #holds(byLabel: Map<number, MemoryRecord>): boolean {
    return this.#cache?.byLabel === byLabel;
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
    const imaged = await this.#fromImage(revision);
    if (imaged) {
      this.#cache = imaged;
      mark('memories');
      mark('textIndex');
      mark('entityLinks');
      return imaged.byLabel;
    }
    const all = await this.store.list();
    const byLabel = new Map(all.map((m) => [m.label, m]));
    this.#cache = { revision, byLabel, text: null, entities: null };
    mark('memories');
    // The next cold start reads one image instead of all of this.
    this.scheduleImage();
    return byLabel;
  }

  /** Which memories name which entity, built on first use (in slices) and kept in step with writes. */
  entityLinks(): Promise<EntityLinks> {
    return this.#derived('entities', () => new EntityLinks(), (links, m) => {
      links.link(m);
    });
  }

  /** The BM25 index of memory texts, built on first use (in slices) and kept in step with writes. */
  textIndex(): Promise<TextIndex> {
    return this.#derived('text', () => new TextIndex(), (text, m) => {
      text.upsert(String(m.label), lexicalText(m));
    });
  }

  /**
   * The cache's `key` index, built on first use from every memory (in slices), while the cache
   * already holds it so every write meanwhile keeps it in step. Callers wait for the build, then
   * take the index only if the cache it was built for is still the engine's. A failed build is
   * tried again by the next caller.
   */
  async #derived<K extends 'text' | 'entities'>(key: K, create: () => NonNullable<Cache[K]>, add: (index: NonNullable<Cache[K]>, m: MemoryRecord) => void): Promise<NonNullable<Cache[K]>> {
    for (;;) {
      await this.memories();
      const cache = this.#cache!;
      const slot = cache as unknown as Record<K, NonNullable<Cache[K]> | null>;
      if (!slot[key]) {
        const index = create();
        slot[key] = index;
        (cache.building ??= {})[key] = buildInSlices(cache.byLabel, (m) => {
          add(index, m);
        }).then(
          () => {
            mark(key === 'text' ? 'textIndex' : 'entityLinks');
          },
          (error: unknown) => {
            if (slot[key] === index) slot[key] = null;
            throw error;
          },
        );
      }
      const building: Promise<void> | undefined = cache.building?.[key];
      await building;
      const built = slot[key];
      if (this.#cache === cache && built) return built;
    }
  }

  /** Apply a change to the store, then to the cache and the active model's vector index. */
  async write(change: EngineWrite, model = this.embedder.modelId): Promise<void> {
    await this.memories(); // make sure the cache reflects the revision before this write
    const { removedLabels = [], ...storeChange } = change;
    await this.store.write(storeChange);
    // A forgotten or reworded memory's text leaves the recall image now, not at its next save.
    if (change.delete?.length || change.forget?.length || change.history?.some((h) => h.event !== 'ADD')) {
      await this.store.deleteSnapshot(IMAGE_KEY);
    }
    this.#image = Promise.resolve(null); // stale now: its copy of everything can go
    this.scheduleImage();
    this.#onWrite(change);
    const revision = await this.store.revision();
    const cache = this.#cache;
    if (cache && cache.revision === revision - 1) {
      // The text index first: a frozen one (from the recall image) reads the texts it holds from
      // the memories when its first write thaws it, so they must not have changed yet.
      for (const label of removedLabels) {
        cache.text?.remove(String(label));
        const old = cache.byLabel.get(label);
        if (old) cache.entities?.unlink(old);
        cache.byLabel.delete(label);
      }
      for (const m of change.put ?? []) {
        cache.text?.upsert(String(m.label), lexicalText(m));
        const old = cache.byLabel.get(m.label);
        if (old) cache.entities?.unlink(old);
        cache.entities?.link(m);
        cache.byLabel.set(m.label, m);
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
    this.#image = Promise.resolve(null);
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
      const model = active.modelId;
      calibration = this.#storedCalibration(model)
        .then((stored) => stored ?? calibrate(active))
        .then((done) => {
          this.#calibrated.set(model, done);
          return done;
        })
        .finally(() => {
          mark('calibration');
        })
        .catch((error: unknown) => {
          this.#onError(error);
          this.#gates.delete(model);
          return { threshold: RECALL.threshold, related: RECALL.related, unrelated: RECALL.unrelated, offTopic: RECALL.floor };
        });
      this.#gates.set(active.modelId, calibration);
    }
    return calibration;
  }

  /** The calibration the recall image keeps for `model`, when it was made from the same sets. */
  async #storedCalibration(model: string): Promise<Calibration | null> {
    const image = await this.#readImage();
    const stored = image?.model === model ? image.calibration : undefined;
    return stored?.fingerprint === calibrationFingerprint() ? asCalibration(stored.value) : null;
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
