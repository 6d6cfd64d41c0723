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
  const ordered = [...current, ...named].map((item, i) => ({ item, i, n: mentionCount(item.memory, words) }));
  const every = (n: number): boolean => n === words.length && n > 0;
  ordered.sort((a, b) => Number(every(b.n)) - Number(every(a.n)) || Number(b.n > 0) - Number(a.n > 0) || a.i - b.i);
  return ordered.map(({ item, n }) => ({ item, matched: n > 0 }));
}
