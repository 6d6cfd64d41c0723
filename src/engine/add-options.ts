/**
 * The options of add() and addMany(), in a module of their own: memory.ts (the API) and
 * add-many.ts (the work) both use them, and neither imports the other for them.
 */
import type { JsonValue, SiteId } from '../core/types';
import type { ChatMessage } from '../ports/extractor';

/** Mem0's filters: scope ids (`user_id`, `agent_id`, `run_id`), fields and metadata keys, operators, AND/OR/NOT. */
export type SearchFilters = Record<string, unknown>;

export interface AddMemoryOptions {
  userId?: string | number;
  agentId?: string | number;
  runId?: string | number;
  metadata?: Record<string, JsonValue>;
  /** Scope ids may also come here, as `user_id`, `agent_id`, `run_id`. */
  filters?: SearchFilters;
  /** true (default): extract facts and decide ADD/UPDATE/DELETE/NONE; false: store each message verbatim. */
  infer?: boolean;
  /** When it was said: Unix seconds (as Mem0's platform), ms, an ISO string or a Date. Default now. */
  timestamp?: number | string | Date | null;
  /** Forget the memories this adds after this day (YYYY-MM-DD, UTC). */
  expirationDate?: string | null;
  /** Engram: hierarchical space such as `work/atlas`. */
  space?: string;
  /** Engram: provenance. */
  site?: SiteId;
  conversationId?: string;
  /** Engram: when it was said, ms since epoch (the same as `timestamp`). */
  saidAt?: number;
  /** Engram: session memories (with a runId) expire this long after they were said. */
  sessionTtlMs?: number;
}

/**
 * One item of addMany(): what one add() call takes — its messages (or a string, one user
 * message), and when, where and with what metadata they were said. The item's fields win over
 * the options'; its metadata is merged over theirs.
 */
export interface AddManyItem extends Pick<AddMemoryOptions, 'metadata' | 'timestamp' | 'saidAt' | 'site' | 'conversationId' | 'expirationDate'> {
  messages: string | readonly ChatMessage[];
}

/** An item of addMany(): a string (one user message), messages, or messages with their own options. */
export type AddManyInput = string | readonly ChatMessage[] | AddManyItem;

/** add()'s options, for every item (an item's own time, place, expiry and metadata win), and the batch's. */
export interface AddManyOptions extends AddMemoryOptions {
  /** Called after each chunk is written; skipped items count as done. */
  onProgress?: (progress: AddManyProgress) => void;
  /** Stops between chunks: what was written stays, the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Items per chunk (one transaction each), 1–2000. Default 250. */
  chunkSize?: number;
}

/** How far an addMany() got. */
export interface AddManyProgress {
  /** Items processed (written, or skipped as bad input). */
  done: number;
  total: number;
  /** Memories added (ADD). */
  added: number;
  /** Memories updated (UPDATE). */
  updated: number;
  /** Memories forgotten at the user's request (DELETE). */
  deleted: number;
  /** Facts already known (NONE). */
  unchanged: number;
  /** Items skipped: what add() would have rejected (no words, too long, bad options), or whose extraction failed. */
  skipped: number;
}
