/**
 * The memory manager's rows: one small record per memory it lists (no text), sorted pinned first
 * then newest first, held in the worker and kept in step with every write of the engine. Listing,
 * filtering and counting 100,000 memories is then one pass over an array; only the texts of the
 * rows a page shows are read from IndexedDB.
 *
 * Reading every memory from IndexedDB takes seconds at 100,000 (each record is read whole), so the
 * rows are read once per worker, and saved (a few columns, no text) a moment after the last write:
 * the next worker starts from them when the store has not changed since, or has changed only by
 * writes that worker saw.
 */
import { scopeOf } from '../../core/memory-view';
import { DEFAULT_USER, type JsonValue, type MemoryRecord, type MemoryScope, type SiteId } from '../../core/types';
import type { EngramDatabase } from '../../db/schema';
import type { EngineWrite } from '../../engine/context';
import { backgroundTurn } from '../../engine/priority';
import type { MemoryStore } from '../../ports/memory-store';
import { checkHead, HEAD_KEY, HEAD_ROWS, type SavedHead } from '../../db/saved-head';
import { MemoryTexts } from './texts';

export { HEAD_KEY } from '../../db/saved-head';

/** What the manager knows of a memory without reading it. */
export interface Row {
  readonly id: string;
  /** Unique and never reused: breaks ties in the order. */
  readonly label: number;
  /** When it was said (the date the manager shows, filters and orders by, as the memory block's "said …"). */
  readonly saidAt: number;
  readonly updatedAt: number;
  readonly site: SiteId | null;
  readonly space: string | null;
  readonly scope: MemoryScope;
  readonly categories: readonly string[];
  readonly pinned: boolean;
  readonly expiresAt: number | null;
}

/** The manager lists the browser user's memories, except those waiting for their consent (as listMemories). */
export const listed = (m: MemoryRecord): boolean => m.userId === DEFAULT_USER && m.metadata.pending !== true;

/** Pinned first, then the most recently said first; the label breaks ties, so no two rows compare equal. */
export const rowOrder = (a: Row, b: Row): number => Number(b.pinned) - Number(a.pinned) || b.saidAt - a.saidAt || b.label - a.label;

/** Rows share their categories lists (a few distinct lists serve 100,000 memories). */
const sharedCategories = new Map<string, readonly string[]>();
function categoriesOf(categories: readonly string[]): readonly string[] {
  const key = categories.join('\u0001');
  let shared = sharedCategories.get(key);
  if (!shared) {
    shared = Object.freeze([...categories]);
    sharedCategories.set(key, shared);
  }
  return shared;
}

export function toRow(m: MemoryRecord): Row {
  return {
    id: m.id,
    label: m.label,
    saidAt: m.saidAt,
    updatedAt: m.updatedAt,
    site: m.site,
    space: m.space,
    scope: scopeOf(m),
    categories: categoriesOf(m.categories),
    pinned: m.metadata.pinned === true,
    expiresAt: m.expiresAt,
  };
}

/**
 * A change touching more rows than this is merged into the order in one pass (its rows sorted,
 * then merged with the others) instead of moving each in place: an import's chunks of hundreds
 * into 100,000 rows cost a pass each, not one array shift per row.
 */
const MERGE_OVER = 32;

