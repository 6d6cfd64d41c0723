/**
 * The head of the memory manager's list as saved in the settings table (src/background/manager/
 * memory-rows.ts writes it a moment after the last write): the ids of the list's first rows, no
 * text. A new worker answers the popup's first page from it, and so does the popup itself, reading
 * IndexedDB directly (src/db/saved-first-page.ts) while the worker starts. A leaf module.
 */
import type { JsonValue } from '../core/types';

/**
 * Where the head of the list is saved with the rows: the ids of its first rows. A new worker
 * answers the popup's first page from it (the list unfiltered, from the top) without decoding
 * every row first: a stopped worker shows the first memories sooner, and reads the rows after.
 */
export const HEAD_KEY = 'managerHead';

/** The rows the saved head holds (the popup's first page asks for 100). */
export const HEAD_ROWS = 100;

/** The head of the unfiltered list as saved. No text: ids only. */
export interface SavedHead {
  v: 1;
  /** The store revision it reflects. */
  revision: number;
  /** How many rows the list has. */
  total: number;
  /** The first HEAD_ROWS rows' ids, in the list's order. */
  ids: string[];
  /** The first expiry among the rows (ms since epoch), null for none: from then on, the head is stale. */
  nextExpiry: number | null;
}

/** The saved head, or null when the value is not one (another version's, encrypted, hand-edited). */
export function checkHead(value: JsonValue | undefined): SavedHead | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const head = value as unknown as Partial<SavedHead>;
  const ok =
    head.v === 1 &&
    typeof head.revision === 'number' &&
    typeof head.total === 'number' &&
    Array.isArray(head.ids) &&
    head.ids.length <= head.total &&
    head.ids.every((id) => typeof id === 'string') &&
    (head.nextExpiry === null || typeof head.nextExpiry === 'number');
  return ok ? (head as SavedHead) : null;
}
