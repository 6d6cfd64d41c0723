/**
 * The listed memories' texts, lower-cased, by id, for the manager's search, and which of them hold
 * each word: the memories naming every word of a search are then the ids under its rarest word
 * (checked against their texts), not a pass over 100,000 texts (20–50 ms a search) nor the engine's
 * getAll over every memory (its filter language and a Mem0-shaped item per match: 30–70 ms).
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
 * const ids = texts.naming(searchWords('Priya Lisbon')); // each names both words
 */
import { searchWords, textWords } from '../../core/search-words';
import type { MemoryRecord } from '../../core/types';
import type { EngineWrite } from '../../engine/context';
import { storedPages } from '../../engine/slices';
import type { MemoryStore } from '../../ports/memory-store';

/** Memories read at a time, in id order (one range read for all of them; a task apart, not a background turn: the popup is usually what asked). */
const SLICE = 1000;

/**
 * Which memories hold each word a search can ask for (searchWords' words). Only ever added to: an
 * id stays under the words of its old text after an edit or a forget, so the ids a write touched
 * since the last build are checked against their current text; rebuilt from the texts once the
 * entries added since outnumber those of the build.
 */
class WordIndex {
  readonly #ids = new Map<string, string[]>();
  /** Ids written since the last build (their entries may be stale or repeated). */
  readonly #written = new Set<string>();
  /** Entries added since the last build, and at it. */
  #added = 0;
  #built = 0;

  /** `text`'s words, as read (`written`: false) or as a write left them (true). */
  add(id: string, text: string, written: boolean): void {
    if (written) this.#written.add(id);
    for (const word of searchWords(text)) {
      const ids = this.#ids.get(word);
      if (ids) ids.push(id);
      else this.#ids.set(word, [id]);
      this.#added++;
    }
  }

  /** What it holds now is what the texts hold (a read ended). */
  built(): void {
    this.#built = this.#added;
  }

  /**
   * The ids holding every one of `words` as a whole word, in `texts` (what the index was built
   * from, kept by every write since).
   */
  naming(words: readonly string[], texts: ReadonlyMap<string, string>): string[] {
    if (this.#added > 2 * this.#built + 10_000) this.#rebuild(texts);
    let rarest: readonly string[] = [];
    for (const [i, word] of words.entries()) {
      const ids = this.#ids.get(word) ?? [];
      if (i === 0 || ids.length < rarest.length) rarest = ids;
    }
    const out = new Set<string>();
    for (const id of rarest) {
      if (out.has(id)) continue;
      const text = texts.get(id);
      if (text === undefined) continue; // forgotten
      // An id under a word holds it, unless a write changed its text since the build.
      if (words.length === 1 && !this.#written.has(id)) {
        out.add(id);
        continue;
      }
      if (!words.every((word) => text.includes(word))) continue;
      const own = textWords(text);
      if (words.every((word) => own.has(word))) out.add(id);
    }
    return [...out];
  }

  #rebuild(texts: ReadonlyMap<string, string>): void {
    this.#ids.clear();
    this.#written.clear();
    this.#added = 0;
    for (const [id, text] of texts) this.add(id, text, false);
    this.built();
  }
}

export class MemoryTexts {
  readonly #store: Pick<MemoryStore, 'listAfter'>;
  readonly #listed: (m: MemoryRecord) => boolean;
  /** Every listed memory's text, lower-cased (as the search compares it), as of `#revision`. */
  #texts: Map<string, string> | null = null;
  /** While reading: what was read so far, and the memories a write changed meanwhile (their reads are stale). */
  #partial: Map<string, string> | null = null;
  #touched = new Set<string>();
  /** The words of `#texts` (or of `#partial` while reading). */
  #words = new WordIndex();
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
      if (this.#listed(m)) {
        const text = m.text.toLowerCase();
        if (target.get(m.id) !== text) this.#words.add(m.id, text, true);
        target.set(m.id, text);
      } else {
        target.delete(m.id);
      }
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
   * The ids of the listed memories naming every one of `words` (searchWords' words of a search) as
   * a whole word, in no particular order, from the texts held as of their revision (`at`). Empty
   * for no words.
   */
  naming(words: readonly string[]): string[] {
    return this.#texts && words.length > 0 ? this.#words.naming(words, this.#texts) : [];
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
    this.#words = new WordIndex();
    this.#revision = revision;
    const words = this.#words;
    const reading = (async () => {
      // The whole store in id order, a range read per slice (at 100,000 memories about 100 reads,
      // not 100,000 single ones); the listed test keeps the rows' memories. A memory a write changed
      // meanwhile has its text from that write (observe), wherever its id falls.
      for await (const slice of storedPages(this.#store, SLICE, () => generation === this.#generation)) {
        for (const m of slice) {
          if (this.#touched.has(m.id) || !this.#listed(m)) continue;
          const text = m.text.toLowerCase();
          partial.set(m.id, text);
          words.add(m.id, text, false);
        }
      }
      if (generation !== this.#generation) return;
      words.built();
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
    this.#words = new WordIndex();
    this.#reading = null;
    for (const dropped of this.#onDrop) dropped();
  }

  /** Call `dropped` whenever the texts are dropped: another copy of memories in clear goes with them (about.ts). */
  onDrop(dropped: () => void): void {
    this.#onDrop.push(dropped);
  }
}
