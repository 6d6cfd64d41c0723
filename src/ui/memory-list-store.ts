import { batch, computed, effect, signal, type ReadonlySignal, type Signal } from '@preact/signals';
import type { MemoryFacets, MemoryFilter, MemoryPage, MemoryPageRequest, MemoryView, SpaceInfo } from '../core/types';
import type { ExpiryRequest } from '../messaging/data-protocol';
import { MAX_PAGE_SIZE, sendMessage, UNDO_WINDOW_MS, type AboutYou, type MemoryDetail, type MemorySelection } from '../messaging/protocol';
import { formatCount } from './format';
import { S } from './strings';

/** Rows asked for at a time (a window of the list; at most MAX_PAGE_SIZE). */
export const PAGE_SIZE = 100;

/**
 * What the memory manager asks of the background: the real messages, or a test double. Only
 * `list` and `remove` are needed; each optional verb turns on what it serves (no `page`: pages are
 * cut here from `list` and `search`, for a small store or a test).
 */
export interface MemoryBackend {
  list(): Promise<MemoryView[]>;
  remove(id: string): Promise<unknown>;
  search?(query: string): Promise<MemoryView[]>;
  edit?(id: string, text: string): Promise<MemoryView>;
  pin?(id: string, pinned: boolean): Promise<MemoryView>;
  about?(): Promise<AboutYou>;
  /** Forget every memory, its history and every queued turn. */
  forgetAll?(): Promise<unknown>;
  /** One window of the memories matching a filter (`memoryPage`). */
  page?(request: MemoryPageRequest): Promise<MemoryPage>;
  /** The filters' values with their counts (`memoryFacets`). */
  facets?(): Promise<MemoryFacets>;
  /** One memory with its history, its injections and its conversation (`memoryDetail`). */
  detail?(id: string): Promise<MemoryDetail>;
  /** Forget a selection, with a token to undo it for a while (`deleteMemories`). */
  removeMany?(selection: MemorySelection): Promise<{ deleted: number; undo: string | null }>;
  undo?(token: string): Promise<{ restored: number }>;
  /** File a selection in a space, or in none (`moveMemories`). */
  move?(selection: MemorySelection, space: string | null): Promise<{ moved: number }>;
  spaces?(): Promise<SpaceInfo[]>;
  /** When a memory is forgotten: on a date, never, or when its conversation ends (`setExpiry`). */
  setExpiry?(request: ExpiryRequest): Promise<MemoryView>;
}

/** The MemoryBackend over the extension's typed messages. */
export const messagingBackend: MemoryBackend = {
  list: () => sendMessage('listMemories'),
  remove: (id) => sendMessage('deleteMemory', id),
  search: (query) => sendMessage('searchMemories', query),
  edit: (id, text) => sendMessage('editMemory', { id, text }),
  pin: (id, pinned) => sendMessage('pinMemory', { id, pinned }),
  about: () => sendMessage('aboutYou'),
  forgetAll: () => sendMessage('forgetEverything'),
  page: (request) => sendMessage('memoryPage', request),
  facets: () => sendMessage('memoryFacets'),
  detail: (id) => sendMessage('memoryDetail', id),
  removeMany: (selection) => sendMessage('deleteMemories', selection),
  undo: (token) => sendMessage('undoDelete', token),
  move: (selection, space) => sendMessage('moveMemories', { selection, space }),
  spaces: () => sendMessage('listSpaces'),
  setExpiry: (request) => sendMessage('setExpiry', request),
};

/**
 * `backend` whose first request for the unfiltered list's top is answered by `first` (the page read
 * from IndexedDB by the page itself, src/db/saved-first-page.ts) when it has one, so the worker is
 * not waited for. When `first` has none (null, failed, too short) the worker is asked as always.
 * Only that one request: every other page, and every action, goes to the worker.
 */
