/** moveMemories: file the selected memories in a space (or in none), through the engine (their hash covers the space). */
import { spacePath } from '../../core/types';
import type { ManagerDeps } from './deps';
import { MalformedRequest } from './filter';
import { checkSelection } from './selection';
import { rememberSpace } from './spaces';
import type { MemorySelection } from '../../messaging/protocol';

export function checkMove(value: unknown): { selection: MemorySelection; space: string | null } {
  const request = (typeof value === 'object' && value !== null ? value : {}) as { selection?: unknown; space?: unknown };
  const space = request.space === null ? null : spacePath(request.space);
  if (space === null && request.space !== null) throw new MalformedRequest('moveMemories', 'space must be a path such as work/atlas, or null for none');
  return { selection: checkSelection(request.selection, 'moveMemories'), space };
}

/** File these memories (ids of the user's) in `space`; a new space is kept as one the user created. */
export async function moveMemories(deps: ManagerDeps, ids: readonly string[], space: string | null): Promise<{ moved: number }> {
  if (space !== null) await rememberSpace(deps.store, space);
  if (ids.length > 0) await deps.memory.setSpaces(new Map(ids.map((id) => [id, space])));
  return { moved: ids.length };
}
