/**
 * The manager's filter (core/types.ts MemoryFilter): checked as it arrives (a page of Engram's
 * sends it, but a message is untrusted input), then run either over the rows (one pass) or, for
 * a search, as the engine's filter language so the ranking only considers what the filter allows.
 */
import { SITE_NAMES } from '../../core/site-names';
import { DEFAULT_USER, spacePath, type MemoryFilter, type MemoryScope, type SiteId } from '../../core/types';
import { MAX_TURN_CHARS } from '../../core/turns';
import type { Row } from './memory-rows';

/**
 * The browser's user: everything the extension stores and recalls is theirs. Memories waiting for
 * their consent ("Ask before remembering": `metadata.pending`) are neither listed nor recalled.
 */
export const MINE = { user_id: DEFAULT_USER, NOT: { metadata: { pending: true } } };

/** Thrown for a payload that is not what the protocol says, naming what is wrong. */
export class MalformedRequest extends Error {
  constructor(message: string, what: string) {
    super(`Engram: a malformed ${message} was refused (${what})`);
    this.name = 'MalformedRequest';
  }
}

const SCOPES: readonly MemoryScope[] = ['user', 'agent', 'session'];
const SITES = new Set<string>(Object.keys(SITE_NAMES));
const FIELDS = new Set<string>(['text', 'site', 'space', 'scope', 'category', 'from', 'to', 'pinned']);

/** The longest category name a filter may ask for. */
const MAX_CATEGORY_CHARS = 60;

const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** A filter as a message carries it, checked and tidied (a blank search is no search). */
export function checkFilter(value: unknown, message: string): MemoryFilter {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new MalformedRequest(message, 'filter must be an object');
  const v = value as Record<string, unknown>;
  const unknown = Object.keys(v).find((key) => !FIELDS.has(key));
  if (unknown !== undefined) throw new MalformedRequest(message, `filter.${unknown.slice(0, 40)} is no filter`);
  const bad = (field: string, wants: string): never => {
    throw new MalformedRequest(message, `filter.${field} must be ${wants}`);
  };
  const filter: MemoryFilter = {};
  if (v.text !== undefined) {
    if (typeof v.text !== 'string') bad('text', 'a string');
    const text = (v.text as string).trim().slice(0, MAX_TURN_CHARS);
    if (text) filter.text = text;
  }
  if (v.site !== undefined) {
    if (v.site !== 'none' && !(typeof v.site === 'string' && SITES.has(v.site))) bad('site', `one of ${[...SITES].join(', ')} or none`);
    filter.site = v.site as SiteId | 'none';
  }
  if (v.space !== undefined) {
    const space = v.space === '' ? '' : spacePath(v.space);
    if (space === null) bad('space', "a space path such as work/atlas, or '' for none");
    filter.space = space!;
  }
  if (v.scope !== undefined) {
    if (!SCOPES.includes(v.scope as MemoryScope)) bad('scope', 'user, agent or session');
    filter.scope = v.scope as MemoryScope;
  }
  if (v.category !== undefined) {
    if (typeof v.category !== 'string' || v.category.length === 0 || v.category.length > MAX_CATEGORY_CHARS) bad('category', 'a category name');
    filter.category = v.category as string;
  }
  for (const field of ['from', 'to'] as const) {
    if (v[field] === undefined) continue;
    if (!isTime(v[field])) bad(field, 'a time in ms since the epoch');
    filter[field] = v[field] as number;
  }
  if (v.pinned !== undefined) {
    if (typeof v.pinned !== 'boolean') bad('pinned', 'true or false');
    filter.pinned = v.pinned as boolean;
  }
  return filter;
}

/** The same filter, the same key (a listing is cached under it). */
export function filterKey(filter: MemoryFilter): string {
  const keys = Object.keys(filter).sort() as (keyof MemoryFilter)[];
  return JSON.stringify(keys.map((k) => [k, filter[k]]));
}

/** Not past its expiration date (as the engine's getAll and search). */
export const liveRow = (row: Row, now: number): boolean => row.expiresAt === null || row.expiresAt > now;

/** Whether `space` is `wanted` or under it; `''` wants memories in no space. */
export function inSpace(space: string | null, wanted: string): boolean {
  if (wanted === '') return space === null;
  return space !== null && (space === wanted || space.startsWith(`${wanted}/`));
}

/** The filter (all but its text) as a test of one row, live ones only. */
export function rowTest(filter: MemoryFilter, now: number): (row: Row) => boolean {
  const tests: ((row: Row) => boolean)[] = [(row) => liveRow(row, now)];
  const { site, space, scope, category, from, to, pinned } = filter;
  if (site !== undefined) {
    const wanted = site === 'none' ? null : site;
    tests.push((row) => row.site === wanted);
  }
  if (space !== undefined) tests.push((row) => inSpace(row.space, space));
  if (scope !== undefined) tests.push((row) => row.scope === scope);
  if (category !== undefined) tests.push((row) => row.categories.includes(category));
  if (from !== undefined) tests.push((row) => row.saidAt >= from);
  if (to !== undefined) tests.push((row) => row.saidAt < to);
  if (pinned !== undefined) tests.push((row) => row.pinned === pinned);
  return (row) => tests.every((test) => test(row));
}

/** The user's memories, as the engine's filter language says it, with these conditions too. */
export type EngineFilters = typeof MINE & { AND: Record<string, unknown>[] };

/** The filter (all but its text) in the engine's filter language (engine/filters.ts), for a search. */
export function engineFilters(filter: MemoryFilter): EngineFilters {
  const and: Record<string, unknown>[] = [];
  const { site, space, scope, category, from, to, pinned } = filter;
  if (site !== undefined) and.push({ site: site === 'none' ? null : site });
  if (space !== undefined) and.push({ space: space === '' ? null : space });
  if (scope === 'session') and.push({ runId: '*' });
  if (scope === 'agent') and.push({ runId: null }, { agentId: '*' });
  if (scope === 'user') and.push({ runId: null }, { agentId: null });
  if (category !== undefined) and.push({ category });
  if (from !== undefined) and.push({ saidAt: { gte: from } });
  if (to !== undefined) and.push({ saidAt: { lt: to } });
  if (pinned === true) and.push({ metadata: { pinned: true } });
  if (pinned === false) and.push({ NOT: { metadata: { pinned: true } } });
  return { ...MINE, AND: and };
}