export function withFirstPage(backend: MemoryBackend, first: Promise<MemoryPage | null>): MemoryBackend {
  if (!backend.page) return backend;
  const page = backend.page.bind(backend);
  let pending: Promise<MemoryPage | null> | null = first;
  return {
    ...backend,
    page: async (request) => {
      const saved = pending;
      pending = null;
      if (saved && request.offset === 0 && Object.keys(request.filter).length === 0) {
        const read = await saved.catch(() => null);
        if (read && (read.items.length >= request.limit || read.items.length === read.total)) {
          return { ...read, items: read.items.slice(0, request.limit) };
        }
      }
      return page(request);
    },
  };
}

/**
 * Resolves once the list has shown its first page (or said why it cannot), or after `maxWaitMs`
 * whatever happens. The popup's other panels wait for it before asking the background anything:
 * they share its one service worker, and the list is what the popup is opened for.
 */
export function firstShown(store: Pick<MemoryListStore, 'status'>, maxWaitMs = 1500): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, maxWaitMs);
    const stop = effect(() => {
      if (store.status.value === 'loading') return;
      clearTimeout(timer);
      resolve();
      queueMicrotask(() => {
        stop();
      });
    });
  });
}

/** The date filter's choices. */
export type DateRange = 'any' | 'week' | 'month' | 'year';
export const DATE_RANGES: readonly DateRange[] = ['any', 'week', 'month', 'year'];

const DAY_MS = 86_400_000;

/** The `from` of a date range, at `now` (local time: "this year" starts on the 1st of January). */
export function rangeStart(range: DateRange, now: number): number | undefined {
  switch (range) {
    case 'any':
      return undefined;
    case 'week':
      return now - 7 * DAY_MS;
    case 'month':
      return now - 30 * DAY_MS;
    case 'year':
      return new Date(new Date(now).getFullYear(), 0, 1).getTime();
  }
}

/** What the last delete can put back, until UNDO_WINDOW_MS has passed. */
export interface Undoable {
  token: string;
  message: string;
}

