/**
 * memoryPage: one window of the memories matching a filter, for a virtualised list. The filter
 * runs over the rows (one pass; a search goes through the engine's ranking first); the ordered
 * result is kept for the revision, so scrolling through it reads only the texts of the rows shown.
 */
import type { MemoryFilter, MemoryPage, MemoryPageRequest } from '../../core/types';
import { MAX_PAGE_SIZE } from '../../messaging/protocol';
import { checkFilter, engineFilters, filterKey, MalformedRequest, rowTest } from './filter';
import type { ManagerDeps } from './deps';
import type { Row } from './memory-rows';
import { searchListed, searchMemories } from './search';
import { recordView } from './views';

/** How many of the engine's best matches a search lists (besides every memory naming all its words). */
export const RANKED_RESULTS = 50;

/** The furthest offset a page may start at. */
const MAX_OFFSET = 10_000_000;

/** How long an ordered result serves its revision (an expiry date may pass meanwhile). */
const LISTING_TTL_MS = 60_000;

/** The ordered results kept (the list's filter, a previous one, the bulk action's). */
const LISTINGS_KEPT = 4;

/** The memories matching one filter, in the list's order, as of a revision. */
export interface Listing {
  revision: number;
  rows: readonly Row[];
  /** For a search: the memories mentioning a word of it (the others are only related in meaning). */
  matched: ReadonlySet<string> | null;
  at: number;
}

/** The ordered results of the last few filters, each valid for its revision. */
export class Listings {
  readonly #kept = new Map<string, Listing>();

  constructor(private readonly deps: ManagerDeps) {}

  /** Every memory matching `filter` (checked), pinned first then newest first, or best first for a search. */
  async of(filter: MemoryFilter): Promise<Listing> {
    const rows = await this.deps.rows.rows();
    const now = this.deps.now();
    const key = filterKey(filter);
    const kept = this.#kept.get(key);
    if (kept?.revision === rows.revision && now - kept.at < LISTING_TTL_MS) return kept;
    const test = rowTest(filter, now);
    let listing: Listing;
    if (filter.text === undefined) {
      listing = { revision: rows.revision, rows: rows.sorted.filter(test), matched: null, at: now };
    } else {
      // The engine ranks its own copy of the store: the rows keep it to what the filter allows.
      await this.deps.ready;
      const texts = this.deps.rows.texts;
      const found = texts.at(rows.revision)
        ? await searchListed(this.deps.memory, filter.text, engineFilters(filter), RANKED_RESULTS, { byId: rows.byId, test, naming: (words) => texts.naming(words) })
        : (await searchMemories(this.deps.memory, filter.text, engineFilters(filter), RANKED_RESULTS)).map(({ item, matched }) => ({ id: item.id, matched }));
      const listed: Row[] = [];
      const matched = new Set<string>();
      for (const { id, matched: mentions } of found) {
        const row = rows.byId.get(id);
        if (!row || !test(row)) continue;
        listed.push(row);
        if (mentions) matched.add(row.id);
      }
      listing = { revision: rows.revision, rows: listed, matched, at: now };
    }
    // The texts a search looks through, read (in small slices) once per worker, for the next search.
    void this.deps.rows.texts.read(rows.revision); // (nothing when held or being read)
    this.#kept.delete(key);
    this.#kept.set(key, listing);
    if (this.#kept.size > LISTINGS_KEPT) this.#kept.delete(this.#kept.keys().next().value!);
    return listing;
  }

  clear(): void {
    this.#kept.clear();
  }
}

/** A page request as a message carries it, checked. */
export function checkPageRequest(value: unknown): MemoryPageRequest {
  if (typeof value !== 'object' || value === null) throw new MalformedRequest('memoryPage', 'the request must be an object');
  const { filter, offset, limit } = value as Partial<Record<keyof MemoryPageRequest, unknown>>;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset > MAX_OFFSET) {
    throw new MalformedRequest('memoryPage', 'offset must be a whole number ≥ 0');
  }
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > MAX_PAGE_SIZE) {
    throw new MalformedRequest('memoryPage', `limit must be a whole number from 0 to ${MAX_PAGE_SIZE}`);
  }
  return { filter: checkFilter(filter ?? {}, 'memoryPage'), offset, limit };
}

/**
 * The first window of the unfiltered list from the head saved with the rows, when a new worker
 * holds no rows yet: the popup's first page without decoding every row first. Null when the head
 * cannot answer.
 */
async function fromHead(deps: ManagerDeps, offset: number, limit: number): Promise<MemoryPage | null> {
  const head = await deps.rows.head(deps.now());
  if (!head || (offset + limit > head.ids.length && head.ids.length < head.total)) return null;
  const ids = head.ids.slice(offset, offset + limit);
  const records = new Map((await deps.store.getMany(ids)).map((m) => [m.id, m]));
  const items = ids.flatMap((id) => {
    const record = records.get(id);
    return record ? [recordView(record)] : [];
  });
  // The rows are read by what the popup asks next (the filters' values), not before this answer
  // has gone: decoding them holds the worker a while.
  return { total: head.total, items, revision: head.revision };
}

/** One window of the memories matching the request's filter, with their texts. */
export async function memoryPage(deps: ManagerDeps, listings: Listings, value: unknown): Promise<MemoryPage> {
  const { filter, offset, limit } = checkPageRequest(value);
  if (Object.keys(filter).length === 0 && !deps.rows.peek()) {
    const page = await fromHead(deps, offset, limit);
    if (page) return page;
  }
  const listing = await listings.of(filter);
  const shown = listing.rows.slice(offset, offset + limit);
  const records = new Map((await deps.store.getMany(shown.map((r) => r.id))).map((m) => [m.id, m]));
  const items = shown.flatMap((row) => {
    const record = records.get(row.id);
    if (!record) return []; // forgotten since
    const view = recordView(record);
    return [listing.matched ? { ...view, matched: listing.matched.has(row.id) } : view];
  });
  return { total: listing.rows.length, items, revision: listing.revision };
}
