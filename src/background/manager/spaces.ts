/**
 * Spaces: the user's folders for memories (`work`, `work/atlas`). Those the user created are kept
 * in the settings table (`spaces`), merged with those memories are filed in (and every space
 * above one). Renaming a space renames those under it, and its memories follow; deleting one
 * leaves its memories in no space. Each verb returns the new list.
 */
import { DEFAULT_USER, MAX_SPACE_DEPTH, spacePath, type SpaceInfo } from '../../core/types';
import type { MemoryStore } from '../../ports/memory-store';
import type { ManagerDeps } from './deps';
import { inSpace, liveRow, MalformedRequest } from './filter';

/** The settings key of the spaces the user created. */
export const SPACES_KEY = 'spaces';

/** `work/atlas` → `work`, `work/atlas`. */
function withAncestors(path: string): string[] {
  const names = path.split('/');
  return names.map((_, i) => names.slice(0, i + 1).join('/'));
}

/** By name at each level (any case first), so a space's children follow it. */
function byPath(a: string, b: string): number {
  const x = a.split('/');
  const y = b.split('/');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const order = x[i]!.toLowerCase().localeCompare(y[i]!.toLowerCase()) || (x[i]! < y[i]! ? -1 : x[i]! > y[i]! ? 1 : 0);
    if (order !== 0) return order;
  }
  return x.length - y.length;
}

/** The spaces the user created (a malformed stored entry is skipped). */
async function created(store: MemoryStore): Promise<string[]> {
  const value = await store.getSetting(SPACES_KEY);
  if (!Array.isArray(value)) return [];
  return [...new Set(value.flatMap((v) => spacePath(v) ?? []))];
}

async function saveCreated(store: MemoryStore, paths: Iterable<string>): Promise<void> {
  await store.setSetting(SPACES_KEY, [...new Set(paths)].sort(byPath));
}

/** Keep `path` among the spaces the user created (a move into a new space creates it). */
export async function rememberSpace(store: MemoryStore, path: string): Promise<void> {
  const made = await created(store);
  if (!made.includes(path)) await saveCreated(store, [...made, path]);
}

/** Every space, created or in use (and every space above one), with its own memories, by path. */
export async function listSpaces(deps: ManagerDeps): Promise<SpaceInfo[]> {
  const [rows, made] = await Promise.all([deps.rows.rows(), created(deps.store)]);
  const now = deps.now();
  const counts = new Map<string, number>();
  for (const row of rows.sorted) if (row.space !== null && liveRow(row, now)) counts.set(row.space, (counts.get(row.space) ?? 0) + 1);
  const paths = new Set([...made, ...counts.keys()].flatMap(withAncestors));
  return [...paths].sort(byPath).map((path) => ({ path, memories: counts.get(path) ?? 0 }));
}

function checkNewPath(value: unknown, message: string): string {
  const path = spacePath(value);
  if (path === null) throw new MalformedRequest(message, `a space is names of 1–60 characters joined by '/', at most ${MAX_SPACE_DEPTH} levels, such as work/atlas`);
  return path;
}

/** A space that exists (created or in use), as a message names it. */
async function existing(deps: ManagerDeps, value: unknown, message: string): Promise<string> {
  if (typeof value !== 'string' || value.length > 400) throw new MalformedRequest(message, 'the space must be a path such as work/atlas');
  const path = spacePath(value) ?? value;
  if (!(await listSpaces(deps)).some((s) => s.path === path)) throw new Error(`Engram: there is no space “${path.slice(0, 100)}”`);
  return path;
}

export async function createSpace(deps: ManagerDeps, value: unknown): Promise<SpaceInfo[]> {
  await rememberSpace(deps.store, checkNewPath(value, 'createSpace'));
  return listSpaces(deps);
}

/** The user's memories in `path` or under it, with their spaces (read by the space index, pending and expired ones too). */
async function memoriesUnder(deps: ManagerDeps, path: string): Promise<{ id: string; space: string }[]> {
  // Two lookups, not `.or()`: Dexie walks an `.or()` with cursors, and while the data is being
  // re-encrypted a space's rows sit under two keys (crypto/middleware.ts), which one cursor cannot
  // walk; a plain lookup reads both.
  const [exact, below] = await Promise.all([
    deps.db.memories.where('space').equals(path).toArray(),
    deps.db.memories.where('space').startsWith(`${path}/`).toArray(),
  ]);
  const seen = new Set<string>();
  const records = [...exact, ...below].filter((m) => !seen.has(m.id) && seen.add(m.id));
  return records.flatMap((m) => (m.userId === DEFAULT_USER && m.space !== null && inSpace(m.space, path) ? [{ id: m.id, space: m.space }] : []));
}

export async function renameSpace(deps: ManagerDeps, value: unknown): Promise<SpaceInfo[]> {
  const request = (typeof value === 'object' && value !== null ? value : {}) as { from?: unknown; to?: unknown };
  const to = checkNewPath(request.to, 'renameSpace');
  const from = await existing(deps, request.from, 'renameSpace');
  if (to === from) return listSpaces(deps);
  const renamed = (path: string): string => (inSpace(path, from) ? to + path.slice(from.length) : path);
  const [made, memories] = await Promise.all([created(deps.store), memoriesUnder(deps, from)]);
  const deepest = Math.max(0, ...[...made, ...memories.map((m) => m.space)].filter((p) => inSpace(p, from)).map((p) => renamed(p).split('/').length));
  if (deepest > MAX_SPACE_DEPTH) throw new Error(`Engram: renamed, a space under “${from}” would be more than ${MAX_SPACE_DEPTH} levels deep`);
  await deps.memory.setSpaces(new Map(memories.map((m) => [m.id, renamed(m.space)])));
  await saveCreated(deps.store, [...made.map(renamed), to]);
  return listSpaces(deps);
}

export async function deleteSpace(deps: ManagerDeps, value: unknown): Promise<SpaceInfo[]> {
  const path = await existing(deps, value, 'deleteSpace');
  const [made, memories] = await Promise.all([created(deps.store), memoriesUnder(deps, path)]);
  await deps.memory.setSpaces(new Map(memories.map((m) => [m.id, null])));
  await saveCreated(deps.store, made.filter((p) => !inSpace(p, path)));
  return listSpaces(deps);
}
