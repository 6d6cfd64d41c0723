/** Which memories a bulk action applies to: these ids, or every memory a filter lists ("all that match"). */
import { DEFAULT_USER } from '../../core/types';
import { MAX_MEMORY_ID_CHARS, type MemorySelection } from '../../messaging/protocol';
import type { ManagerDeps } from './deps';
import { checkFilter, MalformedRequest } from './filter';
import type { Listings } from './page';

/** The most ids one selection may name. */
export const MAX_SELECTED_IDS = 200_000;

/** A selection as a message carries it, checked: exactly one of `ids` and `filter`. */
export function checkSelection(value: unknown, message: string): MemorySelection {
  if (typeof value !== 'object' || value === null) throw new MalformedRequest(message, 'the selection must be { ids } or { filter }');
  const v = value as { ids?: unknown; filter?: unknown };
  if ((v.ids === undefined) === (v.filter === undefined)) throw new MalformedRequest(message, 'the selection must be { ids } or { filter }, not both');
  if (v.filter !== undefined) return { filter: checkFilter(v.filter, message) };
  const { ids } = v;
  if (!Array.isArray(ids) || ids.length > MAX_SELECTED_IDS || !ids.every((id): id is string => typeof id === 'string' && id.length > 0 && id.length <= MAX_MEMORY_ID_CHARS)) {
    throw new MalformedRequest(message, `ids must be at most ${MAX_SELECTED_IDS} memory ids`);
  }
  return { ids: [...new Set(ids)] };
}

/** The ids of the selected memories that exist (the user's; a filter's as its list shows them). */
export async function selectedIds(deps: ManagerDeps, listings: Listings, selection: MemorySelection): Promise<string[]> {
  if ('filter' in selection) return (await listings.of(selection.filter)).rows.map((r) => r.id);
  const records = await deps.store.getMany(selection.ids);
  return records.flatMap((m) => (m.userId === DEFAULT_USER ? [m.id] : []));
}
