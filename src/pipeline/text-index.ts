import MiniSearch from 'minisearch';
import { stemmer } from 'stemmer';

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

export class TextIndex {
  #search = new MiniSearch<{ id: string; text: string }>({
    fields: ['text'],
    idField: 'id',
    tokenize: (text) => terms(text),
    processTerm: (term) => term,
    searchOptions: { tokenize: (text) => terms(text), processTerm: (term) => term },
  });

  /** The indexed documents, so a removal updates BM25's statistics exactly (no lazy discard). */
  readonly #docs = new Map<string, { id: string; text: string }>();

  get size(): number {
    return this.#search.documentCount;
  }

  /** Index `text` under `id`; unchanged text (a metadata-only update) changes nothing. */
  upsert(id: string, text: string): void {
    const old = this.#docs.get(id);
    if (old?.text === text) return;
    if (old) this.#search.remove(old);
    const doc = { id, text };
    this.#docs.set(id, doc);
    this.#search.add(doc);
  }

  remove(id: string): void {
    const old = this.#docs.get(id);
    if (!old) return;
    this.#search.remove(old);
    this.#docs.delete(id);
  }

  /** The `k` best BM25 matches (any query term may match), best first. */
  search(query: string, k: number, accept?: (id: string) => boolean): TextHit[] {
    if (terms(query).length === 0) return [];
    const results = this.#search.search(query, {
      combineWith: 'OR',
      ...(accept ? { filter: (r) => accept(String(r.id)) } : {}),
    });
    return results.slice(0, k).map((r) => ({ id: String(r.id), score: r.score, matched: r.terms }));
  }
}