/** Two arrays in the manager's order, as one. */
function merged(a: readonly Row[], b: readonly Row[]): Row[] {
  const out = new Array<Row>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = rowOrder(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/** Every listed memory's row, by id and in the manager's order, as of a store revision. */
export class RowSet {
  readonly byId: Map<string, Row>;
  #sorted: Row[];

  constructor(
    rows: Row[],
    /** The store revision these rows reflect. */
    public revision: number,
    { sorted = false }: { sorted?: boolean } = {},
  ) {
    this.byId = new Map(rows.map((r) => [r.id, r]));
    this.#sorted = sorted ? rows : rows.sort(rowOrder);
  }

  /** Pinned first, then newest first. Read only. */
  get sorted(): readonly Row[] {
    return this.#sorted;
  }

  /** Apply a write of the engine (deletes first, then puts, as the store does). */
  apply(change: EngineWrite): void {
    const deletes = change.delete ?? [];
    const puts = change.put ?? [];
    if (deletes.length + puts.length > MERGE_OVER) {
      const gone = new Set<Row>();
      const drop = (id: string): void => {
        const old = this.byId.get(id);
        if (!old) return;
        gone.add(old);
        this.byId.delete(id);
      };
      for (const id of deletes) drop(id);
      const added: Row[] = [];
      for (const m of puts) {
        const row = listed(m) ? toRow(m) : null;
        // Its place unchanged (relations backfilled, a space moved): replaced where it is.
        if (row && this.#replaceInPlace(row)) continue;
        drop(m.id);
        if (!row) continue;
        this.byId.set(m.id, row);
        added.push(row);
      }
      // A memory put twice in one change: its last row only.
      const fresh = added.filter((row) => this.byId.get(row.id) === row).sort(rowOrder);
      for (const row of added) if (this.byId.get(row.id) !== row) gone.add(row);
      const kept = gone.size > 0 ? this.#sorted.filter((row) => !gone.has(row)) : this.#sorted;
      this.#sorted = fresh.length > 0 ? merged(kept, fresh) : kept;
      return;
    }
    for (const id of deletes) this.#remove(id);
    for (const m of puts) {
      if (listed(m)) this.#put(toRow(m));
      else this.#remove(m.id);
    }
  }

  /** Where `row` is, or would go, in the order (binary search). */
  #position(row: Row): number {
    let lo = 0;
    let hi = this.#sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (rowOrder(this.#sorted[mid]!, row) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #indexOf(row: Row): number {
    const at = this.#position(row);
    return this.#sorted[at] === row ? at : this.#sorted.indexOf(row);
  }

  #remove(id: string): void {
    const old = this.byId.get(id);
    if (!old) return;
    this.byId.delete(id);
    const at = this.#indexOf(old);
    if (at >= 0) this.#sorted.splice(at, 1);
  }

  /** Put `row` where its memory's row is, when that is its place in the order too; whether it was. */
  #replaceInPlace(row: Row): boolean {
    const old = this.byId.get(row.id);
    if (!old || rowOrder(old, row) !== 0 || old.label !== row.label) return false;
    const at = this.#indexOf(old);
    if (at < 0) return false;
    this.byId.set(row.id, row);
    this.#sorted[at] = row;
    return true;
  }

  #put(row: Row): void {
    if (this.#replaceInPlace(row)) return;
    this.#remove(row.id);
    this.byId.set(row.id, row);
    this.#sorted.splice(this.#position(row), 0, row);
  }
}

/** Where the rows are saved between workers (the settings table; no text, only these columns). */
export const ROWS_KEY = 'managerRows';

function headOf(set: RowSet): SavedHead {
  let nextExpiry: number | null = null;
  for (const row of set.sorted) if (row.expiresAt !== null && (nextExpiry === null || row.expiresAt < nextExpiry)) nextExpiry = row.expiresAt;
  return { v: 1, revision: set.revision, total: set.sorted.length, ids: set.sorted.slice(0, HEAD_ROWS).map((r) => r.id), nextExpiry };
}


/** The saved rows: one column per field, strings in a dictionary, in the manager's order. */
interface SavedRows {
  v: 3;
  revision: number;
  /** The ids joined by newlines. */
  ids: string;
  /** Typed arrays: IndexedDB copies them whole, where an array of numbers is copied number by number. */
  labels: Float64Array;
  /** When each was said. */
  said: Float64Array;
  updated: Float64Array;
  /** -1 for never. */
  expires: Float64Array;
  /** Sites, spaces and categories lists (joined by U+0001): an index into `strings`, -1 for none. */
  strings: string[];
  sites: Int32Array;
  spaces: Int32Array;
  categories: Int32Array;
  /** Bit 0: pinned; bits 1–2: the scope (0 user, 1 agent, 2 session). */
  flags: Uint8Array;
}

const SCOPES: readonly MemoryScope[] = ['user', 'agent', 'session'];

