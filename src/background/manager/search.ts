/**
 * A search as the popup shows it: the engine's ranking (what a prompt would find, with more
 * results), and every memory that names all the words of the search ("Max" finds "My dog is
 * called Max" even where the vectors do not). Those naming every word come first, then those
 * naming some, then the ones only related in meaning, marked so the popup can say nothing matched.
 * The popup's search box (searchMemories) and the manager's list (a filter's `text`) both use it.
 */
import { mentionCount, searchWords } from '../../core/search-words';
import type { Memory, MemoryItem } from '../../engine/memory';
import type { EngineFilters } from './filter';
import type { Row } from './memory-rows';

/** Every memory that passes the filter (getAll's topK). */
const EVERY = Number.MAX_SAFE_INTEGER;

export interface Found {
  item: MemoryItem;
  /** It mentions a word of the search (else it is only related in meaning). */
  matched: boolean;
}

/**
 * The memories a search finds among those `filters` allow, best first: the engine's `ranked` best
 * (through the gate a prompt's recall uses), and every memory naming all the words of the search.
 */
export async function searchMemories(memory: Memory, query: string, filters: EngineFilters, ranked: number): Promise<Found[]> {
  const words = searchWords(query);
  // Memories naming every word: the engine's filter keeps those holding each word (a substring,
  // any case), mentionCount then keeps whole words only.
  const naming = { ...filters, AND: [...filters.AND, ...words.map((word) => ({ memory: { icontains: word } }))] };
  const [{ results: hits }, { results: all }] = await Promise.all([
    memory.search(query, { filters, topK: ranked, gate: 'recall' }),
    words.length > 0 ? memory.getAll({ filters: naming, topK: EVERY }) : Promise.resolve({ results: [] as MemoryItem[] }),
  ]);
  const current = hits.filter((r) => r.supersededAt === undefined);
  const shown = new Set(current.map((r) => r.id));
  const named = all.filter((m) => !shown.has(m.id) && mentionCount(m.memory, words) === words.length).reverse(); // newest first
  return ordered(current, named, words, (m) => mentionCount(m.memory, words)).map(({ value, matched }) => ({ item: value, matched }));
}

/** Where the manager's search looks for the memories naming every word: the listed rows, their words. */
export interface Listed {
  byId: ReadonlyMap<string, Row>;
  /** Whether the filter lists this row. */
  test: (row: Row) => boolean;
  /** The ids of the memories naming every one of these words (manager/texts.ts). */
  naming: (words: readonly string[]) => Iterable<string>;
}

/**
 * The same search for the manager's list, given the listed memories' words (manager/texts.ts):
 * the memories naming every word are looked up there and kept when the filter lists them, not
 * found by the engine's getAll over every memory. Ids, best first, as searchMemories orders them.
 */
export async function searchListed(memory: Memory, query: string, filters: EngineFilters, ranked: number, listed: Listed): Promise<{ id: string; matched: boolean }[]> {
  const words = searchWords(query);
  const naming: Row[] = [];
  for (const id of listed.naming(words)) {
    const row = listed.byId.get(id);
    if (row && listed.test(row)) naming.push(row);
  }
  const { results: hits } = await memory.search(query, { filters, topK: ranked, gate: 'recall' });
  const current = hits.filter((r) => r.supersededAt === undefined).map((r) => ({ id: r.id, n: mentionCount(r.memory, words) }));
  const shown = new Set(current.map((r) => r.id));
  // Newest stored first, as the engine lists them (the label grows with each memory stored).
  const named = naming
    .filter((row) => !shown.has(row.id))
    .sort((a, b) => b.label - a.label)
    .map((row) => ({ id: row.id, n: words.length }));
  return ordered(current, named, words, (m) => m.n).map(({ value, matched }) => ({ id: value.id, matched }));
}

/**
 * Those naming every word first, then those naming some, then the ones only related in meaning;
 * else in the order given. `mentions`: how many of the words each one names.
 */
function ordered<T>(current: readonly T[], named: readonly T[], words: readonly string[], mentions: (value: T) => number): { value: T; matched: boolean }[] {
  const all = [...current, ...named].map((value, i) => ({ value, i, n: mentions(value) }));
  const every = (n: number): boolean => n === words.length && n > 0;
  all.sort((a, b) => Number(every(b.n)) - Number(every(a.n)) || Number(b.n > 0) - Number(a.n > 0) || a.i - b.i);
  return all.map(({ value, n }) => ({ value, matched: n > 0 }));
}
