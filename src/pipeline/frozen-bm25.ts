/**
 * A BM25 index that only searches: MiniSearch's index (text-index.ts) in flat arrays, loaded in a
 * few milliseconds where rebuilding MiniSearch's radix tree and maps from its own serialisation took
 * about 60 ms at 10,000 memories — the largest part of a cold start's first recall. It answers
 * exactly as MiniSearch 7 does for TextIndex's options (one field, exact terms, OR, no boosts): the
 * same BM25+ formula and parameters, the same summing order, the same "quality" factor, the same
 * order of ties (test/unit/frozen-bm25.test.ts compares the two on random stores and queries).
 * TextIndex turns it back into MiniSearch on the first write.
 */
import type MiniSearch from 'minisearch';

type Plain = ReturnType<MiniSearch['toJSON']>;

/** Plain data (structured-cloneable): the small part as JSON-able fields, the postings as typed arrays. */
export interface FrozenBm25Data {
  documentCount: number;
  nextId: number;
  dirtCount: number;
  averageFieldLength: number;
  /** Every term, in MiniSearch's order. */
  terms: string[];
  /** Each document's id, in `shortIds` order. */
  ids: string[];
  /** Term t's postings are postings[starts[t]] … postings[starts[t + 1]] (document short ids, ascending), with their term frequencies. */
  starts: Uint32Array;
  postings: Uint32Array;
  freqs: Uint32Array;
  /** Each document's short id and field length. */
  shortIds: Uint32Array;
  lengths: Uint32Array;
}

/** MiniSearch's default BM25+ parameters (defaultBM25params in minisearch 7). */
const K = 1.2;
const B = 0.7;
const D = 0.5;

export interface FrozenHit {
  id: string;
  score: number;
  matched: string[];
}

/** MiniSearch's serialisation (one field) as FrozenBm25Data. Throws on anything else. */
export function freeze(plain: Plain): FrozenBm25Data {
  if (plain.serializationVersion !== 2 || Object.keys(plain.fieldIds).length !== 1) throw new Error('BM25 index: unexpected MiniSearch serialisation');
  const terms: string[] = [];
  const starts: number[] = [0];
  const postings: number[] = [];
  const freqs: number[] = [];
  for (const [term, data] of plain.index) {
    terms.push(term);
    const byDoc = (data as Record<string, Record<string, number>>)['0'] ?? {};
    // Integer keys enumerate ascending: the order MiniSearch itself iterates after loadJS.
    for (const short of Object.keys(byDoc)) {
      postings.push(Number(short));
      freqs.push(byDoc[short]!);
    }
    starts.push(postings.length);
  }
  const shortIds = Object.keys(plain.documentIds).map(Number);
  const lengths = shortIds.map((s) => (plain.fieldLength as Record<string, number[]>)[String(s)]?.[0] ?? 0);
  return {
    documentCount: plain.documentCount,
    nextId: plain.nextId,
    dirtCount: plain.dirtCount ?? 0,
    averageFieldLength: plain.averageFieldLength[0] ?? 0,
    terms,
    ids: shortIds.map((s) => String((plain.documentIds as Record<string, unknown>)[String(s)])),
    starts: Uint32Array.from(starts),
    postings: Uint32Array.from(postings),
    freqs: Uint32Array.from(freqs),
    shortIds: Uint32Array.from(shortIds),
    lengths: Uint32Array.from(lengths),
  };
}

/** FrozenBm25Data back as MiniSearch's serialisation, for MiniSearch.loadJS. */
export function thaw(data: FrozenBm25Data): Plain {
  const documentIds: Record<string, string> = {};
  const fieldLength: Record<string, number[]> = {};
  data.shortIds.forEach((short, i) => {
    documentIds[short] = data.ids[i]!;
    fieldLength[short] = [data.lengths[i]!];
  });
  const index: Plain['index'] = data.terms.map((term, t) => {
    const byDoc: Record<string, number> = {};
    for (let i = data.starts[t]!; i < data.starts[t + 1]!; i++) byDoc[data.postings[i]!] = data.freqs[i]!;
    return [term, { 0: byDoc }];
  });
  return {
    documentCount: data.documentCount,
    nextId: data.nextId,
    documentIds,
    fieldIds: { text: 0 },
    fieldLength,
    averageFieldLength: [data.averageFieldLength],
    storedFields: {},
    dirtCount: data.dirtCount,
    index,
    serializationVersion: 2,
  };
}

