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
import { DEFAULT_USER, type JsonValue, type MemoryRecord, type MemoryScope, type SiteId } from '../../core/types';
import type { EngramDatabase } from '../../db/schema';
import type { EngineWrite } from '../../engine/context';
import type { MemoryStore } from '../../ports/memory-store';

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

/** A session memory has a run; an agent's has an agent; any other is the user's. */
export const scopeOf = (m: Pick<MemoryRecord, 'agentId' | 'runId'>): MemoryScope => (m.runId !== null ? 'session' : m.agentId !== null ? 'agent' : 'user');

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

/** A change touching more rows than this re-sorts them all instead of moving each in place. */
const RESORT_OVER = 256;

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
    if (deletes.length + puts.length > RESORT_OVER) {
      for (const id of deletes) this.byId.delete(id);
      for (const m of puts) {
        if (listed(m)) this.byId.set(m.id, toRow(m));
        else this.byId.delete(m.id);
      }
      this.#sorted = [...this.byId.values()].sort(rowOrder);
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

  #put(row: Row): void {
    const old = this.byId.get(row.id);
    if (old && rowOrder(old, row) === 0 && old.label === row.label) {
      const at = this.#indexOf(old);
      if (at >= 0) {
        this.byId.set(row.id, row);
        this.#sorted[at] = row;
        return;
      }
    }
    this.#remove(row.id);
    this.byId.set(row.id, row);
    this.#sorted.splice(this.#position(row), 0, row);
  }
}

/** Where the rows are saved between workers (the settings table; no text, only these columns). */
export const ROWS_KEY = 'managerRows';

/** The saved rows: one column per field, strings in a dictionary, in the manager's order. */
interface SavedRows {
  v: 2;
  revision: number;
  /** The ids joined by newlines. */
  ids: string;
  labels: number[];
  /** When each was said. */
  said: number[];
  updated: number[];
  /** -1 for never. */
  expires: number[];
  /** Sites, spaces and categories lists (joined by U+0001): an index into `strings`, -1 for none. */
  strings: string[];
  sites: number[];
  spaces: number[];
  categories: number[];
  /** Bit 0: pinned; bits 1–2: the scope (0 user, 1 agent, 2 session). */
  flags: number[];
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
  const rows = set.sorted;
  return {
    v: 2,
    revision: set.revision,
    ids: rows.map((r) => r.id).join('\n'),
    labels: rows.map((r) => r.label),
    said: rows.map((r) => r.saidAt),
    updated: rows.map((r) => r.updatedAt),
    expires: rows.map((r) => r.expiresAt ?? -1),
    strings,
    sites: rows.map((r) => ref(r.site)),
    spaces: rows.map((r) => ref(r.space)),
    categories: rows.map((r) => ref(r.categories.join('\u0001'))),
    flags: rows.map((r) => Number(r.pinned) | (SCOPES.indexOf(r.scope) << 1)),
  };
}

/** The saved rows, or null when they are not (an older version's, cut short, hand-edited). */
function decode(value: JsonValue | undefined): RowSet | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const saved = value as unknown as Partial<SavedRows>;
  if (saved.v !== 2 || typeof saved.revision !== 'number' || typeof saved.ids !== 'string' || !Array.isArray(saved.strings)) return null;
  const ids = saved.ids === '' ? [] : saved.ids.split('\n');
  const columns = [saved.labels, saved.said, saved.updated, saved.expires, saved.sites, saved.spaces, saved.categories, saved.flags];
  if (!columns.every((c) => Array.isArray(c) && c.length === ids.length)) return null;
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
  /** How long after the last write the rows are saved for the next worker; null: never saved. Default 2 s. */
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

  constructor(store: MemoryStore, options: MemoryRowsOptions = {}) {
    this.#store = store;
    this.#readAll = options.readAll ?? (() => store.list());
    this.#saveDelayMs = options.saveDelayMs === undefined ? 2000 : options.saveDelayMs;
    this.#observed = options.observed !== false;
    this.#onError = options.onError ?? ((error) => {
      console.warn('[Engram] the memory list will be read again', error);
    });
  }

  /** A write of the engine landed in the store. */
  observe(change: EngineWrite): void {
    this.#seen++;
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
    await this.#store.setSetting(ROWS_KEY, null);
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
    if (!set && savedOnly) {
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
    return set;
  }

  #scheduleSave(): void {
    if (this.#saveDelayMs === null) return;
    if (this.#saveTimer) clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = null;
      void this.save().catch(this.#onError);
    }, this.#saveDelayMs);
  }

  /** Save the rows now, if they are current (the next worker starts from them). True when saved. */
  async save(): Promise<boolean> {
    const rows = this.peek();
    if (!rows) return false;
    const generation = this.#generation;
    if (rows.revision !== (await this.#store.revision()) || generation !== this.#generation || rows !== this.peek()) return false;
    await this.#store.setSetting(ROWS_KEY, encode(rows) as unknown as JsonValue);
    return true;
  }
}