function encode(set: RowSet): SavedRows {
  const strings: string[] = [];
  const index = new Map<string, number>();
  const ref = (s: string | null): number => {
    if (s === null) return -1;
    let i = index.get(s);
    if (i === undefined) {
      i = strings.push(s) - 1;
      index.set(s, i);
    }
    return i;
  };
  // Rows share their categories lists: each list is joined once.
  const lists = new Map<readonly string[], number>();
  const listRef = (list: readonly string[]): number => {
    let i = lists.get(list);
    if (i === undefined) {
      i = ref(list.join('\u0001'));
      lists.set(list, i);
    }
    return i;
  };
  const rows = set.sorted;
  const n = rows.length;
  const saved: SavedRows = {
    v: 3,
    revision: set.revision,
    ids: rows.map((r) => r.id).join('\n'),
    labels: new Float64Array(n),
    said: new Float64Array(n),
    updated: new Float64Array(n),
    expires: new Float64Array(n),
    strings,
    sites: new Int32Array(n),
    spaces: new Int32Array(n),
    categories: new Int32Array(n),
    flags: new Uint8Array(n),
  };
  for (let i = 0; i < n; i++) {
    const r = rows[i]!;
    saved.labels[i] = r.label;
    saved.said[i] = r.saidAt;
    saved.updated[i] = r.updatedAt;
    saved.expires[i] = r.expiresAt ?? -1;
    saved.sites[i] = ref(r.site);
    saved.spaces[i] = ref(r.space);
    saved.categories[i] = listRef(r.categories);
    saved.flags[i] = Number(r.pinned) | (SCOPES.indexOf(r.scope) << 1);
  }
  return saved;
}

/** The saved rows, or null when they are not (an older version's, cut short, hand-edited). */
function decode(value: JsonValue | undefined): RowSet | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const saved = value as unknown as Partial<SavedRows>;
  if (saved.v !== 3 || typeof saved.revision !== 'number' || typeof saved.ids !== 'string' || !Array.isArray(saved.strings)) return null;
  const ids = saved.ids === '' ? [] : saved.ids.split('\n');
  const columns: unknown[] = [saved.labels, saved.said, saved.updated, saved.expires, saved.sites, saved.spaces, saved.categories, saved.flags];
  if (!columns.every((c) => ArrayBuffer.isView(c) && !(c instanceof DataView) && (c as Float64Array).length === ids.length)) return null;
  const { strings } = saved;
  const text = (i: number): string | null => (i < 0 ? null : (strings[i] ?? null));
  // Each distinct categories list split once, not once per row.
  const lists = new Map<number, readonly string[]>();
  const listOf = (i: number): readonly string[] => {
    let list = lists.get(i);
    if (!list) {
      const joined = text(i);
      list = categoriesOf(joined ? joined.split('\u0001') : []);
      lists.set(i, list);
    }
    return list;
  };
  const rows = ids.map((id, i): Row => {
    const flags = saved.flags![i]!;
    const expires = saved.expires![i]!;
    return {
      id,
      label: saved.labels![i]!,
      saidAt: saved.said![i]!,
      updatedAt: saved.updated![i]!,
      site: text(saved.sites![i]!) as SiteId | null,
      space: text(saved.spaces![i]!),
      scope: SCOPES[(flags >> 1) & 3] ?? 'user',
      categories: listOf(saved.categories![i]!),
      pinned: (flags & 1) === 1,
      expiresAt: expires < 0 ? null : expires,
    };
  });
  return new RowSet(rows, saved.revision, { sorted: true });
}

/** Up to this many memories, a write seen before any rows are held reads them all at once (a few ms). */
const SMALL_STORE = 5000;

/** Memories per read when every memory is read (a recall's reads go between them). */
const READ_CHUNK = 10_000;

/** Every memory, read in chunks by id (each chunk one IndexedDB getAll). */
export async function readMemories(db: EngramDatabase): Promise<MemoryRecord[]> {
  const all: MemoryRecord[] = [];
  for (;;) {
    const last = all.at(-1)?.id;
    const chunk = await (last === undefined ? db.memories.orderBy(':id') : db.memories.where(':id').above(last)).limit(READ_CHUNK).toArray();
    all.push(...chunk);
    if (chunk.length < READ_CHUNK) return all;
  }
}

