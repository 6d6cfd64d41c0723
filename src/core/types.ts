/**
 * Shapes shared by the engine, the ports, the messaging protocol and the UI. A leaf module: it
 * imports nothing from src/.
 */

/** A relation a fact states: user –lives in→ berlin, atlas –managed by→ priya (pipeline/relations.ts). */
export interface Relation {
  /** 'user' for the user; otherwise a lower-cased entity name. */
  subject: string;
  predicate: string;
  object: string;
}

/**
 * The chat sites Engram knows. `generic`: any other site the user turned Engram on for (popup);
 * `demo` is Engram's built-in demo chat site.
 */
export type SiteId = 'chatgpt' | 'claude' | 'gemini' | 'perplexity' | 'deepseek' | 'grok' | 'generic' | 'demo';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The user Engram serves in the browser (one profile = one user). */
export const DEFAULT_USER = 'me';

/**
 * A stored memory as Dexie holds it. Dexie is the source of truth; vectors live in their own
 * table (one row per model), and every vector index is a rebuildable cache of them.
 */
export interface MemoryRecord {
  id: string;
  /** Integer key of the memory in vector indexes. Unique, never reused. */
  label: number;
  /** One short fact, in the user's words. */
  text: string;
  /** Hash of the normalised text and scope: the same fact in the same scope is stored once. */
  hash: string;
  /**
   * Scope: user memory, agent memory (per assistant), session memory (one run). At least one is
   * set (Mem0's rule); the extension always sets the user.
   */
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  /** Hierarchical space such as `work/atlas`, or null for none. */
  space: string | null;
  /** Provenance: where and when it was said, and from which turns. */
  site: SiteId | null;
  conversationId: string | null;
  sourceTurnIds: string[];
  /** The source message's words around the fact, searched with it (optional; never shown). */
  context?: string | null;
  saidAt: number;
  categories: string[];
  /** Relations the fact states between the user and named entities (pipeline/relations.ts). */
  relations?: Relation[];
  metadata: Record<string, JsonValue>;
  createdAt: number;
  updatedAt: number;
  /** When it is forgotten (Mem0's `expirationDate`, or a session's end); null for never. */
  expiresAt: number | null;
}

/** A persisted vector index snapshot (a cache of the vectors table). */
export interface IndexSnapshot {
  /** `${model}:${kind}`, or `recall-image` (engine/recall-image.ts). */
  key: string;
  model: string;
  kind: 'exact' | 'hnsw' | 'image';
  /** The store's vector revision the snapshot reflects; any other means stale. */
  revision: number;
  dimensions: number;
  bytes: Uint8Array;
  savedAt: number;
}

/** The embedding of one memory under one model. */
export interface VectorRecord {
  memoryId: string;
  model: string;
  label: number;
  vector: Float32Array;
}

export type MemoryEvent = 'ADD' | 'UPDATE' | 'DELETE' | 'NONE';

/** One change of a memory, with its old and new text. */
export interface HistoryEntry {
  id?: number;
  memoryId: string;
  event: Exclude<MemoryEvent, 'NONE'>;
  oldText: string | null;
  newText: string | null;
  at: number;
  /** Why, e.g. "contradicted by: I moved to Amsterdam". */
  reason?: string;
  /** The user corrected the text (an edit): the old text was never true, so it is no past value. */
  correction?: boolean;
  /** Consolidation: the memory this one was merged into (its text forgotten with that memory). */
  mergedInto?: string;
}

/** What the popup shows of a memory. */
export interface MemoryView {
  id: string;
  text: string;
  site: SiteId | null;
  createdAt: number;
  /** The user pinned it: it ranks higher however old it is. */
  pinned?: boolean;
  /** Waiting for consent, a change to a memory the user had accepted: the accepted text it would replace. */
  replaces?: string;
  /** A search result: whether it mentions a word of the search (else it is only related in meaning). */
  matched?: boolean;
}

/** The popup's order: pinned memories first, otherwise as given (a stable sort). */
export const pinnedFirst = (a: MemoryView, b: MemoryView): number => Number(b.pinned ?? false) - Number(a.pinned ?? false);

/** A memory chosen for a prompt, with its similarity to the query. */
export interface RecalledMemory {
  id: string;
  text: string;
  score: number;
}

/** One prompt that went out with memories, as the injection log keeps it. */
export interface InjectionRecord {
  id?: number;
  at: number;
  site: SiteId;
  conversationId: string;
  /** How the memories got there: `automatic`, `review` (what the user kept), `manual` (inserted on request). */
  mode: 'automatic' | 'review' | 'manual';
  /** Each memory as it was sent; `text` is null once the memory is forgotten. */
  memories: { id: string; text: string | null }[];
  /** Index of the memory ids (Dexie multi-entry), to find where a memory was used. */
  memoryIds: string[];
}
