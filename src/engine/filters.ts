import type { JsonValue, MemoryRecord, SiteId } from '../core/types';

/** A time range, ms since epoch, inclusive. */
export interface Range {
  gte?: number;
  lte?: number;
}

/**
 * Which memories a call applies to. Fields given are ANDed; `AND`, `OR` and `NOT` combine
 * filters. `space` matches the space and everything under it (`work` matches `work/atlas`).
 *
 * @example
 * { userId: 'me', OR: [{ space: 'work/atlas' }, { metadata: { pinned: true } }] }
 */
export interface MemoryFilter {
  userId?: string;
  /** null selects memories without an agent. */
  agentId?: string | null;
  runId?: string | null;
  space?: string | null;
  site?: SiteId;
  conversationId?: string;
  category?: string;
  createdAt?: Range;
  updatedAt?: Range;
  saidAt?: Range;
  /** Each key must equal the value, or be one of `{ in: [...] }`. */
  metadata?: Record<string, JsonValue | { in: JsonValue[] }>;
  AND?: MemoryFilter[];
  OR?: MemoryFilter[];
  NOT?: MemoryFilter;
}

const inRange = (value: number, range: Range | undefined): boolean =>
  !range || ((range.gte === undefined || value >= range.gte) && (range.lte === undefined || value <= range.lte));

/** True when `space` is `wanted` or below it. */
export function inSpace(space: string | null, wanted: string | null): boolean {
  if (wanted === null) return space === null;
  return space !== null && (space === wanted || space.startsWith(`${wanted}/`));
}

/** Validates a space path such as `work/atlas`: lowercase-insensitive segments, no empty parts. */
export function normalizeSpace(space: string | null | undefined): string | null {
  if (space === undefined || space === null) return null;
  const parts = space.split('/').map((p) => p.trim()).filter(Boolean);
  if (parts.length === 0) return null;
  if (parts.some((p) => p.length > 64)) throw new Error(`Invalid space "${space}": a part is longer than 64 characters`);
  return parts.join('/');
}

const isIn = (v: unknown): v is { in: JsonValue[] } => typeof v === 'object' && v !== null && !Array.isArray(v) && 'in' in v;

const sameJson = (a: JsonValue | undefined, b: JsonValue): boolean => JSON.stringify(a) === JSON.stringify(b);

/** True when the memory passes the filter. */
export function matchesFilter(m: MemoryRecord, f: MemoryFilter | undefined): boolean {
  if (!f) return true;
  if (f.userId !== undefined && m.userId !== f.userId) return false;
  if (f.agentId !== undefined && m.agentId !== f.agentId) return false;
  if (f.runId !== undefined && m.runId !== f.runId) return false;
  if (f.space !== undefined && !inSpace(m.space, normalizeSpace(f.space))) return false;
  if (f.site !== undefined && m.site !== f.site) return false;
  if (f.conversationId !== undefined && m.conversationId !== f.conversationId) return false;
  if (f.category !== undefined && !m.categories.includes(f.category)) return false;
  if (!inRange(m.createdAt, f.createdAt) || !inRange(m.updatedAt, f.updatedAt) || !inRange(m.saidAt, f.saidAt)) return false;
  if (f.metadata) {
    for (const [key, want] of Object.entries(f.metadata)) {
      const have = m.metadata[key];
      if (isIn(want) ? !want.in.some((w) => sameJson(have, w)) : !sameJson(have, want)) return false;
    }
  }
  if (f.AND && !f.AND.every((g) => matchesFilter(m, g))) return false;
  if (f.OR && !f.OR.some((g) => matchesFilter(m, g))) return false;
  if (f.NOT && matchesFilter(m, f.NOT)) return false;
  return true;
}