export interface MemoryRowsOptions {
  /** Every memory (default: the store's list). */
  readAll?: () => Promise<MemoryRecord[]>;
  /**
   * How long after the last write the rows are saved for the next worker; null: never saved.
   * Default 5 s: saving holds the worker a moment at 100,000 rows, so a burst of changes (a user
   * forgetting one memory after another, an import's chunks) saves once, well within the 30 idle
   * seconds after which Chrome stops the worker.
   */
  saveDelayMs?: number | null;
  /** Told of a failed save or read ahead (nothing is lost: the rows are read again). */
  onError?: (error: unknown) => void;
  /**
   * Every write of the engine is passed to `observe` (default true). False: the rows are read again
   * whenever the store's revision moved, without waiting for a write's change to arrive.
   */
  observed?: boolean;
}

/** How long a request waits for a write that landed in the store to reach the rows, before reading them again. */
const WRITE_WAIT_MS = 300;

/**
 * The rows, kept current by `observe` (every write of the engine, from the worker's start: the
 * extension calls it from createEngine's onWrite). Their revision is the store's: each write bumps
 * the store's revision by one, so rows that saw every write have the store's revision; any other
 * change (the store cleared) leaves them behind, and they are read again.
 */
export class MemoryRows {
  readonly #store: MemoryStore;
  readonly #readAll: () => Promise<MemoryRecord[]>;
  readonly #saveDelayMs: number | null;
  readonly #onError: (error: unknown) => void;
  readonly #observed: boolean;
  #rows: RowSet | null = null;
  #loading: Promise<RowSet | null> | null = null;
  /** Writes seen so far by this worker. */
  #seen = 0;
  /** Writes seen while no rows were held (with their sequence numbers), to replay once they are. */
  #log: { seq: number; change: EngineWrite }[] = [];
  /** The saved rows may still be brought up to date: nothing was loaded yet and the log is whole. */
  #savedUsable = true;
  #saveTimer: ReturnType<typeof setTimeout> | null = null;
  /** Bumped when the saved rows are dropped: a save begun before then writes nothing. */
  #generation = 0;
  #waiters: (() => void)[] = [];
  /** The listed memories' texts, for the manager's search (read when first needed, kept by every write). */
  readonly texts: MemoryTexts;

