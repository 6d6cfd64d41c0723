import MiniSearch from 'minisearch';
import { stemmer } from 'stemmer';
import { freeze, FrozenBm25, thaw, type FrozenBm25Data } from './frozen-bm25';

/**
 * BM25 over memory text (MiniSearch's BM25+, a well-kept library rather than a hand-written
 * scorer), with English stop words dropped and Porter stemming, so "moved" finds "moving" and
 * "restaurants" finds "restaurant".
 */
const STOP_WORDS = new Set(
  `a an the and or but if then so of to in on at by for with from as is are was were be been being am i me my mine we us our
  you your yours he him his she her hers it its they them their this that these those there here what which who whom whose
  when where why how do does did doing have has had having not no nor can could would should will shall may might must just
  very too also than into about over under again once all any both each few more most other some such only own same s t
  don't i'm i've i'd i'll it's that's what's let's up out off down`.split(/\s+/),
);

/** Each word's term (null: a stop word), remembered: indexing 10,000 memories stems the same words again and again. */
const termOf = new Map<string, string | null>();
/** Words remembered at most (a vocabulary; the cache starts again beyond it). */
const TERM_CACHE = 100_000;

/** Lower-cased, stemmed content words of `text`. */
export function terms(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'’]*/gu) ?? []) {
    let term = termOf.get(raw);
    if (term === undefined) {
      const word = raw.replace(/[’']s$/u, '').replace(/’/g, "'");
      term = STOP_WORDS.has(word) || word.length < 2 ? null : /^[a-z]+$/.test(word) ? stemmer(word) : word;
      if (termOf.size >= TERM_CACHE) termOf.clear();
      termOf.set(raw, term);
    }
    if (term !== null) out.push(term);
  }
  return out;
}

export interface TextHit {
  id: string;
  score: number;
  /** The query terms this document matched. */
  matched: string[];
}

type Doc = { id: string; text: string };

const OPTIONS = {
  fields: ['text'],
  idField: 'id',
  tokenize: (text: string) => terms(text),
  processTerm: (term: string) => term,
  searchOptions: { tokenize: (text: string) => terms(text), processTerm: (term: string) => term },
};

/** A TextIndex as plain data, stored (the recall image) and loaded without re-indexing. */
export type TextIndexData = FrozenBm25Data;

export class TextIndex {
  /** null while frozen: a loaded index searches its flat arrays until the first write. */
  #live: MiniSearch<Doc> | null;
  #frozen: FrozenBm25 | null = null;

  /** The indexed documents, so a removal updates BM25's statistics exactly (no lazy discard). */
  readonly #docs = new Map<string, Doc>();

  constructor() {
    this.#live = new MiniSearch<Doc>(OPTIONS);
  }

  /**
   * An index from `toData()` output: it searches at once (frozen-bm25.ts) and becomes MiniSearch
   * again on its first write, when `docs` gives the texts it indexed (they are not in the data;
   * given then, not now, so that a cold start reads none of them). Throws when the data is
   * malformed or holds another number of documents than `count`.
   */
  static fromData(data: TextIndexData, count: number, docs: () => Iterable<[string, string]>): TextIndex {
    const index = new TextIndex();
    const frozen = new FrozenBm25(data);
    if (frozen.size !== count) throw new Error(`text index data holds ${frozen.size} documents, ${count} given`);
    index.#live = null;
    index.#frozen = frozen;
    index.#pendingDocs = docs;
    return index;
  }

  /** The texts of a frozen index, to be read when it thaws. */
  #pendingDocs: (() => Iterable<[string, string]>) | null = null;

  /** Whether every document id satisfies `known` (checked against the memories a frozen index was loaded with). */
  holdsOnly(known: (id: string) => boolean): boolean {
    if (this.#frozen) return this.#frozen.data.ids.every(known);
    for (const id of this.#docs.keys()) if (!known(id)) return false;
    return true;
  }

  /** The index as plain data (structured-cloneable), for fromData(). */
  toData(): TextIndexData {
    return this.#frozen?.data ?? freeze(this.#search().toJSON());
  }

  /** MiniSearch, thawed from the frozen arrays on first need (same short ids: same order of ties). */
  #search(): MiniSearch<Doc> {
    if (!this.#live) {
      for (const [id, text] of this.#pendingDocs?.() ?? []) this.#docs.set(id, { id, text });
      this.#pendingDocs = null;
      this.#live = MiniSearch.loadJS<Doc>(thaw(this.#frozen!.data), OPTIONS);
      this.#frozen = null;
    }
    return this.#live;
  }

  get size(): number {
    return this.#frozen?.size ?? this.#search().documentCount;
  }

  /** Index `text` under `id`; unchanged text (a metadata-only update) changes nothing. */
  upsert(id: string, text: string): void {
    const search = this.#search(); // thawed first: it fills the documents
    const old = this.#docs.get(id);
    if (old?.text === text) return;
    if (old) search.remove(old);
    const doc = { id, text };
    this.#docs.set(id, doc);
    search.add(doc);
  }

  remove(id: string): void {
    const search = this.#search();
    const old = this.#docs.get(id);
    if (!old) return;
    search.remove(old);
    this.#docs.delete(id);
  }

  /** The `k` best BM25 matches (any query term may match), best first. */
  search(query: string, k: number, accept?: (id: string) => boolean): TextHit[] {
    const queryTerms = terms(query);
    if (queryTerms.length === 0) return [];
    if (this.#frozen) return this.#frozen.search(queryTerms, k, accept);
    const results = this.#search().search(query, {
      combineWith: 'OR',
      ...(accept ? { filter: (r) => accept(String(r.id)) } : {}),
    });
    return results.slice(0, k).map((r) => ({ id: String(r.id), score: r.score, matched: r.terms }));
  }
}