/** Checks the data's shape and bounds (a corrupt recall image is refused, never searched). */
function check(data: FrozenBm25Data): void {
  const fail = (why: string): never => {
    throw new Error(`BM25 index data is corrupt: ${why}`);
  };
  const arrays = [data.starts, data.postings, data.freqs, data.shortIds, data.lengths];
  if (!arrays.every((a) => (a as unknown) instanceof Uint32Array)) fail('arrays expected');
  if (!Array.isArray(data.terms) || !Array.isArray(data.ids)) fail('term and id lists expected');
  if (data.starts.length !== data.terms.length + 1 || data.starts[0] !== 0 || data.starts[data.terms.length] !== data.postings.length) fail('term offsets');
  for (let t = 0; t < data.terms.length; t++) if (data.starts[t + 1]! < data.starts[t]!) fail('term offsets');
  if (data.freqs.length !== data.postings.length) fail('frequencies');
  if (data.shortIds.length !== data.ids.length || data.lengths.length !== data.ids.length || data.ids.length !== data.documentCount) fail('documents');
  if (!(data.averageFieldLength >= 0) || !Number.isInteger(data.nextId) || !Number.isInteger(data.dirtCount)) fail('counts');
}

/** Short ids are dense below `nextId`; past this many per document, a corrupt count is refused rather than allocated. */
const MAX_IDS_PER_DOCUMENT = 64;

export class FrozenBm25 {
  readonly data: FrozenBm25Data;
  readonly #termAt = new Map<string, number>();
  /** Document index by short id (-1: none): a typed array, not a Map, for the postings' lookups. */
  readonly #docAt: Int32Array;

  constructor(data: FrozenBm25Data) {
    check(data);
    this.data = data;
    const { terms, shortIds, postings, nextId } = data;
    if (nextId > MAX_IDS_PER_DOCUMENT * Math.max(1024, shortIds.length)) throw new Error('BM25 index data is corrupt: next id');
    for (let t = 0; t < terms.length; t++) this.#termAt.set(terms[t]!, t);
    const docAt = new Int32Array(nextId).fill(-1);
    for (let i = 0; i < shortIds.length; i++) {
      const short = shortIds[i]!;
      if (short >= nextId) throw new Error('BM25 index data is corrupt: a short id past the next one');
      docAt[short] = i;
    }
    for (let i = 0; i < postings.length; i++) {
      const short = postings[i]!;
      if (short >= nextId || docAt[short]! < 0) throw new Error('BM25 index data is corrupt: a posting names no document');
    }
    this.#docAt = docAt;
  }

  get size(): number {
    return this.data.documentCount;
  }

  /** MiniSearch.search(query, { combineWith: 'OR', filter }) over `queryTerms` (the query's terms, repeats kept), as TextIndex returns it. */
  search(queryTerms: readonly string[], k: number, accept?: (id: string) => boolean): FrozenHit[] {
    const { starts, postings, freqs, lengths, ids, documentCount, averageFieldLength } = this.data;
    const results = new Map<number, { score: number; terms: string[]; match: Record<string, true> }>();
    for (const term of queryTerms) {
      const t = this.#termAt.get(term);
      if (t === undefined) continue;
      const from = starts[t]!;
      const to = starts[t + 1]!;
      const matching = to - from;
      const idf = Math.log(1 + (documentCount - matching + 0.5) / (matching + 0.5));
      for (let i = from; i < to; i++) {
        const short = postings[i]!;
        const tf = freqs[i]!;
        const length = lengths[this.#docAt[short]!]!;
        const score = idf * (D + (tf * (K + 1)) / (tf + K * (1 - B + (B * length) / averageFieldLength)));
        const result = results.get(short);
        if (result) {
          result.score = result.score + score;
          if (!result.terms.includes(term)) result.terms.push(term);
          result.match[term] = true;
        } else {
          results.set(short, { score, terms: [term], match: { [term]: true } });
        }
      }
    }
    const out: FrozenHit[] = [];
    for (const [short, { score, terms, match }] of results) {
      const id = ids[this.#docAt[short]!]!;
      if (accept && !accept(id)) continue;
      out.push({ id, score: score * (terms.length || 1), matched: Object.keys(match) });
    }
    out.sort((a, b) => b.score - a.score);
    return out.slice(0, k);
  }
}