  constructor(store: MemoryStore, options: MemoryRowsOptions = {}) {
    this.#store = store;
    this.texts = new MemoryTexts(store, listed);
    this.#readAll = options.readAll ?? (() => store.list());
    this.#saveDelayMs = options.saveDelayMs === undefined ? 5000 : options.saveDelayMs;
    this.#observed = options.observed !== false;
    this.#onError = options.onError ?? ((error) => {
      console.warn('[Engram] the memory list will be read again', error);
    });
  }

  /** A write of the engine landed in the store. */
  observe(change: EngineWrite): void {
    this.#seen++;
    this.texts.observe(change);
    if (this.#rows) {
      this.#rows.apply(change);
      this.#rows.revision++;
      this.#scheduleSave();
    } else if (this.#loading || this.#savedUsable) {
      this.#log.push({ seq: this.#seen, change });
      // The saved rows, with this write: kept current for the next worker, even if nobody opens the manager in this one.
      if (!this.#loading) void this.#startLoad(true);
    }
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** The rows as of the store's current revision (read once, then kept current). */
  async rows(): Promise<RowSet> {
    for (let waited = 0; ; waited++) {
      if (this.#loading) await this.#loading;
      const revision = await this.#store.revision();
      const rows = this.#rows;
      if (rows?.revision === revision) return rows;
      // A write landed in the store and its change is on its way here: wait for it, briefly.
      if (this.#observed && rows && rows.revision < revision && waited < 3) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, WRITE_WAIT_MS);
          this.#waiters.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
        continue;
      }
      const loaded = await this.#startLoad(false);
      if (loaded) return loaded;
    }
  }

  /** The rows if they are held now (no read), else null. */
  peek(): RowSet | null {
    return this.#rows;
  }

  /**
   * Forget the rows and their saved copy (after "Forget everything": not even the ids, dates and
   * spaces of what was forgotten stay). The next request reads the store again.
   */
  async drop(): Promise<void> {
    this.#generation++;
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = null;
    this.#rows = null;
    this.#log = [];
    this.#savedUsable = false;
    this.texts.drop();
    await Promise.all([this.#store.setSetting(ROWS_KEY, null), this.#store.setSetting(HEAD_KEY, null)]);
  }

  /**
   * The saved head of the unfiltered list, while no rows are held (a new worker's first request),
   * when it is what the store holds now and no row has expired since it was saved; else null.
   */
  async head(now: number): Promise<SavedHead | null> {
    if (this.#rows) return null;
    const generation = this.#generation;
    const [value, revision] = await Promise.all([this.#store.getSetting(HEAD_KEY), this.#store.revision()]);
    const head = checkHead(value);
    if (!head || head.revision !== revision || generation !== this.#generation) return null;
    return head.nextExpiry === null || head.nextExpiry > now ? head : null;
  }

  #startLoad(savedOnly: boolean): Promise<RowSet | null> {
    if (this.#loading) return this.#loading;
    this.#rows = null;
    const loading = this.#load(savedOnly)
      .catch((error: unknown) => {
        this.#onError(error);
        if (!savedOnly) throw error;
        return null;
      })
      .finally(() => {
        if (this.#loading === loading) this.#loading = null;
      });
    this.#loading = loading;
    return loading;
  }

  async #load(savedOnly: boolean): Promise<RowSet | null> {
    const generation = this.#generation;
    const start = this.#seen;
    const revision = await this.#store.revision();
    const seenAtRevision = this.#seen;
    let set: RowSet | null = null;
    /** What was saved is what the store holds: no need to save it again. */
    let unchanged = false;
    if (this.#savedUsable) {
      this.#savedUsable = false;
      const saved = decode(await this.#store.getSetting(ROWS_KEY));
      // Saved before every write this worker saw, and only those: replayed, they bring it up to date.
      if (saved && saved.revision + seenAtRevision === revision) {
        for (const { change } of this.#log) saved.apply(change);
        set = saved;
        unchanged = this.#log.length === 0;
      }
    }
    // No saved rows to start from: a small store is read now (the writes seen meanwhile replayed),
    // and the rows are kept current from here on, so that an import into it (or a store grown
    // from it) never needs every memory read again when the manager opens.
    if (!set && savedOnly && (await this.#store.count()) > SMALL_STORE) {
      this.#log = [];
      return null;
    }
    if (!set) {
      set = new RowSet((await this.#readAll()).filter(listed).map(toRow), revision);
      // Writes seen since the read began: replayed (a write the read already holds is the same again).
      for (const { seq, change } of this.#log) if (seq > start) set.apply(change);
    }
    // Every write seen after the revision was read is one more.
    set.revision = revision + (this.#seen - seenAtRevision);
    this.#log = [];
    if (generation !== this.#generation) return null; // dropped meanwhile
    this.#rows = set;
    if (!unchanged) this.#scheduleSave();
    // Rows saved without their head (by an older version): the head is saved now, for the next worker.
    else void this.#saveHeadIfMissing(set).catch(this.#onError);
    return set;
  }

  #scheduleSave(): void {
    if (this.#saveDelayMs === null) return;
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      // Background work: not while the popup is being answered (engine/priority.ts).
      void backgroundTurn()
        .then(() => this.save())
        .catch(this.#onError);
    }, this.#saveDelayMs);
  }

  async #saveHeadIfMissing(set: RowSet): Promise<void> {
    const generation = this.#generation;
    if (checkHead(await this.#store.getSetting(HEAD_KEY))?.revision === set.revision) return;
    if (set !== this.peek() || generation !== this.#generation || set.revision !== (await this.#store.revision())) return;
    await this.#store.setSetting(HEAD_KEY, headOf(set) as unknown as JsonValue);
  }

  /** Save the rows now, if they are current (the next worker starts from them). True when saved. */
  async save(): Promise<boolean> {
    const rows = this.peek();
    if (!rows) return false;
    const generation = this.#generation;
    if (rows.revision !== (await this.#store.revision()) || generation !== this.#generation || rows !== this.peek()) return false;
    await this.#store.setSetting(ROWS_KEY, encode(rows) as unknown as JsonValue);
    await this.#store.setSetting(HEAD_KEY, headOf(rows) as unknown as JsonValue);
    return true;
  }
}