export interface MemoryListStore {
  status: Signal<'loading' | 'ready' | 'error'>;
  error: Signal<string | null>;
  /** The search box's text; empty lists every memory. */
  query: Signal<string>;
  /** The filters (no `text`: that is `query`). */
  filter: Signal<MemoryFilter>;
  dateRange: Signal<DateRange>;
  /** Whether a filter is set (the search aside). */
  filtered: ReadonlySignal<boolean>;
  /**
   * The search and filters the rows shown answer (`text` included): until a new search's first
   * page comes, the previous rows stay shown, and the heading and the marked words stay theirs.
   */
  shown: ReadonlySignal<MemoryFilter>;
  /** How many memories match the search and the filters. */
  total: Signal<number>;
  /** How many memories are stored in all; null until known. */
  stored: Signal<number | null>;
  /** Bumped whenever a row changes: read it to follow `rowAt`. */
  version: Signal<number>;
  /** Row `index` of the list, or undefined while it is being read. */
  rowAt(index: number): MemoryView | undefined;
  /** Make sure rows `from` … `to` (exclusive) are read (the virtual list's window). A stable function. */
  ensure: (from: number, to: number) => void;
  /** The rows read so far from the top, in order (all of them for a small list). */
  memories: ReadonlySignal<MemoryView[]>;
  /** The same while searching; null while there is no search. */
  results: ReadonlySignal<MemoryView[] | null>;
  /** The profile and the most mentioned entities; null until loaded (or without a backend for it). */
  about: Signal<AboutYou | null>;
  /** The filters' values; null without a backend for them. */
  facets: Signal<MemoryFacets | null>;
  /** Every space, to move memories to. */
  spaces: Signal<SpaceInfo[]>;
  /** The memories the user ticked (unless `allMatching`). */
  selected: Signal<ReadonlySet<string>>;
  /** "Select all that match": every memory matching the search and filters, loaded or not. */
  allMatching: Signal<boolean>;
  selectionCount: ReadonlySignal<number>;
  /** The last delete, while it can be undone. */
  undoable: Signal<Undoable | null>;
  /** What the last action did, in words (a polite live region). */
  announcement: Signal<string>;
  /** What the backend offers. */
  can: { search: boolean; filter: boolean; bulk: boolean; undo: boolean; move: boolean; detail: boolean; edit: boolean; pin: boolean; expiry: boolean };
  load(): Promise<void>;
  search(query: string): Promise<void>;
  /** Change some filters (an undefined value removes that filter). */
  setFilter(change: Partial<MemoryFilter>): Promise<void>;
  setDateRange(range: DateRange): Promise<void>;
  clearFilters(): Promise<void>;
  remove(id: string): Promise<void>;
  /** Save the user's correction; false (and `error` set) when it could not be saved. */
  edit(id: string, text: string): Promise<boolean>;
  pin(id: string, pinned: boolean): Promise<void>;
  /** File one memory in a space (null: none); false on failure. */
  moveOne(id: string, space: string | null): Promise<boolean>;
  /** Set when a memory is forgotten; the memory as saved (it rejects, for the caller to say why, on failure). */
  setExpiry(request: ExpiryRequest): Promise<MemoryView>;
  detail(id: string): Promise<MemoryDetail>;
  toggleSelected(id: string, selected: boolean): void;
  selectAllMatching(on: boolean): void;
  clearSelection(): void;
  /** Forget the selection (undoable); false on failure. */
  removeSelected(): Promise<boolean>;
  moveSelected(space: string | null): Promise<boolean>;
  undo(): Promise<void>;
  dismissUndo(): void;
  /** Read the spaces and filter values again (after the options page changed spaces). */
  refreshMeta(): Promise<void>;
  /** Forget everything (the caller asked the user to confirm); false (and `error` set) on failure. */
  forgetAll(): Promise<boolean>;
  dispose(): void;
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Whether a memory holds under `filter` (the background decides for real; this serves `pagesFromList`). */
export function matchesFilter(m: MemoryView, f: MemoryFilter): boolean {
  if (f.site !== undefined && (m.site ?? 'none') !== f.site) return false;
  if (f.space !== undefined) {
    const space = m.space ?? '';
    if (f.space === '' ? space !== '' : space !== f.space && !space.startsWith(`${f.space}/`)) return false;
  }
  if (f.scope !== undefined && (m.scope ?? 'user') !== f.scope) return false;
  if (f.category !== undefined && !(m.categories ?? []).includes(f.category)) return false;
  if (f.from !== undefined && (m.saidAt ?? m.createdAt) < f.from) return false;
  if (f.to !== undefined && (m.saidAt ?? m.createdAt) >= f.to) return false;
  if (f.pinned !== undefined && (m.pinned === true) !== f.pinned) return false;
  return true;
}

/** `memoryPage` for a backend without it: every memory (or the search's results), filtered and cut here. */
function pagesFromList(backend: MemoryBackend): (request: MemoryPageRequest) => Promise<MemoryPage> {
  return async ({ filter, offset, limit }) => {
    const { text, ...rest } = filter;
    const all = text && backend.search ? await backend.search(text) : await backend.list();
    const items = all.filter((m) => matchesFilter(m, rest));
    return { total: items.length, items: items.slice(offset, offset + limit), revision: 0 };
  };
}

/** A copy of `rows` without the rows `drop` picks, holes (rows not read yet) kept in place. */
function without(rows: (MemoryView | undefined)[], drop: (m: MemoryView) => boolean): { rows: (MemoryView | undefined)[]; dropped: number } {
  const out: (MemoryView | undefined)[] = [];
  let dropped = 0;
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (row && drop(row)) {
      dropped++;
      continue;
    }
    out.length++;
    if (row) out[out.length - 1] = row;
  }
  return { rows: out, dropped };
}

