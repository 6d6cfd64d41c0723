/**
 * Mem0's shapes (TypeScript SDK 3.x) for what the engine returns: items with `memory`, an md5
 * `hash`, ISO dates, snake_case scope ids and the caller's metadata; history rows as Mem0's
 * history store returns them, newest first. What Engram knows besides (where and when it was
 * said, its space and categories, why it changed) rides along in extra fields.
 */
import SparkMD5 from 'spark-md5';
import type { HistoryEntry, JsonValue, MemoryRecord, SiteId } from '../core/types';
import { expirationDateOf } from './validate';

export interface MemoryItem {
  id: string;
  memory: string;
  /** md5 hex of the memory's text (Mem0's hash). */
  hash: string;
  createdAt: string;
  updatedAt?: string;
  /** The caller's metadata, and `expiration_date` (YYYY-MM-DD) when the memory has one. */
  metadata: Record<string, JsonValue>;
  user_id?: string;
  agent_id?: string;
  run_id?: string;
  /** Engram: search score, 0–1. */
  score?: number;
  /** Engram: when it was said (ISO), where, in which conversation and turns; its space and categories. */
  saidAt: string;
  site: SiteId | null;
  conversationId: string | null;
  sourceTurnIds: string[];
  space: string | null;
  categories: string[];
  /** Engram, search only: this is a value the memory held before, replaced at this time (ISO). */
  supersededAt?: string;
}

/** One row of a memory's history, as Mem0's history store returns it. */
export interface HistoryRow {
  id: number;
  memory_id: string;
  previous_value: string | null;
  new_value: string | null;
  action: 'ADD' | 'UPDATE' | 'DELETE';
  created_at: string;
  updated_at: string | null;
  is_deleted: 0 | 1;
  /** Engram: why it changed ("contradicted by: …", "corrected by the user", "merged into: …"). */
  reason?: string;
  /** Engram: a correction of what was stored, not a change in the user's life. */
  correction?: boolean;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function toItem(m: MemoryRecord, extra: { score?: number; text?: string; supersededAt?: number } = {}): MemoryItem {
  const text = extra.text ?? m.text;
  const metadata: Record<string, JsonValue> = { ...m.metadata };
  if (m.expiresAt !== null) metadata.expiration_date = expirationDateOf(m.expiresAt);
  return {
    id: m.id,
    memory: text,
    hash: SparkMD5.hash(text),
    createdAt: iso(m.createdAt),
    ...(m.updatedAt !== m.createdAt ? { updatedAt: iso(m.updatedAt) } : {}),
    metadata,
    ...(m.userId !== null ? { user_id: m.userId } : {}),
    ...(m.agentId !== null ? { agent_id: m.agentId } : {}),
    ...(m.runId !== null ? { run_id: m.runId } : {}),
    ...(extra.score === undefined ? {} : { score: extra.score }),
    saidAt: iso(m.saidAt),
    site: m.site,
    conversationId: m.conversationId,
    sourceTurnIds: m.sourceTurnIds,
    space: m.space,
    categories: m.categories,
    ...(extra.supersededAt === undefined ? {} : { supersededAt: iso(extra.supersededAt) }),
  };
}

/** History, newest first, in Mem0's row shape. */
export function historyRows(entries: readonly HistoryEntry[]): HistoryRow[] {
  return entries
    .map((h, i) => ({ h, i }))
    .sort((a, b) => b.h.at - a.h.at || (b.h.id ?? b.i) - (a.h.id ?? a.i))
    .map(({ h, i }) => ({
      id: h.id ?? i + 1,
      memory_id: h.memoryId,
      previous_value: h.oldText,
      new_value: h.newText,
      action: h.event,
      created_at: iso(h.at),
      updated_at: h.event === 'ADD' ? null : iso(h.at),
      is_deleted: h.event === 'DELETE' ? 1 : 0,
      ...(h.reason ? { reason: h.reason } : {}),
      ...(h.correction ? { correction: true } : {}),
    }));
}
