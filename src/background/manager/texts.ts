/**
 * The listed memories' texts, lower-cased, by id, for the manager's search: which memories name the words of a
 * search is then one pass over the rows, not the engine's getAll over every memory (its filter
 * language and a Mem0-shaped item per match: 30–70 ms of a 100,000-memory search).
 *
 * Read once per worker, a thousand memories at a time in id order (each read a few milliseconds, so the
 * popup's requests go between them), then kept in step with every write of the engine, as the
 * rows are. Held in the worker's memory only, never saved; dropped with the rows (forget
 * everything, a store that changed without a write: locked).
 *
 * @example
 * const texts = new MemoryTexts(store, listed);
 * void texts.read(rows.revision);
 * const byId = texts.at(rows.revision); // null: not read yet (being read now), ask the engine
 */
import type { MemoryRecord } from '../../core/types';
import type { EngineWrite } from '../../engine/context';
import type { MemoryStore } from '../../ports/memory-store';

/** Memories read at a time, in id order (one range read for all of them). */
const SLICE = 1000;

/** Let whatever waits run between two reads (not a background turn: the popup is usually what asked). */
const nextTask = (): Promise<void> =>
  new Promise((resolve) => {
    setTimeout(resolve, 0);
  });

export class MemoryTexts {
  readonly #store: Pick<MemoryStore, 'listAfter'>;
  readonly #listed: (m: MemoryRecord) => boolean;
  /** Every listed memory's text, lower-cased (as the search compares it), as of `#revision`. */
  #texts: Map<string, string> | null = null;
  /** While reading: what was read so far, and the memories a write changed meanwhile (their reads are stale). */
  #partial: Map<string, string> | null = null;
  #touched = new Set<string>();
  #revision = -1;
  #reading: Promise<void> | null = null;
  /** Bumped by `drop`: a read begun before then keeps nothing. */
  #generation = 0;
  readonly #onDrop: (() => void)[] = [];

  constructor(store: Pick<MemoryStore, 'listAfter'>, listed: (m: MemoryRecord) => boolean) {
    this.#store = store;
    this.#listed = listed;
  }

  /** A write of the engine landed in the store (called for every write, as the rows are). */
  observe(change: EngineWrite): void {
    const target = this.#texts ?? this.#partial;
    if (!target) return;
    for (const id of change.delete ?? []) {
      target.delete(id);
      this.#touched.add(id);
    }
    for (const m of change.put ?? []) {
      if (this.#listed(m)) target.set(m.id, m.text.toLowerCase());
      else target.delete(m.id);
      this.#touched.add(m.id);
    }
    this.#revision++;
  }

  /** The texts as of store revision `revision`, or null when they are not held (or are of another revision). */
  at(revision: number): ReadonlyMap<string, string> | null {
    if (this.#texts && this.#revision !== revision) this.#texts = null; // changed behind our back: read again
    return this.#texts;
  }

  /**
   * Read the texts of every listed memory, as of store revision `revision`, unless they are held or
   * being read. Resolves once read (or given up: a failed read is tried again by the next call).
   */
  read(revision: number): Promise<void> {
    if (this.at(revision) || this.#reading) return this.#reading ?? Promise.resolve();
    const generation = this.#generation;
    const partial = new Map<string, string>();
    this.#partial = partial;
    this.#touched = new Set();
    this.#revision = revision;
    const reading = (async () => {
      // The whole store in id order, a range read per slice (at 100,000 memories about 100 reads,
      // not 100,000 single ones); the listed test keeps the rows' memories. A memory a write changed
      // meanwhile has its text from that write (observe), wherever its id falls.
      for (let after: string | null = null; ; ) {
        if (after !== null) await nextTask();
        if (generation !== this.#generation) return;
        const slice = await this.#store.listAfter(after, SLICE);
        for (const m of slice) if (!this.#touched.has(m.id) && this.#listed(m)) partial.set(m.id, m.text.toLowerCase());
        if (slice.length < SLICE) break;
        after = slice[slice.length - 1]!.id;
      }
      if (generation !== this.#generation) return;
      this.#texts = partial;
      this.#partial = null;
      this.#touched = new Set();
    })()
      .catch(() => {
        // Locked meanwhile, or the database went away: searches ask the engine until the next read.
        if (this.#partial === partial) this.#partial = null;
      })
      .finally(() => {
        if (this.#reading === reading) this.#reading = null;
      });
    this.#reading = reading;
    return reading;
  }

  /** Forget every text held (forget everything, or the rows read again). */
  drop(): void {
    this.#generation++;
    this.#texts = null;
    this.#partial = null;
    this.#touched = new Set();
    this.#reading = null;
    for (const dropped of this.#onDrop) dropped();
  }

  /** Call `dropped` whenever the texts are dropped: another copy of memories in clear goes with them (about.ts). */
  onDrop(dropped: () => void): void {
    this.#onDrop.push(dropped);
  }
}
