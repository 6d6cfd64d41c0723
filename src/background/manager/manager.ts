/**
 * The memory manager's verbs, as the background answers them (register-handlers.ts): each takes a
 * message's payload as it came (untrusted), checks it, and answers. Listing reads the rows
 * (memory-rows.ts); every change goes through the engine.
 *
 * @example
 * const manager = createMemoryManager({ memory, store, db, log, rows, ready, now: Date.now });
 * const { total, items } = await manager.page({ filter: { site: 'chatgpt' }, offset: 0, limit: 50 });
 */
import type { MemoryFacets, MemoryPage, SpaceInfo } from '../../core/types';
import type { MemoryDetail } from '../../messaging/protocol';
import { AboutCache, type About } from './about';
import { deleteMemories, undoDelete, UndoShelf } from './bulk-delete';
import type { ManagerDeps } from './deps';
import { memoryDetail } from './detail';
import { memoryFacets } from './facets';
import { checkMove, moveMemories } from './move';
import { Listings, memoryPage } from './page';
import { Presence } from './presence';
import { checkSelection, selectedIds } from './selection';
import { createSpace, deleteSpace, listSpaces, renameSpace } from './spaces';

export type { ManagerDeps } from './deps';

export interface MemoryManager {
  page(request: unknown): Promise<MemoryPage>;
  facets(): Promise<MemoryFacets>;
  detail(id: unknown): Promise<MemoryDetail>;
  deleteMemories(selection: unknown): Promise<{ deleted: number; undo: string | null }>;
  undoDelete(token: unknown): Promise<{ restored: number }>;
  moveMemories(request: unknown): Promise<{ moved: number }>;
  listSpaces(): Promise<SpaceInfo[]>;
  createSpace(path: unknown): Promise<SpaceInfo[]>;
  renameSpace(request: unknown): Promise<SpaceInfo[]>;
  deleteSpace(path: unknown): Promise<SpaceInfo[]>;
  /** The profile and the most mentioned entities, from the memories listed first (about.ts). */
  about(): Promise<About>;
  /** "Forget everything" happened: drop the rows, their saved copy and every copy kept for an undo. */
  forgetAll(): Promise<void>;
}

export function createMemoryManager(deps: ManagerDeps): MemoryManager {
  const listings = new Listings(deps);
  const shelf = new UndoShelf(deps.now);
  const aboutCache = new AboutCache(deps);
  const presence = new Presence();
  // Bulk changes and space changes one at a time: a rename never interleaves with a move.
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const run = queue.then(task);
    queue = run.catch(() => undefined);
    return run;
  };
  // Someone waits for each read (the popup, the options page): background work (an import's
  // relations, the index build, consolidation, the saves that follow them) pauses at its next
  // slice until it is answered, and for a moment after, while the popup asks its next question.
  // Not the changes: they go through the engine's write queue, which a background task may hold
  // while it waits for its turn.
  const read = <T>(task: () => Promise<T>): Promise<T> => presence.read(task);
  // Once the popup's first page has gone (or its filters' values, asked next: the popup reads its
  // first page from the database itself when it can), what a search needs is loaded (the model,
  // the indexes), once per worker: the user's first search does not pay for it.
  let warming: Promise<void> | null = null;
  const warmUp = (): void => {
    warming ??= deps.ready
      .then(() => deps.memory.warmUp())
      .catch(() => {
        warming = null; // tried again by the next page
      });
  };
  return {
    page: async (request) => {
      try {
        return await read(() => memoryPage(deps, listings, request));
      } finally {
        setTimeout(warmUp, 0);
      }
    },
    facets: async () => {
      try {
        return await read(() => memoryFacets(deps));
      } finally {
        setTimeout(warmUp, 0);
      }
    },
    detail: (id) => read(() => memoryDetail(deps, id)),
    deleteMemories: async (value) => {
      const selection = checkSelection(value, 'deleteMemories');
      return serial(async () => deleteMemories(deps, shelf, await selectedIds(deps, listings, selection)));
    },
    undoDelete: (token) => serial(() => undoDelete(deps, shelf, token)),
    moveMemories: async (value) => {
      const { selection, space } = checkMove(value);
      return serial(async () => moveMemories(deps, await selectedIds(deps, listings, selection), space));
    },
    listSpaces: () => read(() => listSpaces(deps)),
    createSpace: (path) => serial(() => createSpace(deps, path)),
    renameSpace: (request) => serial(() => renameSpace(deps, request)),
    deleteSpace: (path) => serial(() => deleteSpace(deps, path)),
    about: () => read(() => aboutCache.about()),
    forgetAll: async () => {
      shelf.clear();
      listings.clear();
      aboutCache.clear();
      await deps.rows.drop();
    },
  };
}