/**
 * The memory manager's state (popup and options page): a window of the list read page by page
 * through `memoryPage` (so 100,000 memories cost one page to show), the search and the filters,
 * the selection, and every change: edit, pin, move, delete with undo, forget everything.
 */
export function createMemoryListStore(backend: MemoryBackend, options: { now?: () => number; pageSize?: number } = {}): MemoryListStore {
  const now = options.now ?? Date.now;
  const pageSize = Math.max(1, Math.min(options.pageSize ?? PAGE_SIZE, MAX_PAGE_SIZE));
  const fetchPage = backend.page ? backend.page.bind(backend) : pagesFromList(backend);

  const status = signal<'loading' | 'ready' | 'error'>('loading');
  const error = signal<string | null>(null);
  const query = signal('');
  const filter = signal<MemoryFilter>({});
  const dateRange = signal<DateRange>('any');
  const total = signal(0);
  const stored = signal<number | null>(null);
  const version = signal(0);
  const about = signal<AboutYou | null>(null);
  const facets = signal<MemoryFacets | null>(null);
  const spaces = signal<SpaceInfo[]>([]);
  const selected = signal<ReadonlySet<string>>(new Set());
  const allMatching = signal(false);
  const undoable = signal<Undoable | null>(null);
  const announcement = signal('');

  /** The rows read so far, at their index in the list (holes: not read yet). */
  let rows: (MemoryView | undefined)[] = [];
  /** Pages read for the current search, filters and store revision. */
  const loaded = new Set<number>();
  const inflight = new Set<number>();
  /** Bumped when the search or the filters change: answers for an older one are dropped. */
  let generation = 0;
  /** The first page of a new generation replaces the rows (until then the old ones stay shown). */
  let replaceOnNext = false;
  let revision: number | null = null;
  /** The window the list shows (read again after a change). */
  let visible: [number, number] = [0, pageSize];
  /** A change under way: pages are read after it, so they never show what it removes. */
  let mutation: Promise<unknown> = Promise.resolve();
  let undoTimer: ReturnType<typeof setTimeout> | null = null;

  const filtered = computed(() => Object.keys(filter.value).length > 0);
  const shown = signal<MemoryFilter>({});
  const selectionCount = computed(() => (allMatching.value ? total.value : selected.value.size));
  /** The rows read from the top (`_version`: recomputed whenever the rows change). */
  const prefix = (_version: number): MemoryView[] => {
    const out: MemoryView[] = [];
    for (const row of rows) {
      if (!row) break;
      out.push(row);
    }
    return out;
  };
  const memories = computed(() => prefix(version.value));
  const results = computed(() => (query.value.trim() ? memories.value : null));

  const currentFilter = (): MemoryFilter => {
    const text = query.value.trim();
    return text ? { ...filter.value, text } : { ...filter.value };
  };
  const unfiltered = (f: MemoryFilter): boolean => Object.keys(f).length === 0;
  const bump = (): void => {
    version.value++;
  };
  const fail = (e: unknown): void => {
    status.value = 'error';
    error.value = message(e);
  };
  const recovered = (): void => {
    if (status.value === 'error') {
      status.value = 'ready';
      error.value = null;
    }
  };

  /** The profile follows every change; it is secondary, so a failure leaves the last one shown. */
  const refreshAbout = async (): Promise<void> => {
    if (!backend.about) return;
    try {
      about.value = await backend.about();
    } catch {
      // The list and its error message are what matter; keep the previous profile.
    }
  };
  const refreshMeta = async (): Promise<void> => {
    await Promise.all([
      backend.facets
        ? backend.facets().then(
            (f) => {
              batch(() => {
                facets.value = f;
                stored.value = f.total;
              });
            },
            () => undefined,
          )
        : undefined,
      backend.spaces
        ? backend.spaces().then(
            (s) => {
              spaces.value = s;
            },
            () => undefined,
          )
        : undefined,
    ]);
  };

  /** Put a page into the rows. */
  const apply = (pageIndex: number, page: MemoryPage, asked: MemoryFilter): void => {
    const stale = !replaceOnNext && revision !== null && page.revision !== revision;
    batch(() => {
      if (replaceOnNext) {
        rows = [];
        loaded.clear();
        replaceOnNext = false;
        shown.value = asked;
      } else if (stale) {
        loaded.clear(); // the store changed: the other pages are stale (still shown until read again)
      }
      revision = page.revision;
      if (rows.length !== page.total) rows.length = page.total;
      const offset = pageIndex * pageSize;
      page.items.forEach((item, i) => {
        if (offset + i < page.total) rows[offset + i] = item;
      });
      loaded.add(pageIndex);
      total.value = page.total;
      if (unfiltered(asked)) stored.value = page.total;
      bump();
    });
    // The rows shown from other pages may have changed: read them again.
    if (stale) {
      queueMicrotask(() => {
        ensure(...visible);
      });
    }
  };

  /** Read one page; true when it was read and is still wanted. */
  const fetchInto = async (pageIndex: number): Promise<boolean> => {
    const gen = generation;
    inflight.add(pageIndex);
    try {
      await mutation;
      const asked = currentFilter();
      const page = await fetchPage({ filter: asked, offset: pageIndex * pageSize, limit: pageSize });
      if (gen !== generation) return false;
      apply(pageIndex, page, asked);
      return true;
    } catch (e) {
      if (gen === generation) fail(e);
      return false;
    } finally {
      if (gen === generation) inflight.delete(pageIndex);
    }
  };

  const ensure = (from: number, to: number): void => {
    visible = [Math.max(0, from), Math.max(from + 1, to)];
    const first = Math.floor(visible[0] / pageSize);
    const last = Math.floor((visible[1] - 1) / pageSize);
    for (let p = first; p <= last; p++) {
      if (p > 0 && p * pageSize >= total.value) break;
      if (!loaded.has(p) && !inflight.has(p)) void fetchInto(p);
    }
  };

  /** Read the shown window again (after a change), keeping the rows shown until then. */
  const invalidate = (): void => {
    loaded.clear();
    ensure(...visible);
  };

  /** A new search or filter: read its first page (the old rows stay until it comes). */
  const restart = async (): Promise<boolean> => {
    generation++;
    inflight.clear();
    replaceOnNext = true;
    selected.value = new Set();
    allMatching.value = false;
    visible = [0, pageSize];
    return fetchInto(0);
  };

  const replaceRow = (view: MemoryView): void => {
    const index = rows.findIndex((m) => m?.id === view.id);
    if (index < 0) return;
    rows[index] = view;
    bump();
  };

  const offerUndo = (token: string | null, text: string): void => {
    if (undoTimer) clearTimeout(undoTimer);
    undoTimer = null;
    if (!token) {
      undoable.value = null;
      announcement.value = text;
      return;
    }
    undoable.value = { token, message: text };
    undoTimer = setTimeout(() => {
      undoable.value = null;
    }, UNDO_WINDOW_MS);
  };

  /** Run a change to the store; pages read meanwhile wait for it. */
  const change = <T>(run: () => Promise<T>): Promise<T> => {
    const done = run();
    mutation = done.catch(() => undefined);
    return done;
  };

  const selectionFor = (): MemorySelection | null => {
    if (allMatching.value) return { filter: currentFilter() };
    return selected.value.size > 0 ? { ids: [...selected.value] } : null;
  };

  return {
    status,
    error,
    query,
    filter,
    dateRange,
    filtered,
    shown,
    total,
    stored,
    version,
    rowAt: (index) => rows[index],
    ensure,
    memories,
    results,
    about,
    facets,
    spaces,
    selected,
    allMatching,
    selectionCount,
    undoable,
    announcement,
    can: {
      search: backend.page !== undefined || backend.search !== undefined,
      filter: backend.facets !== undefined,
      bulk: backend.removeMany !== undefined,
      undo: backend.removeMany !== undefined && backend.undo !== undefined,
      move: backend.move !== undefined,
      detail: backend.detail !== undefined,
      edit: backend.edit !== undefined,
      pin: backend.pin !== undefined,
      expiry: backend.setExpiry !== undefined,
    },
    async load() {
      generation++;
      inflight.clear();
      replaceOnNext = true;
      const gen = generation;
      try {
        await mutation;
        const asked = currentFilter();
        const page = await fetchPage({ filter: asked, offset: 0, limit: pageSize });
        if (gen === generation) {
          apply(0, page, asked);
          status.value = 'ready';
          error.value = null;
        }
      } catch (e) {
        if (gen === generation) fail(e);
      }
      await Promise.all([refreshAbout(), refreshMeta()]);
    },
    async search(text) {
      query.value = text;
      if (await restart()) recovered();
    },
    async setFilter(changes) {
      // An undefined value removes that filter.
      const merged: Record<string, unknown> = { ...filter.value, ...changes };
      filter.value = Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined));
      await restart();
    },
    async setDateRange(range) {
      dateRange.value = range;
      const from = rangeStart(range, now());
      const next: MemoryFilter = { ...filter.value };
      delete next.to;
      if (from === undefined) delete next.from;
      else next.from = from;
      filter.value = next;
      await restart();
    },
    async clearFilters() {
      filter.value = {};
      dateRange.value = 'any';
      await restart();
    },
    async remove(id) {
      const index = rows.findIndex((m) => m?.id === id);
      const removed = rows[index];
      if (!removed) return;
      const wasSelected = selected.value.has(id);
      batch(() => {
        rows.splice(index, 1); // at once, before the background answers
        total.value = Math.max(0, total.value - 1);
        if (stored.value !== null) stored.value = Math.max(0, stored.value - 1);
        if (wasSelected) selected.value = new Set([...selected.value].filter((s) => s !== id));
        bump();
      });
      try {
        await change(async () => {
          if (backend.removeMany) {
            const { undo } = await backend.removeMany({ ids: [id] });
            offerUndo(backend.undo ? undo : null, S.list.forgotOne(removed.text));
          } else {
            await backend.remove(id);
            announcement.value = S.list.forgotOne(removed.text);
          }
        });
        recovered();
        invalidate();
        void refreshAbout();
        void refreshMeta();
      } catch (e) {
        // Put back only this memory: others removed meanwhile stay removed.
        batch(() => {
          rows.splice(Math.min(index, rows.length), 0, removed);
          total.value++;
          if (stored.value !== null) stored.value++;
          bump();
        });
        loaded.clear();
        fail(e);
      }
    },
    async edit(id, text) {
      if (!backend.edit) return false;
      const clean = text.trim();
      if (!clean) {
        error.value = S.list.emptyMemory;
        status.value = 'error';
        return false;
      }
      try {
        replaceRow(await change(() => backend.edit!(id, clean)));
        recovered();
        void refreshAbout();
        return true;
      } catch (e) {
        fail(e);
        return false;
      }
    },
    async pin(id, pinned) {
      if (!backend.pin) return;
      try {
        replaceRow(await change(() => backend.pin!(id, pinned)));
        recovered();
        invalidate(); // pinned memories lead the list
        void refreshAbout();
      } catch (e) {
        fail(e);
      }
    },
    async moveOne(id, space) {
      if (!backend.move) return false;
      try {
        const { moved } = await change(() => backend.move!({ ids: [id] }, space));
        const row = rows.find((m) => m?.id === id);
        if (row) replaceRow({ ...row, space });
        announcement.value = S.list.moved(moved, formatCount(moved), space);
        recovered();
        invalidate();
        void refreshMeta();
        return true;
      } catch (e) {
        fail(e);
        return false;
      }
    },
    async setExpiry(request) {
      if (!backend.setExpiry) throw new Error('Engram: no expiry here');
      const saved = await change(() => backend.setExpiry!(request));
      replaceRow(saved);
      // A date already past forgets it at once: the list is read again.
      invalidate();
      return saved;
    },
    detail(id) {
      if (!backend.detail) return Promise.reject(new Error('Engram: no details here'));
      return backend.detail(id);
    },
    toggleSelected(id, on) {
      const next = new Set(selected.value);
      if (on) next.add(id);
      else next.delete(id);
      selected.value = next;
    },
    selectAllMatching(on) {
      batch(() => {
        allMatching.value = on;
        selected.value = new Set();
      });
    },
    clearSelection() {
      batch(() => {
        allMatching.value = false;
        selected.value = new Set();
      });
    },
    async removeSelected() {
      const selection = selectionFor();
      if (!selection || !backend.removeMany) return false;
      const before = { rows, total: total.value, stored: stored.value };
      batch(() => {
        if ('filter' in selection) {
          rows = [];
          if (stored.value !== null) stored.value = Math.max(0, stored.value - total.value);
          total.value = 0;
        } else {
          const ids = new Set(selection.ids);
          const kept = without(rows, (m) => ids.has(m.id));
          rows = kept.rows;
          total.value = Math.max(0, total.value - ids.size);
          if (stored.value !== null) stored.value = Math.max(0, stored.value - ids.size);
        }
        allMatching.value = false;
        selected.value = new Set();
        bump();
      });
      try {
        const { deleted, undo } = await change(() => backend.removeMany!(selection));
        offerUndo(backend.undo ? undo : null, S.list.forgotMany(deleted, formatCount(deleted)));
        recovered();
        invalidate();
        void refreshAbout();
        void refreshMeta();
        return true;
      } catch (e) {
        batch(() => {
          rows = before.rows;
          total.value = before.total;
          stored.value = before.stored;
          bump();
        });
        loaded.clear();
        fail(e);
        return false;
      }
    },
    async moveSelected(space) {
      const selection = selectionFor();
      if (!selection || !backend.move) return false;
      try {
        const { moved } = await change(() => backend.move!(selection, space));
        batch(() => {
          allMatching.value = false;
          selected.value = new Set();
        });
        announcement.value = S.list.moved(moved, formatCount(moved), space);
        recovered();
        invalidate();
        void refreshMeta();
        return true;
      } catch (e) {
        fail(e);
        return false;
      }
    },
    async undo() {
      const offer = undoable.value;
      if (!offer || !backend.undo) return;
      if (undoTimer) clearTimeout(undoTimer);
      undoTimer = null;
      undoable.value = null;
      try {
        const { restored } = await change(() => backend.undo!(offer.token));
        announcement.value = S.list.restored(restored, formatCount(restored));
        recovered();
        invalidate();
        void refreshAbout();
        await refreshMeta();
      } catch (e) {
        fail(e);
      }
    },
    dismissUndo() {
      if (undoTimer) clearTimeout(undoTimer);
      undoTimer = null;
      undoable.value = null;
    },
    refreshMeta,
    async forgetAll() {
      if (!backend.forgetAll) return false;
      try {
        await change(() => backend.forgetAll!());
        generation++;
        inflight.clear();
        batch(() => {
          rows = [];
          loaded.clear();
          total.value = 0;
          stored.value = 0;
          query.value = '';
          filter.value = {};
          shown.value = {};
          dateRange.value = 'any';
          about.value = null;
          allMatching.value = false;
          selected.value = new Set();
          undoable.value = null;
          bump();
        });
        recovered();
        void refreshMeta();
        return true;
      } catch (e) {
        fail(e);
        return false;
      }
    },
    dispose() {
      if (undoTimer) clearTimeout(undoTimer);
      undoTimer = null;
      generation++;
    },
  };
}
